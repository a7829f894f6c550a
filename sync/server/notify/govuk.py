"""GOV.UK Notify, through its official client.

Notify sends from templates; the force sets up one SMS and one email template whose whole
content is ``((body))`` (and ``((subject))`` for email), and this channel fills them in.
"""

from __future__ import annotations

from notifications_python_client.errors import APIError, TokenError
from notifications_python_client.notifications import NotificationsAPIClient
from requests import RequestException

from sync.server.notify.channel import DeliveryError, Notification


class GovUkNotifyChannel:
    def __init__(self, api_key: str, *, sms_template_id: str, email_template_id: str, base_url: str) -> None:
        self._client = NotificationsAPIClient(api_key, base_url=base_url, timeout=10)  # type: ignore[no-untyped-call]
        self.sms_template_id = sms_template_id
        self.email_template_id = email_template_id

    def send(self, notification: Notification) -> None:
        try:
            if notification.channel == "sms":
                self._client.send_sms_notification(  # type: ignore[no-untyped-call]
                    phone_number=notification.recipient,
                    template_id=self.sms_template_id,
                    personalisation={"body": notification.body},
                    reference=notification.id,
                )
            else:
                self._client.send_email_notification(  # type: ignore[no-untyped-call]
                    email_address=notification.recipient,
                    template_id=self.email_template_id,
                    personalisation={"subject": notification.subject, "body": notification.body},
                    reference=notification.id,
                )
        except APIError as exc:
            raise DeliveryError(f"GOV.UK Notify refused it (HTTP {exc.status_code})") from exc
        except (RequestException, TokenError) as exc:
            raise DeliveryError(f"GOV.UK Notify could not be reached ({type(exc).__name__})") from exc

"""The channel a server's settings name: GOV.UK Notify, SMTP, or a file for development."""

from __future__ import annotations

from sync.server.notify.channel import Channel
from sync.server.notify.file import FileChannel
from sync.server.notify.govuk import GovUkNotifyChannel
from sync.server.notify.smtp import SmtpChannel
from sync.server.settings import Settings


def channel_from_settings(settings: Settings) -> Channel:
    if settings.notify_channel == "notify":
        if settings.notify_api_key is None:
            raise ValueError("PORTAL_NOTIFY_API_KEY is needed for PORTAL_NOTIFY_CHANNEL=notify")
        return GovUkNotifyChannel(
            settings.notify_api_key.get_secret_value(),
            sms_template_id=settings.notify_sms_template_id,
            email_template_id=settings.notify_email_template_id,
            base_url=settings.notify_base_url,
        )
    if settings.notify_channel == "smtp":
        return SmtpChannel(
            settings.smtp_host,
            settings.smtp_port,
            sender=settings.smtp_from,
            username=settings.smtp_username,
            password=settings.smtp_password.get_secret_value(),
            starttls=settings.smtp_starttls,
            ca_file=settings.smtp_ca_file,
        )
    return FileChannel(settings.notify_file)

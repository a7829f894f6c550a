"""Email over SMTP (a force's own mail relay). Text messages cannot go this way."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

from sync.server.notify.channel import DeliveryError, Notification


class SmtpChannel:
    def __init__(
        self,
        host: str,
        port: int,
        *,
        sender: str,
        username: str = "",
        password: str = "",
        starttls: bool = False,
        timeout: float = 10.0,
    ) -> None:
        self.host = host
        self.port = port
        self.sender = sender
        self.username = username
        self.password = password
        self.starttls = starttls
        self.timeout = timeout

    def send(self, notification: Notification) -> None:
        if notification.channel != "email":
            raise DeliveryError("this server sends email only: set up GOV.UK Notify for text messages")
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = notification.recipient
        message["Subject"] = notification.subject
        message.set_content(notification.body)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as client:
                if self.starttls:
                    client.starttls()
                if self.username:
                    client.login(self.username, self.password)
                client.send_message(message)
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(f"the mail server did not accept it ({type(exc).__name__})") from exc

"""Email over SMTP (a force's own mail relay). Text messages cannot go this way.

With STARTTLS the relay's certificate is verified against the system's authorities (or the
force's own, ``ca_file``) and its name: an unverified TLS session would hand sign-in links to
whoever sits between the server and the relay.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from pathlib import Path

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
        ca_file: str | Path | None = None,
        timeout: float = 10.0,
    ) -> None:
        self.host = host
        self.port = port
        self.sender = sender
        self.username = username
        self.password = password
        self.starttls = starttls
        self.tls = ssl.create_default_context(cafile=ca_file)
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
                    client.starttls(context=self.tls)
                if self.username:
                    client.login(self.username, self.password)
                client.send_message(message)
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(f"the mail server did not accept it ({type(exc).__name__})") from exc

"""The notification seam: one interface, a channel per way of reaching people.

    Channel.send(Notification) -> None, or raises DeliveryError with a reason an officer can read.

Channels: ``FileChannel`` (development and tests: one JSON line per notification),
``GovUkNotifyChannel`` (GOV.UK Notify), ``SmtpChannel`` (email), ``MemoryChannel`` (the fake).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

Purpose = Literal["invitation", "code", "alert"]


@dataclass(frozen=True)
class Notification:
    id: str
    channel: Literal["sms", "email"]
    recipient: str
    purpose: Purpose
    subject: str
    body: str


class DeliveryError(Exception):
    """The channel did not accept the notification. ``str(error)`` is safe to show an officer."""


class Channel(Protocol):
    def send(self, notification: Notification) -> None: ...

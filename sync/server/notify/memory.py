"""The in-memory fake channel, for tests and previews."""

from __future__ import annotations

from sync.server.notify.channel import DeliveryError, Notification


class MemoryChannel:
    def __init__(self) -> None:
        self.sent: list[Notification] = []
        self.failures_to_come: list[str] = []

    def fail_next(self, reason: str, times: int = 1) -> None:
        self.failures_to_come.extend([reason] * times)

    def send(self, notification: Notification) -> None:
        if self.failures_to_come:
            raise DeliveryError(self.failures_to_come.pop(0))
        self.sent.append(notification)

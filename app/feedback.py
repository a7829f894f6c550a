"""The last thing that went wrong, or right, in plain words: what the screens show in their
notice line. Any state may report through these intents; only they change it."""

from __future__ import annotations

from app.observable import Observable


class Feedback(Observable):
    def __init__(self) -> None:
        super().__init__()
        self.error = ""  # the last thing that went wrong
        self.notice = ""  # the last thing that went right ("Your message was sent")

    def fail(self, message: str) -> None:
        self.error, self.notice = message, ""
        self.changed()

    def tell(self, message: str) -> None:
        self.error, self.notice = "", message
        self.changed()

    def clear(self) -> None:
        """A notice belongs to the screen it was given on: leaving it, or hiding everything, clears it."""
        if self.error or self.notice:
            self.error = self.notice = ""
            self.changed()

    def clear_quietly(self) -> None:
        """The same, for a change that tells the screens itself."""
        self.error = self.notice = ""

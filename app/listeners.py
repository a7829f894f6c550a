"""What makes a state observable: screens subscribe, and every intent that changes something
calls ``changed`` so they draw again. Officer mode's states share it."""

from __future__ import annotations

from collections.abc import Callable


class Observable:
    def __init__(self) -> None:
        self._listeners: list[Callable[[], None]] = []

    def subscribe(self, listener: Callable[[], None]) -> Callable[[], None]:
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    def changed(self) -> None:
        for listener in list(self._listeners):
            listener()

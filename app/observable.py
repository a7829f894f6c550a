"""A piece of the app's state that tells its listeners when it has changed.

Each small state (``session``, ``safety``, ``case_focus``, ``preferences``, ``feedback``) is
one of these, changed only through its own named intents; the screens subscribe (through
``views/state.py``) and draw again. No Flet here: ``app/`` imports no UI toolkit.
"""

from __future__ import annotations

from collections.abc import Callable


class Observable:
    def __init__(self) -> None:
        self._listeners: list[Callable[[], None]] = []

    def subscribe(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call ``listener`` after every change; returns the way to stop."""
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    def changed(self) -> None:
        for listener in list(self._listeners):
            listener()

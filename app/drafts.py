"""What is being typed, by field: kept through the lock and quick exit (which take the screen
away), deleted with everything else when the device forgets its sign-in."""

from __future__ import annotations


class Drafts:
    def __init__(self) -> None:
        self._typed: dict[str, str] = {}

    def get(self, key: str) -> str:
        return self._typed.get(key, "")

    def keep(self, key: str, text: str) -> None:
        if text:
            self._typed[key] = text
        else:
            self._typed.pop(key, None)

    def forget(self) -> None:
        self._typed.clear()

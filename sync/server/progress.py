"""A one-line progress bar for long commands, drawn only on a terminal (the caller decides)."""

from __future__ import annotations

import time
from typing import TextIO


class Progress:
    def __init__(self, total: int, out: TextIO, *, width: int = 30, every: float = 0.1) -> None:
        self.total = max(total, 1)
        self.out = out
        self.width = width
        self.every = every
        self._drawn_at = 0.0
        self._shown = False

    def step(self, done: int) -> None:
        now = time.monotonic()
        if now - self._drawn_at < self.every and done < self.total:
            return  # redrawing on every row would cost more than the rows
        self._drawn_at = now
        filled = min(self.width, self.width * done // self.total)
        self.out.write(f"\r[{'#' * filled}{' ' * (self.width - filled)}] {min(done, self.total)}/{self.total}")
        self.out.flush()
        self._shown = True

    def clear(self) -> None:
        if self._shown:
            self.out.write("\r" + " " * (self.width + 30) + "\r")
            self.out.flush()
            self._shown = False

"""Development channel: appends each notification as one JSON line to a file."""

from __future__ import annotations

import json
import os
import threading
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from sync.server.notify.channel import DeliveryError, Notification


class FileChannel:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def send(self, notification: Notification) -> None:
        line = json.dumps({**asdict(notification), "at": datetime.now(UTC).isoformat()}) + "\n"
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self._lock:
                # O_APPEND keeps lines whole when several workers write to the same file.
                fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
                try:
                    os.write(fd, line.encode())
                finally:
                    os.close(fd)
        except OSError as exc:
            raise DeliveryError(f"could not write the notification file: {exc.strerror}") from exc

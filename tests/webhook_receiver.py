"""A force's webhook receiver for tests: a small threaded HTTP server on 127.0.0.1 that checks
each delivery's signature, de-duplicates by event id as a real receiver must, and can be told
to fail, to answer too late, or to hold a request until the test lets it go."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from sync.server.webhook.signature import EVENT_ID_HEADER, EVENT_TYPE_HEADER, SIGNATURE_HEADER, verify

FAIL = "fail"  # answer 500
SLOW = "slow"  # answer 503, but only after ``slow_seconds`` (longer than the sender waits)
HOLD = "hold"  # wait until ``release`` is set, then store and answer 200 (the sender may be gone)
OK = "ok"


class _Server(ThreadingHTTPServer):
    request_queue_size = 256  # the default (5) resets connections when many deliveries arrive at once


@dataclass
class Receiver:
    secret: str = ""
    slow_seconds: float = 1.0
    delay: float = 0.0  # how long each accepted delivery takes to store (to overlap senders)
    plan: list[str] = field(default_factory=list)  # what to do with each request, in turn; then OK
    received: list[dict[str, Any]] = field(default_factory=list)  # each delivery stored, first time only
    duplicates: list[str] = field(default_factory=list)  # event ids delivered again (dropped)
    refused: list[str] = field(default_factory=list)  # why requests were refused (bad signature...)
    answered: list[str] = field(default_factory=list)  # what each request got, in order
    holding: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    held_id: str | None = None
    url: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def handle(self, headers: Any, body: bytes) -> int:
        header = headers.get(SIGNATURE_HEADER, "")
        event_id = headers.get(EVENT_ID_HEADER, "")
        if not verify(self.secret, header, body, now=time.time()):
            with self._lock:
                self.refused.append("signature")
            return 401
        document = json.loads(body)
        if document["id"] != event_id or document["type"] != headers.get(EVENT_TYPE_HEADER):
            with self._lock:
                self.refused.append("headers")
            return 400
        with self._lock:
            action = self.plan.pop(0) if self.plan else OK
            self.answered.append(action)
        if action == FAIL:
            return 500
        if action == SLOW:
            time.sleep(self.slow_seconds)
            return 503
        if action == HOLD:
            self.held_id = event_id
            self.holding.set()
            self.release.wait(30)
        time.sleep(self.delay)
        with self._lock:
            if any(r["id"] == event_id for r in self.received):
                self.duplicates.append(event_id)
            else:
                self.received.append(document)
        return 200

    def ids(self) -> list[str]:
        with self._lock:
            return [r["id"] for r in self.received]

    def seqs_by_case(self) -> dict[str, list[int]]:
        """The change numbers of each case's deliveries, in the order they were stored."""
        by_case: dict[str, list[int]] = {}
        with self._lock:
            for r in self.received:
                by_case.setdefault(r["case_id"], []).append(int(r["data"]["seq"]))
        return by_case


def wait_for(condition: Any, seconds: float = 30, what: str = "the condition") -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


@contextmanager
def running(receiver: Receiver) -> Iterator[Receiver]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            status = receiver.handle(self.headers, body)
            try:
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()
            except OSError:  # the sender is gone (a killed server): what was stored stays stored
                pass

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's name
            return

    httpd = _Server(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    receiver.url = f"http://127.0.0.1:{httpd.server_address[1]}/hooks/portal"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        receiver.release.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)

"""Hears that the server is stopping as soon as it is told to, not after its connections end.

uvicorn answers SIGINT/SIGTERM by waiting for open requests before the lifespan's shutdown
runs, and a long-poll is an open request for up to 30 seconds. So the lifespan chains a
handler in front of uvicorn's that first asks the event loop to run ``on_stop`` (which ends
the long-polls at once), then lets uvicorn carry on as before.
"""

from __future__ import annotations

import asyncio
import signal
import threading
from collections.abc import Callable
from types import FrameType

SIGNALS = (signal.SIGINT, signal.SIGTERM)


def on_stop_signal(loop: asyncio.AbstractEventLoop, on_stop: Callable[[], None]) -> Callable[[], None]:
    """Run ``on_stop`` on ``loop`` when a stop signal arrives; returns what puts the old handlers back.

    Only the main thread may set signal handlers; elsewhere (an app served in a test's thread)
    this does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    previous: dict[int, Callable[[int, FrameType | None], object] | int | None] = {
        sig: signal.getsignal(sig) for sig in SIGNALS
    }

    def handle(sig: int, frame: FrameType | None) -> None:
        if not loop.is_closed():
            loop.call_soon_threadsafe(on_stop)
        before = previous[sig]
        if callable(before):
            before(sig, frame)
        elif before == signal.SIG_DFL:  # what the signal would have done without us
            signal.signal(sig, signal.SIG_DFL)
            signal.raise_signal(sig)

    for sig in SIGNALS:
        signal.signal(sig, handle)

    def restore() -> None:
        for sig, before in previous.items():
            if signal.getsignal(sig) is handle:
                signal.signal(sig, before)

    return restore

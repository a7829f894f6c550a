"""The webhook dispatcher: each worker's loop that takes due deliveries from the outbox, posts
them (signed), and records the answers.

Guarantee: every event is delivered at least once, in order per case, and is never sent again
once a 2xx answer has been recorded. The one repeat there can be is an event whose 2xx arrived
while the worker died (or lost its database) before recording it: after the lease runs out it is
sent again with the same ``Portal-Event-Id``, which the receiver uses to drop it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from contextlib import suppress
from datetime import datetime, timedelta

import httpx

from sync.server.context import utc_now
from sync.server.db import Database
from sync.server.security import Secrets
from sync.server.settings import Settings
from sync.server.webhook import outbox
from sync.server.webhook.signature import EVENT_ID_HEADER, EVENT_TYPE_HEADER, SIGNATURE_HEADER, sign

log = logging.getLogger(__name__)

USER_AGENT = "VictimsPortal-Webhook/1"


class Dispatcher:
    """``clock`` is wall time, not the request clock: leases and retry gaps are about real seconds."""

    def __init__(
        self,
        db: Database,
        secrets: Secrets,
        settings: Settings,
        *,
        clock: Callable[[], datetime] = utc_now,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.db = db
        self.secrets = secrets
        self.settings = settings
        self.clock = clock
        self._transport = transport
        self._wake = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping = False

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    def wake_threadsafe(self) -> None:
        """From a worker thread, after a commit that queued deliveries: look now, not at the next poll."""
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._wake.set)

    def retry_gap(self, attempts: int) -> timedelta:
        seconds = self.settings.webhook_retry_seconds * 2 ** min(max(attempts - 1, 0), 32)
        return timedelta(seconds=min(seconds, self.settings.webhook_retry_max_seconds))

    async def run(self) -> None:
        timeout = httpx.Timeout(self.settings.webhook_timeout_seconds)
        async with httpx.AsyncClient(
            timeout=timeout,
            follow_redirects=False,
            transport=self._transport,
            limits=httpx.Limits(max_connections=self.settings.webhook_batch),
            headers={"User-Agent": USER_AGENT},
        ) as client:
            outcomes: list[outbox.Outcome] = []
            while True:
                self._wake.clear()  # before looking: a wake during the pass means look again
                try:
                    outcomes = await self.pass_once(client, outcomes)
                except Exception:  # a dead loop would strand every later delivery
                    log.exception("webhook delivery pass failed")
                    outcomes = []  # not recorded: sent again once their leases run out
                if self._stopping:
                    if outcomes:
                        await self.db.write(outbox.settle, outcomes, now=self.clock(), retry_gap=self.retry_gap)
                    return
                if outcomes:
                    continue
                with suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.settings.webhook_poll_seconds)

    async def pass_once(self, client: httpx.AsyncClient, previous: list[outbox.Outcome]) -> list[outbox.Outcome]:
        """Record the previous pass's answers and claim what is due, in one transaction; post it."""
        claimed = await self.db.write(
            outbox.settle_and_claim,
            previous,
            self.secrets,
            now=self.clock(),
            retry_gap=self.retry_gap,
            lease=timedelta(seconds=self.settings.webhook_lease_seconds),
            limit=0 if self._stopping else self.settings.webhook_batch,
        )
        return list(await asyncio.gather(*(self._post(client, item) for item in claimed)))

    async def stop(self) -> None:
        """Take no more; the pass under way finishes (its posts are bounded by the timeout)."""
        self._stopping = True
        self._wake.set()

    async def _post(self, client: httpx.AsyncClient, item: outbox.Claimed) -> outbox.Outcome:
        if item.secret is None:
            error = "the webhook's secret cannot be read with this server's secret key: set the webhook again"
            return self._failed(item, error)
        body = item.body()
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: sign(item.secret, int(time.time()), body),
            EVENT_ID_HEADER: str(item.id),
            EVENT_TYPE_HEADER: item.event_type,
        }
        try:
            # One deadline for the whole exchange: httpx's own timeouts apply to each read, so a
            # receiver dripping its answer could otherwise outlast the lease.
            async with asyncio.timeout(self.settings.webhook_timeout_seconds):
                response = await client.post(item.url, content=body, headers=headers)
        except (httpx.TimeoutException, TimeoutError):
            return self._failed(item, f"timed out after {self.settings.webhook_timeout_seconds:g} s")
        except httpx.ConnectError:
            return self._failed(item, "could not connect")
        except httpx.HTTPError as exc:
            # The kind of failure only: an exception's text may quote the address.
            return self._failed(item, f"no answer ({type(exc).__name__})")
        if 200 <= response.status_code < 300:
            return outbox.Outcome(item, None)
        return self._failed(item, f"HTTP {response.status_code}")

    def _failed(self, item: outbox.Claimed, error: str) -> outbox.Outcome:
        # Never the address, the body or the secret: the event id and the kind of failure.
        log.warning(
            "webhook event %s (%s, attempt %d) not delivered: %s", item.id, item.force_code, item.attempts + 1, error
        )
        return outbox.Outcome(item, error)

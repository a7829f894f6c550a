"""The sync runner: owns the HTTP client, the timers and the store, and carries out what the
engine decides, applying each response's changes in one store transaction.

Two loops run while the app is open: the puller (a long-poll in the foreground, paused in the
background) and the sender (the outbox, in the order written). Writing a message never waits
for the network: it goes into the outbox and shows at once as "Sending".
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, Literal

import httpx

from app.content import ServiceList, service_list_to_json
from app.domain import Identity, Message, OutboxItem
from app.ports import LAST_SYNCED, LOCAL_SERVICES, ConnectionState
from app.store.port import Store
from sync.engine import Changes, HttpRequest, HttpResponse, ServerTrouble, SyncEngine, with_read_mark

log = logging.getLogger(__name__)


def utc_now() -> datetime:
    return datetime.now(UTC)


class SignedOut(Exception):
    """The server no longer accepts this device's token."""


class SyncRunner:
    def __init__(
        self,
        store: Store,
        server_url: str,
        token: str,
        *,
        engine: SyncEngine | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], datetime] = utc_now,
        reader: Literal["victim", "officer"] = "victim",
    ) -> None:
        self.store = store
        self.reader = reader  # whose read mark this device keeps
        self.engine = engine or SyncEngine()
        self.clock = clock
        self._client = httpx.AsyncClient(
            base_url=server_url.rstrip("/"), headers={"Authorization": f"Bearer {token}"}, transport=transport
        )
        self._wake_pull = asyncio.Event()
        self._wake_send = asyncio.Event()
        self._foreground = asyncio.Event()
        self._foreground.set()
        self._tasks: list[asyncio.Task[None]] = []
        self.signed_out = False
        self.on_change: Callable[[], None] = lambda: None

    # ------------------------------------------------------------------ what the app calls

    @property
    def state(self) -> ConnectionState:
        return self.engine.state

    @property
    def last_synced_at(self) -> datetime | None:
        return self.engine.last_synced_at

    @property
    def running(self) -> bool:
        """Its loops are going: started and not yet stopped."""
        return any(not task.done() for task in self._tasks)

    @property
    def in_foreground(self) -> bool:
        """Pulling (a long poll); in the background it pauses."""
        return self._foreground.is_set()

    def write_message(
        self, case_id: str, body: str, author_name: str, author_kind: Literal["victim", "officer"] = "victim"
    ) -> Message:
        """Stores the message and its outbox entry together; it shows at once as Sending."""
        client_id = str(uuid.uuid4())
        now = self.clock()
        message = Message(client_id, case_id, author_kind, author_name, body, now, state="sending")
        with self.store.transaction():
            self.store.put_messages([message])
            self.store.enqueue(OutboxItem(client_id, "message", case_id, now, body=body))
        self._wake_send.set()
        return message

    def request_update(self, case_id: str, note: str = "") -> None:
        self.store.enqueue(OutboxItem(str(uuid.uuid4()), "update_request", case_id, self.clock(), body=note))
        self._wake_send.set()

    def mark_read(self, case_id: str, up_to_seq: int) -> None:
        """Read here at once (the unread count drops), and the mark goes to the server."""
        with self.store.transaction():
            if (case := self.store.case(case_id)) is not None:
                self.store.put_cases([with_read_mark(case, self.reader, up_to_seq)])
            self.store.enqueue(OutboxItem(str(uuid.uuid4()), "read", case_id, self.clock(), up_to_seq=up_to_seq))
        self._wake_send.set()

    def keep_identity(self, identity: Identity) -> None:
        self.store.set_identity(identity)

    def keep_local_services(self, services: ServiceList) -> None:
        self.store.set_setting(LOCAL_SERVICES, service_list_to_json(services))

    def retry(self, item_id: str) -> None:
        """'Not sent — tap to retry': the item goes back in the queue."""
        for item in self.store.outbox():
            if item.id == item_id and item.failed:
                with self.store.transaction():
                    self.store.put_outbox_item(replace(item, failed=None))
                    if item.kind == "message":
                        self.store.set_message_state(item.id, "sending")
        self._wake_send.set()

    def set_foreground(self, foreground: bool) -> None:
        if foreground:
            self._foreground.set()
            self.refresh()
        else:
            self._foreground.clear()

    def refresh(self) -> None:
        """The network is back, or the person pulled to refresh: try at once."""
        self.engine.network_back()
        self._wake_pull.set()
        self._wake_send.set()

    # ------------------------------------------------------------------ running

    def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._tasks = [loop.create_task(self._pull_loop()), loop.create_task(self._send_loop())]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._client.aclose()

    async def pull_all(self, *, long_poll: bool = False) -> None:
        """Pull until the server has nothing more (the first sync after sign-in rebuilds everything)."""
        while True:
            changes = await self._pull_once(long_poll=long_poll)
            if not changes.more:
                return

    async def send_all(self) -> None:
        """Send the outbox in order, once each, until it is empty or only failed items remain."""
        for item in self.store.outbox():
            if item.failed:
                continue
            response = await self._perform(self.engine.send(item))
            self._apply(self.engine.receive_send(item, response, self.clock()))

    async def _pull_once(self, *, long_poll: bool) -> Changes:
        response = await self._perform(self.engine.pull(self.store.cursor(), long_poll=long_poll))
        changes = self.engine.receive_pull(response, self.clock())
        self._apply(changes)
        return changes

    async def _perform(self, request: HttpRequest) -> HttpResponse:
        response = await self._client.request(
            request.method, request.path, params=request.params or None, json=request.body, timeout=request.timeout
        )
        retry_after = response.headers.get("retry-after")
        body: Any = None
        if response.content:
            try:
                body = response.json()
            except ValueError:
                body = None
        return HttpResponse(response.status_code, body, float(retry_after) if retry_after else None)

    def _apply(self, changes: Changes) -> None:
        if changes.signed_out:
            self.signed_out = True
            self.on_change()  # so the app can say so and ask for a new invitation
            raise SignedOut
        with self.store.transaction():
            if changes.cases:
                self.store.put_cases(changes.cases)
            if changes.updates:
                self.store.put_updates(changes.updates)
            if changes.messages:
                self.store.put_messages(changes.messages)
            for item_id in changes.remove_outbox:
                self.store.remove_outbox_item(item_id)
            for item in changes.put_outbox:
                self.store.put_outbox_item(item)
            for client_id, state, error in changes.message_states:
                self.store.set_message_state(client_id, state, error)
            for case_id, reader, up_to_seq in changes.read_marks:
                case = self.store.case(case_id)
                if case is not None:
                    self.store.put_cases([with_read_mark(case, reader, up_to_seq)])
            if changes.forget_cursor:
                self.store.set_cursor(None)
            if changes.cursor is not None:
                self.store.set_cursor(changes.cursor)
            if self.engine.last_synced_at is not None:
                self.store.set_setting(LAST_SYNCED, self.engine.last_synced_at.isoformat())
        self.on_change()

    async def _pull_loop(self) -> None:
        while True:
            await self._foreground.wait()
            try:
                await self._pull_once(long_poll=self.store.cursor() is not None)
            except SignedOut:
                return
            except (httpx.TransportError, ServerTrouble) as exc:
                await self._back_off(self._wake_pull, getattr(exc, "retry_after", None))

    async def _send_loop(self) -> None:
        while True:
            self._wake_send.clear()
            try:
                await self.send_all()
            except SignedOut:
                return
            except (httpx.TransportError, ServerTrouble) as exc:
                await self._back_off(self._wake_send, getattr(exc, "retry_after", None))
                continue
            await self._wake_send.wait()

    async def _back_off(self, wake: asyncio.Event, retry_after: float | None) -> None:
        wait = self.engine.network_failed(self.clock(), retry_after)
        self.on_change()
        wake.clear()
        try:
            await asyncio.wait_for(wake.wait(), wait)
        except TimeoutError:
            pass

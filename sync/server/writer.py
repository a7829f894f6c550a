"""Group commit for message sends.

Sends that arrive while a transaction is being written wait for the next one, which stores
them all together: one transaction, one thread hop and one commit for many messages, and
each sender still gets its answer only once its message is durable. Each send succeeds or
fails on its own.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from sync.server.context import Context
from sync.server.db import Database
from sync.server.errors import ApiError
from sync.server.services.messages import SendRequest, Sent, send_many

log = logging.getLogger(__name__)


@dataclass
class _Waiting:
    item: SendRequest
    answer: asyncio.Future[Sent]


class MessageWriter:
    def __init__(self, db: Database, ctx: Context, *, max_batch: int = 64) -> None:
        self.db = db
        self.ctx = ctx
        self.max_batch = max_batch
        self._queue: list[_Waiting] = []
        self._task: asyncio.Task[None] | None = None

    async def send(self, item: SendRequest) -> Sent:
        answer: asyncio.Future[Sent] = asyncio.get_running_loop().create_future()
        self._queue.append(_Waiting(item, answer))
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._write_all())
        return await answer

    async def drain(self) -> None:
        """Wait until every send handed to the writer is stored (at shutdown)."""
        while self._task is not None and not self._task.done():
            await self._task

    async def _write_all(self) -> None:
        while self._queue:
            batch, self._queue = self._queue[: self.max_batch], self._queue[self.max_batch :]
            try:
                results = await self.db.write(send_many, self.ctx, [w.item for w in batch])
            except Exception:
                # Something failed for the batch as a whole: store each send on its own, so one
                # cannot take the others down with it.
                log.warning("a batch of %d sends failed as one; writing them one by one", len(batch))
                for waiting in batch:
                    await self._write_one(waiting)
                continue
            for waiting, result in zip(batch, results, strict=True):
                _answer(waiting.answer, result)

    async def _write_one(self, waiting: _Waiting) -> None:
        try:
            (result,) = await self.db.write(send_many, self.ctx, [waiting.item])
        except Exception as exc:
            if not waiting.answer.done():
                waiting.answer.set_exception(exc)
            return
        _answer(waiting.answer, result)


def _answer(answer: asyncio.Future[Sent], result: Sent | ApiError) -> None:
    if answer.done():  # the sender went away
        return
    if isinstance(result, ApiError):
        answer.set_exception(result)
    else:
        answer.set_result(result)

from __future__ import annotations

from typing import Annotated

import anyio
from fastapi import APIRouter, Query, Response

from sync.protocol import LONG_POLL_MAX_SECONDS, SyncPublic
from sync.server.changes import decode_cursor
from sync.server.context import RequestInfo
from sync.server.deps import RequestDep, Services, ServicesDep
from sync.server.fastpath import empty_answer
from sync.server.services import sync_pages

router = APIRouter(tags=["sync"])


def _nothing_new_known(services: Services, request: RequestInfo, since: int) -> tuple[str, ...] | None:
    """The caller's wake keys when the hub alone can tell there is nothing new for them."""
    if request.caller is None or not sync_pages.can_sync(request.caller):
        return None
    keys = sync_pages.wake_keys(request.caller)
    return keys if services.hub.nothing_new(request.caller.force_id, keys, since) else None


@router.get("/sync", response_model=SyncPublic)
async def sync(
    request: RequestDep,
    services: ServicesDep,
    since: Annotated[str | None, Query(max_length=64, description="The cursor from the last answer.")] = None,
    wait: Annotated[
        float,
        Query(
            alias="timeout",
            ge=0,
            le=LONG_POLL_MAX_SECONDS,
            description="Seconds to wait for something new (long-poll).",
        ),
    ] = 0,
) -> Response:
    """Everything new for the caller after ``since``, in order. With ``timeout`` (seconds) it waits
    (holding no database connection) and answers as soon as something arrives for the caller.

    A caller whose token was checked recently and whose cursor is current is answered from
    memory: the hub hears of every change, so the database is asked only when there is news.
    """
    since_seq = decode_cursor(services.ctx.secrets, since)
    hub, db = services.hub, services.db
    deadline = anyio.current_time() + wait
    page: sync_pages.Page | None = None
    while True:
        keys = _nothing_new_known(services, request, since_seq)
        if keys is None:
            version = hub.version
            page = await db.read(sync_pages.read, services.ctx, request, since_seq)
            if page.events or page.more:
                break
            keys = sync_pages.wake_keys(page.caller)
            if hub.changed_since(version, keys):
                continue
        remaining = deadline - anyio.current_time()
        if remaining <= 0 or hub.closing:
            break
        with hub.waiting(keys) as woken, anyio.move_on_after(remaining):
            await woken.wait()
        # Whatever woke us, the next look is the database's, with the token checked afresh.
        request = RequestInfo(token=request.token, ip=request.ip)
    if page is None:
        return Response(empty_answer(services.ctx.secrets, since_seq), media_type="application/json")
    if page.case_ids and page.caller.is_officer:
        await db.write(sync_pages.record_officer_read, services.ctx, page)
    return Response(page.json(), media_type="application/json")

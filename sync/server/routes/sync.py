from __future__ import annotations

from typing import Annotated

import anyio
from fastapi import APIRouter, Query, Response

from sync.protocol import LONG_POLL_MAX_SECONDS, SyncPublic
from sync.server.deps import Caller, ServicesDep
from sync.server.feed import decode_cursor
from sync.server.services import feed

router = APIRouter(tags=["sync"])


@router.get("/sync", response_model=SyncPublic)
async def sync(
    caller: Caller,
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
    """Everything new for the caller after ``since``, in order. With ``timeout`` (seconds) it waits (no
    database connection held) and answers as soon as something arrives for the caller."""
    since_seq = decode_cursor(since)
    hub, db = services.hub, services.db
    deadline = anyio.current_time() + wait
    while True:
        version = hub.version
        page = await db.read(feed.read, services.ctx, caller, since_seq)
        remaining = deadline - anyio.current_time()
        if page.events or page.more or remaining <= 0:
            break
        with hub.waiting(page.keys) as woken:
            if not hub.changed_since(version, page.keys):
                with anyio.move_on_after(remaining):
                    await woken.wait()
    if page.case_ids and page.caller.is_officer:
        await db.write(feed.record_officer_read, services.ctx, page)
    return Response(page.json(), media_type="application/json")

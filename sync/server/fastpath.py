"""Answers the commonest request of all, an empty sync poll, before the framework sees it.

A victim's app polls all day and is nearly always told "nothing new". When the token was
checked recently and the hub knows nothing has happened for that caller since their
cursor, the answer needs neither the database nor request parsing. Anything unusual (a
long-poll, a cursor to decode, a token not in the cache, news) goes on to the real route,
which makes the same decision the same way (``empty_answer``).
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Receive, Scope, Send

from sync.protocol import API_PREFIX
from sync.server.changes import decode_cursor, encode_cursor
from sync.server.deps import Services
from sync.server.errors import BadRequest
from sync.server.security import Secrets
from sync.server.services import sync_pages

SYNC_PATH = f"{API_PREFIX}/sync"


def empty_answer(secrets: Secrets, cursor: int) -> bytes:
    return sync_pages.envelope((), encode_cursor(secrets, cursor), False)


class SyncFastPath:
    def __init__(self, app: ASGIApp, *, services: Services) -> None:
        self.app = app
        self.services = services

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == SYNC_PATH and scope["method"] == "GET":
            body = self._answer(scope)
            if body is not None:
                await send(
                    {
                        "type": "http.response.start",
                        "status": 200,
                        "headers": [
                            (b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)

    def _answer(self, scope: Scope) -> bytes | None:
        params = dict(parse_qsl(scope["query_string"].decode("latin-1")))
        if params.get("timeout", "0") not in ("0", "0.0") or set(params) - {"since", "timeout"}:
            return None
        token = None
        for name, value in scope["headers"]:
            if name == b"authorization":
                scheme, _, rest = value.decode("latin-1").partition(" ")
                token = rest.strip() if scheme.lower() == "bearer" else None
        if not token:
            return None
        ctx = self.services.ctx
        caller = ctx.callers.get(ctx.secrets.digest(token), now=ctx.now())
        if caller is None or not sync_pages.can_sync(caller):
            return None
        try:
            since = decode_cursor(ctx.secrets, params.get("since"))
        except BadRequest:
            return None
        if not self.services.hub.nothing_new(caller.force_id, sync_pages.wake_keys(caller), since):
            return None
        return empty_answer(ctx.secrets, since)

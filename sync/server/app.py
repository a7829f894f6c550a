"""The composition root: ``create_app(settings)`` builds the real parts and wires them together."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from datetime import datetime

import httpx
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.engine import Connection
from starlette.exceptions import HTTPException as StarletteHTTPException

from sync.protocol import API_PREFIX, PATTERN_WORDS, ErrorBody
from sync.server import changes, limits
from sync.server.bodylimit import BodyLimit
from sync.server.callers import CallerCache
from sync.server.context import Context, utc_now
from sync.server.db import Database, create_engine
from sync.server.deps import Services
from sync.server.docs import OPENAPI_URL, docs_enabled, install_docs
from sync.server.errors import ApiError
from sync.server.fastpath import SyncFastPath
from sync.server.headers import ALWAYS, SecurityHeaders
from sync.server.hub import Hub
from sync.server.notify import Channel, Outbox
from sync.server.notify.configured import channel_from_settings
from sync.server.notify.outbox import take_after_commit
from sync.server.routes import (
    auth,
    cases,
    eligibility,
    health,
    integration_keys,
    invitations,
    me,
    messages,
    officers,
    stats,
    support,
    victims,
    webhooks,
)
from sync.server.routes import sync as sync_routes
from sync.server.settings import Settings
from sync.server.shutdown import on_stop_signal
from sync.server.watch import watch_postgres, watch_sqlite
from sync.server.webhook import outbox as webhook_outbox
from sync.server.webhook.dispatcher import Dispatcher
from sync.server.writer import MessageWriter

log = logging.getLogger(__name__)


def error_response(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    body = ErrorBody.model_validate({"error": {"code": code, "message": message}})
    return JSONResponse(body.model_dump(), status_code=status, headers=headers)


def _describe(exc: RequestValidationError) -> tuple[int, str, str]:
    errors = exc.errors()
    if any(error.get("type") == "json_invalid" for error in errors):
        return 400, "invalid_json", "The request body is not valid JSON."
    # Only where and what: pydantic's messages never quote the rejected value back.
    parts = []
    for error in errors[:5]:
        loc = tuple(error.get("loc", ()))
        where = ".".join(str(part) for part in (loc[1:] if loc[:1] == ("body",) else loc))
        words = PATTERN_WORDS.get(str(error.get("ctx", {}).get("pattern")), error.get("msg", "invalid"))
        parts.append(f"{where}: {words}" if where else str(words))
    return 422, "invalid_request", "; ".join(parts) or "The request is not valid."


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(*_describe(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        codes = {404: "not_found", 405: "method_not_allowed"}
        message = {404: "There is nothing at this address.", 405: "This address does not take that method."}
        return error_response(
            exc.status_code,
            codes.get(exc.status_code, "http_error"),
            message.get(exc.status_code, str(exc.detail)),
            dict(exc.headers or {}),
        )

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.error("unexpected error: %s", type(exc).__name__, exc_info=exc)
        # Starlette answers this outside every middleware: the headers are added here instead.
        return error_response(500, "internal", "Something went wrong on our side. Please try again.", dict(ALWAYS))


def create_app(
    settings: Settings,
    *,
    channel: Channel | None = None,
    clock: Callable[[], datetime] = utc_now,
    webhook_transport: httpx.AsyncBaseTransport | None = None,
) -> FastAPI:
    hub = Hub()

    def on_commit(conn: Connection) -> None:
        hub.publish_threadsafe(changes.take_changes(conn))
        outbox.deliver_soon(take_after_commit(conn))
        if webhook_outbox.take_queued(conn):
            dispatcher.wake_threadsafe()
        for digest in changes.take_revocations(conn):
            ctx.callers.forget(digest)

    def on_end(conn: Connection) -> None:
        changes.take_changes(conn)
        changes.take_revocations(conn)
        take_after_commit(conn)
        webhook_outbox.take_queued(conn)

    engine = create_engine(settings.database_url, pool_size=settings.db_pool_size)
    db = Database(engine, concurrency=settings.db_pool_size, on_commit=on_commit, on_end=on_end)
    ctx = Context.from_settings(settings, clock=clock, callers=CallerCache(ttl=settings.caller_cache_seconds))
    outbox = Outbox(db, channel or channel_from_settings(settings), clock, ctx.secrets)
    dispatcher = Dispatcher(db, ctx.secrets, settings, transport=webhook_transport)
    services = Services(ctx=ctx, db=db, hub=hub, outbox=outbox, messages=MessageWriter(db, ctx))

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        loop = asyncio.get_running_loop()
        hub.bind(loop)
        outbox.bind(loop)
        dispatcher.bind(loop)
        restore_signals = on_stop_signal(loop, hub.close)
        watcher = (
            watch_sqlite(db, hub)
            if db.is_sqlite
            else watch_postgres(db, settings.database_url, hub, services.ctx.callers)
        )
        background = [
            loop.create_task(outbox.run()),
            loop.create_task(dispatcher.run()),
            loop.create_task(watcher),
            loop.create_task(limits.prune_forever(db, clock, settings.prune_attempts_seconds)),
        ]
        try:
            yield
        finally:
            restore_signals()
            hub.close()
            await dispatcher.stop()
            # Posts under way get a second to be answered and recorded, so a stop stays quick; one
            # cut off is sent again (same event id) once its lease runs out.
            with suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(background[1]), 1.0)
            for task in background:
                task.cancel()
            for task in background:
                with suppress(asyncio.CancelledError):
                    await task
            await services.messages.drain()
            await outbox.close()
            await db.close()

    docs = docs_enabled(settings)
    app = FastAPI(
        title="Victim's Portal API",
        version="1",
        docs_url=None,  # served by sync.server.docs, from this server alone
        redoc_url=None,
        openapi_url=OPENAPI_URL if docs else None,
        description="The backend the Victim's Portal app syncs with. Every error is "
        '`{"error": {"code": "...", "message": "..."}}`.',
        lifespan=lifespan,
        responses={
            400: {"model": ErrorBody},
            401: {"model": ErrorBody},
            403: {"model": ErrorBody},
            404: {"model": ErrorBody},
            409: {"model": ErrorBody},
            422: {"model": ErrorBody},
            429: {"model": ErrorBody},
        },
    )
    app.state.services = services
    install_error_handlers(app)
    # The hot paths first: routes are matched in order.
    for module in (
        sync_routes,
        messages,
        health,
        auth,
        officers,
        cases,
        invitations,
        me,
        victims,
        integration_keys,
        stats,
        support,
        webhooks,
        eligibility,
    ):
        app.include_router(module.router, prefix=API_PREFIX)
    if docs:
        install_docs(app)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(SyncFastPath, services=services)  # it answers without the rest
    app.add_middleware(SecurityHeaders, trusted_proxies=settings.trusted_proxies)  # outermost: on every answer
    return app


def app_from_environment() -> FastAPI:
    """For ``uvicorn --factory`` in each worker process."""
    settings = Settings()
    if problem := settings.environment_problem():
        raise RuntimeError(problem)
    return create_app(settings)

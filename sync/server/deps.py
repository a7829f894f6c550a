"""Typed dependencies for the routes. None of them does I/O: the work, authentication
included, happens in one transaction inside the route's service call."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Annotated

from fastapi import Depends, Request

from sync.server.context import Context, RequestInfo
from sync.server.db import Database
from sync.server.hub import Hub
from sync.server.notify import Outbox
from sync.server.writer import MessageWriter


@dataclass(frozen=True)
class Services:
    ctx: Context
    db: Database
    hub: Hub
    outbox: Outbox
    messages: MessageWriter


async def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


async def get_request_info(request: Request) -> RequestInfo:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    services: Services = request.app.state.services
    ctx = services.ctx
    ip = client_ip(request, ctx.settings.trusted_proxies)
    if scheme.lower() != "bearer" or not token:
        return RequestInfo(token=None, ip=ip)
    cached = ctx.callers.get(ctx.secrets.digest(token), now=ctx.now())
    return RequestInfo(token=token, ip=ip, caller=replace(cached, ip=ip) if cached else None)


def client_ip(request: Request, trusted_proxies: int) -> str | None:
    if trusted_proxies > 0:
        hops = [h.strip() for h in request.headers.get("x-forwarded-for", "").split(",") if h.strip()]
        if len(hops) >= trusted_proxies:
            return hops[-trusted_proxies]
    return request.client.host if request.client else None


ServicesDep = Annotated[Services, Depends(get_services)]
# The request as the routes see it (its token, IP and any cached caller); the caller itself,
# context.Caller, is known only once a service has authenticated it inside its transaction.
RequestDep = Annotated[RequestInfo, Depends(get_request_info)]

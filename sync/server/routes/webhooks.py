from __future__ import annotations

from fastapi import APIRouter, Response

from sync.protocol import WebhookCreate, WebhookCreatedPublic, WebhookPublic
from sync.server.deps import RequestDep, ServicesDep
from sync.server.services import webhooks

router = APIRouter(prefix="/webhook", tags=["webhook"])


@router.get("")
async def get_webhook(request: RequestDep, services: ServicesDep) -> WebhookPublic:
    """Admins: the force's webhook address (never its secret)."""
    return await services.db.read(webhooks.get, services.ctx, request)


@router.put("")
async def put_webhook(body: WebhookCreate, request: RequestDep, services: ServicesDep) -> WebhookCreatedPublic:
    """Admins: set or replace the webhook; the answer holds its signing secret, shown once."""
    return await services.db.write(webhooks.put, services.ctx, request, body)


@router.delete("", status_code=204)
async def delete_webhook(request: RequestDep, services: ServicesDep) -> Response:
    """Admins: stop posting; events already queued wait for the next webhook set."""
    await services.db.write(webhooks.delete, services.ctx, request)
    return Response(status_code=204)

from __future__ import annotations

import uuid

from fastapi import APIRouter

from sync.protocol import IntegrationKeyCreatedPublic, IntegrationKeyPublic
from sync.server.deps import RequestDep, ServicesDep
from sync.server.services import integration_keys

router = APIRouter(prefix="/integration-keys", tags=["integration keys"])


@router.get("")
async def list_keys(request: RequestDep, services: ServicesDep) -> list[IntegrationKeyPublic]:
    """Admins: the force's keys for its record system (never the keys themselves)."""
    return await services.db.read(integration_keys.list_for_admin, services.ctx, request)


@router.post("/{key_id}/revoke")
async def revoke_key(key_id: uuid.UUID, request: RequestDep, services: ServicesDep) -> IntegrationKeyPublic:
    """Admins: the key is refused from now on, on every worker."""
    return await services.db.write(integration_keys.revoke, services.ctx, request, key_id)


@router.post("/{key_id}/rotate", status_code=201)
async def rotate_key(key_id: uuid.UUID, request: RequestDep, services: ServicesDep) -> IntegrationKeyCreatedPublic:
    """Admins: a new key (shown once) replaces this one, which is revoked at once."""
    return await services.db.write(integration_keys.rotate, services.ctx, request, key_id)

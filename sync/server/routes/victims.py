from __future__ import annotations

import uuid

from fastapi import APIRouter

from sync.protocol import SignOutPublic
from sync.server.deps import RequestDep, ServicesDep
from sync.server.services import devices

router = APIRouter(prefix="/victims", tags=["victims"])


@router.post("/{victim_id}/sign-out")
async def sign_out_everywhere(victim_id: uuid.UUID, request: RequestDep, services: ServicesDep) -> SignOutPublic:
    """Admins: ends every session of this victim at once (a lost or taken phone)."""
    return await services.db.write(devices.sign_out_victim, services.ctx, request, victim_id)

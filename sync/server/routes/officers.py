from __future__ import annotations

from fastapi import APIRouter, status

from sync.protocol import OfficerAvailability, OfficerCreate, OfficerPublic
from sync.server.deps import Caller, ServicesDep
from sync.server.services import officers

router = APIRouter(prefix="/officers", tags=["officers"])


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_officer(body: OfficerCreate, caller: Caller, services: ServicesDep) -> OfficerPublic:
    return await services.db.write(officers.create, services.ctx, caller, body)


@router.get("")
async def list_officers(caller: Caller, services: ServicesDep) -> list[OfficerPublic]:
    return await services.db.read(officers.list_officers, services.ctx, caller)


@router.get("/me")
async def me(caller: Caller, services: ServicesDep) -> OfficerPublic:
    return await services.db.read(officers.me, services.ctx, caller)


@router.put("/me/availability")
async def set_availability(body: OfficerAvailability, caller: Caller, services: ServicesDep) -> OfficerPublic:
    return await services.db.write(officers.set_availability, services.ctx, caller, body)

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from sync.protocol import (
    OfficerAvailability,
    OfficerCreate,
    OfficerCreatedPublic,
    OfficerNamePublic,
    OfficerPublic,
    SetupCodePublic,
)
from sync.server.deps import RequestDep, ServicesDep
from sync.server.services import accounts, handovers, officers

router = APIRouter(prefix="/officers", tags=["officers"])


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_officer(body: OfficerCreate, request: RequestDep, services: ServicesDep) -> OfficerCreatedPublic:
    """An admin adds an officer of any role; the record system's key adds plain officers only. The
    answer holds the one-time set-up code with which the officer chooses a password (shown once)."""
    return await services.db.write(officers.create, services.ctx, request, body)


@router.get("")
async def list_officers(request: RequestDep, services: ServicesDep) -> list[OfficerPublic]:
    return await services.db.read(officers.list_officers, services.ctx, request)


@router.get("/colleagues")
async def colleagues(request: RequestDep, services: ServicesDep) -> list[OfficerNamePublic]:
    """The active officers and supervisors of the caller's force (not the caller): who a case
    may be handed over to."""
    return await services.db.read(handovers.colleagues, services.ctx, request)


@router.get("/me")
async def me(request: RequestDep, services: ServicesDep) -> OfficerPublic:
    return await services.db.read(officers.me, services.ctx, request)


@router.put("/me/availability")
async def set_availability(body: OfficerAvailability, request: RequestDep, services: ServicesDep) -> OfficerPublic:
    return await services.db.write(officers.set_availability, services.ctx, request, body)


@router.post("/{officer_id}/deactivate")
async def deactivate(officer_id: uuid.UUID, request: RequestDep, services: ServicesDep) -> OfficerPublic:
    """Admins: the officer can no longer sign in, and every session of theirs ends at once."""
    return await services.db.write(accounts.deactivate, services.ctx, request, officer_id)


@router.post("/{officer_id}/reactivate")
async def reactivate(officer_id: uuid.UUID, request: RequestDep, services: ServicesDep) -> OfficerPublic:
    return await services.db.write(accounts.reactivate, services.ctx, request, officer_id)


@router.post("/{officer_id}/password-reset", status_code=status.HTTP_201_CREATED)
async def reset_password(officer_id: uuid.UUID, request: RequestDep, services: ServicesDep) -> SetupCodePublic:
    """Admins: the password stops working, every session ends, and the officer chooses a new one
    with the set-up code returned (shown once)."""
    return await services.db.write(accounts.admin_reset_password, services.ctx, request, officer_id)

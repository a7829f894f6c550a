from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status

from sync.protocol import ContactPreferences, DevicesPublic
from sync.server.deps import RequestDep, ServicesDep
from sync.server.services import devices, victims

router = APIRouter(prefix="/me", tags=["me"])


@router.get("/contact-preferences")
async def get_contact_preferences(request: RequestDep, services: ServicesDep) -> ContactPreferences:
    return await services.db.read(victims.get_contact_preferences, services.ctx, request)


@router.put("/contact-preferences")
async def set_contact_preferences(
    body: ContactPreferences, request: RequestDep, services: ServicesDep
) -> ContactPreferences:
    return await services.db.write(victims.set_contact_preferences, services.ctx, request, body)


@router.get("/devices")
async def list_devices(request: RequestDep, services: ServicesDep) -> DevicesPublic:
    """The devices you are signed in on (victims and officers)."""
    return await services.db.read(devices.list_devices, services.ctx, request)


@router.delete("/devices/{device_id}", status_code=status.HTTP_204_NO_CONTENT)
async def sign_out_device(device_id: uuid.UUID, request: RequestDep, services: ServicesDep) -> Response:
    """Signs one of your devices out, at once."""
    await services.db.write(devices.sign_out_device, services.ctx, request, device_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)

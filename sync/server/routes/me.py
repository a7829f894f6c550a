from __future__ import annotations

from fastapi import APIRouter

from sync.protocol import ContactPreferences
from sync.server.deps import Caller, ServicesDep
from sync.server.services import victims

router = APIRouter(prefix="/me", tags=["me"])


@router.get("/contact-preferences")
async def get_contact_preferences(caller: Caller, services: ServicesDep) -> ContactPreferences:
    return await services.db.read(victims.get_contact_preferences, services.ctx, caller)


@router.put("/contact-preferences")
async def set_contact_preferences(
    body: ContactPreferences, caller: Caller, services: ServicesDep
) -> ContactPreferences:
    return await services.db.write(victims.set_contact_preferences, services.ctx, caller, body)

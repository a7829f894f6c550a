from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from sync.protocol import (
    CaseCreate,
    CasePublic,
    CasesPublic,
    CaseUpdateCreate,
    CaseUpdatePublic,
    UpdateRequestCreate,
    UpdateRequestPublic,
)
from sync.server.deps import Caller, ServicesDep
from sync.server.services import cases

router = APIRouter(prefix="/cases", tags=["cases"])


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_case(body: CaseCreate, caller: Caller, services: ServicesDep) -> CasePublic:
    return await services.db.write(cases.create_case, services.ctx, caller, body)


@router.get("")
async def list_cases(caller: Caller, services: ServicesDep) -> CasesPublic:
    return await services.db.write(cases.list_cases, services.ctx, caller)


@router.get("/{case_id}")
async def get_case(case_id: uuid.UUID, caller: Caller, services: ServicesDep) -> CasePublic:
    return await services.db.write(cases.get_case, services.ctx, caller, case_id)


@router.get("/{case_id}/updates")
async def list_updates(case_id: uuid.UUID, caller: Caller, services: ServicesDep) -> list[CaseUpdatePublic]:
    return await services.db.write(cases.list_updates, services.ctx, caller, case_id)


@router.post("/{case_id}/updates", status_code=status.HTTP_201_CREATED)
async def post_update(
    case_id: uuid.UUID, body: CaseUpdateCreate, caller: Caller, services: ServicesDep
) -> CaseUpdatePublic:
    return await services.db.write(cases.post_update, services.ctx, caller, case_id, body)


@router.post("/{case_id}/update-requests", status_code=status.HTTP_201_CREATED)
async def request_update(
    case_id: uuid.UUID, body: UpdateRequestCreate, caller: Caller, services: ServicesDep
) -> UpdateRequestPublic:
    return await services.db.write(cases.request_update, services.ctx, caller, case_id, body)

from __future__ import annotations

from fastapi import APIRouter

from sync.protocol import SupportServicesPublic
from sync.server.deps import RequestDep, ServicesDep
from sync.server.services import support

router = APIRouter(prefix="/support-services", tags=["support services"])


@router.get("")
async def get_support_services(request: RequestDep, services: ServicesDep) -> SupportServicesPublic:
    return await services.db.read(support.get, services.ctx, request)


@router.put("")
async def put_support_services(
    body: SupportServicesPublic, request: RequestDep, services: ServicesDep
) -> SupportServicesPublic:
    return await services.db.write(support.put, services.ctx, request, body)

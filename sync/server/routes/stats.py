from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from sync.protocol import StatsPublic
from sync.server.deps import RequestDep, ServicesDep
from sync.server.services import stats

router = APIRouter(prefix="/stats", tags=["stats"])


@router.get("")
async def get_stats(
    request: RequestDep,
    services: ServicesDep,
    period_from: Annotated[datetime | None, Query(alias="from")] = None,
    period_to: Annotated[datetime | None, Query(alias="to")] = None,
) -> StatsPublic:
    return await services.db.read(stats.stats, services.ctx, request, period_from, period_to)

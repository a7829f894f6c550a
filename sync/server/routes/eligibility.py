from __future__ import annotations

from fastapi import APIRouter

from sync.protocol import EligibilityRules, EligibilityRulesPublic, EligibilityRulesVersionsPublic
from sync.server.deps import RequestDep, ServicesDep
from sync.server.services import eligibility_rules

router = APIRouter(prefix="/eligibility-rules", tags=["eligibility"])


@router.get("")
async def get_rules(request: RequestDep, services: ServicesDep) -> EligibilityRulesPublic:
    """The force's rules in force now (admins and supervisors)."""
    return await services.db.read(eligibility_rules.get_current, services.ctx, request)


@router.put("")
async def put_rules(body: EligibilityRules, request: RequestDep, services: ServicesDep) -> EligibilityRulesPublic:
    """A force admin sets new rules: a new version, applied to cases decided from now on; the same
    rules again add nothing."""
    return await services.db.write(eligibility_rules.put, services.ctx, request, body)


@router.get("/versions")
async def list_versions(request: RequestDep, services: ServicesDep) -> EligibilityRulesVersionsPublic:
    """Every version the force has had, newest first."""
    return await services.db.read(eligibility_rules.list_versions, services.ctx, request)

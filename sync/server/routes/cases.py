from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from sync.protocol import (
    CASE_PAGE_MAX,
    CaseCountsPublic,
    CaseCreate,
    CasePublic,
    CasesPublic,
    CaseUpdateCreate,
    CaseUpdatePublic,
    CaseView,
    HandOverCreate,
    HandOverPublic,
    InviteDecisionOverride,
    PhoneRiskMark,
    UpdateRequestCreate,
    UpdateRequestPublic,
    UpdateTemplatesPublic,
)
from sync.server.deps import RequestDep, ServicesDep
from sync.server.services import (
    case_updates,
    caseload,
    cases,
    handovers,
    invite_decisions,
    record_cases,
    update_requests,
    update_templates,
)

router = APIRouter(prefix="/cases", tags=["cases"])


@router.post(
    "", status_code=status.HTTP_201_CREATED, responses={200: {"description": "Already known: unchanged or updated"}}
)
async def create_case(body: CaseCreate, request: RequestDep, services: ServicesDep, response: Response) -> CasePublic:
    """Opens a case. The record system (integration key) may send a case again: the one with that
    crime reference is updated to match (201 when new, 200 when it was known) and answered."""
    found, created = await services.db.write(record_cases.submit_case, services.ctx, request, body)
    if not created:
        response.status_code = status.HTTP_200_OK
    return found


@router.get("")
async def list_cases(
    request: RequestDep,
    services: ServicesDep,
    view: Annotated[CaseView, Query(description="Which cases: needing attention, open, closed or all.")] = CaseView.ALL,
    q: Annotated[
        str, Query(max_length=100, pattern=r"^[^\x00-\x1f\x7f]*$", description="A crime reference, or part of a name.")
    ] = "",
    limit: Annotated[int, Query(ge=1, le=CASE_PAGE_MAX, description="Cases per page.")] = 50,
    cursor: Annotated[str | None, Query(max_length=200, description="`next_cursor` from the last page.")] = None,
) -> CasesPublic:
    """The caller's caseload, a page at a time, in the order cases need attention: soonest due
    first (the most overdue at the top), closed cases last. Officers see their own cases,
    supervisors their force."""
    page = caseload.PageRequest(view=view, search=q, limit=limit, cursor=cursor)
    return await services.db.write(caseload.list_page, services.ctx, request, page)


@router.get("/counts")
async def case_counts(request: RequestDep, services: ServicesDep) -> CaseCountsPublic:
    """How many of the caller's cases need attention, are open, and are closed."""
    return await services.db.read(caseload.counts, services.ctx, request)


@router.get("/{case_id}")
async def get_case(case_id: uuid.UUID, request: RequestDep, services: ServicesDep) -> CasePublic:
    return await services.db.write(cases.get_case, services.ctx, request, case_id)


@router.get("/{case_id}/updates")
async def list_updates(case_id: uuid.UUID, request: RequestDep, services: ServicesDep) -> list[CaseUpdatePublic]:
    return await services.db.write(case_updates.list_updates, services.ctx, request, case_id)


@router.post("/{case_id}/updates", status_code=status.HTTP_201_CREATED)
async def post_update(
    case_id: uuid.UUID, body: CaseUpdateCreate, request: RequestDep, services: ServicesDep
) -> CaseUpdatePublic:
    return await services.db.write(case_updates.post_update, services.ctx, request, case_id, body)


@router.get("/{case_id}/update-templates")
async def list_update_templates(
    case_id: uuid.UUID, request: RequestDep, services: ServicesDep
) -> UpdateTemplatesPublic:
    """The Victims' Code events an officer can post an update from, each with what it changes on the
    case and when the victim must be told by (the force's Right 6 limit for this victim)."""
    return await services.db.write(update_templates.list_templates, services.ctx, request, case_id)


@router.post("/{case_id}/update-requests", status_code=status.HTTP_201_CREATED)
async def request_update(
    case_id: uuid.UUID, body: UpdateRequestCreate, request: RequestDep, services: ServicesDep
) -> UpdateRequestPublic:
    return await services.db.write(update_requests.request_update, services.ctx, request, case_id, body)


@router.post("/{case_id}/hand-over")
async def hand_over(
    case_id: uuid.UUID, body: HandOverCreate, request: RequestDep, services: ServicesDep
) -> HandOverPublic:
    """Give the case to another officer or supervisor of the force (the case's officer or a
    supervisor may). The victim sees who has it now and is alerted; the officer who had it
    receives a `case_removed` sync event."""
    return await services.db.write(handovers.hand_over, services.ctx, request, case_id, body)


@router.put("/{case_id}/invite-decision")
async def override_invite_decision(
    case_id: uuid.UUID, body: InviteDecisionOverride, request: RequestDep, services: ServicesDep
) -> CasePublic:
    """The officer on the case (or a supervisor) decides whether the victim is invited, instead of
    the force's rules, and says why; recorded in the audit trail. An invitation goes at once."""
    return await services.db.write(invite_decisions.override, services.ctx, request, case_id, body)


@router.put("/{case_id}/phone-risk")
async def mark_phone_risk(
    case_id: uuid.UUID, body: PhoneRiskMark, request: RequestDep, services: ServicesDep
) -> CasePublic:
    """The officer marks (or clears) that someone with access to the victim's phone puts them at
    risk; the force's rules decide again, and where they exclude it no invitation stays open."""
    return await services.db.write(invite_decisions.mark_phone_risk, services.ctx, request, case_id, body)

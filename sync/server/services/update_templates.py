"""Update templates: the events the Victims' Code names, what posting each one changes on the
case, and the deadline (the force's Right 6 limit) it meets for the victim in hand. The words
are the app's (``assets/content/update-templates.json``); this holds the rules."""

from __future__ import annotations

import uuid

from sqlalchemy.engine import Connection

from sync.protocol import (
    CaseStatus,
    CaseUpdateCreate,
    ClosedOutcome,
    Role,
    UpdateTemplate,
    UpdateTemplatePublic,
    UpdateTemplatesPublic,
)
from sync.server import audit
from sync.server.context import Context, RequestInfo
from sync.server.errors import BadRequest
from sync.server.services.authentication import authenticate, require_officer
from sync.server.services.visibility import load_visible
from sync.server.victims_code import add_working_days, event_update_working_days

# What each template does to the case: (status it moves to, outcome it closes with).
RULES: dict[UpdateTemplate, tuple[CaseStatus | None, ClosedOutcome | None]] = {
    UpdateTemplate.SUSPECT_ARRESTED: (CaseStatus.INVESTIGATING, None),
    UpdateTemplate.SUSPECT_INTERVIEWED: (CaseStatus.INVESTIGATING, None),
    UpdateTemplate.SUSPECT_RELEASED: (CaseStatus.PENDING_OUTCOME, None),
    UpdateTemplate.SUSPECT_CHARGED: (CaseStatus.AT_COURT, None),
    UpdateTemplate.NO_FURTHER_ACTION: (CaseStatus.CLOSED, ClosedOutcome.NO_FURTHER_ACTION),
    UpdateTemplate.PASSED_TO_PROSECUTOR: (CaseStatus.WITH_PROSECUTOR, None),
    UpdateTemplate.COURT_DATE_SET: (CaseStatus.AT_COURT, None),
    UpdateTemplate.CASE_CLOSED: (CaseStatus.CLOSED, None),
}


def check_template(template: UpdateTemplate, body: CaseUpdateCreate) -> None:
    """An update from a template may have its text edited, but not say something else happened:
    a template that closes the case closes it (with its own outcome, if it has one)."""
    status, outcome = RULES[template]
    if status == CaseStatus.CLOSED and body.status != CaseStatus.CLOSED:
        raise BadRequest("This template closes the case: send status 'closed' with it.", code="template_mismatch")
    if outcome is not None and body.closed_outcome != outcome:
        raise BadRequest(f"This template closes the case with the outcome '{outcome}'.", code="template_mismatch")


def list_templates(conn: Connection, ctx: Context, request: RequestInfo, case_id: uuid.UUID) -> UpdateTemplatesPublic:
    caller = authenticate(conn, ctx, request)
    require_officer(caller, Role.OFFICER, Role.SUPERVISOR)
    row = load_visible(conn, caller, case_id)
    now = ctx.now()
    days = event_update_working_days(enhanced=row.victim_enhanced_rights, settings=caller.force_settings)
    due_by = add_working_days(now, days)
    audit.record(conn, caller, "case.read_templates", now=now, case_id=row.id)
    return UpdateTemplatesPublic(
        data=[
            UpdateTemplatePublic(
                template=template, status=status, closed_outcome=outcome, working_days=days, due_by=due_by
            )
            for template, (status, outcome) in RULES.items()
        ],
        enhanced_rights=row.victim_enhanced_rights,
    )

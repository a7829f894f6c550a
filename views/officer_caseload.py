"""The officer's caseload: what needs attention first, search, and the filters with counts."""

from __future__ import annotations

from datetime import datetime

import flet as ft

from app import wording
from app.caseload import VIEWS, CaseRow
from app.content import Words
from views import parts
from views.officer_state import use_observed, use_officer
from views.state import use_portal

_MARKS = {  # more than colour: an icon and a word for each (read out too)
    "overdue": (ft.Icons.WARNING_AMBER, ft.Colors.ERROR),
    "today": (ft.Icons.SCHEDULE, ft.Colors.TERTIARY),
    "unread": (ft.Icons.MARK_CHAT_UNREAD_OUTLINED, ft.Colors.PRIMARY),
}


def row_lines(w: Words, row: CaseRow, now: datetime) -> list[str]:
    """What a row says beside the victim's name, in plain words."""
    case = row.case
    lines = [w("officer.row.reference", reference=case.crime_reference, status=_status(w, case.status))]
    if row.due is not None and row.urgency != "closed":
        lines.append(w(f"officer.row.due.{row.urgency}", when=wording.when(w, row.due, now)))
    for due in row.requests_due:
        lines.append(w("officer.row.request", when=wording.when(w, due, now)))
    if row.unread:
        lines.append(w.plural("officer.row.unread", row.unread))
    if row.last_contact is not None:
        lines.append(w("officer.row.last_contact", when=wording.when(w, row.last_contact, now)))
    return lines


def _status(w: Words, status: str) -> str:
    return w.table.get(f"officer.status.{status}", status.replace("_", " "))


@ft.component
def CaseRowCard(row: CaseRow, now: datetime) -> ft.Control:
    portal = use_portal()
    w = portal.words
    page = ft.context.page
    mark: list[ft.Control] = []
    if row.urgency in _MARKS:
        icon, color = _MARKS[row.urgency]
        mark = [
            ft.Icon(icon, color=color),
            ft.Text(w(f"officer.mark.{row.urgency}"), weight=ft.FontWeight.W_700, color=color),
        ]
    return ft.Card(
        ft.Container(
            ft.Column(
                [
                    ft.Row(
                        [
                            *mark,
                            ft.Text(
                                row.victim_name or w("officer.row.no_name"), weight=ft.FontWeight.W_600, expand=True
                            ),
                        ]
                    ),
                    *(parts.small(line) for line in row_lines(w, row, now)),
                ],
                spacing=4,
            ),
            padding=12,
            on_click=lambda: page.navigate(f"/officer/cases/{row.case.id}"),
            ink=True,
        ),
        key=row.case.id,
    )


@ft.component
def CaseloadScreen() -> ft.Control:
    portal = use_portal()
    officer = use_officer()
    caseload = use_observed(officer.caseload)
    w = portal.words
    if not officer.reads_cases:
        return parts.page_body(parts.heading(w("officer.caseload.heading")), parts.body(w("officer.caseload.admin")))
    counts = caseload.counts()
    now = portal.clock()
    rows = caseload.rows()
    filters: list[ft.Control] = [
        (ft.FilledButton if view == caseload.view else ft.OutlinedButton)(
            w(f"officer.filter.{view}", count=counts[view]), on_click=lambda _, v=view: caseload.show(v)
        )
        for view in VIEWS
    ]
    return parts.page_body(
        parts.heading(w("officer.caseload.heading")),
        ft.TextField(
            key="caseload-search",
            label=w("officer.caseload.search"),
            value=caseload.query,
            prefix_icon=ft.Icons.SEARCH,
            on_change=lambda e: caseload.search(e.control.value),
        ),
        ft.Row(filters, wrap=True),
        *([CaseRowCard(row, now) for row in rows] or [parts.body(w("officer.caseload.empty"))]),
        parts.small(w("officer.caseload.live")),
    )

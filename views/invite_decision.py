"""The invitation decision on the officer's case screen: what the force's rules decided, under
which version and why, in plain words; and, for the case's officer or a supervisor, deciding
instead of the rules with a reason, and marking a risk from someone with the victim's phone."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import flet as ft

from app import wording
from app.content import Words
from app.domain import InviteDecisionNote
from app.officer_case import Decision, OfficerCase
from views import parts
from views.state import run, use_portal


def decision_lines(w: Words, note: InviteDecisionNote | None, when: str) -> list[ft.Control]:
    if note is None:
        return [parts.body(w("officer.decision.none"))]
    lines: list[ft.Control] = [
        ft.Text(w(f"officer.decision.is.{note.decision}"), weight=ft.FontWeight.W_600),
        parts.body(w("officer.decision.why", reason=note.reason)),
    ]
    if note.overridden_by is not None:
        lines.append(
            parts.body(w("officer.decision.overridden", name=note.overridden_by, reason=note.override_reason or ""))
        )
    if note.rules_version is not None:
        lines.append(parts.small(w("officer.decision.version", when=when, version=note.rules_version)))
    else:
        lines.append(parts.small(w("officer.decision.no_rules", when=when)))
    return lines


def _marking(state: OfficerCase) -> Callable[..., Any]:
    async def mark(event: Any) -> None:
        await state.mark_phone_risk(bool(event.control.value))

    return mark


@ft.component
def InviteDecisionSection(state: OfficerCase) -> ft.Control:
    portal = use_portal()
    w = portal.words
    case = state.case
    note = case.invite_decision if case is not None else None
    when = wording.when(w, note.decided_at, portal.clock()) if note is not None else ""
    controls: list[ft.Control] = [parts.subheading(w("officer.decision.heading")), *decision_lines(w, note, when)]
    if state.may_decide:
        controls.append(
            ft.Checkbox(
                label=w("officer.decision.phone_risk"),
                value=state.phone_risk,
                on_change=_marking(state),
                disabled=state.busy,
            )
        )
        if "phone_risk" in state.errors:
            controls.append(parts.error_notice(state.errors["phone_risk"]))
        if not state.deciding:
            controls.append(ft.OutlinedButton(w("officer.decision.decide"), on_click=lambda: state.start_deciding()))
        else:
            choices: list[tuple[Decision, str]] = [
                ("invite", w("officer.decision.invite")),
                ("never", w("officer.decision.never")),
            ]
            controls += [
                ft.Row(
                    [
                        (ft.FilledButton if code == state.decision else ft.OutlinedButton)(
                            label, on_click=lambda _, c=code: state.choose_decision(c)
                        )
                        for code, label in choices
                    ],
                    wrap=True,
                ),
                ft.TextField(
                    key="officer-decision-reason",
                    label=w("officer.decision.reason"),
                    value=state.decision_reason,
                    multiline=True,
                    min_lines=2,
                    error=state.errors.get("decision"),
                    on_change=lambda e: state.type_decision_reason(e.control.value),
                ),
                ft.Row(
                    [
                        ft.FilledButton(
                            w("officer.decision.save"), on_click=run(state.save_decision), disabled=state.busy
                        ),
                        ft.TextButton(w("officer.decision.cancel"), on_click=lambda: state.stop_deciding()),
                    ],
                    wrap=True,
                ),
            ]
    return parts.section(*controls)

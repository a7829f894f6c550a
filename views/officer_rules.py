"""Invitation rules: the force's eligibility rules as a form (admins save a new version;
supervisors read), the version in force, and every version the force has had."""

from __future__ import annotations

import flet as ft

from app import wording
from app.eligibility_rules import Exclusion
from app.officer_ports import RulesVersion
from views import parts
from views.officer_state import use_observed, use_officer
from views.state import run, use_portal

EXCLUSIONS: tuple[Exclusion, ...] = ("exclude_domestic_abuse", "exclude_sexual_offence", "exclude_phone_risk")


@ft.component
def RulesScreen() -> ft.Control:
    portal = use_portal()
    officer = use_officer()
    state = use_observed(officer.rules)
    w = portal.words

    async def load() -> None:
        if officer.reads_rules:
            await state.load()

    ft.use_effect(run(load), [id(state)])
    if not officer.reads_rules:  # a plain officer: the server refuses them too
        return parts.page_body(parts.heading(w("officer.rules.heading")), parts.body(w("officer.rules.not_yours")))
    editable = state.can_save and not state.busy

    def about(version: RulesVersion) -> str:
        return w(
            "officer.rules.version",
            version=version.version,
            day=wording.day(w, version.created_at),
            time=wording.clock_time(w, version.created_at),
            by=version.created_by,
        )

    return parts.page_body(
        parts.heading(w("officer.rules.heading")),
        parts.body(w("officer.rules.intro") if state.can_save else w("officer.rules.read_only")),
        *([parts.error_notice(state.error)] if state.error else []),
        *([parts.good_notice(state.notice)] if state.notice else []),
        parts.section(
            parts.subheading(w("officer.rules.now")),
            parts.body(about(state.current) if state.current else w("officer.rules.none")),
        ),
        ft.TextField(
            key="rules-invite",
            label=w("officer.rules.invite"),
            hint_text=w("officer.rules.types_hint"),
            value=state.invite_text,
            multiline=True,
            read_only=not state.can_save,
            error=state.errors.get("invite"),
            on_change=lambda e: state.type("invite", e.control.value),
        ),
        ft.TextField(
            key="rules-officer",
            label=w("officer.rules.officer"),
            hint_text=w("officer.rules.types_hint"),
            value=state.officer_text,
            multiline=True,
            read_only=not state.can_save,
            error=state.errors.get("officer"),
            on_change=lambda e: state.type("officer", e.control.value),
        ),
        ft.TextField(
            key="rules-pilot",
            label=w("officer.rules.pilot"),
            value=state.pilot_text,
            keyboard_type=ft.KeyboardType.NUMBER,
            read_only=not state.can_save,
            error=state.errors.get("pilot"),
            on_change=lambda e: state.type("pilot", e.control.value),
        ),
        *[
            ft.Checkbox(
                label=w(f"officer.rules.{which}"),
                value=getattr(state.exclusions, which),
                disabled=not state.can_save,
                on_change=lambda e, which=which: state.exclude(which, bool(e.control.value)),
            )
            for which in EXCLUSIONS
        ],
        ft.TextField(
            key="rules-age",
            label=w("officer.rules.age"),
            value=state.age_text,
            keyboard_type=ft.KeyboardType.NUMBER,
            read_only=not state.can_save,
            error=state.errors.get("age"),
            on_change=lambda e: state.type("age", e.control.value),
        ),
        *(
            [ft.FilledButton(w("officer.rules.save"), on_click=run(state.save), disabled=not editable)]
            if state.can_save
            else []
        ),
        parts.section(
            parts.subheading(w("officer.rules.versions")),
            *[parts.small(about(v)) for v in state.versions],
        ),
    )

"""Away: the officer's away message (with when they are back) and usual reply time; while victims
see it, the officer's own screens say so, and the Away screen says when it has ended."""

from __future__ import annotations

import flet as ft

from app import wording
from app.domain import away_message_holds
from views import parts
from views.officer_state import use_observed, use_officer
from views.state import run, use_portal


@ft.component
def AwayScreen() -> ft.Control:
    portal = use_portal()
    officer = use_officer()
    state = use_observed(officer.availability)
    w = portal.words
    current = state.away_message
    back_on = state.back_on
    today = wording.local(portal.clock()).date()
    if current and back_on and not away_message_holds(current, back_on, today):
        now = w("officer.away.ended", date=wording.day_month(w, back_on))
    elif current and back_on:
        now = w("officer.away.showing_back", message=current, date=wording.day_month(w, back_on))
    elif current:
        now = w("officer.away.showing", message=current)
    else:
        now = w("officer.away.working")
    return parts.page_body(
        parts.heading(w("officer.away.heading")),
        parts.body(w("officer.away.intro")),
        *([parts.good_notice(state.notice)] if state.notice else []),
        parts.section(
            parts.subheading(w("officer.away.now")),
            parts.body(now),
        ),
        ft.TextField(
            key="away-message",
            label=w("officer.away.field"),
            hint_text=w("officer.away.hint"),
            value=state.away_text,
            multiline=True,
            error=state.errors.get("away"),
            on_change=lambda e: state.type_away(e.control.value),
        ),
        ft.TextField(
            key="back-on",
            label=w("officer.away.back_on"),
            hint_text=w("officer.away.back_on_hint"),
            value=state.back_text,
            keyboard_type=ft.KeyboardType.DATETIME,
            error=state.errors.get("back_on"),
            on_change=lambda e: state.type_back_on(e.control.value),
        ),
        ft.TextField(
            key="reply-within",
            label=w("officer.away.reply_within"),
            value=state.reply_within,
            keyboard_type=ft.KeyboardType.NUMBER,
            error=state.errors.get("reply_within"),
            on_change=lambda e: state.type_reply_within(e.control.value),
        ),
        ft.Row(
            [
                ft.FilledButton(w("officer.away.set"), on_click=run(state.go_away), disabled=state.busy),
                *([ft.OutlinedButton(w("officer.away.back"), on_click=run(state.come_back))] if current else []),
            ],
            wrap=True,
        ),
    )


@ft.component
def AwayBanner() -> ft.Control:
    """On every officer screen while the away message is on."""
    portal = use_portal()
    officer = use_officer()
    profile = officer.profile
    # from the day they said they are back, victims no longer see it (the Away screen says so)
    if profile is None or not profile.away_on(wording.local(portal.clock()).date()):
        return ft.Container()
    w = portal.words
    if profile.back_on:
        said = w("officer.away.banner_back", date=wording.day_month(w, profile.back_on))
    else:
        said = w("officer.away.banner")
    return ft.Container(
        ft.Row([ft.Icon(ft.Icons.BEACH_ACCESS), ft.Text(said, expand=True)]),
        bgcolor=ft.Colors.TERTIARY_CONTAINER,
        padding=ft.Padding.symmetric(horizontal=12, vertical=6),
    )

"""The conversation with the officer: local echo, then Sent, Read, or 'Not sent — tap to retry'."""

from __future__ import annotations

import flet as ft

from app import wording
from app.case_focus import MESSAGE_MAX_CHARS
from app.content import Words
from app.domain import ShownMessage
from views import parts
from views.case import Home
from views.state import use_draft, use_portal


def bubble(w: Words, shown: ShownMessage, now_text: str, on_retry: object) -> ft.Control:
    message = shown.message
    label = wording.message_state(w, shown.state) if shown.mine else message.author_name
    footer: ft.Control
    if shown.mine and shown.state == "failed":
        text = w("messages.failed", state=label, reason=message.error) if message.error else label
        footer = ft.TextButton(text, icon=ft.Icons.REFRESH, on_click=on_retry)  # type: ignore[arg-type]
    else:
        footer = parts.small(w("messages.meta", who=label, when=now_text))
    return ft.Row(
        key=message.client_msg_id,  # keeps each bubble (and the field below) in place as new ones arrive
        controls=[
            ft.Container(
                ft.Column([ft.Text(message.body), footer], spacing=4, tight=True),
                bgcolor=ft.Colors.PRIMARY_CONTAINER if shown.mine else ft.Colors.SURFACE_CONTAINER_HIGHEST,
                padding=12,
                border_radius=12,
                margin=ft.Margin.only(left=40) if shown.mine else ft.Margin.only(right=40),
                expand=True,
            )
        ],
        alignment=ft.MainAxisAlignment.END if shown.mine else ft.MainAxisAlignment.START,
    )


@ft.component
def Messages() -> ft.Control:
    portal = use_portal()
    focus = portal.focus
    case = focus.focused(ft.use_route_params().get("case_id"))
    draft, set_draft = use_draft(portal, f"message:{case.id if case else ''}")
    conversation = focus.conversation(case.id) if case else []
    newest = max((m.message.seq or 0 for m in conversation), default=0)

    def mark_read() -> None:
        if case is not None:
            focus.read_messages(case.id)

    ft.use_effect(mark_read, [case.id if case else None, newest])

    def reading() -> None:
        if case is not None:
            focus.start_reading(case.id)

    ft.use_effect(reading, [case.id if case else None], focus.stop_reading)
    if case is None:
        return Home()
    now = portal.clock()

    def send() -> None:
        if focus.send_message(case.id, draft):
            set_draft("")

    officer = case.officer
    away = officer.away_on(wording.local(now).date())
    w = portal.words
    bubbles = [
        bubble(
            w,
            shown,
            wording.when(w, shown.message.created_at, now),
            lambda _, mid=shown.message.client_msg_id: focus.retry(mid),
        )
        for shown in conversation
    ]
    if not bubbles:
        bubbles.append(parts.body(w("messages.none", name=officer.name)))
    return parts.page_body(
        parts.heading(w("messages.heading")),
        parts.small(w("messages.about", name=officer.name, reference=case.crime_reference)),
        ft.Container(
            ft.Text(wording.reply_expectation(w, officer, now)),
            bgcolor=ft.Colors.TERTIARY_CONTAINER if away else None,
            padding=8 if away else 0,
            border_radius=8,
        ),
        ft.Column(bubbles, spacing=12),
        parts.error_notice(portal.feedback.error) if portal.feedback.error else ft.Container(),
        ft.TextField(
            key="draft",
            label=w("messages.field"),
            value=draft,
            on_change=lambda e: set_draft(e.control.value),
            multiline=True,
            min_lines=2,
            max_lines=8,
            max_length=MESSAGE_MAX_CHARS,
        ),
        ft.Row(
            [ft.FilledButton(w("messages.send"), icon=ft.Icons.SEND, on_click=lambda: send())],
            alignment=ft.MainAxisAlignment.END,
        ),
        parts.small(w("messages.not_watched")),
    )

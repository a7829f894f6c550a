"""A case in officer mode: the victim and how they may be contacted, the invitation, the
timeline and the conversation (side by side on a wide screen, stacked on a phone), reply,
and posting an update from a template with the deadline it meets."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import flet as ft

from app import wording
from app.content import Words
from app.domain import Case
from app.officer_case import OfficerCase
from views import parts
from views.invite_decision import InviteDecisionSection
from views.messages import bubble
from views.officer_caseload import _status
from views.officer_state import use_observed, use_officer
from views.state import run, use_portal


def victim_section(w: Words, case: Case) -> list[ft.Control]:
    victim = case.victim
    if victim is None:
        return [parts.body(w("officer.case.no_victim"))]
    lines: list[ft.Control] = [ft.Text(victim.name, weight=ft.FontWeight.W_600)]
    if victim.phone:
        lines.append(parts.body(w("officer.case.phone", phone=wording.phone_number(victim.phone))))
    if victim.email:
        lines.append(parts.body(w("officer.case.email", email=victim.email)))
    ways = ", ".join(w(f"officer.contact.{c}") for c in victim.contact_channels) or w("officer.contact.none")
    lines.append(parts.body(w("officer.case.contact_by", ways=ways)))
    lines.append(parts.body(w("officer.case.contact_times", times=victim.contact_times or w("officer.case.any_time"))))
    lines.append(parts.body(w(f"officer.case.voicemail.{str(victim.voicemail_ok).lower()}")))
    if victim.safe_contact_notes:
        lines.append(parts.body(w("officer.case.safe_notes", notes=victim.safe_contact_notes)))
    if victim.enhanced_rights:
        lines.append(
            ft.Row([ft.Icon(ft.Icons.PRIORITY_HIGH), ft.Text(w("officer.case.enhanced"), weight=ft.FontWeight.W_700)])
        )
    return lines


@ft.component
def Conversation(state: OfficerCase) -> ft.Control:
    portal = use_portal()
    w = portal.words
    now = portal.clock()
    conversation = state.conversation()
    newest = max((m.message.seq or 0 for m in conversation), default=0)
    ft.use_effect(lambda: state.seen(), [state.case_id, newest])
    bubbles = [
        bubble(
            w,
            shown,
            wording.when(w, shown.message.created_at, now),
            lambda _, i=shown.message.client_msg_id: state.retry(i),
        )
        for shown in conversation
    ]
    writer: list[ft.Control] = []
    if state.may_write:
        writer = [
            ft.TextField(
                key="officer-reply",
                label=w("officer.case.reply"),
                value=state.reply_text,
                multiline=True,
                min_lines=2,
                error=state.errors.get("reply"),
                on_change=lambda e: state.type_reply(e.control.value),
            ),
            ft.FilledButton(w("officer.case.send"), icon=ft.Icons.SEND, on_click=lambda: state.reply()),
        ]
    return ft.Column(
        [
            parts.subheading(w("officer.case.conversation")),
            *(bubbles or [parts.small(w("officer.case.no_messages"))]),
            *writer,
        ],
        spacing=8,
    )


@ft.component
def Timeline(state: OfficerCase) -> ft.Control:
    portal = use_portal()
    w = portal.words
    now = portal.clock()
    items = [
        parts.section(
            parts.small(w("officer.case.update_meta", who=u.author_name, when=wording.when(w, u.created_at, now))),
            *(
                [parts.body(w("officer.case.handed_to", name=u.handed_to.name, collar=u.handed_to.collar_number))]
                if u.handed_to
                else []
            ),
            *([ft.Text(u.text)] if u.text else []),
        )
        for u in reversed(state.timeline())
    ]
    return ft.Column(
        [parts.subheading(w("officer.case.timeline")), *(items or [parts.small(w("officer.case.no_updates"))])],
        spacing=8,
    )


@ft.component
def PostUpdate(state: OfficerCase) -> ft.Control:
    portal = use_portal()
    w = portal.words
    ft.use_effect(run(state.load_templates), [state.case_id])
    offer = state.offer
    chosen: list[ft.Control] = []
    if offer is not None:
        words = state.words.templates[offer.template]
        chosen = [
            parts.body(
                w.plural(
                    "officer.update.deadline", offer.working_days, date=wording.when(w, offer.due_by, portal.clock())
                )
            ),
            parts.small(w("officer.update.source", source=words.source)),
        ]
        if offer.status == "closed":
            chosen.append(parts.body(w("officer.update.outcome")))
            chosen.append(
                ft.Row(
                    [
                        (ft.FilledButton if code == state.outcome else ft.OutlinedButton)(
                            o.title, on_click=lambda _, c=code: state.choose_outcome(c)
                        )
                        for code, o in state.words.outcomes.items()
                    ],
                    wrap=True,
                )
            )
    return ft.Column(
        [
            parts.subheading(w("officer.update.heading")),
            ft.Row(
                [
                    (ft.FilledButton if t.template == state.template_id else ft.OutlinedButton)(
                        state.words.templates[t.template].title if t.template in state.words.templates else t.template,
                        on_click=lambda _, i=t.template: state.choose_template(i),
                    )
                    for t in state.offers
                ],
                wrap=True,
            ),
            *chosen,
            ft.TextField(
                key="officer-update",
                label=w("officer.update.text"),
                value=state.update_text,
                multiline=True,
                min_lines=2,
                error=state.errors.get("update"),
                on_change=lambda e: state.type_update(e.control.value),
            ),
            ft.FilledButton(w("officer.update.post"), on_click=run(state.post_update), disabled=state.busy),
        ],
        spacing=8,
    )


def _handing(state: OfficerCase, officer_id: str) -> Callable[..., Any]:
    async def hand() -> None:
        await state.hand_over(officer_id)

    return run(hand)


@ft.component
def HandOver(state: OfficerCase) -> ft.Control:
    """Hand the case to another officer of the force (its officer, or a supervisor)."""
    portal = use_portal()
    w = portal.words
    ft.use_effect(run(state.load_colleagues), [state.case_id])
    if not state.colleagues and "handover" not in state.errors:
        return ft.Container()
    return parts.section(
        parts.subheading(w("officer.handover.heading")),
        parts.body(w("officer.handover.intro")),
        ft.Row(
            [
                ft.OutlinedButton(
                    w("officer.handover.to", name=c.name, collar=c.collar_number),
                    on_click=_handing(state, c.id),
                    disabled=state.busy,
                )
                for c in state.colleagues
            ],
            wrap=True,
        ),
        *([parts.error_notice(state.errors["handover"])] if "handover" in state.errors else []),
    )


@ft.component
def OfficerCaseScreen() -> ft.Control:
    portal = use_portal()
    officer = use_officer()
    params = ft.use_route_params()
    page = ft.context.page
    w = portal.words
    state = use_observed(officer.case(params.get("case_id", "")))
    case = state.case
    if case is None or not officer.reads_cases:
        return parts.page_body(
            parts.heading(w("officer.case.missing")),
            ft.TextButton(w("officer.nav.caseload"), on_click=lambda: page.navigate("/")),
        )
    status = _status(w, case.status)
    details: list[ft.Control] = [
        ft.TextButton(w("officer.nav.back"), icon=ft.Icons.ARROW_BACK, on_click=lambda: page.navigate("/")),
        parts.heading(w("officer.case.heading", reference=case.crime_reference)),
        parts.body(w("officer.case.summary", crime=case.crime_type, status=status)),
        *([parts.good_notice(state.notice)] if state.notice else []),
        parts.section(parts.subheading(w("officer.case.victim")), *victim_section(w, case)),
    ]
    if state.may_write:
        access = case.access
        note = access.invitation if access is not None else None
        now = portal.clock()
        lines: list[ft.Control] = []
        if access is not None:
            if access.signed_in:
                lines.append(parts.body(w("officer.access.signed_in")))
            elif access.last_signed_in_at is not None:
                lines.append(parts.body(w("officer.access.last", when=wording.when(w, access.last_signed_in_at, now))))
            else:
                lines.append(parts.body(w("officer.access.never")))
        if note is not None:
            lines.append(
                parts.body(
                    w(
                        f"officer.invitation.state.{note.state}",
                        channel=w(f"officer.contact.{note.channel}"),
                        sent=wording.when(w, note.sent_at, now),
                        expires=wording.day(w, note.expires_at),
                    )
                )
            )
        else:
            lines.append(parts.body(w("officer.invitation.never")))
        invite_controls: list[ft.Control] = [
            *lines,
            ft.Row(
                [
                    ft.OutlinedButton(
                        w(f"officer.invitation.send.{str(note is not None).lower()}"),
                        on_click=run(state.invite),
                        disabled=state.busy,
                    ),
                    *(
                        [ft.TextButton(w("officer.invitation.revoke"), on_click=run(state.withdraw_invitation))]
                        if state.withdrawable
                        else []
                    ),
                ],
                wrap=True,
            ),
        ]
        if "invitation" in state.errors:
            invite_controls.append(parts.error_notice(state.errors["invitation"]))
        details.append(parts.section(parts.subheading(w("officer.invitation.heading")), *invite_controls))
        details.append(InviteDecisionSection(state))
    timeline = ft.Column(
        [Timeline(state), *([PostUpdate(state), HandOver(state)] if state.may_write else [])], spacing=12
    )
    # side by side from a laptop's width, stacked on a phone (the conversation first)
    body = ft.ResponsiveRow(
        [
            ft.Container(Conversation(state), col={"xs": 12, "lg": 6}),
            ft.Container(timeline, col={"xs": 12, "lg": 6}),
        ],
        vertical_alignment=ft.CrossAxisAlignment.START,
        spacing=24,
        run_spacing=16,
    )
    return ft.Column(
        [
            ft.Container(
                ft.Column([*details, body], spacing=12), padding=ft.Padding.symmetric(horizontal=16, vertical=12)
            )
        ],
        scroll=ft.ScrollMode.AUTO,
        expand=True,
    )

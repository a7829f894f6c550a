"""The screens before the case: the invitation, the 6-digit code, choosing a PIN, the lock,
and the neutral page quick exit leaves on screen."""

from __future__ import annotations

from typing import Any

import flet as ft

from views import parts
from views.state import run, use_portal

LOCK_MINUTES = ("0", "5", "15")


def _field(label: str, value: str, on_change: Any, **kwargs: Any) -> ft.TextField:
    # keyed by its label, so what is typed stays in the same field when the screen around it changes
    return ft.TextField(key=label, label=label, value=value, on_change=lambda e: on_change(e.control.value), **kwargs)


def _pin_field(label: str, value: str, on_change: Any, **kwargs: Any) -> ft.TextField:
    return _field(label, value, on_change, password=True, keyboard_type=ft.KeyboardType.NUMBER, max_length=8, **kwargs)


@ft.component
def Welcome() -> ft.Control:
    portal = use_portal()
    session = portal.session
    params = ft.use_route_params()
    # what was typed before, else the link this page was opened with
    link, set_link = ft.use_state(session.invitation or params.get("token", ""))

    def typed(value: str) -> None:
        session.keep_invitation(value)  # so a quick exit or a refusal does not lose it
        set_link(value)

    def link_opened() -> None:
        # an invitation link opened while this screen is already showing replaces what is there
        token = params.get("token")
        if token and token != session.invitation:
            typed(token)

    ft.use_effect(link_opened, [params.get("token")])

    async def send_code() -> None:
        await session.redeem(link)

    w = portal.words
    feedback = portal.feedback
    return parts.page_body(
        *([parts.good_notice(feedback.notice)] if feedback.notice else []),
        parts.heading(w("welcome.heading")),
        parts.body(w("welcome.intro")),
        _field(
            w("welcome.field"),
            link,
            typed,
            autofocus=not link,
            on_submit=run(send_code),
            hint_text=w("welcome.hint"),
        ),
        parts.small(w("welcome.code_goes_to")),
        parts.error_notice(feedback.error) if feedback.error else ft.Container(),
        ft.FilledButton(w("welcome.send"), on_click=run(send_code), disabled=session.busy),
        parts.section(parts.subheading(w("welcome.no_app.heading")), parts.body(w("welcome.no_app.body"))),
    )


@ft.component
def EnterCode() -> ft.Control:
    portal = use_portal()
    session = portal.session
    code, set_code = ft.use_state("")
    challenge = session.challenge
    w = portal.words
    sent = w(f"code.sent.{challenge.channel if challenge else 'sms'}", sent_to=challenge.sent_to if challenge else "")

    async def sign_in() -> None:
        await session.verify(code)

    return parts.page_body(
        parts.heading(w("code.heading")),
        parts.body(sent),
        _field(
            w("code.field"),
            code,
            set_code,
            keyboard_type=ft.KeyboardType.NUMBER,
            max_length=6,
            autofocus=True,
            on_submit=run(sign_in),
            autofill_hints=[ft.AutofillHint.ONE_TIME_CODE],
        ),
        parts.error_notice(portal.feedback.error) if portal.feedback.error else ft.Container(),
        ft.FilledButton(w("code.sign_in"), on_click=run(sign_in), disabled=session.busy),
        parts.section(
            parts.subheading(w("code.never_came.heading")),
            parts.body(w("code.never_came.body")),
            ft.OutlinedButton(w("code.new"), on_click=lambda: session.start_again()),
        ),
        parts.emergency_line(w),
    )


@ft.component
def PinForm(*, offer: bool) -> ft.Control:
    portal = use_portal()
    pin, set_pin = ft.use_state("")
    repeat, set_repeat = ft.use_state("")
    safety = portal.safety
    after, set_after = ft.use_state(str(safety.lock.after_minutes))

    def save() -> None:
        if safety.choose_pin(pin, repeat, after_minutes=int(after)):
            set_pin("")
            set_repeat("")

    w = portal.words
    controls: list[ft.Control] = [
        _pin_field(w("pin.new"), pin, set_pin, autofocus=offer),
        _pin_field(w("pin.repeat"), repeat, set_repeat, on_submit=lambda: save()),
        ft.Semantics(  # the dropdown's label is drawn, not announced: name it for screen readers
            content=ft.Dropdown(
                label=w("pin.when"),
                value=after,
                options=[ft.DropdownOption(key=m, text=w(f"pin.when.{m}")) for m in LOCK_MINUTES],
                on_select=lambda e: set_after(e.control.value or "0"),
            ),
            label=w("pin.when"),
        ),
        ft.Row(
            [
                ft.FilledButton(w("pin.set"), on_click=lambda: save()),
                *([ft.TextButton(w("pin.not_now"), on_click=lambda: safety.skip_pin())] if offer else []),
            ],
            wrap=True,
        ),
    ]
    return ft.Column(controls, spacing=12, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)


@ft.component
def OfferPin() -> ft.Control:
    portal = use_portal()
    return parts.page_body(
        parts.heading(portal.words("pin.offer.heading")),
        parts.body(portal.words("pin.offer.body")),
        parts.error_notice(portal.feedback.error) if portal.feedback.error else ft.Container(),
        PinForm(offer=True),
    )


@ft.component
def Locked() -> ft.Control:
    portal = use_portal()
    pin, set_pin = ft.use_state("")

    async def unlock() -> None:
        result = await portal.safety.unlock(pin)
        if result.outcome != "unlocked":
            set_pin("")

    w = portal.words
    return parts.page_body(
        parts.heading(w("lock.heading")),
        _pin_field(w("lock.field"), pin, set_pin, autofocus=True, on_submit=run(unlock)),
        parts.error_notice(portal.feedback.error) if portal.feedback.error else ft.Container(),
        ft.FilledButton(w("lock.unlock"), on_click=run(unlock)),
        parts.small(w("lock.forgotten")),
    )


@ft.component
def Neutral() -> ft.Control:
    """What quick exit leaves on screen: nothing about the police or a case."""
    portal = use_portal()
    w = portal.words
    return parts.page_body(
        ft.Text(w("neutral.heading"), theme_style=ft.TextThemeStyle.HEADLINE_SMALL),
        parts.body(w("neutral.body")),
        ft.TextButton(w("neutral.continue"), on_click=lambda: portal.safety.come_back()),
    )

"""The screens before the case: the invitation, the 6-digit code, choosing a PIN, the lock,
and the neutral page quick exit leaves on screen."""

from __future__ import annotations

from typing import Any

import flet as ft

from views import parts
from views.state import run, use_portal

LOCK_CHOICES = [
    ("0", "Every time"),
    ("5", "After 5 minutes away"),
    ("15", "After 15 minutes away"),
]


def _field(label: str, value: str, on_change: Any, **kwargs: Any) -> ft.TextField:
    # keyed by its label, so what is typed stays in the same field when the screen around it changes
    return ft.TextField(key=label, label=label, value=value, on_change=lambda e: on_change(e.control.value), **kwargs)


@ft.component
def Welcome() -> ft.Control:
    portal = use_portal()
    params = ft.use_route_params()
    initial: str = portal.invitation or params.get("token", "")
    link, set_link = ft.use_state(initial)

    async def send_code() -> None:
        await portal.redeem(link)

    return parts.page_body(
        *([parts.good_notice(portal.notice)] if portal.notice else []),
        parts.heading("Follow your case"),
        parts.body(
            "After you reported a crime, the police sent you an invitation by text or email. "
            "With it you can see who is dealing with your case, what is happening, and message them."
        ),
        _field(
            "Your invitation link or code",
            link,
            set_link,
            autofocus=not link,
            on_submit=run(send_code),
            hint_text="Paste the link from the text or email",
        ),
        parts.small("We will send a 6-digit code to the phone number or email address the police have for you."),
        parts.error_notice(portal.error) if portal.error else ft.Container(),
        ft.FilledButton("Send me a code", on_click=run(send_code), disabled=portal.busy),
        parts.section(
            parts.subheading("No invitation, or rather not use the app?"),
            parts.body(
                "Call 101 and give your crime reference: the police can tell you about your case by phone, "
                "or send a new invitation. In an emergency call 999."
            ),
        ),
    )


@ft.component
def EnterCode() -> ft.Control:
    portal = use_portal()
    code, set_code = ft.use_state("")
    challenge = portal.challenge
    where = "by text" if challenge is None or challenge.channel == "sms" else "by email"
    sent_to = f" to {challenge.sent_to}" if challenge is not None else ""

    async def sign_in() -> None:
        await portal.verify(code)

    return parts.page_body(
        parts.heading("Enter your code"),
        parts.body(f"We have sent a 6-digit code {where}{sent_to}. It can take a few minutes to arrive."),
        _field(
            "6-digit code",
            code,
            set_code,
            keyboard_type=ft.KeyboardType.NUMBER,
            max_length=6,
            autofocus=True,
            on_submit=run(sign_in),
            autofill_hints=[ft.AutofillHint.ONE_TIME_CODE],
        ),
        parts.error_notice(portal.error) if portal.error else ft.Container(),
        ft.FilledButton("Sign in", on_click=run(sign_in), disabled=portal.busy),
        parts.section(
            parts.subheading("The code never came?"),
            parts.body(
                "Wait a few minutes and check your messages or your email's spam folder. The code works for "
                "10 minutes. You can ask for a new code, or call 101 and ask for a new invitation."
            ),
            ft.OutlinedButton("Ask for a new code", on_click=lambda: portal.start_again()),
        ),
        parts.emergency_line(),
    )


@ft.component
def PinForm(*, offer: bool) -> ft.Control:
    portal = use_portal()
    pin, set_pin = ft.use_state("")
    repeat, set_repeat = ft.use_state("")
    after, set_after = ft.use_state(str(portal.lock.after_minutes))

    def save() -> None:
        portal.choose_pin(pin, repeat, after_minutes=int(after))
        if not portal.error:
            set_pin("")
            set_repeat("")

    controls: list[ft.Control] = [
        _field(
            "New PIN (4 to 8 numbers)",
            pin,
            set_pin,
            password=True,
            keyboard_type=ft.KeyboardType.NUMBER,
            max_length=8,
            autofocus=offer,
        ),
        _field(
            "The same PIN again",
            repeat,
            set_repeat,
            password=True,
            keyboard_type=ft.KeyboardType.NUMBER,
            max_length=8,
            on_submit=lambda: save(),
        ),
        ft.Dropdown(
            label="Ask for the PIN",
            value=after,
            options=[ft.DropdownOption(key=k, text=t) for k, t in LOCK_CHOICES],
            on_select=lambda e: set_after(e.control.value or "0"),
        ),
        ft.Row(
            [
                ft.FilledButton("Set PIN", on_click=lambda: save()),
                *([ft.TextButton("Not now", on_click=lambda: portal.skip_pin())] if offer else []),
            ],
            wrap=True,
        ),
    ]
    return ft.Column(controls, spacing=12, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)


@ft.component
def OfferPin() -> ft.Control:
    portal = use_portal()
    return parts.page_body(
        parts.heading("You're signed in"),
        parts.body(
            "If anyone else uses this phone or computer, protect the app with a PIN. "
            "Quick exit then hides the app, and only the PIN brings it back."
        ),
        parts.error_notice(portal.error) if portal.error else ft.Container(),
        PinForm(offer=True),
    )


@ft.component
def Locked() -> ft.Control:
    portal = use_portal()
    pin, set_pin = ft.use_state("")

    def unlock() -> None:
        result = portal.unlock(pin)
        if result.outcome != "unlocked":
            set_pin("")

    return parts.page_body(
        parts.heading("Enter your PIN"),
        _field(
            "PIN",
            pin,
            set_pin,
            password=True,
            keyboard_type=ft.KeyboardType.NUMBER,
            max_length=8,
            autofocus=True,
            on_submit=lambda: unlock(),
        ),
        parts.error_notice(portal.error) if portal.error else ft.Container(),
        ft.FilledButton("Unlock", on_click=lambda: unlock()),
        parts.small(
            "Forgotten your PIN? After 5 wrong tries the app deletes its data from this device. "
            "Your case stays with the police: call 101 for a new invitation."
        ),
    )


@ft.component
def Neutral() -> ft.Control:
    """What quick exit leaves on screen: nothing about the police or a case."""
    portal = use_portal()
    return parts.page_body(
        ft.Text("Notes", theme_style=ft.TextThemeStyle.HEADLINE_SMALL),
        parts.body("No notes yet."),
        ft.TextButton("Continue", on_click=lambda: portal.come_back()),
    )

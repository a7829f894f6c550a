"""Settings: quick exit, the app lock, how the police may contact you, this device's store,
and signing out with everything deleted."""

from __future__ import annotations

import flet as ft

from app.domain import ContactChannel, ContactPreferences
from views import parts
from views.gates import PinForm
from views.state import run, use_portal

CHANNEL_WORDS: dict[ContactChannel, str] = {"sms": "Text message", "email": "Email", "phone_call": "Phone call"}


@ft.component
def ContactChoices() -> ft.Control:
    portal = use_portal()
    loaded, set_loaded = ft.use_state(False)
    initial: tuple[ContactChannel, ...] = ("sms",)
    channels, set_channels = ft.use_state(initial)
    times, set_times = ft.use_state("")
    voicemail, set_voicemail = ft.use_state(False)

    async def load() -> None:
        preferences = await portal.load_contact_preferences()
        if preferences is not None:
            set_channels(preferences.channels)
            set_times(preferences.times)
            set_voicemail(preferences.voicemail_ok)
            set_loaded(True)

    ft.use_effect(run(load), [])

    def toggle(channel: ContactChannel, on: bool) -> None:
        chosen = [c for c in CHANNEL_WORDS if (c == channel and on) or (c != channel and c in channels)]
        set_channels(tuple(chosen))

    async def save() -> None:
        await portal.save_contact_preferences(ContactPreferences(tuple(channels), times.strip(), voicemail))

    boxes = [
        ft.Checkbox(
            label=words,
            value=channel in channels,
            on_change=lambda e, c=channel: toggle(c, bool(e.control.value)),
        )
        for channel, words in CHANNEL_WORDS.items()
    ]
    return ft.Column(
        [
            parts.body("How may your officer contact you?"),
            *boxes,
            ft.TextField(
                key="contact-times",
                label="When is it safe to contact you? (optional)",
                hint_text="For example: weekdays after 6pm",
                value=times,
                on_change=lambda e: set_times(e.control.value),
                max_length=200,
            ),
            ft.Checkbox(
                label="It is safe to leave a voicemail",
                value=voicemail,
                on_change=lambda e: set_voicemail(bool(e.control.value)),
            ),
            parts.small(
                "When there is news we send a short text or email that only says you have a new update: "
                "never details of your case."
            ),
            ft.FilledButton("Save contact choices", on_click=run(save), disabled=not loaded),
        ],
        spacing=8,
        horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
    )


@ft.component
def Settings() -> ft.Control:
    portal = use_portal()
    confirming, set_confirming = ft.use_state(False)
    lock = portal.lock
    lock_words = (
        "The app asks for your PIN when you open it"
        + (f" and after {lock.after_minutes} minutes away." if lock.after_minutes else " and every time you come back.")
        if lock.enabled
        else "No PIN is set: anyone who can open this device can open the app."
    )
    delete_controls: list[ft.Control]
    if confirming:
        delete_controls = [
            parts.body("This deletes your case, messages and settings from this device. They stay with the police."),
            ft.Row(
                [
                    ft.FilledButton(
                        "Yes, delete everything",
                        bgcolor=ft.Colors.ERROR,
                        color=ft.Colors.ON_ERROR,
                        on_click=run(portal.sign_out_and_delete),
                    ),
                    ft.TextButton("Keep it", on_click=lambda: set_confirming(False)),
                ],
                wrap=True,
            ),
        ]
    else:
        delete_controls = [
            ft.OutlinedButton("Sign out and delete everything from this device", on_click=lambda: set_confirming(True))
        ]
    return parts.page_body(
        parts.heading("Settings"),
        parts.error_notice(portal.error) if portal.error else ft.Container(),
        parts.good_notice(portal.notice) if portal.notice else ft.Container(),
        parts.section(
            parts.subheading("Quick exit"),
            parts.body(
                "The Quick exit button at the top of every screen (or the Escape key on a computer) hides the app "
                "at once and shows a plain page. Coming back needs your PIN."
            ),
        ),
        parts.section(
            parts.subheading("App lock"),
            parts.body(lock_words),
            PinForm(offer=False),
            *([ft.TextButton("Stop asking for a PIN", on_click=lambda: portal.remove_pin())] if lock.enabled else []),
        ),
        parts.section(parts.subheading("Contact and notifications"), ContactChoices()),
        parts.section(parts.subheading("This device"), parts.body(portal.device_description)),
        parts.section(parts.subheading("Sign out"), *delete_controls),
    )

"""Settings: quick exit, the app lock, how the police may contact you, this device's store,
and signing out with everything deleted."""

from __future__ import annotations

from typing import Any

import flet as ft

from app.domain import ContactMethod, ContactPreferences
from views import parts
from views.gates import PinForm
from views.state import run, use_portal

CHANNELS: tuple[ContactMethod, ...] = ("sms", "email", "phone_call")


@ft.component
def ContactChoices() -> ft.Control:
    portal = use_portal()
    loaded, set_loaded = ft.use_state(False)
    initial: tuple[ContactMethod, ...] = ("sms",)
    channels, set_channels = ft.use_state(initial)
    times, set_times = ft.use_state("")
    voicemail, set_voicemail = ft.use_state(False)
    alerts, set_alerts = ft.use_state(True)
    stored: Any = ft.use_ref(None)  # the choices the server holds, to go back to when a change is refused
    refusal, set_refusal = ft.use_state("")

    def show(preferences: ContactPreferences) -> None:
        set_channels(preferences.channels)
        set_times(preferences.times)
        set_voicemail(preferences.voicemail_ok)
        set_alerts(preferences.news_alerts)

    async def load() -> None:
        preferences = await portal.preferences.load_contact_preferences()
        if preferences is not None:
            stored.current = preferences
            show(preferences)
            set_loaded(True)

    ft.use_effect(run(load), [])

    def toggle(channel: ContactMethod, on: bool) -> None:
        chosen = [c for c in CHANNELS if (c == channel and on) or (c != channel and c in channels)]
        set_channels(tuple(chosen))

    async def save() -> None:
        chosen = ContactPreferences(tuple(channels), times.strip(), voicemail, alerts)
        problem = await portal.preferences.save_contact_preferences(chosen)
        set_refusal(problem)
        if problem:
            show(stored.current)  # what is on screen is what the police hold
        else:
            stored.current = chosen

    w = portal.words
    boxes = [
        ft.Checkbox(
            label=w(f"settings.contact.{channel}"),
            value=channel in channels,
            on_change=lambda e, c=channel: toggle(c, bool(e.control.value)),
        )
        for channel in CHANNELS
    ]
    return ft.Column(
        [
            parts.body(w("settings.contact.how")),
            *boxes,
            parts.body(w("settings.contact.times")),  # the question in full above; a label that fits the field
            ft.TextField(
                key="contact-times",
                label=w("settings.contact.times_label"),
                hint_text=w("settings.contact.times_hint"),
                value=times,
                on_change=lambda e: set_times(e.control.value),
                max_length=200,
            ),
            ft.Checkbox(
                label=w("settings.contact.voicemail"),
                value=voicemail,
                on_change=lambda e: set_voicemail(bool(e.control.value)),
            ),
            ft.Checkbox(
                label=w("settings.contact.news"),
                value=alerts,
                on_change=lambda e: set_alerts(bool(e.control.value)),
            ),
            parts.small(w("settings.contact.alerts")),
            # beside the button that caused it, and read out when it appears
            *([parts.error_notice(refusal)] if refusal else []),
            ft.FilledButton(w("settings.contact.save"), on_click=run(save), disabled=not loaded),
        ],
        spacing=8,
        horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
    )


@ft.component
def Settings() -> ft.Control:
    portal = use_portal()
    confirming, set_confirming = ft.use_state(False)
    safety = portal.safety
    lock = safety.lock
    feedback = portal.feedback
    w = portal.words
    if not lock.enabled:
        lock_words = w("settings.lock.off")
    elif lock.after_minutes:
        lock_words = w("settings.lock.after", minutes=lock.after_minutes)
    else:
        lock_words = w("settings.lock.on_open")
    delete_controls: list[ft.Control]
    if confirming:
        delete_controls = [
            parts.body(w("settings.signout.explain")),
            ft.Row(
                [
                    ft.FilledButton(
                        w("settings.signout.confirm"),
                        bgcolor=ft.Colors.ERROR,
                        color=ft.Colors.ON_ERROR,
                        on_click=run(portal.session.sign_out_and_delete),
                        disabled=portal.session.busy,
                    ),
                    ft.TextButton(w("settings.signout.keep"), on_click=lambda: set_confirming(False)),
                ],
                wrap=True,
            ),
        ]
    else:
        delete_controls = [ft.OutlinedButton(w("settings.signout.start"), on_click=lambda: set_confirming(True))]
    return parts.page_body(
        parts.heading(w("settings.heading")),
        parts.error_notice(feedback.error) if feedback.error else ft.Container(),
        parts.good_notice(feedback.notice) if feedback.notice else ft.Container(),
        parts.section(
            parts.subheading(w("settings.exit.heading")),
            parts.body(w("settings.exit.body")),
        ),
        parts.section(
            parts.subheading(w("settings.lock.heading")),
            parts.body(lock_words),
            PinForm(offer=False),
            *([ft.TextButton(w("settings.lock.remove"), on_click=lambda: safety.remove_pin())] if lock.enabled else []),
        ),
        parts.section(parts.subheading(w("settings.contact.heading")), ContactChoices()),
        parts.section(
            parts.subheading(w("settings.device.heading")), parts.body(portal.preferences.device_description)
        ),
        parts.section(parts.subheading(w("settings.signout.heading")), *delete_controls),
    )

"""Officer mode's settings: the app lock (the same PIN as a victim's) and signing out, which
deletes everything this device holds (the caseload's cache with it)."""

from __future__ import annotations

import flet as ft

from views import parts
from views.gates import PinForm
from views.state import run, use_portal


@ft.component
def OfficerSettings() -> ft.Control:
    portal = use_portal()
    w = portal.words
    lock = portal.safety.lock
    return parts.page_body(
        parts.heading(w("settings.heading")),
        parts.good_notice(portal.feedback.notice) if portal.feedback.notice else ft.Container(),
        parts.section(parts.subheading(w("settings.exit.heading")), parts.body(w("settings.exit.body"))),
        parts.section(
            parts.subheading(w("settings.lock.heading")),
            PinForm(offer=False),
            *(
                [ft.TextButton(w("settings.lock.remove"), on_click=lambda: portal.safety.remove_pin())]
                if lock.enabled
                else []
            ),
        ),
        parts.section(
            parts.subheading(w("settings.device.heading")), parts.body(portal.preferences.device_description)
        ),
        parts.section(
            parts.subheading(w("officer.settings.signout")),
            parts.body(w("officer.settings.signout_explain")),
            ft.FilledButton(
                w("officer.settings.signout"),
                bgcolor=ft.Colors.ERROR,
                color=ft.Colors.ON_ERROR,
                on_click=run(portal.session.sign_out_and_delete),
                disabled=portal.session.busy,
            ),
        ),
    )

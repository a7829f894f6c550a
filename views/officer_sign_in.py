"""Signing in as police staff: force, username, password; then the authenticator's code, or
(first time) enrolling an authenticator from a QR code or the secret typed in."""

from __future__ import annotations

import io
from typing import Any

import flet as ft
import segno

from app.officer_sign_in import Field
from views import parts
from views.officer_state import use_observed, use_officer
from views.state import run, use_portal


def qr_png(uri: str) -> bytes:
    """The provisioning link as a QR code an authenticator app can scan."""
    out = io.BytesIO()
    segno.make(uri, error="m").save(out, kind="png", scale=5, border=4)
    return out.getvalue()


@ft.component
def OfficerSignIn() -> ft.Control:
    portal = use_portal()
    officer = use_officer()
    state = use_observed(officer.sign_in)
    w = portal.words
    page = ft.context.page

    def field(name: Field, label: str, **kwargs: Any) -> ft.TextField:
        # keyed by its label, so what is typed stays in the same field when the screen changes;
        # the server's reason for a refusal shows beside (under) the field it is about
        return ft.TextField(
            key=label,
            label=label,
            value=state.form[name],
            error=state.errors.get(name),
            on_change=lambda e: state.type(name, e.control.value),
            **kwargs,
        )

    someone = officer.someone_else("officer")
    if someone:
        return parts.page_body(
            parts.heading(w("officer.sign_in.heading")),
            parts.error_notice(someone),
            ft.FilledButton(w("officer.switch.settings"), on_click=lambda: page.navigate("/settings")),
        )
    form_error = [parts.error_notice(state.errors["form"])] if "form" in state.errors else []
    if state.step == "enrol" and state.enrolment is not None:
        enrolment = state.enrolment
        return parts.page_body(
            parts.heading(w("officer.enrol.heading")),
            parts.body(w("officer.enrol.intro")),
            ft.Row(
                [
                    ft.Image(
                        src=qr_png(enrolment.provisioning_uri),
                        width=220,
                        height=220,
                        semantics_label=w("officer.enrol.qr"),
                    )
                ],
                alignment=ft.MainAxisAlignment.CENTER,
            ),
            parts.body(w("officer.enrol.secret")),
            ft.Text(enrolment.secret, font_family="monospace", weight=ft.FontWeight.W_600),
            field(
                "code",
                w("officer.code.field"),
                keyboard_type=ft.KeyboardType.NUMBER,
                max_length=6,
                on_submit=run(state.confirm_enrolment),
            ),
            *form_error,
            ft.FilledButton(w("officer.enrol.confirm"), on_click=run(state.confirm_enrolment), disabled=state.busy),
            ft.TextButton(w("officer.sign_in.start_again"), on_click=lambda: state.start_again()),
        )
    controls: list[ft.Control] = [
        parts.heading(w("officer.sign_in.heading")),
        parts.body(w("officer.sign_in.intro")),
        field("force", w("officer.sign_in.force"), hint_text=w("officer.sign_in.force_hint")),
        field("username", w("officer.sign_in.username")),
        field("password", w("officer.sign_in.password"), password=True),
    ]
    if state.step == "code":
        controls += [
            parts.body(w("officer.code.intro")),
            field(
                "code",
                w("officer.code.field"),
                keyboard_type=ft.KeyboardType.NUMBER,
                max_length=6,
                autofocus=True,
                on_submit=run(state.submit),
                autofill_hints=[ft.AutofillHint.ONE_TIME_CODE],
            ),
        ]
    return parts.page_body(
        *controls,
        *form_error,
        ft.FilledButton(w("officer.sign_in.submit"), on_click=run(state.submit), disabled=state.busy),
        ft.TextButton(w("officer.sign_in.victim"), on_click=lambda: page.navigate("/")),
    )

"""Your case (home), the list of cases when there are several, and the updates timeline."""

from __future__ import annotations

import asyncio

import flet as ft

from app import wording
from views import parts
from views.outcome import closed_outcome
from views.state import run, use_draft, use_portal


@ft.component
def Home() -> ft.Control:
    portal = use_portal()
    focus = portal.focus
    cases = focus.cases()
    if len(cases) == 1 or (focus.case_id and focus.case(focus.case_id)):
        return CaseHome()
    if not cases:
        return Fetching()
    return CaseList()


FETCHING_PATIENCE = 8.0  # seconds before the loading screen offers a way out


@ft.component
def Fetching() -> ft.Control:
    """Signed in, no case on the device yet: the first sync is on its way. If it takes too
    long (no network, or the server refuses), offer to try again or to start again, so
    nobody is left looking at a spinner."""
    portal = use_portal()
    slow, set_slow = ft.use_state(False)

    async def wait() -> None:
        await asyncio.sleep(FETCHING_PATIENCE)
        set_slow(True)

    ft.use_effect(wait, [])  # cancelled if the case arrives first and the screen goes
    w = portal.words
    way_out: list[ft.Control] = []
    if slow:
        way_out = [
            ft.Semantics(content=parts.body(w("case.fetching_slow")), live_region=True),
            ft.Row(
                [
                    ft.FilledButton(
                        w("case.fetching_retry"), icon=ft.Icons.REFRESH, on_click=lambda: portal.session.refresh()
                    ),
                    ft.OutlinedButton(w("case.fetching_sign_out"), on_click=run(portal.session.sign_out_and_delete)),
                ],
                wrap=True,
            ),
        ]
    return parts.page_body(
        parts.heading(w("case.heading")),
        ft.ProgressRing(width=24, height=24, semantics_label=w("loading")),
        parts.body(w("case.fetching")),
        *way_out,
        parts.emergency_line(w),
    )


@ft.component
def NotFound() -> ft.Control:
    """An address the app does not know (signed in: signed out, the gate shows the welcome)."""
    portal = use_portal()
    w = portal.words
    return parts.page_body(
        parts.heading(w("not_found.heading")),
        parts.body(w("not_found.body")),
        ft.FilledButton(w("not_found.home"), icon=ft.Icons.HOME, on_click=lambda: ft.context.page.navigate("/")),
    )


@ft.component
def CaseList() -> ft.Control:
    portal = use_portal()

    def open_case(case_id: str) -> None:
        portal.focus.open_case(case_id)
        ft.context.page.navigate(f"/cases/{case_id}")

    w = portal.words
    tiles: list[ft.Control] = []
    for case in portal.focus.cases():
        status = portal.content.status(case.status).title
        tiles.append(
            ft.Card(
                ft.ListTile(
                    title=ft.Text(w("cases.item", crime_type=case.crime_type, reference=case.crime_reference)),
                    subtitle=ft.Text(
                        w("cases.item_detail", status=status, date=wording.short_day(w, case.reported_on))
                    ),
                    trailing=ft.Icon(ft.Icons.CHEVRON_RIGHT),
                    on_click=lambda _, cid=case.id: open_case(cid),
                )
            )
        )
    return parts.page_body(parts.heading(w("cases.heading")), parts.body(w("cases.choose")), *tiles)


@ft.component
def CaseHome() -> ft.Control:
    portal = use_portal()
    focus = portal.focus
    case = focus.focused(ft.use_route_params().get("case_id"))
    note, set_note = use_draft(portal, f"note:{case.id if case else ''}")
    asking, set_asking = ft.use_state(bool(note))

    def in_focus() -> None:
        if case is not None:
            focus.open_case(case.id)  # the sections (updates, messages) follow it

    ft.use_effect(in_focus, [case.id if case else None])
    if case is None:
        return Home()
    w = portal.words
    words = portal.content.status(case.status)
    officer = case.officer
    now = portal.clock()

    async def copy_reference() -> None:
        await ft.Clipboard().set(case.crime_reference)
        focus.reference_copied(case.crime_reference)

    def send_request() -> None:
        if focus.request_update(case.id, note):
            set_note("")
            set_asking(False)

    status_lines: list[ft.Control] = [parts.body(words.explanation)] if words.explanation else []
    status_lines += closed_outcome(w, case)  # what it means, and the Right to Review where it applies

    request_controls: list[ft.Control]
    if asking:
        request_controls = [
            ft.TextField(
                key="update-note",
                label=w("case.request.note"),
                value=note,
                on_change=lambda e: set_note(e.control.value),
                multiline=True,
                min_lines=2,
                max_length=1000,
            ),
            ft.Row(
                [
                    ft.FilledButton(w("case.request.send"), on_click=lambda: send_request()),
                    ft.TextButton(w("case.request.cancel"), on_click=lambda: set_asking(False)),
                ],
                wrap=True,
            ),
        ]
    else:
        request_controls = [ft.FilledButton(w("case.request"), icon=ft.Icons.UPDATE, on_click=lambda: set_asking(True))]
    if case.open_update_requests:
        request_controls.insert(0, parts.small(w("case.request.open")))
    for refused in focus.unsent_requests(case.id):
        request_controls.insert(
            0,
            ft.Column(
                [
                    parts.error_notice(w("case.request.refused", reason=refused.failed)),
                    ft.TextButton(
                        w("case.request.retry"), icon=ft.Icons.REFRESH, on_click=lambda _, i=refused.id: focus.retry(i)
                    ),
                ],
                key=refused.id,
            ),
        )

    unread = focus.unread_count(case.id)

    def all_cases() -> None:
        focus.leave_case()
        ft.context.page.navigate("/")

    several = len(focus.cases()) > 1
    return parts.page_body(
        parts.heading(w("case.heading")),
        *([ft.TextButton(w("cases.all"), icon=ft.Icons.ARROW_BACK, on_click=lambda: all_cases())] if several else []),
        parts.section(
            parts.small(w("case.reference")),
            ft.Row(
                [
                    ft.Text(case.crime_reference, theme_style=ft.TextThemeStyle.TITLE_LARGE),
                    ft.TextButton(w("case.copy"), icon=ft.Icons.COPY, on_click=copy_reference),
                ],
                wrap=True,
            ),
            parts.body(w("case.reported", crime_type=case.crime_type, date=wording.day(w, case.reported_on))),
        ),
        parts.section(
            parts.subheading(words.title),
            *status_lines,
            parts.body(wording.next_update(w, case, now)),
            *request_controls,
        ),
        parts.section(
            parts.subheading(w("case.officer")),
            parts.body(officer.name),
            parts.small(w("case.collar", collar=officer.collar_number)),
            ft.Row(
                [
                    ft.OutlinedButton(
                        w("case.call", phone=wording.phone_number(officer.phone)),
                        icon=ft.Icons.PHONE,
                        url=wording.phone_link(officer.phone),
                    ),
                    ft.OutlinedButton(
                        w("case.email", email=officer.email), icon=ft.Icons.EMAIL, url=f"mailto:{officer.email}"
                    ),
                ],
                wrap=True,
            ),
            parts.small(wording.reply_expectation(w, officer, now)),
        ),
        ft.Row(
            [
                ft.FilledButton(
                    w("case.messages.new", count=unread) if unread else w("case.messages"),
                    icon=ft.Icons.CHAT,
                    on_click=lambda: ft.context.page.navigate(f"/cases/{case.id}/messages"),
                ),
                ft.OutlinedButton(
                    w("case.updates"),
                    icon=ft.Icons.HISTORY,
                    on_click=lambda: ft.context.page.navigate(f"/cases/{case.id}/updates"),
                ),
            ],
            wrap=True,
        ),
        parts.emergency_line(w),
    )


@ft.component
def Updates() -> ft.Control:
    portal = use_portal()
    case = portal.focus.focused(ft.use_route_params().get("case_id"))
    if case is None:
        return Home()
    now = portal.clock()
    w = portal.words
    items: list[ft.Control] = []
    for update in portal.focus.updates(case.id):
        meta = w("updates.meta", when=wording.when(w, update.created_at, now), author=update.author_name)
        lines: list[ft.Control] = [parts.small(meta)]
        if update.status_to and update.status_to != update.status_from:
            lines.append(parts.subheading(portal.content.status(update.status_to).title))
        if update.handed_to:
            lines.append(
                parts.body(w("updates.handed_to", name=update.handed_to.name, collar=update.handed_to.collar_number))
            )
        if update.text:
            lines.append(parts.body(update.text))
        items.append(parts.section(*lines))
    if not items:
        items.append(parts.body(w("updates.none")))
    return parts.page_body(
        parts.heading(w("updates.heading")), parts.small(w("updates.about", reference=case.crime_reference)), *items
    )

"""Your rights under the Victims' Code and the support services, from the versioned data
under ``assets/content`` (and the force's own list from the server)."""

from __future__ import annotations

import flet as ft

from app import wording
from app.content import SupportService
from views import parts
from views.case import focused_case
from views.state import run, use_portal

RIGHT_FOR_UPDATES = 6


@ft.component
def Rights() -> ft.Control:
    portal = use_portal()
    content = portal.content
    case = focused_case(portal, {})
    now = portal.clock()
    tiles: list[ft.Control] = []
    for right in content.rights:
        details: list[ft.Control] = []
        if right.number == RIGHT_FOR_UPDATES and case is not None:
            details.append(
                ft.Container(
                    ft.Text(f"For your case {case.crime_reference}: {wording.next_update(case, now)}"),
                    bgcolor=ft.Colors.SECONDARY_CONTAINER,
                    padding=8,
                    border_radius=8,
                )
            )
        for detail in right.details:
            details.append(parts.body(detail.text))
            details.append(parts.small(f"Source: {detail.source}. Checked {wording.short_day(detail.reviewed)}."))
        details.append(parts.small(f"Source: {right.source}. Checked {wording.short_day(right.reviewed)}."))
        tiles.append(
            ft.ExpansionTile(
                title=ft.Text(f"Right {right.number}: {right.title}"),
                controls=details,
                controls_padding=ft.Padding.symmetric(horizontal=16, vertical=8),
                expanded_cross_axis_alignment=ft.CrossAxisAlignment.START,
            )
        )
    return parts.page_body(
        parts.heading("Your rights"),
        parts.body(
            "The Code of Practice for Victims of Crime (the Victims' Code) gives you 12 rights. "
            "Tap a right to see what it means for you."
        ),
        ft.Card(ft.Column(tiles, spacing=0)),
        parts.small(f"This text is version {content.version} of the app's information."),
    )


def service_card(service: SupportService) -> ft.Control:
    actions: list[ft.Control] = []
    if service.phone:
        actions.append(
            ft.OutlinedButton(f"Call {service.phone}", icon=ft.Icons.PHONE, url=wording.phone_link(service.phone))
        )
    if service.website:
        actions.append(
            ft.OutlinedButton(f"Open website for {service.name}", icon=ft.Icons.OPEN_IN_NEW, url=service.website)
        )
    return parts.section(
        parts.subheading(service.name),
        parts.body(service.purpose),
        ft.Row(actions, wrap=True),
        parts.small(f"Source: {service.source}. Checked {wording.short_day(service.reviewed)}."),
    )


@ft.component
def Support() -> ft.Control:
    portal = use_portal()
    ft.use_effect(run(portal.fetch_local_services), [])
    local, national = portal.support_services()
    controls: list[ft.Control] = [
        parts.heading("Support"),
        parts.body("You do not have to cope alone. These services are free and confidential."),
    ]
    if local:
        controls.append(parts.subheading("Near you"))
        controls.extend(service_card(s) for s in local)
    controls.append(parts.subheading("National helplines"))
    controls.extend(service_card(s) for s in national)
    return parts.page_body(*controls)

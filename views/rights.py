"""Your rights under the Victims' Code and the support services, from the versioned data
under ``assets/content`` (and the force's own list from the server)."""

from __future__ import annotations

import flet as ft

from app import wording
from app.content import SupportService, Words
from views import parts
from views.state import run, use_portal

RIGHT_FOR_UPDATES = 6


@ft.component
def Rights() -> ft.Control:
    portal = use_portal()
    content = portal.content
    case = portal.focus.focused()
    now = portal.clock()
    w = portal.words
    tiles: list[ft.Control] = []
    identity = portal.session.identity
    for right in content.rights_for(identity.force_code if identity else ""):
        details: list[ft.Control] = []
        if right.number == RIGHT_FOR_UPDATES and case is not None:
            details.append(
                ft.Container(
                    ft.Text(
                        w("rights.for_case", reference=case.crime_reference, due=wording.next_update(w, case, now))
                    ),
                    bgcolor=ft.Colors.SECONDARY_CONTAINER,
                    padding=8,
                    border_radius=8,
                )
            )
        for detail in right.details:
            details.append(parts.body(detail.text))
            details.append(parts.small(wording.sources(w, detail.source, detail.also, detail.reviewed)))
        details.append(parts.small(wording.sources(w, right.source, right.also, right.reviewed)))
        tiles.append(
            ft.ExpansionTile(
                title=ft.Text(w("rights.item", number=right.number, title=right.title)),
                controls=details,
                controls_padding=ft.Padding.symmetric(horizontal=16, vertical=8),
                expanded_cross_axis_alignment=ft.CrossAxisAlignment.START,
            )
        )
    return parts.page_body(
        parts.heading(w("rights.heading")),
        parts.body(w("rights.intro")),
        ft.Card(ft.Column(tiles, spacing=0)),
        parts.small(w("rights.version", version=content.version)),
    )


def service_card(w: Words, service: SupportService) -> ft.Control:
    actions: list[ft.Control] = []
    if service.phone:
        actions.append(
            ft.OutlinedButton(
                w("support.call", phone=service.phone), icon=ft.Icons.PHONE, url=wording.phone_link(service.phone)
            )
        )
    if service.website:
        actions.append(
            ft.OutlinedButton(w("support.website", name=service.name), icon=ft.Icons.OPEN_IN_NEW, url=service.website)
        )
    cited = [parts.small(wording.sources(w, service.source, (), service.reviewed))] if service.source else []
    return parts.section(
        parts.subheading(service.name), parts.body(service.purpose), ft.Row(actions, wrap=True), *cited
    )


@ft.component
def Support() -> ft.Control:
    portal = use_portal()
    ft.use_effect(run(portal.preferences.fetch_local_services), [])
    local, national = portal.preferences.support_services()
    w = portal.words
    controls: list[ft.Control] = [parts.heading(w("support.heading")), parts.body(w("support.intro"))]
    if local:
        controls.append(parts.subheading(w("support.local")))
        controls.extend(service_card(w, s) for s in local)
    controls.append(parts.subheading(w("support.national")))
    controls.extend(service_card(w, s) for s in national)
    return parts.page_body(*controls)

"""Every signed-in officer screen: the same header (Quick exit) and offline banner as the
victim's, the away banner, officer mode's own navigation, and the screen for the address."""

from __future__ import annotations

import flet as ft

from views import parts
from views.officer_away import AwayBanner, AwayScreen
from views.officer_case import OfficerCaseScreen
from views.officer_caseload import CaseloadScreen
from views.officer_rules import RulesScreen
from views.officer_settings import OfficerSettings
from views.officer_state import use_officer
from views.state import use_portal


def officer_screen(location: str) -> ft.Control:
    if location.startswith("/officer/cases/"):
        return OfficerCaseScreen()
    if location.startswith("/away"):
        return AwayScreen()
    if location.startswith("/officer/rules"):
        return RulesScreen()
    if location.startswith("/settings"):
        return OfficerSettings()
    return CaseloadScreen()


@ft.component
def OfficerShell(header: ft.Control, banner: ft.Control) -> ft.Control:
    portal = use_portal()
    officer = use_officer()
    page = ft.context.page
    location = ft.use_route_location()
    w = portal.words
    profile = officer.profile
    notices: list[ft.Control] = []
    if location.startswith("/i/"):  # an invitation link opened on an officer's device
        notices.append(parts.error_notice(officer.someone_else("victim")))
    if portal.feedback.error:
        notices.append(parts.error_notice(portal.feedback.error))
    nav = ft.Row(
        [
            ft.TextButton(w("officer.nav.caseload"), icon=ft.Icons.LIST, on_click=lambda: page.navigate("/")),
            ft.TextButton(w("officer.nav.away"), icon=ft.Icons.BEACH_ACCESS, on_click=lambda: page.navigate("/away")),
            *(
                [
                    ft.TextButton(
                        w("officer.nav.rules"), icon=ft.Icons.RULE, on_click=lambda: page.navigate("/officer/rules")
                    )
                ]
                if officer.reads_rules
                else []
            ),
            *([parts.small(w("officer.nav.who", name=profile.name, collar=profile.collar_number))] if profile else []),
        ],
        wrap=True,  # a Wrap takes no expanding child: the name follows the buttons
    )
    return ft.Column(
        [
            header,
            *([banner] if officer.reads_cases else []),  # an admin has no feed to be offline from
            AwayBanner(),
            ft.Container(ft.Column([nav, *notices]), padding=ft.Padding.symmetric(horizontal=12)),
            ft.Container(officer_screen(location), expand=True),
        ],
        spacing=0,
        expand=True,
    )

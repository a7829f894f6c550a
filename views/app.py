"""The victim's app: the gate (sign in, lock, quick exit), then the router table of screens
inside one shell (header with Quick exit, offline banner, navigation)."""

from __future__ import annotations

from typing import Any

import flet as ft

from app import wording
from app.officer_mode import OfficerMode
from app.portal import Portal
from views import parts, theme
from views.case import CaseHome, Home, NotFound, Updates
from views.gates import EnterCode, Locked, Neutral, OfferPin, Welcome
from views.messages import Messages
from views.officer_shell import OfficerShell
from views.officer_sign_in import OfficerSignIn
from views.officer_state import OfficerContext
from views.rights import Rights, Support
from views.settings import Settings
from views.state import PortalContext, use_portal

TITLE = "Portal"  # the window title never says more: someone may glance at the screen
SECTIONS = [  # (word, icon, selected icon, route: relative to the case, or absolute)
    ("nav.case", ft.Icons.HOME_OUTLINED, ft.Icons.HOME, ""),
    ("nav.updates", ft.Icons.HISTORY, ft.Icons.HISTORY, "updates"),
    ("nav.messages", ft.Icons.CHAT_OUTLINED, ft.Icons.CHAT, "messages"),
    ("nav.rights", ft.Icons.GAVEL_OUTLINED, ft.Icons.GAVEL, "/rights"),
    ("nav.support", ft.Icons.SUPPORT_OUTLINED, ft.Icons.SUPPORT, "/support"),
    # Flet's bar always has one destination selected, so Settings has its own: else "Case" would
    # stay highlighted while Settings is open
    ("nav.settings", ft.Icons.SETTINGS_OUTLINED, ft.Icons.SETTINGS, "/settings"),
]


def section_route(index: int, case_id: str | None) -> str:
    target = SECTIONS[index][3]
    if target.startswith("/"):
        return target
    if case_id is None:
        return "/"
    return f"/cases/{case_id}" + (f"/{target}" if target else "")


def section_index(location: str) -> int:
    """Which section an address belongs to, read off the same table (the case's own page: 0)."""
    for index, (*_, target) in enumerate(SECTIONS):
        if target.startswith("/") and location.startswith(target):
            return index
        if target and not target.startswith("/") and location.endswith(f"/{target}"):
            return index
    return 0


@ft.component
def Header(*, signed_in: bool = True) -> ft.Control:
    portal = use_portal()
    page = ft.context.page
    settings: list[ft.Control] = [
        ft.TextButton(
            portal.words("shell.settings"), icon=ft.Icons.SETTINGS, on_click=lambda: page.navigate("/settings")
        )
    ]
    return ft.Container(
        ft.Row(
            [
                *(settings if signed_in else []),
                ft.Container(expand=True),
                ft.FilledButton(
                    portal.words("shell.quick_exit"),
                    icon=ft.Icons.EXIT_TO_APP,
                    bgcolor=theme.EXIT_BG,
                    color=theme.EXIT_FG,
                    tooltip=portal.words("shell.quick_exit_tip"),
                    on_click=lambda: portal.safety.quick_exit(),
                ),
            ],
            vertical_alignment=ft.CrossAxisAlignment.CENTER,
        ),
        padding=ft.Padding.symmetric(horizontal=12, vertical=8),
        bgcolor=ft.Colors.SURFACE_CONTAINER,
    )


@ft.component
def OfflineBanner() -> ft.Control:
    portal = use_portal()
    if portal.session.connection != "offline":
        return ft.Container()
    return ft.Semantics(
        content=ft.Container(
            ft.Row(
                [
                    ft.Icon(ft.Icons.CLOUD_OFF, color=theme.OFFLINE_FG),
                    ft.Text(
                        wording.offline_banner(portal.words, portal.session.last_synced_at, portal.clock()),
                        color=theme.OFFLINE_FG,
                        expand=True,
                    ),
                    ft.TextButton(
                        portal.words("offline.retry"),
                        style=ft.ButtonStyle(color=theme.OFFLINE_FG),
                        on_click=lambda: portal.session.refresh(),
                    ),
                ],
                vertical_alignment=ft.CrossAxisAlignment.CENTER,
            ),
            bgcolor=theme.OFFLINE_BG,
            padding=ft.Padding.symmetric(horizontal=12, vertical=6),
        ),
        live_region=True,
    )


@ft.component
def Shell() -> ft.Control:
    """Every signed-in screen: header, banner, notices, the screen, navigation."""
    portal = use_portal()
    page = ft.context.page
    location = ft.use_route_location()
    outlet = ft.use_route_outlet()
    case = portal.focus.focused(ft.use_route_params().get("case_id"))
    case_id = case.id if case else portal.focus.case_id
    notices: list[ft.Control] = []
    on_settings = location.startswith("/settings")

    shown_at: Any = ft.use_ref(location)

    def leave_screen() -> None:
        if shown_at.current != location:
            shown_at.current = location
            portal.feedback.clear()  # a notice belongs to the screen it was given on

    ft.use_effect(leave_screen, [location])
    feedback = portal.feedback
    if feedback.notice and not on_settings:
        notices.append(parts.good_notice(feedback.notice))
    if feedback.error and not on_settings and not location.endswith("/messages"):
        notices.append(parts.error_notice(feedback.error))
    return ft.Column(
        [
            Header(),
            OfflineBanner(),
            *(
                [ft.Container(ft.Column(notices), padding=ft.Padding.symmetric(horizontal=12, vertical=4))]
                if notices
                else []
            ),
            ft.Container(outlet, expand=True),
            ft.NavigationBar(
                destinations=[
                    ft.NavigationBarDestination(icon=icon, selected_icon=selected, label=portal.words(word))
                    for word, icon, selected, _ in SECTIONS
                ],
                selected_index=section_index(location),
                on_change=lambda e: page.navigate(section_route(int(e.control.selected_index), case_id)),
            ),
        ],
        spacing=0,
        expand=True,
    )


@ft.component
def Gate() -> ft.Control:
    """Which screen a person may see now: sign-in, the lock, the neutral page, or their case."""
    portal = use_portal()
    officer: OfficerMode | None = ft.use_context(OfficerContext)
    location = ft.use_route_location()
    gates = {"welcome": Welcome, "code": EnterCode, "offer_pin": OfferPin, "locked": Locked}
    if portal.phase in gates:  # quick exit is on these screens too
        screen = gates[portal.phase]
        if portal.phase == "welcome" and officer is not None and location.startswith("/police"):
            screen = OfficerSignIn  # "I work for the police"
        return ft.Column([Header(signed_in=False), ft.Container(screen(), expand=True)], spacing=0, expand=True)
    if portal.phase == "exited":
        return Neutral()
    if officer is not None and officer.active:
        return OfficerShell(Header(), OfflineBanner())
    return Shell()


ROUTES = [
    ft.Route(
        component=Gate,
        outlet=True,
        children=[
            ft.Route(index=True, component=Home),
            ft.Route(path="i/:token", component=Home),
            ft.Route(path="cases/:case_id", component=CaseHome),
            ft.Route(path="cases/:case_id/updates", component=Updates),
            ft.Route(path="cases/:case_id/messages", component=Messages),
            ft.Route(path="rights", component=Rights),
            ft.Route(path="support", component=Support),
            ft.Route(path="settings", component=Settings),
            # officer mode (its shell picks the screen; a victim signed in here is told to sign out first)
            ft.Route(path="police", component=OfficerSignIn),
            ft.Route(path="away", component=NotFound),
            ft.Route(path="officer/cases/:case_id", component=NotFound),
            ft.Route(path="officer/rules", component=NotFound),
            ft.Route(path=":unknown*", component=NotFound),  # last: behind the gate, with Quick exit
        ],
    )
]


@ft.component
def App(portal: Portal, officer: OfficerMode | None = None) -> ft.Control:
    page = ft.context.page
    network: Any = ft.use_ref(None)  # the connectivity service lives as long as the app

    def setup() -> None:
        page.title = TITLE
        theme.apply(page)
        page.padding = 0

        def on_key(e: ft.KeyboardEvent) -> None:
            if e.key == "Escape":
                portal.safety.quick_exit()

        def on_lifecycle(e: Any) -> None:
            state = getattr(e, "state", None)
            if state in (ft.AppLifecycleState.PAUSE, ft.AppLifecycleState.HIDE):
                portal.safety.to_background()
            elif state in (ft.AppLifecycleState.RESUME, ft.AppLifecycleState.SHOW):
                portal.safety.to_foreground()

        def on_network(e: ft.ConnectivityChangeEvent) -> None:
            if any(kind != ft.ConnectivityType.NONE for kind in e.connectivity):
                portal.session.refresh()  # back online: sync now rather than at the end of a back-off

        page.on_keyboard_event = on_key
        page.on_app_lifecycle_state_change = on_lifecycle
        network.current = ft.Connectivity(on_change=on_network)
        portal.start()
        page.update()

    ft.use_effect(setup, [])
    router: ft.Control = PortalContext(
        portal, lambda: OfficerContext(officer, lambda: ft.Router(ROUTES, not_found=NotFound))
    )
    return router

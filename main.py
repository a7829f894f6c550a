"""``portal``: the Victim's Portal app, and the one place that wires its real parts together.

``portal`` opens it in a desktop window; ``portal web --host H --port P`` serves the same app
to browsers (the web portal where invitation links open). Both talk to the backend at
``--server`` or ``PORTAL_SERVER_URL``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Callable, Sequence

import flet as ft

from app import content
from app.bootstrap import LocalData, open_desktop_data, open_session_data
from app.portal import Portal
from app.store.port import Store
from sync.account import HttpConnector, HttpSignIn
from views.app import TITLE, App

DEFAULT_SERVER = "http://127.0.0.1:8000"


class Device:
    """This device's store, which "delete everything" (or too many wrong PINs) replaces with an empty one."""

    def __init__(self, open_local: Callable[[], LocalData]) -> None:
        self._open = open_local
        self.local = open_local()

    def wipe(self) -> Store:
        self.local.reset()
        self.local = self._open()
        if self.local.store is None:
            raise RuntimeError(str(self.local.error))
        return self.local.store

    def end(self) -> None:
        self.local.end()


def build_portal(device: Device, server_url: str) -> Portal:
    """The app's state on top of the opened device store, the backend and the bundled content."""
    assert device.local.store is not None
    portal: Portal

    def current_store() -> Store:
        return portal.store

    portal = Portal(
        device.local.store,
        content.load(),
        sign_in=HttpSignIn(server_url),
        connector=HttpConnector(current_store),
        wipe=device.wipe,
        device_description=device.local.about,
    )
    return portal


def store_trouble(local: LocalData, retry: Callable[[], None]) -> ft.Control:
    """The device's store would not open: say why in plain words and offer the way out."""

    def reset(_: ft.Event[ft.Button]) -> None:
        local.reset()
        retry()

    return ft.SafeArea(
        ft.Column(
            [
                ft.Text("Victim's Portal", theme_style=ft.TextThemeStyle.HEADLINE_MEDIUM),
                ft.Text(str(local.error)),
                ft.Button("Reset this device", on_click=reset),
                ft.Text("In an emergency call 999. To talk to the police otherwise, call 101."),
            ]
        )
    )


def victim_app(server_url: str, *, web: bool) -> Callable[[ft.Page], None]:
    def main(page: ft.Page) -> None:
        page.title = TITLE

        def open_local() -> LocalData:
            return open_session_data() if web else open_desktop_data()

        def start() -> None:
            device = Device(open_local)
            if device.local.store is None:
                page.controls.clear()
                page.add(store_trouble(device.local, start))
                return
            portal = build_portal(device, server_url)

            def closed(_: object) -> None:
                # the window or browser session has ended: stop syncing, close the store;
                # a browser session's store is deleted with it
                async def finish() -> None:
                    await portal.stop()
                    device.end()

                asyncio.ensure_future(finish())

            page.on_close = closed
            page.render(App, portal)

        start()

    return main


def _has_display() -> bool:
    return sys.platform in ("win32", "darwin") or bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def cli(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="portal", description="The Victim's Portal app.")
    parser.add_argument("mode", nargs="?", choices=["desktop", "web"], default=None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8550)
    parser.add_argument("--server", default=os.environ.get("PORTAL_SERVER_URL", DEFAULT_SERVER))
    args = parser.parse_args(argv)
    mode = args.mode or ("desktop" if _has_display() else "web")
    app = victim_app(args.server, web=mode == "web")
    if mode == "desktop":
        ft.run(app)
        return
    os.environ["FLET_FORCE_WEB_SERVER"] = "1"
    sys.stdout.write(f"Victim's Portal (web) at http://{args.host}:{args.port}/\n")
    sys.stdout.flush()
    ft.run(app, view=None, host=args.host, port=args.port, no_cdn=True, route_url_strategy=ft.RouteUrlStrategy.PATH)


if __name__ == "__main__":
    cli()

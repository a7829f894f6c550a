"""``portal``: the Victim's Portal app. Until the app's screens land this is a placeholder
window that says where the backend is; ``portal web`` serves it to browsers."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

import flet as ft

from app.bootstrap import LocalData, open_desktop_data, open_session_data

DEFAULT_SERVER = "http://127.0.0.1:8000"


def placeholder(server_url: str, *, web: bool) -> Callable[[ft.Page], None]:
    def main(page: ft.Page) -> None:
        page.title = "Victim's Portal"

        def open_local() -> LocalData:
            return open_session_data() if web else open_desktop_data()

        local = open_local()
        if web:
            page.on_close = lambda _: local.end()  # the session has expired: delete its store
        status = ft.Text(local.about if local.error is None else str(local.error))

        def reset_device(_: ft.Event[ft.Button]) -> None:
            nonlocal local
            local.reset()
            local = open_local()
            status.value = local.about if local.error is None else str(local.error)
            reset.visible = local.error is not None
            page.update()

        reset = ft.Button("Reset this device", on_click=reset_device, visible=local.error is not None)
        page.add(
            ft.SafeArea(
                ft.Column(
                    [
                        ft.Text("Victim's Portal", theme_style=ft.TextThemeStyle.HEADLINE_MEDIUM),
                        ft.Text("The app's screens are on their way. This copy talks to:"),
                        ft.Text(server_url, selectable=True),
                        ft.Text("In an emergency call 999. To talk to the police otherwise, call 101."),
                        status,
                        reset,
                    ]
                )
            )
        )

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
    app = placeholder(args.server, web=mode == "web")
    if mode == "desktop":
        ft.run(app)
        return
    os.environ["FLET_FORCE_WEB_SERVER"] = "1"
    sys.stdout.write(f"Victim's Portal (web) at http://{args.host}:{args.port}/\n")
    sys.stdout.flush()
    ft.run(app, view=None, host=args.host, port=args.port, no_cdn=True)


if __name__ == "__main__":
    cli()

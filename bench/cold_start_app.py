"""What the cold-start benchmarks (bench/cold_start.py, bench/officer_cold_start.py) start,
cold, once per run: the app over an already filled device store (as it opens on a computer that
has used it before), as a victim's or in officer mode, or a bare Flet page as the baseline.
Served to the benchmark's browser in Flet web mode.

    python -m bench.cold_start_app victim|officer|bare PORT FOLDER keyring ACCOUNT|memory KEY_HEX
"""

from __future__ import annotations

import sys

import flet as ft


def main() -> None:
    which, port, folder = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    if which == "bare":

        def bare(page: ft.Page) -> None:
            page.add(ft.Text("Hello"))

        ft.run(bare, view=None, port=port, no_cdn=True)
        return

    from pathlib import Path

    from app import content
    from app.local_data import Device, open_desktop_data
    from app.store.keys import KeyringKeyProvider, MemoryKeyProvider
    from main import build_portal
    from views.app import App

    keys = (
        KeyringKeyProvider(sys.argv[5]) if sys.argv[4] == "keyring" else MemoryKeyProvider(bytes.fromhex(sys.argv[5]))
    )

    server = "http://127.0.0.1:9"  # no backend: what shows comes from the cache

    def app(page: ft.Page) -> None:
        device = Device(lambda: open_desktop_data(Path(folder), keys))
        portal = build_portal(device, server, content.load())
        if which == "officer":
            from app.officer_mode import OfficerMode
            from sync.officer_account import HttpOfficerConnector

            page.render(App, portal, OfficerMode(portal, HttpOfficerConnector(server)))
        else:
            page.render(App, portal)

    ft.run(app, view=None, port=port, no_cdn=True, route_url_strategy=ft.RouteUrlStrategy.PATH)


if __name__ == "__main__":
    main()

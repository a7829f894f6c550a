"""What bench/cold_start.py starts, cold, once per run: the victim's app over an already
filled device store (the app as it opens on a computer that has used it before), or a bare
Flet page as the baseline. Served to the benchmark's browser in Flet web mode.

    python -m bench.cold_start_app portal|bare PORT FOLDER keyring ACCOUNT|memory KEY_HEX
"""

from __future__ import annotations

import sys
import time

STARTED = time.perf_counter()

import flet as ft  # noqa: E402  (the import itself is part of what is measured)


def main() -> None:
    which, port, folder = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    if which == "bare":

        def bare(page: ft.Page) -> None:
            page.add(ft.Text("Hello"))

        ft.run(bare, view=None, port=port, no_cdn=True)
        return

    from pathlib import Path

    from app.bootstrap import open_desktop_data
    from app.store.keys import KeyringKeyProvider, MemoryKeyProvider
    from main import Device, build_portal
    from views.app import App

    keys = (
        KeyringKeyProvider(sys.argv[5]) if sys.argv[4] == "keyring" else MemoryKeyProvider(bytes.fromhex(sys.argv[5]))
    )
    imported = time.perf_counter()

    def app(page: ft.Page) -> None:
        opened_at = time.perf_counter()
        device = Device(lambda: open_desktop_data(Path(folder), keys))
        portal = build_portal(device, "http://127.0.0.1:9")  # no backend: the home screen comes from the cache
        page.render(App, portal)
        sys.stderr.write(f"timing imports={imported - STARTED:.3f} open+render={time.perf_counter() - opened_at:.3f}\n")
        sys.stderr.flush()

    ft.run(app, view=None, port=port, no_cdn=True, route_url_strategy=ft.RouteUrlStrategy.PATH)


if __name__ == "__main__":
    main()

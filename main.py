"""``portal``: the Victim's Portal app, and its one composition root: the only place that
builds the real parts (the device's store and key, the HTTP adapters, the Flet page) and
hands them to the app's state and its screens.

``portal`` opens it in a desktop window; ``portal web --host H --port P`` serves the same app
to browsers (the web portal where invitation links open). Both talk to the backend at
``--server`` or ``PORTAL_SERVER_URL``.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

import flet as ft
from flet_secure_storage import SecureStorage

from app import content
from app.content import Content
from app.local_data import Device, data_folder, open_desktop_data, open_session_data
from app.portal import Portal
from app.secure_storage import SecureStorageDevice, SecureStorageKeys
from app.store.port import Store
from sync.account import HttpConnector, HttpSignIn
from views.app import TITLE, App
from views.trouble import store_trouble

DEFAULT_SERVER = "http://127.0.0.1:8000"
WEB_SESSION_SECONDS = 5  # how long Flet keeps a browser session after its tab has gone (its default: an hour)
CONFIG = Path(__file__).resolve().parent / "assets" / "portal.json"
NO_DESKTOP_CLIENT = (
    "The desktop window needs Flet's desktop client, which could not be downloaded: serving the web app."
)


Devices = Device | SecureStorageDevice


def build_portal(device: Devices, server_url: str, bundled: Content) -> Portal:
    """The app's state on top of the device store (opened, or waiting for the PIN), the backend
    and the bundled content."""
    portal: Portal

    def current_store() -> Store:
        return portal.session.store

    portal = Portal(
        device.local.store,
        bundled,
        sign_in=HttpSignIn(server_url),
        connector=HttpConnector(current_store),
        wipe=device.wipe,
        key_provider=device.local.key_provider,
        lock=device.lock,
        unseal=device.local.unseal if device.local.sealed else None,
        sign_outs=device.local.sign_outs,
    )
    return portal


async def open_device(page: ft.Page, *, web: bool) -> Devices:
    """The store for this session: a browser's own (deleted when it ends), a phone's keyed
    from its secure storage, or a computer's keyed from its OS keyring."""
    if web:
        return Device(open_session_data)
    if page.platform in (ft.PagePlatform.ANDROID, ft.PagePlatform.IOS):
        return await SecureStorageDevice.open(data_folder(), SecureStorageKeys(SecureStorage()))
    return Device(open_desktop_data)


def web_session_forgetter(page: ft.Page) -> Callable[[], Awaitable[None]]:
    """Drops this browser session from Flet's web server, which otherwise keeps a disconnected
    session for FLET_SESSION_TIMEOUT and re-attaches it to the next page from the same tab.
    The key is the one flet_web gives the session (flet_web/fastapi/flet_app.py, Flet 1.0):
    a browser test (a reload shows the welcome) holds it to the installed Flet."""
    from flet_web.fastapi.flet_app_manager import app_manager

    ip = "" if page.client_ip in ("127.0.0.1", "::1") else (page.client_ip or "")
    agent = page.client_user_agent or ""
    key = f"{page.name}_{page.session.id}_{hashlib.sha1((ip + agent).encode()).hexdigest()}"

    async def forget() -> None:
        await app_manager.delete_session(key)

    return forget


def victim_app(server_url: str, *, web: bool) -> Callable[[ft.Page], Awaitable[None]]:
    bundled = content.load()  # the same for every session

    async def main(page: ft.Page) -> None:
        page.title = TITLE
        device = await open_device(page, web=web)
        if device.local.store is None and not device.local.sealed:
            page.controls.clear()
            page.add(store_trouble(device.local, lambda: page.run_task(main, page), bundled.words))
            return
        portal = build_portal(device, server_url, bundled)

        def closed(_: object) -> None:
            # the window or browser session has ended: stop syncing and close the store;
            # a browser session's store is deleted with it
            async def finish() -> None:
                await portal.stop()
                device.end()

            asyncio.ensure_future(finish())

        page.on_close = closed
        if web:
            forget = web_session_forgetter(page)

            async def disconnected(_: object) -> None:
                # a browser session ends with its tab (closed, reloaded, or sent elsewhere): on
                # a shared computer nothing of this sign-in may outlive it. Flet would keep the
                # session and re-attach it to a reload or a reopened tab; it is dropped instead,
                # so the next page is a new session (and `closed` deletes this one's store).
                await portal.end_session()
                await forget()

            page.on_disconnect = disconnected
        page.render(App, portal)

    return main


def configured_server() -> str:
    """PORTAL_SERVER_URL, else the address a force baked into assets/portal.json for its build."""
    if url := os.environ.get("PORTAL_SERVER_URL"):
        return url
    try:
        configured = json.loads(CONFIG.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return DEFAULT_SERVER
    return str(configured.get("server_url") or DEFAULT_SERVER)


def _has_display() -> bool:
    return sys.platform in ("win32", "darwin") or bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def cli(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="portal", description="The Victim's Portal app.")
    parser.add_argument("mode", nargs="?", choices=["desktop", "web"], default=None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8550)
    parser.add_argument("--server", default=configured_server())
    args = parser.parse_args(argv)
    packaged = bool(os.environ.get("FLET_APP_STORAGE_DATA"))  # built by `flet build`: run natively
    mode = args.mode or ("desktop" if packaged or _has_display() else "web")
    if mode == "desktop":
        try:
            ft.run(victim_app(args.server, web=False))
            return
        except OSError:  # URLError: Flet downloads its desktop client on first use, and could not
            if args.mode == "desktop" or packaged:
                raise
            sys.stdout.write(NO_DESKTOP_CLIENT + "\n")
    app = victim_app(args.server, web=True)
    os.environ["FLET_FORCE_WEB_SERVER"] = "1"
    # a disconnected browser session is ended and dropped at once (victim_app); this is the rest
    os.environ["FLET_SESSION_TIMEOUT"] = str(WEB_SESSION_SECONDS)
    sys.stdout.write(f"Victim's Portal (web) at http://{args.host}:{args.port}/\n")
    sys.stdout.flush()
    serve_web(app, args.host, args.port)


def serve_web(app: Callable[[ft.Page], Awaitable[None]], host: str, port: int) -> None:
    """Flet's web app, wrapped so that the browser asks nobody but this server for anything."""
    import uvicorn

    from views.own_origin import OwnOrigin

    web = ft.run(
        app,
        assets_dir=str(CONFIG.parent),
        no_cdn=True,
        route_url_strategy=ft.RouteUrlStrategy.PATH,
        export_asgi_app=True,
    )
    # No access log: an invitation link's path is its secret. Open sessions are cut off a second
    # after a stop is asked for, so stopping never takes long.
    uvicorn.run(
        OwnOrigin(web),
        host=host,
        port=port,
        ws="websockets-sansio",
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=1,
    )


if __name__ == "__main__":
    cli()

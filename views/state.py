"""How the screens reach the app's state: the Portal (``app/portal.py``) is handed down the
component tree as a context, and ``use_portal`` draws a component again whenever any of its
small states changes. Screens read the states and call their intents; they set no field."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import flet as ft

from app.portal import Portal

PortalContext: Any = ft.create_context(None)


def use_portal() -> Portal:
    """The portal, with this component subscribed to its changes while it is on screen."""
    portal: Portal = ft.use_context(PortalContext)
    _, set_version = ft.use_state(0)
    unsubscribe: Any = ft.use_ref(None)

    def setup() -> None:
        unsubscribe.current = portal.subscribe(lambda: set_version(lambda v: v + 1))

    def cleanup() -> None:
        if unsubscribe.current is not None:
            unsubscribe.current()

    ft.use_effect(setup, [], cleanup)
    return portal


def run(work: Callable[[], Any]) -> Callable[..., Any]:
    """An event handler that runs a coroutine function (Flet awaits async handlers)."""

    async def handler(*_: Any) -> None:
        await work()

    return handler


def use_draft(portal: Portal, key: str) -> tuple[str, Callable[[str], None]]:
    """A text field's value, kept by the app's drafts too, so what someone was typing is
    still there after the lock or quick exit has taken the screen away."""
    value, set_value = ft.use_state(portal.drafts.get(key))

    def change(text: str) -> None:
        portal.drafts.keep(key, text)
        set_value(text)

    return value, change

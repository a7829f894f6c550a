"""How officer mode's screens reach its states: ``OfficerMode`` is handed down as a context
beside the Portal, and ``use_observed`` draws a component again whenever a state changes."""

from __future__ import annotations

from typing import Any, Protocol, TypeVar

import flet as ft

from app.officer_mode import OfficerMode

OfficerContext: Any = ft.create_context(None)


class _Observed(Protocol):
    def subscribe(self, listener: Any) -> Any: ...


S = TypeVar("S", bound=_Observed)


def use_observed(state: S) -> S:
    """``state``, with this component subscribed to its changes while it is on screen."""
    _, set_version = ft.use_state(0)
    unsubscribe: Any = ft.use_ref(None)

    def setup() -> None:
        unsubscribe.current = state.subscribe(lambda: set_version(lambda v: v + 1))

    def cleanup() -> None:
        if unsubscribe.current is not None:
            unsubscribe.current()

    ft.use_effect(setup, [id(state)], cleanup)
    return state


def use_officer() -> OfficerMode:
    officer: OfficerMode = ft.use_context(OfficerContext)
    return use_observed(officer)

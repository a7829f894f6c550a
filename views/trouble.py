"""The screen shown when this device's store would not open: why, in plain words, and the way
out (start again with an empty store). It comes before the app's state exists, so it is plain
controls, not a component reading the portal; Quick exit works here too."""

from __future__ import annotations

from collections.abc import Callable

import flet as ft

from app.content import Words
from app.local_data import LocalData
from views import theme


def store_trouble(local: LocalData, retry: Callable[[], object], words: Words) -> ft.Control:
    def reset(_: ft.Event[ft.Button]) -> None:
        local.reset()
        retry()

    # Quick exit swaps in the same neutral page as everywhere else
    trouble = ft.Column(
        [
            ft.Row(
                [
                    ft.FilledButton(
                        words("shell.quick_exit"),
                        icon=ft.Icons.EXIT_TO_APP,
                        bgcolor=theme.EXIT_BG,
                        color=theme.EXIT_FG,
                        on_click=lambda: show(exited=True),
                    )
                ],
                alignment=ft.MainAxisAlignment.END,
            ),
            ft.Text(words("trouble.heading"), theme_style=ft.TextThemeStyle.HEADLINE_MEDIUM),
            ft.Text(words.table.get(f"trouble.{type(local.error).__name__}", words("trouble.other"))),
            ft.Button(words("trouble.reset"), on_click=reset),
            ft.Text(words("app.emergency")),
        ]
    )
    neutral = ft.Column(
        [
            ft.Text(words("neutral.heading"), theme_style=ft.TextThemeStyle.HEADLINE_SMALL),
            ft.Text(words("neutral.body")),
            ft.TextButton(words("neutral.continue"), on_click=lambda: show(exited=False)),
        ],
        visible=False,
    )

    def show(*, exited: bool) -> None:
        trouble.visible, neutral.visible = not exited, exited

    return ft.SafeArea(ft.Column([trouble, neutral]))

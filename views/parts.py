"""Small pieces every screen uses: headings, notices, the card a section sits in."""

from __future__ import annotations

import flet as ft

from app.content import Words


def heading(text: str, level: int = 1) -> ft.Control:
    """A screen's title (level 1) or a section's (level 2), announced as a heading."""
    style = ft.TextThemeStyle.HEADLINE_SMALL if level == 1 else ft.TextThemeStyle.TITLE_MEDIUM
    return ft.Semantics(
        content=ft.Text(text, theme_style=style, weight=ft.FontWeight.W_600),
        header=True,
        heading_level=level,
        container=True,
    )


def subheading(text: str) -> ft.Control:
    return heading(text, level=2)


def body(text: str, *, selectable: bool = False) -> ft.Text:
    return ft.Text(text, theme_style=ft.TextThemeStyle.BODY_LARGE, selectable=selectable)


def small(text: str) -> ft.Text:
    return ft.Text(text, theme_style=ft.TextThemeStyle.BODY_MEDIUM, color=ft.Colors.ON_SURFACE_VARIANT)


def section(*controls: ft.Control) -> ft.Control:
    return ft.Card(
        ft.Container(
            ft.Column(list(controls), spacing=8, horizontal_alignment=ft.CrossAxisAlignment.STRETCH), padding=16
        ),
        margin=ft.Margin.only(bottom=12),
    )


def _notice(text: str, icon: ft.IconData, background: ft.ColorValue) -> ft.Control:
    """A notice read out by screen readers as soon as it appears."""
    return ft.Semantics(
        content=ft.Container(
            ft.Row([ft.Icon(icon), ft.Text(text, expand=True)], vertical_alignment=ft.CrossAxisAlignment.START),
            bgcolor=background,
            padding=12,
            border_radius=8,
        ),
        live_region=True,
    )


def error_notice(text: str) -> ft.Control:
    """What went wrong."""
    return _notice(text, ft.Icons.ERROR_OUTLINE, ft.Colors.ERROR_CONTAINER)


def good_notice(text: str) -> ft.Control:
    """What went right."""
    return _notice(text, ft.Icons.CHECK_CIRCLE_OUTLINE, ft.Colors.SECONDARY_CONTAINER)


def emergency_line(words: Words) -> ft.Control:
    return small(words("app.emergency"))


def page_body(*controls: ft.Control) -> ft.Control:
    """A screen's content: scrolls, and keeps a readable width on a wide window."""
    return ft.Column(
        [
            ft.ResponsiveRow(
                [
                    ft.Container(
                        ft.Column(list(controls), spacing=12, horizontal_alignment=ft.CrossAxisAlignment.STRETCH),
                        padding=ft.Padding.symmetric(horizontal=16, vertical=12),
                        col={"xs": 12, "md": 10, "lg": 8, "xl": 6},
                    )
                ],
                alignment=ft.MainAxisAlignment.CENTER,
            )
        ],
        scroll=ft.ScrollMode.AUTO,
        expand=True,
    )

"""One calm Material 3 theme, light and dark, from a single seed colour.

The seed is a deep blue-green; Material 3 derives the tonal palette so text on every surface
meets WCAG 2.2 AA (tests/test_views.py checks the pairs the app uses)."""

from __future__ import annotations

import flet as ft

SEED = "#2E5E6E"
# Fixed colours for the few places the app paints itself (banner, quick exit), with their
# contrast ratios checked in tests/test_views.py.
OFFLINE_BG = "#5C4400"
OFFLINE_FG = "#FFFFFF"
EXIT_BG = "#8C1D18"
EXIT_FG = "#FFFFFF"
ERROR_FG_LIGHT = "#8C1D18"


def light() -> ft.Theme:
    return ft.Theme(color_scheme_seed=SEED, use_material3=True)


def dark() -> ft.Theme:
    return ft.Theme(color_scheme_seed=SEED, use_material3=True)


def apply(page: ft.Page) -> None:
    page.theme = light()
    page.dark_theme = dark()
    page.theme_mode = ft.ThemeMode.SYSTEM

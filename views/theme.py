"""One calm Material 3 theme, light and dark, from a single seed colour.

The seed is a deep blue-green; Material 3 derives its tonal palette so each "on" colour meets
WCAG 2.2 AA on its surface. The few colours the app paints itself are checked in
tests/test_theme.py."""

from __future__ import annotations

import flet as ft

SEED = "#2E5E6E"
# The places the app paints itself: the offline banner and the quick exit button.
OFFLINE_BG = "#5C4400"
OFFLINE_FG = "#FFFFFF"
EXIT_BG = "#8C1D18"
EXIT_FG = "#FFFFFF"


def calm() -> ft.Theme:
    """The same seed for light and dark: Material 3 derives each brightness's palette from it."""
    return ft.Theme(color_scheme_seed=SEED, use_material3=True)


def apply(page: ft.Page) -> None:
    page.theme = calm()
    page.dark_theme = calm()
    page.theme_mode = ft.ThemeMode.SYSTEM  # light or dark, as the person's device is set

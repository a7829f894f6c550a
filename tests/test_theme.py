"""The colours the app paints itself meet WCAG 2.2 AA contrast (4.5:1 for text)."""

from __future__ import annotations

from views import theme


def luminance(hex_colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_known_pairs_are_measured_right() -> None:
    assert round(contrast("#000000", "#FFFFFF"), 1) == 21.0
    assert round(contrast("#777777", "#FFFFFF"), 2) == 4.48


def test_the_apps_own_colours_meet_aa() -> None:
    for foreground, background in ((theme.OFFLINE_FG, theme.OFFLINE_BG), (theme.EXIT_FG, theme.EXIT_BG)):
        assert contrast(foreground, background) >= 4.5, (foreground, background)

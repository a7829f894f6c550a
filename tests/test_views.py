"""The pure parts of the screens: which case a screen is about, and the navigation table."""

from __future__ import annotations

import flet as ft

from app import content
from app.portal import Portal
from app.store.memory import MemoryStore
from tests.fakes import FakeBackend, FakeConnector, FakeSignIn
from tests.store.conftest import a_case
from views.app import ROUTES, Gate, section_index, section_route
from views.case import NotFound
from views.messages import Messages
from views.rights import service_card


def portal_with(*case_ids: str) -> Portal:
    store = MemoryStore()
    store.put_cases([a_case(case_id) for case_id in case_ids])
    backend = FakeBackend()
    return Portal(
        store,
        content.load(),
        sign_in=FakeSignIn(backend),
        connector=FakeConnector(backend, lambda: store),
        wipe=MemoryStore,
    )


def test_one_case_is_always_the_case_in_focus() -> None:
    case = portal_with("c1").focus.focused()
    assert case is not None
    assert case.id == "c1"


def test_with_several_cases_the_address_or_the_last_one_opened_decides() -> None:
    focus = portal_with("c1", "c2").focus
    assert focus.focused() is None  # the list comes first
    chosen = focus.focused("c2")
    assert chosen is not None
    assert chosen.id == "c2"
    focus.open_case("c1")
    remembered = focus.focused()
    assert remembered is not None
    assert remembered.id == "c1"
    assert focus.focused("no-such-case") == remembered


def test_the_navigation_table() -> None:
    assert [section_route(i, "c1") for i in range(6)] == [
        "/cases/c1",
        "/cases/c1/updates",
        "/cases/c1/messages",
        "/rights",
        "/support",
        "/settings",
    ]
    assert section_route(2, None) == "/"  # no case chosen yet: the list
    assert [section_index(p) for p in ("/", "/cases/c1/updates", "/cases/c1/messages", "/rights", "/support")] == [
        0,
        1,
        2,
        3,
        4,
    ]


def texts(control: object) -> list[str]:
    """Every text a control shows, its children's included."""
    found = [control.value] if isinstance(control, ft.Text) and isinstance(control.value, str) else []
    if isinstance(control, ft.Button | ft.OutlinedButton) and isinstance(control.content, str):
        found.append(control.content)
    for name in ("content", "controls", "title"):
        child = getattr(control, name, None)
        for item in child if isinstance(child, list) else [child]:
            if isinstance(item, ft.Control):
                found.extend(texts(item))
    return found


def test_a_service_with_nothing_to_cite_shows_no_source_line_and_numbers_stay_as_written() -> None:
    words = content.load().words
    services = {s.id: s for s in content.load().services.services}
    shown_999 = texts(service_card(words, services["police-999"]))
    assert not [t for t in shown_999 if "Source" in t]
    assert "Call 999" in shown_999
    shown = texts(service_card(words, services["victim-support"]))
    assert "Call 08 08 16 89 111" in shown
    assert "Source: victimsupport.org.uk. Checked 28 Nov 2026." in shown


def test_settings_is_the_section_highlighted_while_settings_is_open() -> None:
    assert section_index("/settings") == 5
    assert section_index("/cases/c1") == 0


def test_settings_says_what_the_store_means_not_what_it_is_called() -> None:
    words = content.load().words
    for backend in ("sqlcipher", "sqlite-sealed"):
        assert words(f"store.{backend}") == "Stored encrypted on this device"
    jargon = [key for key, text in words.table.items() if any(t in text for t in ("SQLCipher", "AES", "SQLite"))]
    assert not jargon
    assert portal_with("c1").preferences.device_description == (
        "Kept in memory only, never stored on this device, locked with a key kept in this browser session only."
    )


# A text field's label is drawn on one line inside the field: at a phone's 390 points, with the
# card's padding, about 28 characters fit; a longer question goes above the field as text.
FIELD_LABEL_CHARS = 28


def test_the_contact_times_label_fits_inside_its_field_on_a_phone() -> None:
    words = content.load().words
    assert len(words("settings.contact.times_label")) <= FIELD_LABEL_CHARS
    assert len(words("settings.contact.times_hint")) <= 2 * FIELD_LABEL_CHARS


def test_every_address_the_app_does_not_know_is_behind_the_gate() -> None:
    """An unknown address (/officer, /login) must not draw a screen outside the gate: signed
    out it is the welcome screen, signed in a plain "not found" with a way home, and Quick
    exit is there either way."""
    from flet.components.router import _match_routes

    for address in ("/officer", "/login", "/cases/c1/nonsense", "/i"):
        chain = _match_routes(ROUTES, address)
        assert chain is not None, address
        assert chain[0].route.component is Gate, address
        assert chain[-1].route.component is NotFound, address
    known = _match_routes(ROUTES, "/cases/c1/messages")
    assert known is not None
    assert known[-1].route.component is Messages


def test_the_screen_for_a_store_that_will_not_open_has_quick_exit_too() -> None:
    import flet as ft

    from app.local_data import LocalData
    from app.store.errors import KeyMissing
    from views.trouble import store_trouble

    def walk(control: object) -> list[object]:
        found = [control]
        for child in [getattr(control, "content", None), *(getattr(control, "controls", None) or [])]:
            if isinstance(child, ft.Control):
                found += walk(child)
        return found

    words = content.load().words
    screen = store_trouble(LocalData(None, KeyMissing("no key"), "keyring", reset=lambda: None), lambda: None, words)
    controls = walk(screen)

    def column_saying(text: str) -> ft.Column:
        return next(
            c
            for c in controls
            if isinstance(c, ft.Column) and any(isinstance(t, ft.Text) and t.value == text for t in c.controls)
        )

    exit_button = next(c for c in controls if isinstance(c, ft.FilledButton) and c.content == words("shell.quick_exit"))
    neutral, trouble = column_saying(words("neutral.body")), column_saying(words("trouble.heading"))
    assert [trouble.visible, neutral.visible] == [True, False]
    assert callable(exit_button.on_click)
    exit_button.on_click()  # type: ignore[call-arg]
    assert [trouble.visible, neutral.visible] == [False, True]

"""Every sentence the screens show comes from assets/content/words.en.json: every key the
code asks for is there, with the values it fills in, and none is left unused."""

from __future__ import annotations

import re
import string
from pathlib import Path

from app.content import load

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [
    *sorted((ROOT / "views").glob("*.py")),
    *sorted((ROOT / "app").glob("*.py")),  # the app's states say what went wrong or right
    ROOT / "main.py",
]
# w("key", ...), words("key", ...), self.words("key", ...), words.plural("key", ...)
CALL = re.compile(r"""\b(?:w|words|self\.words|portal\.words)(?:\.plural|\.table\.get)?\(\s*f?"([^"]+)\"""")


def used_keys() -> set[str]:
    return {key for path in SOURCES for key in CALL.findall(path.read_text(encoding="utf-8"))}


def test_every_key_the_code_uses_is_in_the_catalogue() -> None:
    table = load().words.table
    missing = []
    for key in used_keys():
        if "{" in key:  # a family, e.g. message.{state}: at least one member must exist
            prefix = key.split("{")[0]
            if not any(k.startswith(prefix) for k in table):
                missing.append(key)
        elif key not in table and f"{key}.one" not in table:
            missing.append(key)
    assert not missing, missing


def test_no_sentence_is_left_unused() -> None:
    used = used_keys()
    families = [key.split("{")[0] for key in used if "{" in key]
    section_words = set(re.findall(r'"(nav\.[a-z]+)"', (ROOT / "views" / "app.py").read_text()))
    unused = [
        key
        for key in load().words.table
        if key not in used
        and key.rsplit(".", 1)[0] not in used  # plural forms
        and key not in section_words
        and not any(key.startswith(prefix) for prefix in families)
    ]
    assert not unused, unused


def test_placeholders_are_well_formed() -> None:
    for key, text in load().words.table.items():
        names = [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]
        assert all(name.isidentifier() for name in names), key


def test_a_missing_language_falls_back_to_english() -> None:
    assert load(language="cy").words.language == "en"

"""The words the server itself puts before people, read from the versioned data under
``assets/content/`` (each entry with its source and review date), never written in code:
why a victim is or is not invited, and a status change in the force's words."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

CONTENT = Path(__file__).resolve().parents[2] / "assets" / "content"


@cache
def _read(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((CONTENT / name).read_text(encoding="utf-8"))
    return data


def invite_reason(rule: str) -> str:
    reasons: dict[str, dict[str, str]] = _read("eligibility-reasons.json")["reasons"]
    return reasons[rule]["text"]


def status_change(status: str, force_settings: dict[str, Any]) -> str:
    """A status change as the victim reads it on their timeline: the force's own words for the
    status where its settings have them (``status_words``), else the bundled ones."""
    words: dict[str, dict[str, str]] = {
        **_read("status-words.json")["statuses"],
        **force_settings.get("status_words", {}),
    }
    entry = words[status]
    return f"{entry['title']}. {entry['explanation']}"

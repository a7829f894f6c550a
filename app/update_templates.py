"""The words of the updates an officer posts for the events the Victims' Code names
(assets/content/update-templates.json: a title and an editable starting text per template, each
with its source and review date), and of the outcomes a case closes with (assets/content/
outcomes.json, with the Victims' Right to Review). The server says what each template changes and
the deadline it meets for the case in hand; these are only the words."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from app.content import CONTENT


@dataclass(frozen=True)
class TemplateWords:
    code: str
    title: str
    text: str
    source: str
    reviewed: date


@dataclass(frozen=True)
class OutcomeWords:
    code: str
    title: str
    meaning: str
    right_to_review: bool
    source: str
    reviewed: date


@dataclass(frozen=True)
class RightToReview:
    title: str
    how: str
    deadline: str  # "Ask by {date}. ..."
    source: str
    reviewed: date


@dataclass(frozen=True)
class OfficerWords:
    templates: dict[str, TemplateWords]
    outcomes: dict[str, OutcomeWords]
    review: RightToReview


def _read(folder: Path, name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((folder / name).read_text(encoding="utf-8"))
    return data


def load(folder: Path = CONTENT) -> OfficerWords:
    templates = _read(folder, "update-templates.json")["templates"]
    outcomes = _read(folder, "outcomes.json")
    review = outcomes["right_to_review"]
    return OfficerWords(
        templates={
            code: TemplateWords(code, t["title"], t["text"], t["source"], date.fromisoformat(t["reviewed"]))
            for code, t in templates.items()
        },
        outcomes={
            code: OutcomeWords(
                code,
                o["title"],
                o["meaning"],
                bool(o["right_to_review"]),
                o["source"],
                date.fromisoformat(o["reviewed"]),
            )
            for code, o in outcomes["outcomes"].items()
        },
        review=RightToReview(
            review["title"], review["how"], review["deadline"], review["source"], date.fromisoformat(review["reviewed"])
        ),
    )

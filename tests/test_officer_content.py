"""The words for a closed case's outcome: one entry per outcome, sourced and dated, and a Right to
Review offered for exactly the outcomes the server gives a review window to."""

from __future__ import annotations

import json
from datetime import date

from app.content import CONTENT
from sync.protocol import ClosedOutcome, UpdateTemplate
from sync.server.services.update_templates import RULES
from sync.server.victims_code import RIGHT_TO_REVIEW_MONTHS, RIGHT_TO_REVIEW_OUTCOMES


def test_every_outcome_has_plain_words_a_source_and_a_review_date() -> None:
    data = json.loads((CONTENT / "outcomes.json").read_text(encoding="utf-8"))
    date.fromisoformat(data["version"])
    assert set(data["outcomes"]) == {o.value for o in ClosedOutcome}
    for entry in data["outcomes"].values():
        assert entry["title"]
        assert len(entry["meaning"]) > 40
        assert entry["source"]
        assert date(2026, 1, 1) <= date.fromisoformat(entry["reviewed"]) <= date.today()


def test_a_review_is_offered_for_exactly_the_outcomes_the_server_dates() -> None:
    data = json.loads((CONTENT / "outcomes.json").read_text(encoding="utf-8"))
    offered = {code for code, entry in data["outcomes"].items() if entry["right_to_review"] is True}
    assert offered == {o.value for o in RIGHT_TO_REVIEW_OUTCOMES} == {"no_further_action", "no_suspect"}
    review = data["right_to_review"]
    assert review["months"] == RIGHT_TO_REVIEW_MONTHS == 3
    assert "{date}" in review["deadline"]
    assert "Victims' Right to Review" in review["how"]
    assert review["source"]
    date.fromisoformat(review["reviewed"])


def test_every_update_template_has_words_a_source_and_a_review_date() -> None:
    data = json.loads((CONTENT / "update-templates.json").read_text(encoding="utf-8"))
    date.fromisoformat(data["version"])
    assert list(data["templates"]) == [t.value for t in UpdateTemplate]
    assert set(data["templates"]) == {t.value for t in RULES}
    for entry in data["templates"].values():
        assert entry["title"]
        assert len(entry["text"]) > 40
        assert entry["source"]
        assert date(2026, 1, 1) <= date.fromisoformat(entry["reviewed"]) <= date.today()

"""A closed case's outcome as the victim reads it: what it means in plain words and, where the
outcome allows it, how to ask for a Victims' Right to Review and the last day to ask (the words
from assets/content/outcomes.json, the date from the server)."""

from __future__ import annotations

import flet as ft

from app import wording
from app.content import Words
from app.domain import Case
from app.update_templates import OfficerWords
from app.update_templates import load as load_words
from views import parts

_WORDS: list[OfficerWords] = []  # read once per process: the same for every session


def outcome_words() -> OfficerWords:
    if not _WORDS:
        _WORDS.append(load_words())
    return _WORDS[0]


def closed_outcome(w: Words, case: Case) -> list[ft.Control]:
    if not case.closed_outcome:
        return []
    words = outcome_words()
    outcome = words.outcomes.get(case.closed_outcome)
    if outcome is None:
        return []
    controls: list[ft.Control] = [parts.subheading(outcome.title), parts.body(outcome.meaning)]
    if outcome.right_to_review and case.right_to_review_until is not None:
        review = words.review
        controls += [
            parts.subheading(review.title),
            parts.body(review.how),
            parts.body(review.deadline.format(date=wording.day(w, case.right_to_review_until))),
            parts.small(wording.sources(w, review.source, (), review.reviewed)),
        ]
    return controls

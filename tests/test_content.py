"""The shipped facts: complete, sourced, dated, and never a number nobody has confirmed."""

from __future__ import annotations

from datetime import date

from app.content import load
from sync.protocol import CaseStatus, ClosedOutcome


def test_all_twelve_rights_in_order_each_sourced_and_dated() -> None:
    content = load()
    assert [r.number for r in content.rights] == list(range(1, 13))
    for right in content.rights:
        assert right.title
        assert right.source
        assert date(2026, 1, 1) <= right.reviewed <= date.today()
    right_6 = content.rights[5]
    assert any("5 working days" in d.text and "1 working day" in d.text for d in right_6.details)
    assert all(d.source for d in right_6.details)


def test_support_services_have_sources_and_no_unconfirmed_numbers() -> None:
    services = {s.id: s for s in load().services.services}
    assert services["victim-support"].phone == "08 08 16 89 111"
    assert services["rape-crisis-247"].phone is None
    assert services["rape-crisis-247"].website == "https://247sexualabusesupport.org.uk"
    assert services["police-101"].phone == "101"
    assert all(s.source and s.reviewed and (s.phone or s.website) for s in services.values())


def test_every_status_and_outcome_has_plain_words() -> None:
    content = load()
    assert set(content.statuses) == {s.value for s in CaseStatus}
    assert set(content.outcomes) == {o.value for o in ClosedOutcome}
    assert content.status("investigating").title == "Case under investigation"
    assert content.status("something_new").title == "Something new"

"""The shipped facts: complete, sourced, dated, and never a number nobody has confirmed."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from app.content import CONTENT, NATIONAL_SOURCE, load, parse
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
    assert all(s.reviewed and (s.phone or s.website) for s in services.values())
    assert all(s.source for s in services.values() if s.id not in ("police-101", "police-999"))


def test_a_missing_source_is_none_not_a_dash() -> None:
    services = {s.id: s for s in load().services.services}
    assert services["police-101"].source is None
    assert services["police-999"].source is None


def test_every_right_cites_the_victims_code_itself_first() -> None:
    for right in load().rights:
        assert right.source == NATIONAL_SOURCE
        assert all(detail.source == NATIONAL_SOURCE for detail in right.details)
    assert "bedfordshire.pcc.police.uk (summary of the Victims' Code)" in load().rights[5].details[0].also


def test_a_forces_own_wording_and_sources_come_first_for_its_victims() -> None:
    bundled = load()
    folder = CONTENT
    rights = json.loads((folder / "victims-code.json").read_text(encoding="utf-8"))
    rights["forces"] = {
        "tvp": {
            "rights": [
                {
                    "number": 6,
                    "source": "Thames Valley Police (keeping you informed)",
                    "reviewed": "2026-11-20",
                    "details": [
                        {"text": "We call you weekly.", "source": "thamesvalley.police.uk", "reviewed": "2026-11-20"}
                    ],
                }
            ]
        }
    }

    def read(name: str) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((folder / name).read_text(encoding="utf-8"))
        return data

    content = parse(rights, read("support-services.json"), read("status-words.json"), read("words.en.json"))
    right_6 = content.rights_for("tvp")[5]
    assert right_6.title == bundled.rights[5].title
    assert right_6.source == "Thames Valley Police (keeping you informed)"
    assert right_6.also[0] == NATIONAL_SOURCE
    assert right_6.details[0].text == "We call you weekly."
    assert right_6.details[1:] == bundled.rights[5].details
    assert content.rights_for("tvp")[0] == bundled.rights[0]
    assert content.rights_for("other") == bundled.rights


def test_every_status_and_outcome_has_plain_words() -> None:
    content = load()
    assert set(content.statuses) == {s.value for s in CaseStatus}
    assert set(content.outcomes) == {o.value for o in ClosedOutcome}
    assert content.status("investigating").title == "Case under investigation"
    assert content.status("something_new").title == "Something new"

"""A property: whatever the order of creates, updates and rule changes, no case an exclusion
covers is ever invited. Driven in-process, straight through the services the record system's
requests and ``import-cases`` use, with a model of its own of which rules decided each case."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sync.protocol import CaseCreate, EligibilityRules, OfficerCreate
from sync.server import admin
from sync.server.context import Caller, Context
from sync.server.db import Database, create_engine
from sync.server.models import case, invitation
from sync.server.services import case_import, record_cases
from tests.support import FakeClock, reported, settings_for

CRIME_TYPES = ["Burglary", "Theft", "Fraud"]


@dataclass
class World:
    db: Database
    ctx: Context
    caller: Caller
    officer_id: uuid.UUID


@pytest.fixture
def world(database_url: str, tmp_path: Path) -> Iterator[World]:
    db = Database(create_engine(database_url, pool_size=2), concurrency=2)
    ctx = Context.from_settings(settings_for(database_url, tmp_path), clock=FakeClock())
    db.run_write(admin.create_force, ctx, "tvp", "Thames Valley Police")
    created = db.run_write(
        admin.create_officer,
        ctx,
        "tvp",
        OfficerCreate(
            username="pc1", name="PC One", collar_number="101", email="pc1@example.org", phone="01632 960000"
        ),
    )
    yield World(db, ctx, db.run_read(case_import.importer_for, "tvp"), created.id)
    db.dispose()


rules_strategy = st.builds(
    lambda invite, exclude, minimum_age: EligibilityRules(
        invite_crime_types=invite,
        officer_crime_types=[t for t in CRIME_TYPES if t not in invite],
        exclude_domestic_abuse=exclude[0],
        exclude_sexual_offence=exclude[1],
        exclude_phone_risk=exclude[2],
        minimum_age=minimum_age,
    ),
    st.lists(st.sampled_from(CRIME_TYPES), min_size=1, unique=True),
    st.tuples(st.booleans(), st.booleans(), st.booleans()).filter(lambda t: sum(t) >= 2),
    st.sampled_from([16, 18]),
)
# Mostly a victim the rules would invite, with at most one thing that may exclude them, so that
# the cases an exclusion covers are the ones the rules would otherwise invite.
_INVITABLE = {"domestic_abuse": False, "sexual_offence": False, "phone_risk": False, "age": 40, "portal_consent": True}
_ONE_CHANGE = st.sampled_from(
    [{}, {"domestic_abuse": True}, {"sexual_offence": True}, {"phone_risk": True}, {"age": 12}, {"age": 17},
     {"age": None}, {"portal_consent": False}, {"portal_consent": None}]
)  # fmt: skip
facts_strategy = st.builds(
    lambda crime_type, status, change: {"crime_type": crime_type, "status": status, **_INVITABLE, **change},
    st.sampled_from(CRIME_TYPES),
    st.sampled_from(["assigned", "investigating"]),
    _ONE_CHANGE,
)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("rules"), rules_strategy),
        st.tuples(st.just("send"), st.integers(0, 2), facts_strategy),
    ),
    min_size=1,
    max_size=12,
)


def covered(rules: EligibilityRules, facts: dict[str, Any]) -> bool:
    """The test's own reading of the exclusions (not the server's code)."""
    return bool(
        facts["portal_consent"] is False
        or (rules.exclude_domestic_abuse and facts["domestic_abuse"])
        or (rules.exclude_sexual_offence and facts["sexual_offence"])
        or (rules.exclude_phone_risk and facts["phone_risk"])
        or (facts["age"] is not None and facts["age"] < rules.minimum_age)
    )


WEIGHED = ("crime_type", "domestic_abuse", "sexual_offence", "phone_risk", "age", "portal_consent")


def _body(reference: str, officer_id: uuid.UUID, facts: dict[str, Any]) -> CaseCreate:
    return CaseCreate.model_validate(
        {
            "crime_reference": reference,
            "crime_type": facts["crime_type"],
            "reported_on": reported(),
            "officer_id": officer_id,
            "status": facts["status"],
            "domestic_abuse": facts["domestic_abuse"],
            "sexual_offence": facts["sexual_offence"],
            "phone_risk": facts["phone_risk"],
            "victim": {
                "name": "Sam",
                "phone": "07700 900456",
                "age": facts["age"],
                "portal_consent": facts["portal_consent"],
            },
        }
    )


def _invitations(conn: sa.Connection, reference: str) -> tuple[int, int]:
    joined = invitation.join(case, case.c.id == invitation.c.case_id)
    where = case.c.crime_reference == reference
    total = conn.execute(sa.select(sa.func.count()).select_from(joined).where(where)).scalar_one()
    live = conn.execute(
        sa.select(sa.func.count()).select_from(joined).where(where, invitation.c.revoked_at.is_(None))
    ).scalar_one()
    return int(total), int(live)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first_rules=rules_strategy, ops=operations)
def test_no_case_an_exclusion_covers_is_ever_invited(
    world: World, first_rules: EligibilityRules, ops: list[tuple[Any, ...]]
) -> None:
    run = uuid.uuid4().hex[:8].upper()
    rules = world.db.run_write(admin.set_eligibility_rules, world.ctx, "tvp", first_rules)[0].rules
    # Per case: the facts it has now, and the rules that decided it (rules decide a case when it
    # is created or its weighed facts change, never when only the rules change).
    cases: dict[str, tuple[dict[str, Any], EligibilityRules]] = {}
    for op in ops:
        if op[0] == "rules":
            rules = world.db.run_write(admin.set_eligibility_rules, world.ctx, "tvp", op[1])[0].rules
            continue
        _, index, facts = op
        reference = f"P{run}-{index}"
        before = cases.get(reference)
        if before is None or any(before[0][k] != facts[k] for k in WEIGHED):
            deciding = rules
        else:
            deciding = before[1]
        cases[reference] = (facts, deciding)
        total_before = world.db.run_read(_invitations, reference)[0] if before else 0
        world.db.run_write(record_cases.submit, world.ctx, world.caller, _body(reference, world.officer_id, facts))
        total, live = world.db.run_read(_invitations, reference)
        if covered(deciding, facts):
            assert total == total_before, (reference, facts, deciding)  # none sent while covered
            assert live == 0, (reference, facts, deciding)  # and none from before still open

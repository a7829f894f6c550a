"""A victim's contact preferences: theirs alone to set, shown to the officers on their cases."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa

from sync.server.migrate import upgrade
from sync.server.models import audit_event, case, event, force, victim
from tests.conftest import PG_ADMIN
from tests.server.test_access import assert_error
from tests.support import Api, World, bearer

PATH = "/me/contact-preferences"
DEFAULT = {"contact_channels": ["sms"], "contact_times": "", "safe_to_leave_voicemail": False, "news_alerts": True}
CHOSEN = {
    "contact_channels": ["phone_call", "sms"],
    "contact_times": "Weekdays after 6pm",
    "safe_to_leave_voicemail": True,
    "news_alerts": False,
}


def victim_row(api: Api, case_id: str) -> Any:
    victim_id = api.rows(case, case.c.id == uuid.UUID(case_id))[0].victim_id
    return api.rows(victim, victim.c.id == victim_id)[0]


def stored(api: Api, case_id: str) -> tuple[Any, ...]:
    row = victim_row(api, case_id)
    return (row.contact_channels, row.contact_times, row.safe_to_leave_voicemail)


async def test_a_victim_starts_with_the_channel_they_were_invited_by(world: World) -> None:
    api = world.api
    v = world.victims["tvp.v1"]
    response = await api.client.get(PATH, headers=v.auth)
    assert response.status_code == 200, response.text
    assert response.json() == DEFAULT
    seen = await api.client.get(f"/cases/{v.case_id}", headers=world.officers["tvp.pc1"].auth)
    assert seen.json()["victim"]["contact_preferences"] == DEFAULT

    officer = world.officers["tvp.pc1"]
    by_email = await api.victim_with_case(
        officer, victim={"name": "Sam", "phone": None, "email": "sam@example.org", "preferred_channel": "email"}
    )
    assert (await api.client.get(PATH, headers=by_email.auth)).json()["contact_channels"] == ["email"]


async def test_the_victim_chooses_and_every_officer_on_their_cases_sees_it_by_sync(world: World) -> None:
    api = world.api
    v, officer, sergeant = world.victims["tvp.v1"], world.officers["tvp.pc1"], world.officers["tvp.sgt"]
    # A second case for the same person (the record system can do this): both must be refreshed.
    first = api.rows(case, case.c.id == uuid.UUID(v.case_id))[0]
    second_id = uuid.uuid4()

    def add_case(conn: sa.Connection) -> None:
        values = {**first._mapping, "id": second_id, "crime_reference": "43260099999"}
        conn.execute(sa.insert(case).values(**values))

    api.services.db.run_write(add_case)
    officer_cursor = (await api.sync(officer))["cursor"]
    sergeant_cursor = (await api.sync(sergeant))["cursor"]
    other_officer_cursor = (await api.sync(world.officers["tvp.pc2"]))["cursor"]

    response = await api.client.put(PATH, json=CHOSEN, headers=v.auth)

    assert response.status_code == 200, response.text
    assert response.json() == CHOSEN
    assert (await api.client.get(PATH, headers=v.auth)).json() == CHOSEN
    for who, cursor in ((officer, officer_cursor), (sergeant, sergeant_cursor)):
        page = await api.sync(who, cursor)
        changed = {e["case_id"]: e["case"] for e in page["events"] if e["kind"] == "case"}
        assert set(changed) == {v.case_id, str(second_id)}
        assert all(c["victim"]["contact_preferences"] == CHOSEN for c in changed.values())
    assert (await api.sync(world.officers["tvp.pc2"], other_officer_cursor))["events"] == []
    seen = await api.client.get(f"/cases/{v.case_id}", headers=officer.auth)
    assert seen.json()["victim"]["contact_preferences"] == CHOSEN
    own_case = await api.client.get(f"/cases/{v.case_id}", headers=v.auth)
    assert own_case.json()["victim"] is None  # a victim's view of the case carries no victim record
    actions = [row.action for row in api.rows(audit_event, audit_event.c.actor_kind == "victim")]
    assert "victim.contact_preferences" in actions


async def test_the_same_choice_again_changes_nothing(world: World) -> None:
    api = world.api
    v = world.victims["tvp.v1"]
    assert (await api.client.put(PATH, json=CHOSEN, headers=v.auth)).status_code == 200
    events = api.count(event)
    again = await api.client.put(PATH, json=CHOSEN, headers=v.auth)
    assert again.status_code == 200
    assert again.json() == CHOSEN
    assert api.count(event) == events
    minimal = await api.client.put(PATH, json={"contact_channels": ["email", "sms"]}, headers=v.auth)
    assert minimal.status_code == 400  # this victim has no email address on record
    assert stored(api, v.case_id) == (["phone_call", "sms"], "Weekdays after 6pm", True)


async def test_only_the_victim_reads_or_sets_their_own(world: World) -> None:
    api = world.api
    before = stored(api, world.victims["tvp.v2"].case_id)
    events = api.count(event)
    for who in ("tvp.pc1", "tvp.sgt", "tvp.admin"):
        actor = world.officers[who]
        assert_error(await api.client.get(PATH, headers=actor.auth), 403)
        assert_error(await api.client.put(PATH, json=CHOSEN, headers=actor.auth), 403)
    key = bearer(api.integration_keys["tvp"])
    assert_error(await api.client.get(PATH, headers=key), 403)
    assert_error(await api.client.put(PATH, json=CHOSEN, headers=key), 403)
    for headers in ({}, bearer("vpv_not-a-real-token")):
        assert_error(await api.client.get(PATH, headers=headers), 401)
        assert_error(await api.client.put(PATH, json=CHOSEN, headers=headers), 401)
    assert api.count(event) == events

    # Another victim, in this force and in another, changes only their own record.
    for who in ("tvp.v1", "hiow.v1"):
        assert (await api.client.put(PATH, json=CHOSEN, headers=world.victims[who].auth)).status_code == 200
    assert stored(api, world.victims["tvp.v2"].case_id) == before
    assert (await api.client.get(PATH, headers=world.victims["tvp.v2"].auth)).json() == DEFAULT
    hiow_case = await api.client.get(
        f"/cases/{world.victims['hiow.v1'].case_id}", headers=world.officers["tvp.sgt"].auth
    )
    assert_error(hiow_case, 404)


HOSTILE: list[Any] = [
    {"contact_channels": []},
    {"contact_channels": ["pigeon"]},
    {"contact_channels": ["sms", "sms"]},
    {"contact_channels": ["sms", "email", "phone_call", "sms"]},
    {"contact_channels": "sms"},
    {"contact_channels": None},
    {"contact_channels": [{"sms": True}]},
    {"contact_times": "Weekdays"},
    {"contact_channels": ["sms"], "contact_times": "x" * 201},
    {"contact_channels": ["sms"], "contact_times": "after\u00006pm"},
    {"contact_channels": ["sms"], "contact_times": "after 6pm\nor never"},
    {"contact_channels": ["sms"], "contact_times": 18},
    {"contact_channels": ["sms"], "safe_to_leave_voicemail": "perhaps"},
    {"contact_channels": ["sms"], "safe_to_leave_voicemail": [True]},
    {"contact_channels": ["sms"], "victim_id": str(uuid.uuid4())},
    {"contact_channels": ["sms"], "phone": "07700 900999"},
    [1, 2],
    "sms",
    None,
]


async def test_hostile_or_malformed_choices_are_refused_and_nothing_is_stored(world: World) -> None:
    api = world.api
    v = world.victims["tvp.v1"]
    before, events = stored(api, v.case_id), api.count(event)
    for body in HOSTILE:
        response = await api.client.put(PATH, json=body, headers=v.auth)
        assert_error(response, 422)
        assert response.json()["error"]["code"] == "invalid_request"
    broken = await api.client.put(
        PATH, content=b'{"contact_channels": ["sms"', headers={**v.auth, "Content-Type": "application/json"}
    )
    assert_error(broken, 400)
    # Channels the police cannot use: no email address on record for this victim.
    for channels in (["email"], ["sms", "email"]):
        missing = await api.client.put(PATH, json={"contact_channels": channels}, headers=v.auth)
        assert_error(missing, 400)
        assert missing.json()["error"]["code"] == "contact_missing"
    assert stored(api, v.case_id) == before
    assert api.count(event) == events

    by_email = await api.victim_with_case(
        world.officers["tvp.pc1"],
        victim={"name": "Sam", "phone": None, "email": "sam@example.org", "preferred_channel": "email"},
    )
    for channels in (["sms"], ["phone_call"]):
        missing = await api.client.put(PATH, json={"contact_channels": channels}, headers=by_email.auth)
        assert_error(missing, 400)
        assert missing.json()["error"]["code"] == "contact_missing"
    assert stored(api, by_email.case_id) == (["email"], "", False)


async def test_contact_times_are_trimmed_and_may_be_empty(world: World) -> None:
    api = world.api
    v = world.victims["tvp.v1"]
    body = {"contact_channels": ["sms"], "contact_times": "   Weekends only  ", "safe_to_leave_voicemail": False}
    response = await api.client.put(PATH, json=body, headers=v.auth)
    assert response.status_code == 200
    assert response.json()["contact_times"] == "Weekends only"
    cleared = await api.client.put(PATH, json={"contact_channels": ["sms"], "contact_times": "  "}, headers=v.auth)
    assert cleared.json() == DEFAULT
    assert stored(api, v.case_id) == (["sms"], "", False)


# ---------------------------------------------------------------------------- victims already on record


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database of its own, so it can start at an older revision."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.sqlite3'}"
        return
    name = f"portal_migrate_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_victims_already_on_record_keep_the_channel_they_were_invited_by(empty_database_url: str) -> None:
    upgrade(empty_database_url, "0001")  # the inserts below name only columns 0001 has
    now = datetime.now(UTC)
    force_id = uuid.uuid4()
    people = {uuid.uuid4(): "sms", uuid.uuid4(): "email"}
    engine = sa.create_engine(empty_database_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                sa.insert(force).values(id=force_id, code="tvp", name="TVP", settings={}, last_seq=0, created_at=now)
            )
            for victim_id, channel in people.items():
                conn.execute(
                    sa.insert(victim).values(
                        id=victim_id,
                        force_id=force_id,
                        name="Old victim",
                        phone="+447700900123",
                        email="old@example.org",
                        preferred_channel=channel,
                        safe_contact_notes="",
                        enhanced_rights=False,
                        created_at=now,
                    )
                )
        upgrade(empty_database_url)
        with engine.connect() as conn:
            rows = conn.execute(sa.select(victim)).all()
    finally:
        engine.dispose()
    assert {row.id: (row.contact_channels, row.contact_times, row.safe_to_leave_voicemail) for row in rows} == {
        victim_id: ([channel], "", False) for victim_id, channel in people.items()
    }

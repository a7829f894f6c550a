"""Control characters are refused at the door (PostgreSQL cannot store a NUL), and no log line
ever holds what a person wrote, even when a write fails."""

from __future__ import annotations

import logging
import uuid
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from sync.protocol import ErrorBody
from tests.support import CLIENT_IP, Api

SECRET_TEXT = "my neighbour Pat Jones did it"


def assert_refused(response: httpx.Response, field: str) -> None:
    assert response.status_code == 422, response.text
    ErrorBody.model_validate(response.json())
    assert field in response.json()["error"]["message"]
    assert "\x00" not in response.text


async def test_control_characters_are_refused_in_every_text_people_type(api: Api) -> None:
    api.create_force("tvp", "Thames Valley Police")
    officer = await api.add_officer("tvp", "pc1")
    victim = await api.victim_with_case(officer)
    case_id = victim.case_id

    assert_refused(await api.send(victim, case_id, "hello\x00world"), "body")
    assert_refused(await api.send(officer, case_id, "bell\x07"), "body")
    multi_line = await api.send(victim, case_id, "Line one\r\n\tLine two")
    assert multi_line.status_code == 201, multi_line.text

    def case_body(**overrides: Any) -> dict[str, Any]:
        victim_fields = {"name": "Sam", "phone": "07700 900222", **overrides.pop("victim", {})}
        return {
            "crime_reference": f"REF{uuid.uuid4().hex[:10].upper()}",
            "crime_type": "Burglary",
            "reported_on": "2026-11-01",
            "victim": victim_fields,
            **overrides,
        }

    for body, field in (
        (case_body(crime_type="Burg\x00lary"), "crime_type"),
        (case_body(crime_type="Burglary\nand theft"), "crime_type"),  # one line
        (case_body(summary="Door \x00 forced"), "summary"),
        (case_body(victim={"name": "Sam\x1b[2J"}), "victim.name"),
        (case_body(victim={"safe_contact_notes": "after 6\x7f"}), "victim.safe_contact_notes"),
        (case_body(victim={"phone": "07700\x00900222"}), "victim.phone"),
    ):
        assert_refused(await api.client.post("/cases", json=body, headers=officer.auth), field)
    assert_refused(
        await api.client.post(f"/cases/{case_id}/updates", json={"text": "CCTV\x00"}, headers=officer.auth), "text"
    )
    assert_refused(
        await api.client.post(f"/cases/{case_id}/update-requests", json={"note": "soon\x00"}, headers=victim.auth),
        "note",
    )
    login = {"force_code": "tvp", "username": "pc1", "password": "x" * 12, "device_name": "Pixel\x00"}
    assert_refused(await api.client.post("/auth/officer/login", json=login), "device_name")
    away = {"reply_within_hours": 24, "away_message": "Back Monday\x00"}
    assert_refused(await api.client.put("/officers/me/availability", json=away, headers=officer.auth), "away_message")
    assert_refused(await api.client.post("/auth/victim/redeem", json={"token": "abcdefghij\x00klmnop"}), "token")


def _refuse_message_inserts(conn: sa.Connection) -> None:
    """Make every message insert fail inside the database, as a broken disk or a bug would."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(
            "CREATE TRIGGER refuse_messages BEFORE INSERT ON message BEGIN SELECT RAISE(ABORT, 'refused'); END"
        )
    else:
        conn.exec_driver_sql(
            "CREATE FUNCTION refuse_messages() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$ "
            "LANGUAGE plpgsql"
        )
        conn.exec_driver_sql(
            "CREATE TRIGGER refuse_messages BEFORE INSERT ON message FOR EACH ROW EXECUTE FUNCTION refuse_messages()"
        )


def _allow_message_inserts(conn: sa.Connection) -> None:
    conn.exec_driver_sql("DROP TRIGGER refuse_messages" + ("" if conn.dialect.name == "sqlite" else " ON message"))
    if conn.dialect.name != "sqlite":
        conn.exec_driver_sql("DROP FUNCTION refuse_messages()")


async def test_a_failed_write_logs_no_message_text(api: Api, caplog: pytest.LogCaptureFixture) -> None:
    api.create_force("tvp", "Thames Valley Police")
    officer = await api.add_officer("tvp", "pc1")
    victim = await api.victim_with_case(officer)
    api.services.db.run_write(_refuse_message_inserts)
    transport = httpx.ASGITransport(app=api.app, client=(CLIENT_IP, 50000), raise_app_exceptions=False)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver/v1") as client:
            with caplog.at_level(logging.DEBUG):
                response = await client.put(
                    f"/cases/{victim.case_id}/messages/{uuid.uuid4()}", json={"body": SECRET_TEXT}, headers=victim.auth
                )
    finally:
        api.services.db.run_write(_allow_message_inserts)
    assert response.status_code == 500
    assert SECRET_TEXT not in response.text
    assert caplog.records, "the failure must be logged"
    logged = caplog.text + "".join(
        logging.Formatter().formatException(r.exc_info) for r in caplog.records if r.exc_info
    )
    assert "refused" in logged  # the failure itself is there ...
    assert SECRET_TEXT not in logged  # ... but not what the victim wrote

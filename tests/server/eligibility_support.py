"""Helpers for the eligibility and record-system tests: rules, and cases as the record system sends them."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.support import Api, Officer, bearer, reported

RULES: dict[str, Any] = {
    "invite_crime_types": ["Burglary", "Theft"],
    "officer_crime_types": ["Criminal damage"],
    "minimum_age": 16,
}


async def put_rules(api: Api, admin: Officer, **changes: Any) -> dict[str, Any]:
    response = await api.client.put("/eligibility-rules", json={**RULES, **changes}, headers=admin.auth)
    assert response.status_code == 200, response.text
    stored: dict[str, Any] = response.json()
    return stored


def case_body(officer: Officer, **overrides: Any) -> dict[str, Any]:
    victim = {
        "name": "Sam Lee",
        "phone": "07700 900456",
        "email": "sam@example.org",
        "age": 30,
        "portal_consent": True,
        **overrides.pop("victim", {}),
    }
    return {
        "crime_reference": f"REC{uuid.uuid4().hex[:10].upper()}",
        "crime_type": "Burglary",
        "summary": "Shed broken into.",
        "reported_on": reported(),
        "officer_id": officer.id,
        "victim": victim,
        **overrides,
    }


async def send_case(api: Api, body: dict[str, Any], force: str = "tvp") -> httpx.Response:
    """The record system sends a case with its integration key."""
    return await api.client.post("/cases", json=body, headers=bearer(api.integration_keys[force]))


async def recorded(api: Api, body: dict[str, Any], force: str = "tvp") -> dict[str, Any]:
    response = await send_case(api, body, force)
    assert response.status_code in (200, 201), response.text
    found: dict[str, Any] = response.json()
    return found


async def decision(api: Api, officer: Officer, case_id: str) -> dict[str, Any]:
    response = await api.client.get(f"/cases/{case_id}", headers=officer.auth)
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()["invite_decision"]
    return found

"""Schema-driven fuzzing (schemathesis) over every operation of the OpenAPI document, as an
officer, as a victim and with no token: whatever arrives, no 5xx, and every error in the
documented shape. A few examples per operation and mode keep it under a minute."""

from __future__ import annotations

import asyncio
import itertools
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable

from sync.protocol import ErrorBody, Role
from sync.server.app import create_app
from tests.conftest import fresh_database
from tests.support import FakeClock, open_api, settings_for

EXAMPLES = 5
# Signing out would end the token the rest of the run fuzzes with: it is fuzzed without one.
SIGNS_OUT = ("POST", "/v1/auth/logout")


async def _tokens(url: str, tmp_path: Path) -> dict[str, dict[str, str]]:
    async with open_api(url, tmp_path, FakeClock()) as api:
        api.create_force("tvp", "Thames Valley Police")
        officer = await api.add_officer("tvp", "pc1")
        victim = await api.victim_with_case(officer)
        # A supervisor: every officer route, the force-wide ones (figures) too.
        supervisor = await api.add_officer("tvp", "sgt", Role.SUPERVISOR)
        return {"officer": supervisor.auth, "victim": victim.auth, "none": {}}


@pytest.fixture
def target(tmp_path: Path, request: pytest.FixtureRequest) -> tuple[Any, dict[str, dict[str, str]]]:
    """The schema, read from the app it is served by, and the headers of each kind of caller."""
    url = fresh_database("sqlite", request, tmp_path)
    tokens = asyncio.run(_tokens(url, tmp_path))
    app = create_app(settings_for(url, tmp_path))
    return schemathesis.openapi.from_asgi("/openapi.json", app), tokens


def test_no_request_gets_a_5xx_and_every_error_has_the_documented_shape(
    target: tuple[Any, dict[str, dict[str, str]]],
) -> None:
    schema, auths = target
    problems: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 20
    for operation in operations:
        for who, mode in itertools.product(sorted(auths), schemathesis.GenerationMode):
            if (operation.method.upper(), operation.path) == SIGNS_OUT and who != "none":
                continue
            try:
                _fuzz(operation, mode, who, auths[who], problems)
            except Unsatisfiable:
                # An operation with nothing to get wrong (no parameters, no body) has no negative cases.
                if mode is not schemathesis.GenerationMode.NEGATIVE:
                    raise
    assert problems == []


def _fuzz(
    operation: Any, mode: schemathesis.GenerationMode, who: str, headers: dict[str, str], problems: list[str]
) -> None:
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,  # the same cases each run: a failure here is reproducible
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def fuzz(case: Any) -> None:
        if isinstance(case.query, dict) and "timeout" in case.query:
            case.query["timeout"] = 0  # a long-poll would only wait
        response = case.call(headers=headers)
        where = f"{who} {case.method} {case.formatted_path} ({mode.value})"
        if response.status_code >= 500:
            problems.append(f"{where}: {response.status_code} {response.text[:200]}")
        elif response.status_code >= 400:
            try:
                ErrorBody.model_validate_json(response.content)
            except ValueError:
                problems.append(f"{where}: {response.status_code} not an ErrorBody: {response.text[:200]}")

    fuzz()

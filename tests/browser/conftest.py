"""Browser journeys run one after another in one test process, when the suite runs in several
(``pytest -n``): two Chromiums and two Flet servers at once on a two-core machine starve each
other, and Flutter drops keys typed while its page is busy."""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in item.nodeid:
            item.add_marker(pytest.mark.xdist_group("browser"))

"""A Flet app that runs the secure-storage key provider for real in the Flet client, and
writes what happened to the file named by RESULTS (run by test_secure_keys.py)."""

from __future__ import annotations

import json
import os
import tempfile
import traceback
from datetime import date
from pathlib import Path

import flet as ft
from flet_secure_storage import SecureStorage

from app.domain import Case, OfficerContact
from app.secure_storage import SecureStorageKeys, open_with_secure_storage, reset_with_secure_storage
from app.store.device import database_files, describe

CASE = Case(
    "c1",
    "43260012345",
    "Burglary",
    "investigating",
    "",
    date(2026, 11, 20),
    OfficerContact("o", "PC A", "1", "+44", "a@b"),
)


async def main(page: ft.Page) -> None:
    results: dict[str, object] = {}
    status = ft.Text("running")
    page.add(status)
    try:
        keys = SecureStorageKeys(SecureStorage())
        folder = Path(tempfile.mkdtemp())
        results["before"] = await keys.load()
        store, _ = await open_with_secure_storage(folder, keys)
        store.put_cases([CASE])
        store.close()
        saved = await keys.load()
        results["saved_length"] = len(saved) if saved else 0
        info = describe(folder)
        results["recorded_provider"] = info.key_provider if info else None
        again, _ = await open_with_secure_storage(folder, keys)
        results["read_back"] = again.case("c1") == CASE
        again.close()
        await reset_with_secure_storage(folder, keys)
        results["after_reset"] = await keys.load()
        results["files_left"] = [f.name for f in database_files(folder) if f.exists()]
        status.value = "done"
    except Exception:
        results["error"] = traceback.format_exc()
        status.value = "failed"
    write_results(results)
    page.update()


def write_results(results: dict[str, object]) -> None:
    Path(os.environ["RESULTS"]).write_text(json.dumps(results))


if __name__ == "__main__":
    ft.run(main, view=None, port=int(os.environ["PORT"]), no_cdn=True)

"""The dependency rules of the design: views -> app <- sync; app/ and the sync engine core
import no UI, HTTP client or database driver; the server takes only the protocol from the
client side; the server is never packaged into the app."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def modules(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def top(name: str) -> str:
    return name.split(".")[0]


# The store's two database adapters are the only modules of app/ that touch a driver.
STORE_ADAPTERS = {"app/store/sqlcipher.py", "app/store/sealed.py"}


def test_app_imports_no_ui_http_or_database_driver() -> None:
    forbidden = {"flet", "httpx", "sqlalchemy", "sqlite3", "sqlcipher3", "psycopg", "fastapi", "views", "sync"}
    for path in modules("app"):
        found = {top(n) for n in imports(path)} & forbidden
        if str(path.relative_to(ROOT)) in STORE_ADAPTERS:
            found -= {"sqlite3", "sqlcipher3"}
        assert not found, path


def test_server_takes_only_the_protocol_from_the_client_side() -> None:
    for path in modules("sync/server"):
        for name in imports(path):
            assert top(name) not in {"app", "views", "flet"}, (path, name)
            if top(name) == "sync":
                assert name == "sync.protocol" or name.startswith("sync.server"), (path, name)


def test_protocol_imports_nothing_but_pydantic_and_the_standard_library() -> None:
    allowed = {"__future__", "uuid", "datetime", "enum", "typing", "pydantic"}
    assert {top(n) for n in imports(ROOT / "sync" / "protocol.py")} <= allowed


def test_the_app_bundle_leaves_out_the_server_and_tests() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    excluded = config["tool"]["flet"]["app"]["exclude"]
    assert "sync/server" in excluded
    assert "tests" in excluded


def test_the_sync_engine_core_does_no_io() -> None:
    forbidden = {"flet", "httpx", "sqlalchemy", "sqlite3", "sqlcipher3", "psycopg", "fastapi", "asyncio", "socket"}
    assert not {top(n) for n in imports(ROOT / "sync" / "engine.py")} & forbidden


def test_views_reach_the_network_only_through_app() -> None:
    for path in modules("views"):
        found = {top(n) for n in imports(path)} & {"sync", "httpx", "sqlalchemy", "sqlcipher3", "sqlite3"}
        assert not found, path


def test_the_app_bundle_installs_no_server_package() -> None:
    """`flet build` installs [project].dependencies into the app: the server's packages, and
    SQLCipher (no Android or iOS build), must not be among them."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    bundled = {
        dep.split(">")[0].split("=")[0].split("[")[0].split("<")[0].strip() for dep in config["project"]["dependencies"]
    }
    assert not bundled & {"fastapi", "uvicorn", "sqlalchemy", "alembic", "psycopg", "argon2-cffi", "sqlcipher3"}
    assert {"flet", "httpx", "cryptography", "keyring"} <= bundled
    flet = config["tool"]["flet"]
    assert flet["deep_linking"]["scheme"] == "https"
    assert flet["deep_linking"]["host"]
    assert flet["web"]["route_url_strategy"] == "path"
    for desktop in ("linux", "macos", "windows"):
        assert any(dep.startswith("sqlcipher3") for dep in flet[desktop]["dependencies"])


def test_the_app_refuses_a_message_at_the_servers_own_limit() -> None:
    """app/ cannot import the protocol, so the limit is written twice; this keeps the two equal."""
    from app import case_focus
    from sync import protocol

    assert case_focus.MESSAGE_MAX_CHARS == protocol.MESSAGE_MAX_CHARS


# The app's small states, and the names screens give them (``portal.focus``, ``focus = portal.focus``)
STATE_NAMES = {"portal", "session", "safety", "focus", "preferences", "feedback", "drafts"}


def _root(node: ast.expr) -> str:
    while isinstance(node, ast.Attribute | ast.Subscript):
        node = node.value
    return node.id if isinstance(node, ast.Name) else ""


def test_screens_read_the_state_and_call_intents_but_never_set_it() -> None:
    """State flows one way: a screen that wants something changed calls a named intent."""
    setters = []
    for path in modules("views"):
        for node in ast.walk(ast.parse(path.read_text())):
            targets = node.targets if isinstance(node, ast.Assign) else []
            if isinstance(node, ast.AugAssign | ast.AnnAssign):
                targets = [node.target]
            for target in targets:
                for part in target.elts if isinstance(target, ast.Tuple) else [target]:
                    if isinstance(part, ast.Attribute | ast.Subscript) and _root(part) in STATE_NAMES:
                        setters.append(f"{path.relative_to(ROOT)}:{part.lineno}")
    assert not setters


def store_writes() -> set[str]:
    """Every method of the Store port that changes what it holds, read off the port itself."""
    port = next(
        node
        for node in ast.walk(ast.parse((ROOT / "app" / "store" / "port.py").read_text()))
        if isinstance(node, ast.ClassDef) and node.name == "Store"
    )
    names = {node.name for node in port.body if isinstance(node, ast.FunctionDef)}
    writes = {name for name in names if name.startswith(("set_", "put_", "remove_", "delete_")) or name == "enqueue"}
    assert {"put_cases", "set_identity", "enqueue", "set_setting"} <= writes
    return writes


def test_only_the_sync_runner_writes_the_store() -> None:
    """One writer per store: the app's states read the store and ask the runner for changes.
    The one exception moves a PIN kept by older versions out of the store, once."""
    writes = store_writes()
    writers = set()
    for path in [*modules("app"), *modules("views"), *modules("sync"), ROOT / "main.py"]:
        relative = str(path.relative_to(ROOT))
        if relative.startswith(("app/store/", "sync/server/")):
            continue  # the store itself, and the server's own database
        tree = ast.parse(path.read_text())
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(function):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in writes:
                    writers.add(f"{relative}:{function.name}")
    assert {w.split(":")[0] for w in writers} <= {"sync/runner.py", "app/lock.py"}, writers
    assert {w for w in writers if w.startswith("app/lock.py")} == {"app/lock.py:upgrade_legacy_pin"}


def test_screens_reach_nothing_private_of_the_state() -> None:
    """Calling ``portal.focus._forget()`` would be setting state by another name."""
    private = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path in modules("views")
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Attribute)
        and node.attr.startswith("_")
        and not node.attr.startswith("__")
        and _root(node) in STATE_NAMES
    ]
    assert not private


def test_the_tests_run_together_in_a_parallel_run_are_where_it_looks() -> None:
    """The parallel run keeps these in one process by path (tests/conftest.py): a renamed
    folder or module would silently run them side by side again."""
    from tests.conftest import TOGETHER

    assert TOGETHER
    for path in TOGETHER:
        assert (ROOT / path).exists(), path

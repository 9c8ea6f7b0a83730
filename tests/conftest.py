"""Shared fixtures: every test gets its own data folder and database file, never a real one.

Databases (empty at the newest schema, the example, the demo pharmacy) are prepared once per
run and copied per test (tests/support/databases.py). No Qt here: GUI tests live in tests/ui
(their conftest), and the model, report and command-line tests run without Qt
(tests/test_layers.py).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from models.db import open_database, sqlite_path
from tests.support import EXAMPLE, databases, postgres
from tests.support.databases import Template

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def _isolated_data(tmp_path, monkeypatch):
    """Point the user data folder and PERDIEM_DB at a temporary folder."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("PERDIEM_DB", str(tmp_path / "perdiem.sqlite"))
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def _no_system_keyring(monkeypatch):
    """No test reads or writes the computer's keyring (a user's real secrets), and none
    depends on whether the machine running the suite has one: keyring's `fail` backend, in
    this process and in the processes tests start. A test that wants a keyring sets its own."""
    import keyring
    from keyring.backends import fail

    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    before = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(before)


def pytest_collection_modifyitems(config, items) -> None:
    """GUI tests live in tests/ui, whose conftest ends their Qt objects on the GUI thread."""
    gui = Path(__file__).parent / "ui"
    strays = [item.nodeid for item in items
              if {"qtbot", "qapp"} & set(getattr(item, "fixturenames", ()))
              and not item.path.is_relative_to(gui)]
    if strays:
        raise pytest.UsageError(f"GUI tests outside tests/ui: {', '.join(strays)}")


# --- the engines: SQLite, and PostgreSQL for the tests marked `both_engines` ------------------


def pytest_generate_tests(metafunc) -> None:
    """A test marked `both_engines` whose database comes from these fixtures runs twice: on
    SQLite and on the suite's PostgreSQL server (docs/testing.md names the marked modules);
    `sqlite_only` keeps one test of such a module on SQLite (it reads the file itself)."""
    marked = metafunc.definition.get_closest_marker
    if "backend" in metafunc.fixturenames and marked("both_engines") is not None \
            and marked("sqlite_only") is None:
        metafunc.parametrize("backend", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
def backend(request) -> str:
    """The engine this test's databases are on: "sqlite" unless marked `both_engines`."""
    return getattr(request, "param", "sqlite")


@pytest.fixture(scope="session")
def pg_server() -> Iterator[postgres.Server]:
    """A real PostgreSQL server started from the machine's binaries, once per run. Without
    the binaries every PostgreSQL test fails saying so (PERDIEM_TEST_PG=skip: skipped)."""
    problem = postgres.missing()
    if problem is not None:
        if os.environ.get(postgres.SKIP_ENV, "").strip().lower() == "skip":
            pytest.skip(f"{problem}; skipped: {postgres.SKIP_ENV}=skip")
        pytest.fail(f"the PostgreSQL tests cannot run: {problem}", pytrace=False)
    server = postgres.Server.start()
    yield server
    server.stop()


# --- databases prepared once per run (tests/support/databases.py) -------------------------------


@pytest.fixture(scope="session")
def _templates(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("templates")


@pytest.fixture(scope="session")
def migrated_template(_templates) -> Template:
    """An empty database at the newest schema, migrated once per run."""
    return databases.migrated(_templates)


@pytest.fixture(scope="session")
def example_template(migrated_template) -> Template:
    """The migrated database with tests/data/example.json imported, once per run."""
    return databases.with_example(migrated_template)


@pytest.fixture(scope="session")
def demo_template(migrated_template) -> Template:
    """The migrated database with the suite's demo pharmacy loaded, once per run."""
    return databases.with_demo(migrated_template)


@pytest.fixture(scope="session")
def pg_migrated_template(pg_server) -> str:
    """The same three on the PostgreSQL server, as template databases (their names)."""
    return databases.pg_migrated(pg_server)


@pytest.fixture(scope="session")
def pg_example_template(pg_server, pg_migrated_template) -> str:
    return databases.pg_filled(pg_server, pg_migrated_template, "tpl_example",
                               databases.import_example)


@pytest.fixture(scope="session")
def pg_demo_template(pg_server, pg_migrated_template) -> str:
    return databases.pg_filled(pg_server, pg_migrated_template, "tpl_demo",
                               databases.load_demo)


def _pg_template(request, which: str) -> str:
    return request.getfixturevalue(f"pg_{which}_template")


# --- each test's own database -----------------------------------------------------------------


@pytest.fixture
def _pg_databases(request, backend) -> Iterator[list[str]]:
    """The PostgreSQL databases this test made (dropped after it); none on SQLite."""
    made: list[str] = []
    yield made
    if made:
        server = request.getfixturevalue("pg_server")
        for name in made:
            server.drop(name)


def _pg_copy(request, made: list[str], which: str) -> str:
    """A new database on the test server, a copy of the `which` template; its URL."""
    server = request.getfixturevalue("pg_server")
    name = server.new_name()
    made.append(name)
    return server.create(name, template=_pg_template(request, which))


@pytest.fixture
def db_url(request, tmp_path, backend, _pg_databases) -> str:
    """This test's database URL: a file in its folder (SQLite; created when opened), or a new
    database at the newest schema on the test server (PostgreSQL)."""
    if backend == "postgresql":
        return _pg_copy(request, _pg_databases, "migrated")
    return f"sqlite:///{tmp_path / 'perdiem.sqlite'}"


@pytest.fixture
def engine(request, db_url, backend) -> Iterator[Engine]:
    """This test's database (`db_url`), empty at the newest schema: a copy of the migrated
    template, opened by `open_database` as the app opens it."""
    if backend == "sqlite":
        template = request.getfixturevalue("migrated_template")
        databases.copy_database(template.path, sqlite_path(db_url))
    eng = open_database(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def empty_database(request, tmp_path, backend, _pg_databases
                   ) -> Iterator[Callable[[str], Engine]]:
    """Opens more empty databases for this test, by name (copies, like `engine`)."""
    opened: list[Engine] = []

    def open_empty(name: str) -> Engine:
        if backend == "postgresql":
            url = _pg_copy(request, _pg_databases, "migrated")
        else:
            template = request.getfixturevalue("migrated_template")
            databases.copy_database(template.path, tmp_path / name)
            url = f"sqlite:///{tmp_path / name}"
        opened.append(open_database(url))
        return opened[-1]

    yield open_empty
    for eng in opened:
        eng.dispose()


@pytest.fixture
def example_doc() -> dict:
    return json.loads(EXAMPLE.read_text(encoding="utf-8"))


def _filled(request, engine: Engine, backend: str, which: str) -> Engine:
    if backend == "postgresql":
        server = request.getfixturevalue("pg_server")
        return databases.pg_replace(server, engine, _pg_template(request, which))
    template = request.getfixturevalue(f"{which}_template")
    return databases.replace_database(engine, template.path)


@pytest.fixture
def example_engine(request, engine, backend) -> Engine:
    """A database holding tests/data/example.json (../shared/interchange/example.json)."""
    return _filled(request, engine, backend, "example")


@pytest.fixture
def demo_engine(request, engine, backend) -> Engine:
    """A database holding the demo pharmacy (databases.DEMO_SEED on DEMO_TODAY)."""
    return _filled(request, engine, backend, "demo")

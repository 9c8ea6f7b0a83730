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
from tests.support import EXAMPLE, databases
from tests.support.databases import Template

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def _isolated_data(tmp_path, monkeypatch):
    """Point the user data folder and PERDIEM_DB at a temporary folder."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("PERDIEM_DB", str(tmp_path / "perdiem.sqlite"))
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")


def pytest_collection_modifyitems(config, items) -> None:
    """GUI tests live in tests/ui, whose conftest ends their Qt objects on the GUI thread."""
    gui = Path(__file__).parent / "ui"
    strays = [item.nodeid for item in items
              if {"qtbot", "qapp"} & set(getattr(item, "fixturenames", ()))
              and not item.path.is_relative_to(gui)]
    if strays:
        raise pytest.UsageError(f"GUI tests outside tests/ui: {', '.join(strays)}")


# --- database files prepared once per run (tests/support/databases.py) ---------------------


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


# --- each test's own database -----------------------------------------------------------------


@pytest.fixture
def db_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'perdiem.sqlite'}"


@pytest.fixture
def engine(db_url, migrated_template) -> Iterator[Engine]:
    """This test's database file (`db_url`), empty at the newest schema: a copy of the
    migrated template, opened by `open_database` as the app opens it."""
    databases.copy_database(migrated_template.path, sqlite_path(db_url))
    eng = open_database(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def empty_database(tmp_path, migrated_template) -> Iterator[Callable[[str], Engine]]:
    """Opens more empty databases in this test's folder, by file name (copies, like `engine`)."""
    opened: list[Engine] = []

    def open_empty(name: str) -> Engine:
        databases.copy_database(migrated_template.path, tmp_path / name)
        opened.append(open_database(f"sqlite:///{tmp_path / name}"))
        return opened[-1]

    yield open_empty
    for eng in opened:
        eng.dispose()


@pytest.fixture
def example_doc() -> dict:
    return json.loads(EXAMPLE.read_text(encoding="utf-8"))


@pytest.fixture
def example_engine(engine, example_template) -> Engine:
    """A database holding tests/data/example.json (../shared/interchange/example.json)."""
    return databases.replace_database(engine, example_template.path)


@pytest.fixture
def demo_engine(engine, demo_template) -> Engine:
    """A database holding the demo pharmacy (databases.DEMO_SEED on DEMO_TODAY)."""
    return databases.replace_database(engine, demo_template.path)

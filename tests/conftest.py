"""Shared fixtures: one database engine per run (SQLite or PostgreSQL), emptied per test.

Choose the engine with RETOUR_TEST_DATABASE=sqlite|postgresql (default sqlite). PostgreSQL
uses RETOUR_TEST_POSTGRES_URL (default: the local server, database `retour_test`). When it
cannot be reached the PostgreSQL run fails — it never skips.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from hypothesis import settings as hypothesis_settings
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from retour.db.base import Base
from retour.db.engine import create_db_engine, create_session_factory
from retour.db.migrate import upgrade
from retour.db.unit_of_work import UnitOfWork
from retour.services.context import FixedClock
from retour.settings import Settings

# CI runs the same examples every time, so a landing never hangs on a lucky draw; local runs
# keep exploring new ones (and remember failures in .hypothesis/).
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI") == "true":
    hypothesis_settings.load_profile("ci")

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/retour_test"
START = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def engine_name() -> str:
    name = os.environ.get("RETOUR_TEST_DATABASE", "sqlite")
    if name not in ("sqlite", "postgresql"):
        raise pytest.UsageError(f"RETOUR_TEST_DATABASE must be sqlite or postgresql, not {name}")
    return name


def run_on_postgres_server(url: str, *statements: str) -> None:
    """Run statements on the server's `postgres` database (to create or drop others)."""
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            for statement in statements:
                connection.execute(text(statement))
    finally:
        admin.dispose()


def private_postgres_url(url: str, suffix: str) -> str:
    """The same server, a database of this test run's own, so that runs never collide."""
    target = make_url(url)
    return target.set(database=f"{target.database}_{suffix}_{os.getpid()}").render_as_string(
        hide_password=False
    )


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    data_dir = tmp_path_factory.mktemp("data")
    if engine_name() != "postgresql":
        url = f"sqlite:///{data_dir / 'retour-test.db'}"
        yield Settings(env="test", data_dir=data_dir, database_url=url)
        return
    base = os.environ.get("RETOUR_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)
    url = private_postgres_url(base, "run")
    name = make_url(url).database
    run_on_postgres_server(url, f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"')
    yield Settings(env="test", data_dir=data_dir, database_url=url)
    run_on_postgres_server(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def engine(settings: Settings) -> Iterator[Engine]:
    engine = create_db_engine(settings)
    upgrade(engine)
    yield engine
    engine.dispose()


def empty_all_tables(engine: Engine) -> None:
    tables = [table.name for table in reversed(Base.metadata.sorted_tables)]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(text(f"DELETE FROM {table}"))
            # Deleting rows fired their triggers (db/models/tallies.py, report_rollups.py),
            # which wrote tallies of their own: those go too.
            for tallies in (
                "return_status_tallies",
                "sales_day_tallies",
                "return_line_facts",
                "return_facts",
            ):
                connection.execute(text(f"DELETE FROM {tallies}"))


@pytest.fixture
def session_factory(engine: Engine) -> sessionmaker[Session]:
    empty_all_tables(engine)
    return create_session_factory(engine)


@pytest.fixture
def uow(session_factory: sessionmaker[Session]) -> UnitOfWork:
    return UnitOfWork(session_factory)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


def pytest_report_header() -> str:
    return f"retour test database: {engine_name()}"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if engine_name() == "postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL; runs in the PostgreSQL pass of make test")
    for item in items:
        if "postgres_only" in item.keywords:
            item.add_marker(skip)

"""A fresh `retour_bench` database: recreated, migrated, with one store and one API key."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import psycopg
from psycopg import sql

from retour.db.engine import create_db_engine, create_session_factory
from retour.db.migrate import upgrade
from retour.db.unit_of_work import UnitOfWork
from retour.services.stores import create_api_key, create_store
from retour.settings import Settings

HOST = "127.0.0.1"
PORT = 5432
USER = "postgres"
STORE_SLUG = "bench"


@dataclass(frozen=True)
class BenchDatabase:
    name: str

    @property
    def dsn(self) -> str:
        """libpq form, for plain psycopg."""
        return f"host={HOST} port={PORT} user={USER} dbname={self.name}"

    @property
    def url(self) -> str:
        """SQLAlchemy form, for Retour (RETOUR_DATABASE_URL)."""
        return f"postgresql+psycopg://{USER}@{HOST}:{PORT}/{self.name}"


@dataclass(frozen=True)
class Tenant:
    store_id: int
    location_id: int
    api_key: str


def recreate(name: str) -> BenchDatabase:
    """DROP ... WITH (FORCE) and CREATE, from the `postgres` maintenance database."""
    admin = f"host={HOST} port={PORT} user={USER} dbname=postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        ident = sql.Identifier(name)
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(ident))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(ident))
    return BenchDatabase(name)


def prepare(database: BenchDatabase) -> Tenant:
    """Migrate to head, then create the store and an API key through Retour's services."""
    engine = create_db_engine(Settings(database_url=database.url))
    try:
        upgrade(engine)
        uow = UnitOfWork(create_session_factory(engine))
        now = datetime.now(UTC)
        store_id = create_store(uow, slug=STORE_SLUG, name="Bench", currency="EUR", now=now)
        key = create_api_key(uow, STORE_SLUG, "bench", now)
    finally:
        engine.dispose()
    with psycopg.connect(database.dsn) as conn:
        row = conn.execute(
            "SELECT id FROM inventory_locations WHERE store_id = %s AND is_default", (store_id,)
        ).fetchone()
    assert row is not None, "create_store made no default location"
    return Tenant(store_id=store_id, location_id=row[0], api_key=key)


def server_settings(database: BenchDatabase) -> dict[str, str]:
    """PostgreSQL settings that shape write latency, for the report."""
    names = ("shared_buffers", "synchronous_commit", "fsync", "wal_level", "max_connections")
    with psycopg.connect(database.dsn) as conn:
        rows = conn.execute(
            "SELECT name, setting || coalesce(unit, '') FROM pg_settings WHERE name = ANY(%s)",
            (list(names),),
        ).fetchall()
        version = conn.execute("SHOW server_version").fetchone()
    settings = {name: value for name, value in rows}
    settings["server_version"] = version[0] if version else "?"
    return settings

"""Migrations build the schema from empty on this engine, and match the models exactly."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import make_url

from retour.db.base import Base
from retour.db.migrate import downgrade, upgrade
from tests.conftest import private_postgres_url, run_on_postgres_server


def test_models_and_migrations_do_not_drift(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_upgrade_from_empty_and_back(settings, tmp_path):
    postgres = settings.effective_database_url.startswith("postgresql")
    if postgres:
        url = private_postgres_url(settings.effective_database_url, "empty")
        name = make_url(url).database
        run_on_postgres_server(url, f'CREATE DATABASE "{name}"')
    else:
        url = f"sqlite:///{tmp_path / 'empty.db'}"
    scratch = create_engine(url)
    try:
        upgrade(scratch)
        assert set(inspect(scratch).get_table_names()) == set(Base.metadata.tables) | {
            "alembic_version"
        }
        downgrade(scratch, "base")
        assert set(inspect(scratch).get_table_names()) == {"alembic_version"}
    finally:
        scratch.dispose()
        if postgres:
            run_on_postgres_server(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

"""Migrations build the schema from empty on this engine, and match the models exactly."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from retour.db.base import Base
from retour.db.migrate import downgrade, upgrade


def test_models_and_migrations_do_not_drift(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_upgrade_from_empty_and_back(settings, tmp_path):
    if engine_is_postgres(settings):
        url = settings.effective_database_url.rsplit("/", 1)[0] + "/retour_migration_test"
        admin = create_engine(url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text("DROP DATABASE IF EXISTS retour_migration_test WITH (FORCE)"))
            connection.execute(text("CREATE DATABASE retour_migration_test"))
        admin.dispose()
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


def engine_is_postgres(settings) -> bool:
    return settings.effective_database_url.startswith("postgresql")

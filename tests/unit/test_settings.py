from pathlib import Path

import pytest
from pydantic import ValidationError

from retour.settings import Settings


def test_defaults_put_a_sqlite_file_under_the_data_dir(monkeypatch, tmp_path):
    monkeypatch.delenv("RETOUR_DATABASE_URL", raising=False)
    monkeypatch.setenv("RETOUR_DATA_DIR", str(tmp_path))
    settings = Settings()
    assert settings.effective_database_url == f"sqlite:///{tmp_path / 'retour.db'}"
    assert Settings(data_dir=Path("./var")).data_dir == Path("var")


def test_production_refuses_the_development_secret(monkeypatch):
    monkeypatch.delenv("RETOUR_SECRET_KEY", raising=False)
    monkeypatch.setenv("RETOUR_ENV", "production")
    with pytest.raises(ValidationError, match="RETOUR_SECRET_KEY must be set"):
        Settings()


def test_production_accepts_a_real_secret(monkeypatch):
    monkeypatch.setenv("RETOUR_ENV", "production")
    monkeypatch.setenv("RETOUR_SECRET_KEY", "x" * 40)
    assert Settings().secret_key.get_secret_value() == "x" * 40


def test_database_url_from_the_environment_wins(monkeypatch):
    monkeypatch.setenv("RETOUR_DATABASE_URL", "postgresql+psycopg://db/retour")
    assert Settings().effective_database_url == "postgresql+psycopg://db/retour"

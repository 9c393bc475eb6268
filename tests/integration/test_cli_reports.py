"""`retour report summary` on the hand-computed dataset (tests/support/report_dataset.py)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from retour.cli import app
from retour.services.stores import create_store
from retour.settings import get_settings
from tests.support.report_dataset import at, build_dataset

runner = CliRunner()


@pytest.fixture
def cli_env(settings, session_factory, monkeypatch):
    monkeypatch.setenv("RETOUR_DATABASE_URL", settings.effective_database_url)
    monkeypatch.setenv("RETOUR_DATA_DIR", str(settings.data_dir))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def dataset(uow, cli_env):
    return build_dataset(uow)


def test_the_summary_prints_the_periods_figures_by_order_date(dataset):
    result = runner.invoke(app, ["report", "summary", "--from", "2026-02-01", "--to", "2026-02-28"])

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "Returns 2026-02-01 – 2026-02-28 (Europe/Paris), by order date, store acme",
        "figure                       value",
        "---------------------------  " + "-" * 41,
        "orders placed                3",
        "orders with a return         3 (100.0 %)",
        "units returned               4 of 5 (80.0 %)",
        "value returned, EUR          168.00 EUR of 217.00 EUR (77.4 %)",
        "value returned, USD          49.00 USD of 49.00 USD (100.0 %)",
        "refunded, EUR                120.00 EUR in 2 refund(s), bonus 5.00 EUR",
        "refunded, USD                46.50 USD in 1 refund(s), bonus 0.00 USD",
        "revenue retained, EUR        119.00 EUR of 168.00 EUR (70.8 %)",
        "revenue retained, USD        0.00 USD of 49.00 USD (0.0 %)",
        "time to refund from request  median 144.0 h, p90 168.0 h (3 refund(s))",
        "time to refund from receipt  median 24.0 h, p90 48.0 h (2 refund(s))",
        "repeat returners             1 of 2 customer(s) (50.0 %)",
        "top reasons                  too_small 2, defective 1, too_large 1",
        "policy decisions             approve 1, none 1, reject 1, review 1",
    ]


def test_the_summary_by_return_date_for_a_named_store(dataset, uow):
    create_store(uow, slug="other", name="Other", currency="USD", now=at(1, 1, 0))
    result = runner.invoke(
        app,
        ["report", "summary", "--from", "2026-02-01", "--to", "2026-02-28",
         "--store", "acme", "--cohort", "return_date"],
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    # R1 and R4 (R3 is asked for on March 1st in Paris); R4's manual refund is in.
    lines = result.stdout.splitlines()
    assert lines[0] == "Returns 2026-02-01 – 2026-02-28 (Europe/Paris), by return date, store acme"
    assert lines[4:11] == [
        "orders with a return         2 (66.7 %)",
        "units returned               4 of 5 (80.0 %)",
        "value returned, EUR          279.00 EUR of 217.00 EUR (128.6 %)",
        "value returned, USD          0.00 USD of 49.00 USD (0.0 %)",
        "refunded, EUR                277.00 EUR in 3 refund(s), bonus 5.00 EUR",
        "revenue retained, EUR        70.00 EUR of 279.00 EUR (25.1 %)",
        "time to refund from request  median 144.0 h, p90 168.0 h (3 refund(s))",
    ]


def test_an_empty_period_prints_dashes_for_rates(dataset):
    result = runner.invoke(app, ["report", "summary", "--from", "2025-06-01", "--to", "2025-06-30"])

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1:] == [
        "figure                       value",
        "---------------------------  ----------------------",
        "orders placed                0",
        "orders with a return         0 (—)",
        "units returned               0 of 0 (—)",
        "time to refund from request  —",
        "time to refund from receipt  —",
        "repeat returners             0 of 0 customer(s) (—)",
        "top reasons                  —",
        "policy decisions             —",
    ]


def test_several_stores_need_store_named(dataset, uow):
    create_store(uow, slug="other", name="Other", currency="USD", now=at(1, 1, 0))

    result = runner.invoke(app, ["report", "summary", "--from", "2026-02-01", "--to", "2026-02-28"])

    assert result.exit_code == 1
    assert "--store: several stores in the database: name one" in result.stderr


def test_bad_dates_are_refused_naming_the_option(dataset):
    not_a_date = runner.invoke(
        app, ["report", "summary", "--from", "2026-02-30", "--to", "2026-03-01"]
    )
    backwards = runner.invoke(
        app, ["report", "summary", "--from", "2026-02-28", "--to", "2026-02-01"]
    )

    assert not_a_date.exit_code == 2
    assert "'--from'" in not_a_date.stderr
    assert backwards.exit_code == 1
    assert "--to: `to` must not be before `from`" in backwards.stderr

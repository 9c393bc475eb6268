"""The `retour` command against the test database."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from typer.testing import CliRunner

from retour.cli import app
from retour.db.models import Store
from retour.domain.inputs import LineRequest, Receipt
from retour.services import queries
from retour.services import returns as use_cases
from retour.services.order_import import OrderImport, import_order
from retour.services.stores import authenticate_api_key
from retour.settings import get_settings
from tests.factories import STAFF, make_store, order_payload

runner = CliRunner()


@pytest.fixture
def cli_env(settings, session_factory, monkeypatch):
    monkeypatch.setenv("RETOUR_DATABASE_URL", settings.effective_database_url)
    monkeypatch.setenv("RETOUR_DATA_DIR", str(settings.data_dir))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def store_id(uow, clock, cli_env):
    return make_store(uow, clock)


def test_apikey_create_prints_the_key_alone_on_the_last_line(uow, store_id):
    result = runner.invoke(app, ["apikey", "create", "--store", "acme", "--name", "erp"])
    assert result.exit_code == 0, result.output
    key = result.stdout.strip().splitlines()[-1]
    principal = authenticate_api_key(uow, key)
    assert (principal.store_id, principal.key_name) == (store_id, "erp")


def test_apikey_for_an_unknown_store_fails_clearly(cli_env, session_factory):
    result = runner.invoke(app, ["apikey", "create", "--store", "nope"])
    assert result.exit_code == 1
    assert "store nope not found" in result.stderr


def test_import_reports_bad_lines_and_keeps_good_ones(uow, store_id, tmp_path):
    placed = datetime(2026, 2, 1, tzinfo=UTC)
    missing_number = order_payload("2", placed_at=placed)
    del missing_number["number"]
    file = tmp_path / "orders.jsonl"
    file.write_text(
        "\n".join(
            [
                json.dumps(order_payload("1", placed_at=placed)),
                '{"id": "broken"',
                json.dumps(missing_number),
                "",
                json.dumps(order_payload("3", placed_at=placed, quantities=(1,))),
            ]
        )
    )
    first = runner.invoke(app, ["import", "orders", str(file), "--store", "acme"])
    assert first.exit_code == 1
    assert "line 2: not JSON" in first.stderr
    assert "line 3: number: Field required" in first.stderr
    assert "2 created, 0 updated, 0 unchanged, 2 failed" in first.stdout
    page = queries.list_orders(uow, store_id, None, 10)
    assert sorted(order.number for order in page.items) == ["#1", "#3"]

    again = runner.invoke(app, ["import", "orders", str(file), "--store", "acme"])
    assert "0 created, 0 updated, 2 unchanged, 2 failed" in again.stdout
    assert len(queries.list_orders(uow, store_id, None, 10).items) == 2


def test_user_create_and_duplicate(uow, store_id):
    arguments = ["user", "create", "--store", "acme", "--email", "Wh@Acme.test",
                 "--role", "warehouse", "--password", "long-enough-secret"]  # fmt: skip
    assert runner.invoke(app, arguments).exit_code == 0
    with uow:
        user = uow.stores.staff_user(store_id, "wh@acme.test")
        assert (user.email, user.role) == ("wh@acme.test", "warehouse")
        assert "long-enough-secret" not in user.password_hash
    duplicate = runner.invoke(app, arguments)
    assert duplicate.exit_code == 1
    assert "already has an account" in duplicate.stderr


def test_user_create_refuses_an_unusable_email(uow, store_id):
    arguments = ["user", "create", "--store", "acme", "--email", "wh@acme",
                 "--role", "warehouse", "--password", "long-enough-secret"]  # fmt: skip

    result = runner.invoke(app, arguments)

    assert result.exit_code == 1
    assert "not a usable e-mail address: the domain needs a dot" in result.stderr
    with uow:
        assert uow.stores.staff_user(store_id, "wh@acme") is None


def test_returns_expire_is_safe_to_rerun(store_id, uow, clock):
    old = clock.now() - timedelta(days=400)
    payload = OrderImport.model_validate(order_payload("9", placed_at=old))
    order = import_order(uow, store_id, payload, STAFF, old).order
    request = use_cases.ReturnRequest(order.id, [LineRequest(order.lines[0].id, 1, "style")])
    ret = use_cases.request_return(uow, store_id, request, STAFF, old)
    use_cases.approve_return(uow, store_id, ret.id, STAFF, old)
    first = runner.invoke(app, ["returns", "expire"])
    assert first.stdout.strip() == "1 return(s) expired"
    assert runner.invoke(app, ["returns", "expire"]).stdout.strip() == "0 return(s) expired"
    assert queries.get_return(uow, store_id, ret.id).status.value == "expired"


def test_store_create_then_a_key_for_it(uow, cli_env, session_factory):
    created = runner.invoke(
        app,
        ["store", "create", "--slug", "maison", "--name", "Maison", "--currency", "eur",
         "--timezone", "Europe/Paris"],
    )  # fmt: skip
    assert created.exit_code == 0, created.output
    with uow:
        store = uow.stores.by_slug("maison")
        assert (store.name, store.currency, store.timezone) == ("Maison", "EUR", "Europe/Paris")
        assert len(uow.stores.active_reason_codes(store.id)) == 12
    key = runner.invoke(app, ["apikey", "create", "--store", "maison"]).stdout.splitlines()[-1]
    assert authenticate_api_key(uow, key).store_id == store.id


def test_store_create_refuses_a_bad_timezone_naming_it(cli_env, session_factory):
    result = runner.invoke(
        app, ["store", "create", "--slug", "x1", "--name", "X", "--currency", "EUR",
              "--timezone", "Mars/Olympus"],
    )  # fmt: skip
    assert result.exit_code == 1
    assert "unknown timezone 'Mars/Olympus'" in result.stderr


def test_seed_demo_refuses_production(cli_env, session_factory, monkeypatch):
    monkeypatch.setenv("RETOUR_ENV", "production")
    monkeypatch.setenv("RETOUR_SECRET_KEY", "s" * 40)
    get_settings.cache_clear()
    result = runner.invoke(app, ["seed", "demo"])
    assert result.exit_code == 1
    assert "not in production" in result.stderr


def test_refunds_settle_finishes_pending_refunds_and_names_failures(uow, store_id, clock):
    with uow:
        uow.session.get(Store, store_id).auto_refund = "on_receipt"
        uow.commit()
    payload = OrderImport.model_validate(order_payload(placed_at=clock.now() - timedelta(days=3)))
    order = import_order(uow, store_id, payload, STAFF, clock.now()).order
    request = use_cases.ReturnRequest(order.id, [LineRequest(order.lines[0].id, 1, "too_small")])
    ret = use_cases.request_return(uow, store_id, request, STAFF, clock.now())
    use_cases.approve_return(uow, store_id, ret.id, STAFF, clock.now())
    received = use_cases.receive_return(
        uow, store_id, ret.id, STAFF, clock.now(), [Receipt(ret.lines[0].id, 1)]
    )

    first = runner.invoke(app, ["refunds", "settle"])
    again = runner.invoke(app, ["refunds", "settle"])

    assert received.refund_status == "pending"
    assert first.exit_code == 0, first.output
    assert first.stdout.strip() == "1 pending refund(s) settled: 1 failed"
    assert "no payment provider is configured for gateway 'card'" in first.stderr
    assert again.stdout.strip() == "0 pending refund(s) settled"

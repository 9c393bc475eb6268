"""`retour shipments account-set` and `retour shipments refresh` against EasyPost on loopback,
and `retour secrets seal` sealing the credentials stored plain before sealing, once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from retour.cli import app
from retour.domain.shipments import ShipmentMethod
from retour.services import queries, shipments
from retour.services.context import FixedClock
from retour.settings import get_settings
from retour.shipping.registry import carriers_from_settings
from tests.factories import STAFF, make_store
from tests.support.fake_easypost import FakeEasyPost
from tests.support.shipping_steps import approved_return, set_return_address
from tests.support.stored_credentials import store_plain, stored_credentials

runner = CliRunner()
API_KEY = "EZTK_cli_0123456789"
OTHER_KEY = "EZTK_cli_other_987654"


@pytest.fixture
def easypost() -> Iterator[FakeEasyPost]:
    with FakeEasyPost(API_KEY) as fake:
        yield fake


@pytest.fixture
def cli_env(settings, session_factory, monkeypatch, easypost):
    monkeypatch.setenv("RETOUR_DATABASE_URL", settings.effective_database_url)
    monkeypatch.setenv("RETOUR_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("RETOUR_EASYPOST_API_BASE", easypost.url)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def now_clock() -> FixedClock:
    # The command runs on the system clock: the label must not be past its date by it.
    return FixedClock(datetime.now(UTC).replace(microsecond=0))


def labelled_return(uow, clock):
    """Store `acme` with an EasyPost account, and an approved return with its label."""
    store_id = make_store(uow, clock)
    set_return_address(uow, store_id)
    carriers = carriers_from_settings(get_settings())
    changes = shipments.AccountChanges(api_key=API_KEY)
    shipments.set_carrier_account(uow, carriers, store_id, "easypost", changes, clock.now())
    ret = approved_return(uow, store_id, clock)
    request = shipments.ShipmentRequest(ShipmentMethod.PREPAID_LABEL)
    store_carriers = shipments.store_carriers(uow, carriers, store_id)
    shipments.create_shipment(uow, store_carriers, store_id, ret.id, request, STAFF, clock)
    return store_id, ret


def test_account_set_keeps_the_key_out_of_its_output(uow, cli_env, now_clock):
    make_store(uow, now_clock)
    env = {"RETOUR_CARRIER_API_KEY": API_KEY, "RETOUR_CARRIER_WEBHOOK_SECRET": "whsec_1"}

    result = runner.invoke(
        app, ["shipments", "account-set", "--store", "acme", "easypost"], env=env
    )

    assert result.exit_code == 0, result.output
    assert result.output == "acme: easypost account saved (cheapest, webhook secret set)\n"
    with uow:
        row = uow.session.execute(
            text("SELECT carrier, api_key, webhook_secret FROM carrier_accounts")
        ).one()
    assert row.carrier == "easypost"
    assert API_KEY not in str(tuple(row)) and "whsec_1" not in str(tuple(row))
    assert (row.api_key[:10], row.webhook_secret[:10]) == ("sealed:v1:", "sealed:v1:")
    sealer = carriers_from_settings(get_settings()).sealer
    assert (sealer.open(row.api_key), sealer.open(row.webhook_secret)) == (API_KEY, "whsec_1")


def test_account_set_for_a_carrier_without_accounts_fails_clearly(uow, cli_env, now_clock):
    make_store(uow, now_clock)

    result = runner.invoke(app, ["shipments", "account-set", "--store", "acme", "ups",
                                 "--api-key", API_KEY])  # fmt: skip

    assert result.exit_code == 1
    assert "no carrier named 'ups' takes accounts here (these do: easypost)" in result.output
    assert API_KEY not in result.output


def test_refresh_records_new_scans_and_is_idempotent(uow, cli_env, now_clock, easypost):
    store_id, ret = labelled_return(uow, now_clock)
    easypost.add_scan("EZ0000000001", "in_transit", now_clock.now().isoformat(), "Accepted")

    first = runner.invoke(app, ["shipments", "refresh"])
    again = runner.invoke(app, ["shipments", "refresh", "--store", "acme"])

    assert (first.exit_code, again.exit_code) == (0, 0)
    assert first.output == (
        f"{ret.number} EZ0000000001: in_transit (+1)\n"
        "1 shipment(s) asked, 1 new scan(s), 0 failed\n"
    )
    assert again.output == "1 shipment(s) asked, 0 new scan(s), 0 failed\n"
    assert queries.get_return(uow, store_id, ret.id).status.value == "in_transit"


def test_refresh_reports_a_carrier_that_is_down_and_exits_1(uow, cli_env, now_clock, easypost):
    labelled_return(uow, now_clock)
    easypost.fail_next(503, times=4)

    result = runner.invoke(app, ["shipments", "refresh"])

    assert result.exit_code == 1
    assert "1 shipment(s) asked, 0 new scan(s), 1 failed" in result.output
    assert API_KEY not in result.output


def test_refresh_with_another_secret_key_names_the_account_to_set_again(
    uow, cli_env, now_clock, monkeypatch
):
    _, ret = labelled_return(uow, now_clock)
    monkeypatch.setenv("RETOUR_SECRET_KEY", "changed-" + "x" * 40)
    get_settings.cache_clear()

    result = runner.invoke(app, ["shipments", "refresh"])

    assert (result.exit_code, type(result.exception)) == (1, SystemExit)
    assert result.output == (
        f"{ret.number} easypost EZ0000000001: the store's easypost account's API key cannot "
        "be read: RETOUR_SECRET_KEY has changed since it was set; set it again (Settings → "
        "Carriers, or `retour shipments account-set easypost`)\n"
        "1 shipment(s) asked, 0 new scan(s), 1 failed\n"
    )
    assert API_KEY not in result.output


def test_secrets_seal_seals_every_plain_credential_once(uow, cli_env, now_clock):
    carriers = carriers_from_settings(get_settings())
    for slug, changes in [
        ("acme", shipments.AccountChanges(api_key=API_KEY, webhook_secret="whsec_1")),
        ("other", shipments.AccountChanges(api_key=OTHER_KEY)),
    ]:
        store_id = make_store(uow, now_clock, slug=slug)
        shipments.set_carrier_account(uow, carriers, store_id, "easypost", changes,
                                      now_clock.now())  # fmt: skip
    acme, other = [row[0] for row in stored_credentials(uow)]
    store_plain(uow, acme, API_KEY, "whsec_1")
    store_plain(uow, other, OTHER_KEY, "")
    assert stored_credentials(uow) == [(acme, API_KEY, "whsec_1"), (other, OTHER_KEY, "")]

    first = runner.invoke(app, ["secrets", "seal"])
    again = runner.invoke(app, ["secrets", "seal"])

    assert (first.exit_code, first.output) == (0, "3 stored credential(s) sealed\n")
    assert (again.exit_code, again.output) == (0, "0 stored credential(s) sealed\n")
    rows = [row[1:] for row in stored_credentials(uow)]
    assert [(key[:10], secret[:10]) for key, secret in rows] == [
        ("sealed:v1:", "sealed:v1:"), ("sealed:v1:", "")]  # fmt: skip
    opened = [tuple(carriers.sealer.open(value) for value in row) for row in rows]
    assert opened == [(API_KEY, "whsec_1"), (OTHER_KEY, "")]


def test_void_expired_voids_a_label_that_expired_unused_then_finds_none(uow, cli_env, easypost):
    long_ago = FixedClock(datetime.now(UTC).replace(microsecond=0) - timedelta(days=400))
    labelled_return(uow, long_ago)

    first = runner.invoke(app, ["shipments", "void-expired"])
    again = runner.invoke(app, ["shipments", "void-expired"])

    assert (first.exit_code, first.output) == (0, "1 expired label(s) voided, 0 failed\n")
    assert (again.exit_code, again.output) == (0, "0 expired label(s) voided, 0 failed\n")
    assert easypost.requests[-1][:2] == ("POST", "/v2/shipments/shp_0001/refund")

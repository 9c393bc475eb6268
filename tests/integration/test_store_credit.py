"""Store credit against a real database: issue, redeem, replay, lapse, expire, statements."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update
from typer.testing import CliRunner

from retour.cli import app
from retour.db.models import Event, Store, StoreCreditAccount, StoreCreditEntry
from retour.domain.errors import InvalidRequest, QuantityExceeded
from retour.services.context import SYSTEM, Actor
from retour.services.errors import IdempotencyMismatch, NotFound
from retour.services.store_credit import expiry
from retour.services.store_credit.expiry import ExpiryRun, expire_lapsed_credit
from retour.services.store_credit.issuing import issue_credit
from retour.services.store_credit.queries import credit_balance, customer_statement
from retour.services.store_credit.spending import adjust_credit, grant_credit, redeem_credit
from retour.settings import get_settings
from tests.conftest import START
from tests.factories import STAFF, make_store

CHECKOUT = Actor("api_key", "shop")


@pytest.fixture
def store_id(uow, clock):
    return make_store(uow, clock)


def issue(uow, store_id, now, amount, expiry_days=None, email="sam@example.com", currency="EUR"):
    """Credit as a refund issues it; returns the account's code."""
    with uow:
        entry = issue_credit(
            uow,
            store_id=store_id,
            customer_email=email,
            currency=currency,
            amount=amount,
            actor=STAFF,
            now=now,
            reason="refund of R-100001",
            expiry_days=expiry_days,
        )
        code = uow.session.get_one(StoreCreditAccount, entry.account_id).code
        uow.commit()
    return code


@pytest.fixture
def code(uow, store_id, clock):
    """10,000 cents that never lapse."""
    return issue(uow, store_id, clock.now(), 10_000)


def entries(uow, code):
    with uow:
        account = uow.session.scalars(
            select(StoreCreditAccount).where(StoreCreditAccount.code == code)
        ).one()
        rows = uow.session.scalars(
            select(StoreCreditEntry)
            .where(StoreCreditEntry.account_id == account.id)
            .order_by(StoreCreditEntry.id)
        )
        return [(row.kind, row.amount) for row in rows]


def credit_events(uow):
    with uow:
        rows = uow.session.scalars(
            select(Event).where(Event.name.like("store_credit.%")).order_by(Event.id)
        )
        return [(row.name, row.actor, row.payload) for row in rows]


def redeem(uow, store_id, code, amount, now, key=None, reference="order #5001"):
    return redeem_credit(uow, store_id, code, amount, reference, key, CHECKOUT, now)


def test_issued_credit_shows_its_balance_and_lot(uow, store_id, clock):
    code = issue(uow, store_id, clock.now(), 4_000, expiry_days=365)
    view = credit_balance(uow, store_id, code.lower(), clock.now())
    assert (view.code, view.customer_email, view.currency) == (code, "sam@example.com", "EUR")
    assert (view.balance, view.spendable) == (4_000, 4_000)
    assert [(lot.issued, lot.remaining, lot.expires_at, lot.is_lapsed) for lot in view.lots] == [
        (4_000, 4_000, START + timedelta(days=365), False)
    ]
    assert code.startswith("SC-") and len(code) == 17


def test_redeeming_writes_a_negative_entry_and_an_event(uow, store_id, code, clock):
    recorded = redeem(uow, store_id, code, 2_500, clock.now())
    assert (recorded.entry.kind, recorded.entry.amount, recorded.balance_after) == (
        "redeem",
        -2_500,
        7_500,
    )
    assert recorded.entry.reference == "order #5001"
    assert entries(uow, code) == [("issue", 10_000), ("redeem", -2_500)]
    assert credit_events(uow)[-1] == (
        "store_credit.redeemed",
        "api_key:shop",
        {
            "code": code,
            "customer_email": "sam@example.com",
            "currency": "EUR",
            "amount": 2_500,
            "reference": "order #5001",
            "balance_after": 7_500,
        },
    )
    assert credit_balance(uow, store_id, code, clock.now()).balance == 7_500


def test_the_same_idempotency_key_gives_back_the_first_redemption(uow, store_id, code, clock):
    first = redeem(uow, store_id, code, 3_000, clock.now(), key="checkout-77")
    clock.current += timedelta(minutes=5)
    again = redeem(uow, store_id, code, 3_000, clock.now(), key="checkout-77")
    assert (again.entry.id, again.entry.created_at, again.balance_after) == (
        first.entry.id,
        START,
        7_000,
    )
    assert entries(uow, code) == [("issue", 10_000), ("redeem", -3_000)]
    assert [name for name, _, _ in credit_events(uow)] == [
        "store_credit.issued",
        "store_credit.redeemed",
    ]


@pytest.mark.parametrize(("amount", "reference"), [(2_000, "order #5001"), (3_000, "order #5002")])
def test_the_same_key_for_another_redemption_is_refused(
    uow, store_id, code, clock, amount, reference
):
    redeem(uow, store_id, code, 3_000, clock.now(), key="checkout-77")
    with pytest.raises(IdempotencyMismatch):
        redeem(uow, store_id, code, amount, clock.now(), key="checkout-77", reference=reference)
    assert entries(uow, code) == [("issue", 10_000), ("redeem", -3_000)]


def test_redeeming_more_than_the_balance_is_refused_with_the_maximum(uow, store_id, code, clock):
    redeem(uow, store_id, code, 6_000, clock.now())
    with pytest.raises(QuantityExceeded) as refused:
        redeem(uow, store_id, code, 4_001, clock.now())
    assert (refused.value.field, refused.value.maximum) == ("amount", 4_000)
    assert entries(uow, code) == [("issue", 10_000), ("redeem", -6_000)]
    assert len(credit_events(uow)) == 2
    assert redeem(uow, store_id, code, 4_000, clock.now()).balance_after == 0


def test_lapsed_credit_cannot_be_redeemed(uow, store_id, clock):
    code = issue(uow, store_id, clock.now(), 5_000, expiry_days=30)
    issue(uow, store_id, clock.now(), 3_000)
    redeem(uow, store_id, code, 1_000, clock.now())  # from the lot that lapses
    clock.current += timedelta(days=30)

    view = credit_balance(uow, store_id, code, clock.now())
    assert (view.balance, view.spendable) == (7_000, 3_000)
    assert [(lot.remaining, lot.is_lapsed) for lot in view.lots] == [(4_000, True), (3_000, False)]
    with pytest.raises(QuantityExceeded) as refused:
        redeem(uow, store_id, code, 3_001, clock.now())
    assert refused.value.maximum == 3_000
    # A refusal writes nothing, not even the write-off (the expiry job will).
    assert entries(uow, code) == [("issue", 5_000), ("issue", 3_000), ("redeem", -1_000)]

    recorded = redeem(uow, store_id, code, 3_000, clock.now())
    assert recorded.balance_after == 0
    assert entries(uow, code)[3:] == [("expire", -4_000), ("redeem", -3_000)]
    last_two = credit_events(uow)[-2:]
    assert [(name, actor, payload["balance_after"]) for name, actor, payload in last_two] == [
        ("store_credit.expired", str(SYSTEM), 3_000),
        ("store_credit.redeemed", "api_key:shop", 0),
    ]


def test_a_code_of_another_store_is_not_found(uow, store_id, code, clock):
    other = make_store(uow, clock, slug="other")
    with pytest.raises(NotFound):
        redeem(uow, other, code, 100, clock.now())
    with pytest.raises(NotFound):
        credit_balance(uow, other, code, clock.now())
    assert entries(uow, code) == [("issue", 10_000)]


# -- staff: adjustments and goodwill -----------------------------------------------------------


def adjust(uow, store_id, code, amount, now, reason="parcel lost", key=None, days=None):
    return adjust_credit(uow, store_id, code, amount, reason, key, STAFF, now, days)


def test_adjustments_move_credit_both_ways_with_a_reason(uow, store_id, code, clock):
    down = adjust(uow, store_id, code, -1_500, clock.now(), reason="double refund")
    up = adjust(uow, store_id, code, 500, clock.now(), reason="apology", days=10)
    assert (down.entry.amount, down.balance_after, down.entry.reason) == (
        -1_500,
        8_500,
        "double refund",
    )
    assert (up.entry.amount, up.balance_after, up.entry.expires_at) == (
        500,
        9_000,
        START + timedelta(days=10),
    )
    assert [payload["amount"] for name, _, payload in credit_events(uow)[1:]] == [-1_500, 500]
    assert {name for name, _, _ in credit_events(uow)[1:]} == {"store_credit.adjusted"}


def test_a_negative_adjustment_takes_at_most_the_spendable_balance(uow, store_id, code, clock):
    with pytest.raises(QuantityExceeded) as refused:
        adjust(uow, store_id, code, -10_001, clock.now())
    assert (refused.value.field, refused.value.maximum) == ("amount", 10_000)
    assert entries(uow, code) == [("issue", 10_000)]


@pytest.mark.parametrize(
    ("amount", "reason", "days", "field"),
    [
        (100, "  ", None, "reason"),
        (0, "typo", None, "amount"),
        (-100, "typo", 30, "expires_in_days"),
    ],
)
def test_invalid_adjustments_name_the_field(
    uow, store_id, code, clock, amount, reason, days, field
):
    with pytest.raises(InvalidRequest) as refused:
        adjust(uow, store_id, code, amount, clock.now(), reason=reason, days=days)
    assert refused.value.field == field
    assert entries(uow, code) == [("issue", 10_000)]


def test_positive_adjustments_lapse_after_the_stores_default(uow, store_id, code, clock):
    with uow:
        uow.session.execute(update(Store).values(store_credit_expiry_days=90))
        uow.commit()
    recorded = adjust(uow, store_id, code, 700, clock.now())
    assert recorded.entry.expires_at == START + timedelta(days=90)


def test_goodwill_credit_opens_an_account_for_the_email(uow, store_id, clock):
    granted = grant_credit(
        uow, store_id, " Ann@Example.com ", "jpy", 1_500, "late parcel", STAFF, clock.now(), 60
    )
    account = granted.account
    assert (account.customer_email, account.currency, granted.balance_after) == (
        "ann@example.com",
        "JPY",
        1_500,
    )
    assert (granted.entry.kind, granted.entry.reason, granted.entry.expires_at) == (
        "issue",
        "late parcel",
        START + timedelta(days=60),
    )
    again = grant_credit(uow, store_id, "ann@example.com", "JPY", 500, "sorry", STAFF, clock.now())
    assert (again.account.code, again.balance_after, again.entry.expires_at) == (
        account.code,
        2_000,
        None,
    )
    assert credit_events(uow)[0][2]["reason"] == "late parcel"


@pytest.mark.parametrize(
    ("email", "currency", "reason", "field"),
    [
        ("ann.example.com", "EUR", "late", "customer_email"),
        ("ann@example", "EUR", "late", "customer_email"),
        ("ann@example.com", "EURO", "late", "currency"),
        ("ann@example.com", "EUR", "", "reason"),
    ],
)
def test_goodwill_credit_refuses_bad_input_naming_the_field(
    uow, store_id, clock, email, currency, reason, field
):
    with pytest.raises(InvalidRequest) as refused:
        grant_credit(uow, store_id, email, currency, 1_000, reason, STAFF, clock.now())
    assert refused.value.field == field
    with uow:
        assert uow.session.scalars(select(StoreCreditAccount)).all() == []


# -- the expiry job and statements -------------------------------------------------------------


def test_the_expiry_job_writes_off_lapsed_credit_only(uow, store_id, clock, monkeypatch):
    monkeypatch.setattr(expiry, "BATCH_SIZE", 2)  # several batches
    other = make_store(uow, clock, slug="other")
    lapsing = issue(uow, store_id, clock.now(), 5_000, expiry_days=10, email="a@example.com")
    redeem(uow, store_id, lapsing, 1_200, clock.now())
    spent = issue(uow, store_id, clock.now(), 2_000, expiry_days=10, email="b@example.com")
    redeem(uow, store_id, spent, 2_000, clock.now())
    lasting = issue(uow, store_id, clock.now(), 3_000, expiry_days=90, email="c@example.com")
    never = issue(uow, store_id, clock.now(), 1_000, email="d@example.com")
    mixed = issue(uow, other, clock.now(), 700, expiry_days=5, email="a@example.com")
    issue(uow, other, clock.now(), 800, email="a@example.com")
    yen = issue(uow, other, clock.now(), 9_000, expiry_days=10, currency="JPY")
    clock.current += timedelta(days=10)

    progress: list[tuple[int, int]] = []
    run = expire_lapsed_credit(uow, clock.now(), lambda r: progress.append((r.checked, r.accounts)))
    assert run == ExpiryRun(checked=3, accounts=3, amounts={"EUR": 3_800 + 700, "JPY": 9_000})
    assert progress == [(1, 1), (2, 2), (3, 3)]
    assert entries(uow, lapsing)[-1] == ("expire", -3_800)
    assert entries(uow, mixed) == [("issue", 700), ("issue", 800), ("expire", -700)]
    assert entries(uow, yen)[-1] == ("expire", -9_000)
    for untouched in (spent, lasting, never):
        assert "expire" not in [kind for kind, _ in entries(uow, untouched)]
    expired = [payload for name, _, payload in credit_events(uow) if name.endswith("expired")]
    assert [(p["code"], p["amount"], p["balance_after"]) for p in expired] == [
        (lapsing, 3_800, 0),
        (mixed, 700, 800),
        (yen, 9_000, 0),
    ]

    assert expire_lapsed_credit(uow, clock.now()) == ExpiryRun()
    clock.current += timedelta(days=80)
    assert expire_lapsed_credit(uow, clock.now()) == ExpiryRun(1, 1, {"EUR": 3_000})


def test_a_statement_lists_every_account_with_a_running_balance(uow, store_id, code, clock):
    redeem(uow, store_id, code, 2_500, clock.now())
    clock.current += timedelta(days=1)
    adjust(uow, store_id, code, 300, clock.now(), reason="goodwill")
    yen = issue(uow, store_id, clock.now(), 1_000, expiry_days=1, currency="JPY")
    clock.current += timedelta(days=2)

    statement = customer_statement(uow, store_id, "SAM@example.com", clock.now())
    assert statement.customer_email == "sam@example.com"
    eur, jpy = statement.accounts
    assert (eur.code, eur.currency, eur.balance, eur.spendable) == (code, "EUR", 7_800, 7_800)
    assert [(e.kind, e.amount, e.balance_after) for e in eur.entries] == [
        ("issue", 10_000, 10_000),
        ("redeem", -2_500, 7_500),
        ("adjust", 300, 7_800),
    ]
    assert [e.reference for e in eur.entries] == ["", "order #5001", ""]
    assert (jpy.code, jpy.balance, jpy.spendable) == (yen, 1_000, 0)
    assert customer_statement(uow, store_id, "nobody@example.com", clock.now()).accounts == []


# -- the command line --------------------------------------------------------------------------

runner = CliRunner()


@pytest.fixture
def cli_env(settings, session_factory, monkeypatch):
    monkeypatch.setenv("RETOUR_DATABASE_URL", settings.effective_database_url)
    monkeypatch.setenv("RETOUR_DATA_DIR", str(settings.data_dir))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_credit_expire_command_reports_what_lapsed(uow, store_id, cli_env):
    # The command reads the real clock: this credit lapsed a week ago.
    issued_at = datetime.now(UTC) - timedelta(days=40)
    lapsed = issue(uow, store_id, issued_at, 1_250, expiry_days=33)
    issue(uow, store_id, issued_at, 99_000, expiry_days=33, currency="JPY")
    issue(uow, store_id, issued_at, 500, email="z@example.com")
    result = runner.invoke(app, ["credit", "expire"])
    assert result.exit_code == 0, result.output
    assert (
        result.stdout.strip() == "2 account(s) had credit expired: 12.50 EUR, 99000 JPY (2 checked)"
    )
    assert entries(uow, lapsed)[-1] == ("expire", -1_250)
    again = runner.invoke(app, ["credit", "expire"])
    assert again.stdout.strip() == "0 account(s) had credit expired (0 checked)"


def test_credit_balance_command_shows_balance_and_lots(uow, store_id, cli_env):
    issued_at = datetime(2026, 1, 5, tzinfo=UTC)
    code = issue(uow, store_id, issued_at, 4_000, expiry_days=3650)
    redeem(uow, store_id, code, 1_000, issued_at)
    result = runner.invoke(app, ["credit", "balance", code, "--store", "acme"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"{code}  sam@example.com",
        "balance    30.00 EUR",
        "spendable  30.00 EUR",
        "  lot 1: 30.00 EUR of 40.00 EUR, lapses 2036-01-03",
    ]
    unknown = runner.invoke(app, ["credit", "balance", "SC-NOPE", "--store", "acme"])
    assert unknown.exit_code == 1
    assert "store credit code SC-NOPE not found" in unknown.stderr

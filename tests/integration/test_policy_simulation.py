"""What-if simulation on a small history whose deltas are computed by hand (both engines),
through the use case and through `retour policy simulate`.

The history (store in UTC and EUR; each order delivered three days after it was placed):

- R-100001, a shirt (49.00 € + 9.80 € tax) delivered 4 January, asked back on 24 January
  for a refund: 20 days after delivery.
- R-100002, a shirt delivered 13 January, asked back on 20 January for store credit.
- R-100003, socks (5.00 € + 1.00 € tax) delivered 4 February, asked back on 6 February for a
  refund.
- R-100004, on an order in USD: judged by neither policy.

Live: 30 days, 10 % restocking, everything approved. Draft: 14 days, no restocking, a 10 %
store-credit bonus capped at 5.00 €, keep-item below 10.00 €, approval below 50.00 € and
review above. By hand:

| return    | live: fees, refund, bonus, decision | draft                                          |
|-----------|-------------------------------------|------------------------------------------------|
| R-100001  | 4.90, 53.90, 0, approve             | window ended 18 Jan: 0, 0, 0, reject           |
| R-100002  | 4.90, 53.90, 0, approve             | 0, 58.80, 10 % of 58.80 → cap 5.00, review     |
| R-100003  | 0.50, 5.50, 0, approve              | 0, 6.00, 0, approve [small], keep-item offered |
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from typer.testing import CliRunner

from retour.cli import app
from retour.domain.inputs import LineRequest
from retour.domain.lines import Resolution
from retour.domain.policy import InvalidPolicy
from retour.services import returns as use_cases
from retour.services.context import Actor
from retour.services.order_import import OrderImport, import_order
from retour.services.policy.inputs import forget_store_return_rates
from retour.services.policy.simulation import simulate_policy
from retour.services.policy.versions import save_policy
from retour.settings import get_settings
from tests.factories import STAFF, make_store

LIVE = {
    "timezone": "UTC",
    "currency": "EUR",
    "default": {"window_days": 30, "restocking": {"percent": 10}},
    "automation": {"default": "approve"},
}
DRAFT = {
    "timezone": "UTC",
    "currency": "EUR",
    "default": {"window_days": 14},
    "fees": {"store_credit_bonus": {"percent": 10, "cap": 500}},
    "keep_item": {"below_value": 1000},
    "automation": {
        "default": "review",
        "rules": [
            {"id": "small", "decision": "approve", "when": {"return_value": {"below": 5000}}}
        ],
    },
}


@pytest.fixture(autouse=True)
def _fresh_store_rates():
    forget_store_return_rates()


def day(month: int, day_: int) -> datetime:
    return datetime(2026, month, day_, 9, 30, tzinfo=UTC)


def returned_order(uow, store_id, clock, key: str, placed: datetime, asked: datetime,
                   price: int = 4900, currency: str = "EUR",
                   resolution: Resolution = Resolution.REFUND) -> None:  # fmt: skip
    payload: dict[str, Any] = {
        "id": key, "number": f"#{key}", "placed_at": placed.isoformat(), "currency": currency,
        "customer": {"email": f"{key}@example.com"},
        "lines": [{"id": f"{key}-1", "sku": f"SKU-{price}", "title": "Item", "quantity": 1,
                   "unit_price": price, "tax": price // 5}],
        "fulfilments": [{"id": f"{key}-f", "shipped_at": placed.isoformat(),
                         "delivered_at": (placed + timedelta(days=3)).isoformat(),
                         "lines": [{"line_id": f"{key}-1", "quantity": 1}]}],
    }  # fmt: skip
    order = import_order(uow, store_id, OrderImport.model_validate(payload), STAFF, placed).order
    clock.current = asked
    request = use_cases.ReturnRequest(
        order.id, [LineRequest(order.lines[0].id, 1, "too_small")], resolution=resolution
    )
    use_cases.request_return(uow, store_id, request, STAFF, clock.now())


@pytest.fixture
def history(uow, clock):
    store_id = make_store(uow, clock)
    returned_order(uow, store_id, clock, "h1", day(1, 1), day(1, 24))
    returned_order(uow, store_id, clock, "h2", day(1, 10), day(1, 20),
                   resolution=Resolution.STORE_CREDIT)  # fmt: skip
    returned_order(uow, store_id, clock, "h3", day(2, 1), day(2, 6), price=500)
    returned_order(uow, store_id, clock, "h4", day(2, 1), day(2, 7), currency="USD")
    clock.current = day(3, 2)
    save_policy(uow, store_id, LIVE, "", Actor("staff", "owner@acme.test"), clock.now())
    return store_id


def example(number: str, live: Any, draft: Any) -> dict[str, Any]:
    return {"return_id": int(number[2:]) - 100000, "number": number, "live": live, "draft": draft}


EXPECTED = {
    "live_version": 1,
    "since": None,
    "returns_total": 4,
    "returns_evaluated": 3,
    "returns_skipped": 1,
    "lines_evaluated": 3,
    "eligibility": {
        "lines_newly_refused": 1,
        "lines_newly_admitted": 0,
        "returns_newly_refused": {"count": 1, "examples": [example("R-100001", 1, 0)]},
        "returns_newly_admitted": {"count": 0, "examples": []},
        "refusals_live": {},
        "refusals_draft": {"window_ended [default]": 1},
    },
    "fees": {
        "live": 490 + 490 + 50,
        "draft": 0,
        "delta": -1030,
        "examples": [
            example("R-100001", 490, 0),
            example("R-100002", 490, 0),
            example("R-100003", 50, 0),
        ],
    },
    "refunds": {
        "live": 5390 + 5390 + 550,
        "draft": 0 + 5880 + 600,
        "delta": 6480 - 11330,
        "examples": [
            example("R-100001", 5390, 0),
            example("R-100002", 5390, 5880),
            example("R-100003", 550, 600),
        ],
    },
    "store_credit_bonus": {
        "live": 0,
        "draft": 500,
        "delta": 500,
        "examples": [example("R-100002", 0, 500)],
    },
    "automatic_approval": {
        "live": {"approve": 3, "review": 0, "reject": 0, "approval_rate_bp": 10000},
        "draft": {"approve": 1, "review": 1, "reject": 1, "approval_rate_bp": 3333},
        "changes": {
            "count": 2,
            "examples": [
                example("R-100001", "approve", "reject"),
                example("R-100002", "approve", "review"),
            ],
        },
    },
    "keep_item": {
        "live": 0,
        "draft": 1,
        "delta": 1,
        "changes": {"count": 1, "examples": [example("R-100003", False, True)]},
    },
    # Every line of the history was asked back: none is judged as never returned
    # (test_policy_simulation_unreturned.py judges some).
    "unreturned_lines": {
        "lines_total": 0,
        "lines_evaluated": 0,
        "lines_skipped": 0,
        "eligible": {"live": 0, "draft": 0, "delta": 0},
        "becoming_eligible": {"count": 0, "examples": []},
        "no_longer_eligible": {"count": 0, "examples": []},
        "refusals_live": {},
        "refusals_draft": {},
    },
}


def test_the_draft_against_the_live_policy_gives_the_hand_computed_deltas(uow, history):
    seen: list[tuple[int, int]] = []

    result = simulate_policy(
        uow, history, DRAFT, progress=lambda done, total: seen.append((done, total)),
        chunk_size=2,
    )  # fmt: skip

    assert result.as_json() == EXPECTED
    assert seen == [(0, 4), (2, 4), (4, 4)]


def test_since_leaves_out_the_returns_asked_for_before(uow, history):
    result = simulate_policy(uow, history, DRAFT, datetime(2026, 1, 22, tzinfo=UTC))

    report = result.as_json()
    assert (report["returns_total"], report["returns_evaluated"]) == (3, 2)
    assert report["refunds"]["live"] == 5390 + 550
    assert report["since"] == "2026-01-22T00:00:00+00:00"


def test_a_broken_draft_lists_its_errors_and_nothing_runs(uow, history):
    with pytest.raises(InvalidPolicy) as invalid:
        simulate_policy(uow, history, {**DRAFT, "default": {}}, pointer_prefix="/policy")

    assert invalid.value.errors == (("/policy/default/window_days", "is required"),)


@pytest.fixture
def cli_env(settings, monkeypatch):
    monkeypatch.setenv("RETOUR_DATABASE_URL", settings.effective_database_url)
    monkeypatch.setenv("RETOUR_DATA_DIR", str(settings.data_dir))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_the_command_prints_the_deltas_and_the_json(history, cli_env, tmp_path):
    draft = tmp_path / "draft.json"
    draft.write_text(json.dumps(DRAFT))
    runner = CliRunner()

    text = runner.invoke(app, ["policy", "simulate", str(draft), "--store", "acme"])
    as_json = runner.invoke(app, ["policy", "simulate", str(draft), "--store", "acme", "--json"])
    since = runner.invoke(
        app, ["policy", "simulate", str(draft), "--store", "acme", "--since", "2026-02-01"]
    )
    missing = runner.invoke(app, ["policy", "simulate", str(draft), "--store", "nope"])

    assert text.exit_code == 0, text.output
    assert text.stdout.splitlines() == [
        "3 return(s), 3 line(s) re-decided under the draft and the live version 1 (1 skipped)",
        "eligibility    1 line(s) newly refused, 0 newly admitted; refused: R-100001",
        "fees           10.30 EUR → 0.00 EUR (-10.30 EUR); most changed: R-100001, R-100002, "
        "R-100003",
        "refunds        113.30 EUR → 64.80 EUR (-48.50 EUR); most changed: R-100001, R-100002, "
        "R-100003",
        "bonus cost     0.00 EUR → 5.00 EUR (+5.00 EUR); most changed: R-100002",
        "auto-approved  3 → 1 (100.0 % → 33.3 %); 2 decision(s) change; changed: R-100001, "
        "R-100002",
        "keep-item      0 → 1; changed: R-100003",
        "  draft refuses 1 × window_ended [default]",
        "never returned 0 line(s) asked back on their last day (0 skipped): eligible 0 → 0; "
        "0 become eligible; 0 no longer eligible",
    ]
    assert as_json.exit_code == 0, as_json.output
    assert json.loads(as_json.stdout) == EXPECTED
    assert since.exit_code == 0
    assert since.stdout.startswith("1 return(s), 1 line(s)")
    assert (missing.exit_code, "no store 'nope'" in missing.stderr) == (1, True)


def test_shared_out_between_processes_the_report_is_the_same(uow, history, monkeypatch):
    monkeypatch.setattr("retour.services.policy.simulation.PARALLEL_FROM", 0)
    seen: list[tuple[int, int]] = []

    result = simulate_policy(
        uow, history, DRAFT, processes=2, progress=lambda done, total: seen.append((done, total))
    )

    assert result.as_json() == EXPECTED
    assert (seen[0], seen[-1]) == ((0, 4), (4, 4))

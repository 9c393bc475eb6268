"""What-if on the lines nobody returned, on a small history computed by hand (both engines),
through the use case and through `retour policy simulate`.

The store is in UTC and EUR. Order #o1, placed 1 January and delivered 4 January: a shirt,
shoes, an engraved ring and socks; the socks were asked back on 15 January (R-100001), the other three never
were. Order #o2, placed 10 January: a scarf never shipped. Order #o3, in USD, placed
2 February and delivered 5 February: a cap never returned.

Live: 30 days. Draft: 14 days, shoes 60 days, the ring final sale. By hand, each line asked
back at the last instant of the later of its two windows:

| line          | live window ends | draft window ends | asked on   | live                     | draft                                        |
|---------------|------------------|-------------------|------------|--------------------------|----------------------------------------------|
| #o1 SHIRT-1   | 3 February       | 18 January        | 3 February | eligible [default]       | window ended [default]: no longer eligible   |
| #o1 SHOE-1    | 3 February       | 5 March [shoes]   | 5 March    | window ended [default]   | eligible [shoes]: becomes eligible           |
| #o1 RING-1    | 3 February       | 18 January        | 3 February | eligible [default]       | final sale [engraved], window ended: no longer |
| #o1 SOCK-1    | asked back: judged with the returns, not here                                                               |
| #o2 SCARF-1   | never shipped: not counted                                                                                  |
| #o3 CAP-1     | in USD: counted and skipped                                                                                 |
"""  # noqa: E501

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from typer.testing import CliRunner

from retour.cli import app
from retour.domain.inputs import LineRequest
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
    "default": {"window_days": 30},
    "automation": {"default": "approve"},
}
DRAFT = {
    "timezone": "UTC",
    "currency": "EUR",
    "default": {"window_days": 14},
    "overrides": [{"id": "shoes", "match": {"skus": ["SHOE-1"]}, "window_days": 60}],
    "final_sale": [{"id": "engraved", "skus": ["RING-1"]}],
}


@pytest.fixture(autouse=True)
def _fresh_store_rates():
    forget_store_return_rates()


def day(month: int, day_: int) -> datetime:
    return datetime(2026, month, day_, 9, 30, tzinfo=UTC)


def import_lines(uow, store_id, key: str, placed: datetime, skus: list[str],
                 shipped: list[str], currency: str = "EUR") -> dict[str, int]:  # fmt: skip
    """An order of one unit of each SKU, the `shipped` ones delivered three days after it was
    placed; the order's line ids by SKU."""
    payload: dict[str, Any] = {
        "id": key, "number": f"#{key}", "placed_at": placed.isoformat(), "currency": currency,
        "customer": {"email": f"{key}@example.com"},
        "lines": [{"id": f"{key}-{sku}", "sku": sku, "title": sku, "quantity": 1,
                   "unit_price": 4900, "tax": 980} for sku in skus],
        "fulfilments": [{"id": f"{key}-f", "shipped_at": placed.isoformat(),
                         "delivered_at": (placed + timedelta(days=3)).isoformat(),
                         "lines": [{"line_id": f"{key}-{sku}", "quantity": 1}
                                   for sku in shipped]}],
    }  # fmt: skip
    order = import_order(uow, store_id, OrderImport.model_validate(payload), STAFF, placed).order
    return {"order": order.id, **{line.sku: line.id for line in order.lines}}


@pytest.fixture
def orders(uow, clock):
    store_id = make_store(uow, clock)
    first = import_lines(uow, store_id, "o1", day(1, 1), ["SHIRT-1", "SHOE-1", "RING-1", "SOCK-1"],
                         ["SHIRT-1", "SHOE-1", "RING-1", "SOCK-1"])  # fmt: skip
    import_lines(uow, store_id, "o2", day(1, 10), ["SCARF-1"], [])
    third = import_lines(uow, store_id, "o3", day(2, 2), ["CAP-1"], ["CAP-1"], currency="USD")
    clock.current = day(1, 15)
    request = use_cases.ReturnRequest(
        first["order"], [LineRequest(first["SOCK-1"], 1, "too_small")]
    )
    use_cases.request_return(uow, store_id, request, STAFF, clock.now())
    clock.current = day(3, 2)
    save_policy(uow, store_id, LIVE, "", Actor("staff", "owner@acme.test"), clock.now())
    return {"store_id": store_id, "o1": first, "o3": third}


def judged(eligible: bool, last_day: str, *decided_by: tuple[str, str]) -> dict[str, Any]:
    return {
        "is_eligible": eligible,
        "last_day": last_day,
        "decided_by": [{"code": code, "rule_id": rule} for code, rule in decided_by],
    }


def expected(orders: dict[str, Any]) -> dict[str, Any]:
    first = orders["o1"]

    def line(sku: str, asked_at: str, live: dict[str, Any], draft: dict[str, Any]):
        return {"order_id": first["order"], "order_number": "#o1", "order_line_id": first[sku],
                "sku": sku, "asked_at": asked_at, "live": live, "draft": draft}  # fmt: skip

    end_of_3_february = "2026-02-03T23:59:59.999999+00:00"
    return {
        "lines_total": 4,
        "lines_evaluated": 3,
        "lines_skipped": 1,
        "eligible": {"live": 2, "draft": 1, "delta": -1},
        "becoming_eligible": {"count": 1, "examples": [
            line("SHOE-1", "2026-03-05T23:59:59.999999+00:00",
                 judged(False, "2026-02-03", ("window_ended", "default")),
                 judged(True, "2026-03-05", ("window_open", "shoes"))),
        ]},
        "no_longer_eligible": {"count": 2, "examples": [
            line("SHIRT-1", end_of_3_february,
                 judged(True, "2026-02-03", ("window_open", "default")),
                 judged(False, "2026-01-18", ("window_ended", "default"))),
            line("RING-1", end_of_3_february,
                 judged(True, "2026-02-03", ("window_open", "default")),
                 judged(False, "2026-01-18", ("final_sale", "engraved"),
                        ("window_ended", "default"))),
        ]},
        "refusals_live": {"window_ended [default]": 1},
        "refusals_draft": {"window_ended [default]": 2, "final_sale [engraved]": 1},
    }  # fmt: skip


def test_never_returned_lines_are_judged_on_the_last_day_either_policy_allows(uow, orders):
    seen: list[tuple[int, int]] = []

    result = simulate_policy(
        uow, orders["store_id"], DRAFT, chunk_size=2,
        lines_progress=lambda done, total: seen.append((done, total)),
    )  # fmt: skip

    report = result.as_json()
    assert report["unreturned_lines"] == expected(orders)
    # Read two lines at a time: #o1's three lines are cut across two chunks.
    assert seen == [(0, 4), (2, 4), (4, 4)]
    # The socks were asked back (15 January, in both windows): judged with the returns.
    assert (report["returns_evaluated"], report["lines_evaluated"]) == (1, 1)
    assert report["eligibility"]["lines_newly_refused"] == 0


def test_since_leaves_out_the_lines_of_orders_placed_before(uow, orders):
    result = simulate_policy(uow, orders["store_id"], DRAFT, datetime(2026, 1, 5, tzinfo=UTC))

    unreturned = result.as_json()["unreturned_lines"]
    assert (unreturned["lines_total"], unreturned["lines_evaluated"]) == (1, 0)
    assert (unreturned["lines_skipped"], unreturned["eligible"]) == (
        1,
        {"live": 0, "draft": 0, "delta": 0},
    )


def test_the_customers_return_limit_as_it_would_stand_refuses_the_line(uow, orders):
    # #o1's customer asked for one return (15 January); at most one in 90 days. Both
    # policies give 30 days: each line is asked back at the end of 3 February.
    draft = {**LIVE, "limits": {"returns_per_customer": {"max_returns": 1, "days": 90}}}

    unreturned = simulate_policy(uow, orders["store_id"], draft).as_json()["unreturned_lines"]

    assert unreturned["eligible"] == {"live": 3, "draft": 0, "delta": -3}
    assert unreturned["refusals_draft"] == {"customer_limit [returns_per_customer]": 3}
    assert [line["sku"] for line in unreturned["no_longer_eligible"]["examples"]] == [
        "SHIRT-1",
        "SHOE-1",
        "RING-1",
    ]


@pytest.fixture
def cli_env(settings, monkeypatch):
    monkeypatch.setenv("RETOUR_DATABASE_URL", settings.effective_database_url)
    monkeypatch.setenv("RETOUR_DATA_DIR", str(settings.data_dir))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_the_command_prints_the_never_returned_lines(orders, cli_env, tmp_path):
    draft = tmp_path / "draft.json"
    draft.write_text(json.dumps(DRAFT))
    runner = CliRunner()

    text = runner.invoke(app, ["policy", "simulate", str(draft), "--store", "acme"])
    as_json = runner.invoke(app, ["policy", "simulate", str(draft), "--store", "acme", "--json"])

    assert text.exit_code == 0, text.output
    assert text.stdout.splitlines()[-3:] == [
        "never returned 3 line(s) asked back on their last day (1 skipped): eligible 2 → 1; "
        "1 become eligible (#o1 SHOE-1); 2 no longer eligible (#o1 SHIRT-1, #o1 RING-1)",
        "  draft refuses 2 never-returned × window_ended [default]",
        "  draft refuses 1 never-returned × final_sale [engraved]",
    ]
    assert as_json.exit_code == 0, as_json.output
    assert json.loads(as_json.stdout)["unreturned_lines"] == expected(orders)

"""The analytics reports over HTTP, on the hand-computed dataset (tests/support/report_dataset.py):
exact figures, the comparison period, refusals naming the field, the streamed CSV."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import httpx
import pytest

from retour.services.reports.export import COLUMNS
from retour.services.stores import create_api_key
from retour.web.api.routes import analytics
from tests.support.report_dataset import build_dataset

FEBRUARY = {"from": "2026-02-01", "to": "2026-02-28"}
JUNE_2025 = {"from": "2025-06-01", "to": "2025-06-30"}


@pytest.fixture
def client(server, uow):
    """A client of the dataset's store (acme, Europe/Paris)."""
    build_dataset(uow)
    key = create_api_key(uow, "acme", "tests", server.clock.now())
    with httpx.Client(
        base_url=f"{server.base_url}/api/v1",
        headers={"Authorization": f"Bearer {key}"},
        timeout=30,
    ) as http:
        yield http


def test_return_rate_by_order_date_with_the_previous_period(client):
    # The 28 days before February are January 4th–31st: O5 and its return R4.
    response = client.get("/reports/return-rate", params={**FEBRUARY, "compare": "true"})

    assert response.status_code == 200
    assert response.json() == {
        "metric": "return_rate",
        "date_from": "2026-02-01",
        "date_to": "2026-02-28",
        "timezone": "Europe/Paris",
        "cohort": "order_date",
        "figures": {
            "orders": 3,
            "returned_orders": 3,
            "order_rate": 1.0,
            "units_sold": 5,
            "units_returned": 4,
            "unit_rate": 0.8,
            "value": [
                {"currency": "EUR", "sold": 21700, "returned": 16800, "rate": 0.7742},
                {"currency": "USD", "sold": 4900, "returned": 4900, "rate": 1.0},
            ],
        },
        "previous": {
            "date_from": "2026-01-04",
            "date_to": "2026-01-31",
            "figures": {
                "orders": 1,
                "returned_orders": 1,
                "order_rate": 1.0,
                "units_sold": 2,
                "units_returned": 2,
                "unit_rate": 1.0,
                "value": [{"currency": "EUR", "sold": 16000, "returned": 16000, "rate": 1.0}],
            },
        },
    }


def test_return_rate_by_return_date_without_comparison(client):
    body = client.get("/reports/return-rate", params={**FEBRUARY, "cohort": "return_date"}).json()

    assert (body["cohort"], body["previous"]) == ("return_date", None)
    assert body["figures"]["value"] == [
        {"currency": "EUR", "sold": 21700, "returned": 27900, "rate": 1.2857},
        {"currency": "USD", "sold": 4900, "returned": 0, "rate": 0.0},
    ]


def test_an_empty_period_has_no_rates_and_no_rows(client):
    rate = client.get("/reports/return-rate", params=JUNE_2025).json()["figures"]
    refunds = client.get("/reports/refund-totals", params=JUNE_2025).json()["figures"]
    timing = client.get("/reports/time-to-refund", params=JUNE_2025).json()["figures"]

    assert (rate["orders"], rate["order_rate"], rate["unit_rate"], rate["value"]) == (
        0,
        None,
        None,
        [],
    )
    assert refunds == []
    assert timing == [
        {"name": "from_request", "count": 0, "median_hours": None, "p90_hours": None},
        {"name": "from_receipt", "count": 0, "median_hours": None, "p90_hours": None},
    ]


def test_reasons_per_sku_and_the_resolution_mix(client):
    reasons = client.get(
        "/reports/reasons", params={**FEBRUARY, "cohort": "return_date", "by": "sku"}
    )
    mix = client.get("/reports/resolutions", params=FEBRUARY).json()["figures"]

    assert reasons.json()["metric"] == "reasons_by_sku"
    assert reasons.json()["figures"] == [
        {"key": "CHINO-32", "label": "CHINO-32 title", "reason_code": "too_small", "returns": 1,
         "units": 2},
        {"key": "CHINO-32", "label": "CHINO-32 title", "reason_code": "defective", "returns": 1,
         "units": 1},
        {"key": "LINEN-M", "label": "LINEN-M title", "reason_code": "too_small", "returns": 1,
         "units": 1},
    ]  # fmt: skip
    assert mix["retained"] == [
        {"currency": "EUR", "returned_value": 16800, "retained_value": 11900, "rate": 0.7083},
        {"currency": "USD", "returned_value": 4900, "retained_value": 0, "rate": 0.0},
    ]


def test_money_reports_keep_currencies_apart(client):
    by_order = {**FEBRUARY, "handling_cost": "250"}
    refunds = client.get("/reports/refund-totals", params=FEBRUARY).json()["figures"]
    costs = client.get("/reports/costs", params=by_order).json()["figures"]

    assert [(r["status"], r["method"], r["currency"], r["amount"]) for r in refunds] == [
        ("succeeded", "original_payment", "EUR", 4500),
        ("succeeded", "original_payment", "USD", 4650),
        ("succeeded", "store_credit", "EUR", 7500),
    ]
    assert costs == {
        "per_currency": [
            {"currency": "EUR", "labels": 1, "label_cost": 650, "fees_collected": 400},
            {"currency": "USD", "labels": 1, "label_cost": 800, "fees_collected": 250},
        ],
        "handled_returns": 1,
        "handling_estimate": 250,
        "handling_currency": "EUR",
    }


def test_timings_outcomes_decisions_and_risk_by_return_date(client):
    params = {**FEBRUARY, "cohort": "return_date"}

    def figures(metric):
        return client.get(f"/reports/{metric}", params=params).json()["figures"]

    assert figures("time-to-refund") == [
        {"name": "from_request", "count": 3, "median_hours": 144.0, "p90_hours": 168.0},
        {"name": "from_receipt", "count": 2, "median_hours": 24.0, "p90_hours": 48.0},
    ]
    assert figures("stage-times")[1] == {
        "name": "approved_to_received", "count": 2, "median_hours": 23.0, "p90_hours": 118.0
    }  # fmt: skip
    assert figures("dispositions") == {
        "totals": [
            {"disposition": "dispose", "currency": "EUR", "units": 1, "value": 7000},
            {"disposition": "restock", "currency": "EUR", "units": 2, "value": 12900},
        ],
        "recovered_by_restocking": {"EUR": 12900},
    }
    assert figures("repeat-returners") == {
        "customers": 2,
        "repeat_customers": 0,
        "share_of_customers": 0.0,
        "value": [{"currency": "EUR", "returned_value": 27900, "repeat_value": 0, "share": 0.0}],
    }
    assert figures("policy-decisions") == [
        {"outcome": "approve", "is_overridden": False, "status": "completed", "returns": 1},
        {"outcome": "reject", "is_overridden": False, "status": "rejected", "returns": 1},
        {"outcome": "review", "is_overridden": True, "status": "received", "returns": 1},
    ]
    assert figures("risk") == [
        {"low": 10, "high": 19, "returns": 1},
        {"low": 80, "high": 89, "returns": 1},
        {"low": 90, "high": 100, "returns": 1},
    ]


def test_anomalies_are_judged_by_return_date_against_the_90_days_before(client):
    body = client.get("/reports/anomalies", params={"from": "2026-06-01", "to": "2026-06-30"})

    assert body.json()["cohort"] == "return_date"
    assert body.json()["figures"] == {
        "baseline_from": "2026-03-03",
        "baseline_to": "2026-05-31",
        "anomalies": [],
    }


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-02-30", "to": "2026-03-01"}, "from"),
        ({"from": "2026-02-01", "to": "March"}, "to"),
        ({"from": "2026-02-01"}, "to"),
        ({**FEBRUARY, "cohort": "ship_date"}, "cohort"),
        ({**FEBRUARY, "compare": "maybe"}, "compare"),
    ],
)
def test_bad_parameters_are_refused_naming_the_field(client, params, field):
    response = client.get("/reports/return-rate", params=params)

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert [error["field"] for error in response.json()["errors"]] == [field]


def test_a_period_running_backwards_or_too_long_is_refused_on_to(client):
    backwards = client.get("/reports/reasons", params={"from": "2026-02-28", "to": "2026-02-01"})
    # 367 days: one more than a report covers.
    too_long = client.get("/reports/risk", params={"from": "2025-01-01", "to": "2026-01-02"})
    csv_backwards = client.get(
        "/reports/returns.csv", params={"from": "2026-02-28", "to": "2026-02-01"}
    )

    assert (backwards.status_code, backwards.json()["field"]) == (422, "to")
    assert (too_long.status_code, too_long.json()["field"]) == (422, "to")
    assert (csv_backwards.status_code, csv_backwards.json()["field"]) == (422, "to")


def test_the_csv_export_is_streamed_one_row_per_return_line(client):
    with client.stream("GET", "/reports/returns.csv", params=FEBRUARY) as response:
        chunks = list(response.iter_text())
        headers = response.headers

    rows = list(csv.reader(io.StringIO("".join(chunks))))
    assert headers["content-type"] == "text/csv; charset=utf-8"
    assert (headers["transfer-encoding"], headers.get("content-length")) == ("chunked", None)
    assert headers["content-disposition"] == (
        'attachment; filename="returns-order_date-2026-02-01-2026-02-28.csv"'
    )
    assert rows[0] == list(COLUMNS)
    assert [(row[1], row[6], row[9], row[13], row[14]) for row in rows[1:]] == [
        ("completed", "LINEN-M", "refund", "EUR", "4900"),
        ("completed", "CHINO-32", "store_credit", "EUR", "7000"),
        ("requested", "LINEN-L", "exchange", "EUR", "4900"),
        ("approved", "LINEN-M", "refund", "USD", "4900"),
        ("rejected", "LINEN-M", "refund", "EUR", "4900"),
    ]
    assert rows[1][2:5] == ["2026-02-05T11:00:00+01:00", rows[1][3], "2026-02-01T00:30:00+01:00"]


def test_an_empty_csv_export_is_the_header_alone(client):
    response = client.get("/reports/returns.csv", params=JUNE_2025)

    assert response.text == ",".join(COLUMNS) + "\n"


def documented(section_start: str) -> str:
    docs = (Path(__file__).parents[2] / "docs" / "metrics.md").read_text(encoding="utf-8")
    return docs.split(section_start, 1)[1]


def test_the_docs_list_every_report_endpoint_and_the_csv_columns():
    table = documented("## The API\n").strip().split("\n\n", 1)[0]
    paths = {line.split("`")[1].split(" ", 1)[1] for line in table.splitlines()[2:]}

    assert paths == {f"/api/v1{route.path}" for route in analytics.router.routes}
    assert documented("```csv\n").split("\n", 1)[0] == ",".join(COLUMNS)

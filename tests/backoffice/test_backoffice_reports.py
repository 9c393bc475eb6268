"""The reports dashboard on the hand-computed dataset (tests/support/report_dataset.py):
store acme in Europe/Paris, February 2026 by return date unless said otherwise."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html import unescape

import pytest
from fastapi.testclient import TestClient

from retour.services.stores import create_staff_user
from tests.backoffice.steps import BASE, PASSWORD, sign_in
from tests.conftest import START, empty_all_tables
from tests.support.report_dataset import Dataset, at, build_dataset
from tests.support.report_rows import Asked, Item

FEBRUARY = "from=2026-02-01&to=2026-02-28"
QUEUE_FEBRUARY = "from=2026-02-01&amp;to=2026-02-28"


@dataclass
class Reporting:
    dataset: Dataset
    staff: Callable[[str], TestClient]


@pytest.fixture
def reporting(backoffice_app, engine, uow) -> Iterator[Reporting]:
    """The dataset's store with an analyst, a warehouse hand and an owner to sign in."""
    empty_all_tables(engine)
    app, clock = backoffice_app
    clock.current = START  # 2026-03-02 10:30 in Paris
    dataset = build_dataset(uow)
    for role in ("analyst", "warehouse", "owner"):
        create_staff_user(
            uow, store_slug="acme", email=f"{role}@acme.test", password=PASSWORD, role=role,
            now=clock.now(),
        )  # fmt: skip
    clients: list[TestClient] = []

    def signed_in(role: str) -> TestClient:
        client = TestClient(app, follow_redirects=False)
        clients.append(client)
        return sign_in(client, f"{role}@acme.test")

    yield Reporting(dataset, signed_in)
    for client in clients:
        client.close()


def rows_of(html: str, heading_id: str) -> list[list[str]]:
    """The text of each body row's cells in the first table after the heading `heading_id`."""
    section = html.split(f'id="{heading_id}"', 1)[1]
    body = section.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [
        [
            unescape(re.sub(r"<[^>]+>", "", cell)).strip()
            for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def test_the_return_rate_against_the_previous_period(reporting):
    page = reporting.staff("analyst").get(f"{BASE}/reports?{FEBRUARY}")

    assert page.status_code == 200
    assert "compared with 2026-01-04 to 2026-01-31" in page.text
    # R1 and R4 asked for in February against O1–O3; January sold O5 and got nothing back.
    assert rows_of(page.text, "rate") == [
        ["By orders", "66.7 % (2 of 3 orders)", "0 % (0 of 1 orders)", "+66.7 pts"],
        ["By units", "80 % (4 of 5 units)", "0 % (0 of 2 units)", "+80 pts"],
        ["By value, EUR", "128.6 % (€279.00 of €217.00)", "0 % (€0.00 of €160.00)", "+128.6 pts"],
        ["By value, USD", "0 % ($0.00 of $49.00)", "–", "–"],
    ]
    assert f'<a href="/backoffice/returns?{QUEUE_FEBRUARY}">66.7 %</a>' in page.text
    assert '<a href="/backoffice/returns?from=2026-01-04&amp;to=2026-01-31">0 %</a>' in page.text


def test_reasons_resolutions_and_products_with_their_links(reporting):
    page = reporting.staff("analyst").get(f"{BASE}/reports?{FEBRUARY}")

    assert rows_of(page.text, "reasons") == [["too small", "2", "3"], ["defective", "1", "1"]]
    assert ">too small</text>" in page.text and ">3 units</text>" in page.text  # the bars
    assert ">defective</text>" in page.text and ">1 unit</text>" in page.text
    assert (
        f'<a href="/backoffice/returns?reason=too_small&amp;{QUEUE_FEBRUARY}">too small</a>'
        in page.text
    )
    assert rows_of(page.text, "resolutions") == [
        ["refund", "EUR", "2", "3", "€209.00"],
        ["store credit", "EUR", "1", "1", "€70.00"],
    ]
    assert "Revenue retained (EUR): <strong>25.1 %</strong> (€70.00 of €279.00 returned)" in (
        page.text
    )
    assert rows_of(page.text, "products") == [
        ["CHINO-32 CHINO-32 title", "3", "1", "300 %", "too small (2)"],
        ["LINEN-M LINEN-M title", "1", "3", "33.3 %", "too small (1)"],
    ]
    assert (
        f'<a href="/backoffice/returns?q=CHINO-32&amp;{QUEUE_FEBRUARY}">CHINO-32</a>' in page.text
    )
    assert (
        f'<a href="/backoffice/returns?q=CHINO-32&amp;reason=too_small&amp;{QUEUE_FEBRUARY}">'
        "too small</a>" in page.text
    )
    assert "No anomalies in this period." in page.text


def test_an_anomaly_links_to_its_returns_and_odd_characters_are_escaped(reporting):
    # Given five February returns of a SKU never returned (nor sold) in the 90 days before.
    rows = reporting.dataset.rows
    rows.product("tee", "Tops", ["TEE<&>"])
    for day in range(2, 7):
        order = rows.order(at(2, day, 12), [Item("TEE<&>", 1, 1500)])
        rows.return_(order, at(2, day + 10, 12), [Asked(0, 1, "too_small", "refund")])

    page = reporting.staff("analyst").get(f"{BASE}/reports?{FEBRUARY}")

    # Expected 0.5 × 28 / 90 returns (no baseline sales: per day): 5 is 32.14 times that.
    assert rows_of(page.text, "anomalies") == [
        ["TEE<&> TEE<&> title", "too small", "5", "0.16", "32.14×"]
    ]
    link = f"/backoffice/returns?q=TEE%3C%26%3E&amp;reason=too_small&amp;{QUEUE_FEBRUARY}"
    assert f'<a href="{link}">5</a>' in page.text
    assert rows_of(page.text, "products")[0] == [
        "TEE<&> TEE<&> title", "5", "5", "100 %", "too small (5)",
    ]  # fmt: skip
    assert ">TEE&lt;&amp;&gt;</text>" in page.text  # the bar's label in the SVG
    assert "TEE<&>" not in page.text


def test_the_rate_over_time_has_a_row_and_a_link_per_day(reporting):
    page = reporting.staff("analyst").get(f"{BASE}/reports?{FEBRUARY}")

    rows = rows_of(page.text, "over-time")
    assert len(rows) == 28
    assert rows[0] == ["2026-02-01", "1", "0", "0 %"]  # O1, at 00:30 in Paris
    assert rows[4] == ["2026-02-05", "0", "1", "–"]  # R1 asked for; nothing sold that day
    assert rows[27] == ["2026-02-28", "1", "0", "0 %"]  # O3; R3 is on March 1st in Paris
    assert '<a href="/backoffice/returns?from=2026-02-05&amp;to=2026-02-05">1</a>' in page.text
    assert '<svg xmlns="http://www.w3.org/2000/svg" role="img"' in page.text
    assert "<title>Return rate by orders, 2026-02-01 to 2026-02-28</title>" in page.text


def test_by_order_date_counts_the_returns_of_februarys_orders(reporting):
    page = reporting.staff("owner").get(f"{BASE}/reports?{FEBRUARY}&cohort=order_date")

    assert page.status_code == 200
    # O1–O3 each got a return (R1, R2, R3); January's O5 got R4.
    assert rows_of(page.text, "rate")[0] == [
        "By orders", "100 % (3 of 3 orders)", "100 % (1 of 1 orders)", "0 pts",
    ]  # fmt: skip
    assert '<option value="order_date" selected>by order date</option>' in page.text


def test_the_dashboard_opens_on_the_last_30_days_in_store_time(reporting):
    page = reporting.staff("analyst").get(f"{BASE}/reports")

    assert page.status_code == 200
    assert 'name="from" type="date" value="2026-02-01"' in page.text
    assert 'name="to" type="date" value="2026-03-02"' in page.text
    assert "2026-02-01 to 2026-03-02 (30 days, Europe/Paris)" in page.text


def test_an_empty_period_says_so(reporting):
    page = reporting.staff("analyst").get(f"{BASE}/reports?from=2025-06-01&to=2025-06-30")

    assert page.status_code == 200
    assert "Nothing was sold or returned between 2025-06-01 and 2025-06-30." in page.text
    assert 'id="rate"' not in page.text
    assert "<svg" not in page.text


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("from=2026-02-30&to=2026-03-01", "from", "from must be a date like 2026-03-31"),
        ("from=2026-02-01&to=March", "to", "to must be a date like 2026-03-31"),
        ("from=2026-02-10&to=2026-02-01", "to", "`to` must not be before `from`"),
        (f"{FEBRUARY}&cohort=weekly", "cohort", "cohort must be return_date or order_date"),
    ],
)
def test_a_bad_period_is_refused_next_to_its_field(reporting, query, field, message):
    page = reporting.staff("analyst").get(f"{BASE}/reports?{query}")

    assert page.status_code == 400
    assert f'<p class="field-error" id="{field}-error">{unescape(message)}</p>' in unescape(
        page.text
    )
    assert f'aria-invalid="true" aria-describedby="{field}-error"' in page.text
    assert 'id="rate"' not in page.text


def test_the_warehouse_may_not_see_reports(reporting):
    warehouse = reporting.staff("warehouse")

    page = warehouse.get(f"{BASE}/reports?{FEBRUARY}")
    bad_date = warehouse.get(f"{BASE}/reports?from=nope")

    assert (page.status_code, bad_date.status_code) == (403, 403)
    assert "the warehouse role may not view reports" in page.text
    assert "66.7 %" not in page.text
    assert f'href="{BASE}/reports"' not in warehouse.get(BASE).text


def test_the_navigation_links_reports_for_the_analyst(reporting):
    home = reporting.staff("analyst").get(BASE)

    assert f'<li><a href="{BASE}/reports">Reports</a></li>' in home.text


def test_the_stylesheet_is_served(reporting):
    sheet = reporting.staff("analyst").get(f"{BASE}/reports.css")

    assert sheet.status_code == 200
    assert sheet.headers["content-type"].startswith("text/css")
    assert ".chart-with-table" in sheet.text

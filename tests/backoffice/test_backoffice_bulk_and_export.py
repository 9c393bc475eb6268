"""From the queue: approve or reject the ticked returns at once, and export the filter as CSV."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from retour.db.models import Event, ReturnRow
from tests.backoffice.steps import BASE, act, csrf_of
from tests.backoffice.test_backoffice_returns import more_returns


def versions_on_queue(html: str) -> dict[str, str]:
    return dict(re.findall(r'name="seen-(R-\d+)" value="([^"]+)"', html))


def decide(client, numbers: list[str], decision: str, confirm: bool = True, **fields: str):
    queue = client.get(f"{BASE}/returns?status=requested")
    seen = versions_on_queue(queue.text)
    data: dict[str, object] = {
        "csrf": csrf_of(client, f"{BASE}/returns"),
        "decision": decision,
        "number": numbers,
        "back": "/backoffice/returns?status=requested",
        **{f"seen-{number}": seen.get(number, "") for number in numbers},
        **fields,
    }
    if confirm:
        data["confirm"] = "yes"
    return client.post(f"{BASE}/returns/bulk", data=data)


def statuses(uow, numbers: list[str]) -> list[str]:
    with uow:
        found = dict(
            uow.session.execute(
                select(ReturnRow.number, ReturnRow.status).where(ReturnRow.number.in_(numbers))
            ).all()
        )
    return [found[number] for number in numbers]


def test_approving_the_ticked_returns_with_one_message(shop, uow):
    numbers = [shop.requested, *more_returns(uow, shop, 2)]
    client = shop.staff("agent")
    done = decide(client, numbers[:2], "approve", message="Pack it well, please.")
    assert done.status_code == 200
    assert "<h1>2 returns approved</h1>" in done.text
    assert 'href="/backoffice/returns?status=requested">Back to the returns' in done.text
    assert statuses(uow, numbers) == ["approved", "approved", "requested"]
    with uow:
        messages = uow.session.scalars(
            select(ReturnRow.staff_message).where(ReturnRow.number.in_(numbers[:2]))
        ).all()
        actors = uow.session.scalars(
            select(Event.actor).where(Event.name == "return.approved").order_by(Event.id)
        ).all()
    assert messages == ["Pack it well, please.", "Pack it well, please."]
    assert actors == ["staff:agent@acme.test", "staff:agent@acme.test"]


def test_a_return_that_cannot_be_decided_is_reported_and_the_others_go_ahead(shop, uow):
    numbers = [shop.requested, *more_returns(uow, shop, 1)]
    client = shop.staff("agent")
    queue = client.get(f"{BASE}/returns?status=requested")
    shop.clock.current += timedelta(minutes=1)
    assert act(client, numbers[0], "cancel", confirm="yes").status_code == 303
    seen = versions_on_queue(queue.text)  # the queue as it was before the cancellation
    data = {
        "csrf": csrf_of(client, f"{BASE}/returns"), "decision": "reject", "confirm": "yes",
        "number": numbers, "message": "Worn", **{f"seen-{n}": seen[n] for n in numbers},
    }  # fmt: skip
    done = client.post(f"{BASE}/returns/bulk", data=data)
    assert done.status_code == 200
    assert "<h1>1 return rejected</h1>" in done.text
    assert "<h2>Not rejected (1)</h2>" in done.text
    assert f"{numbers[0]}</a>: Return {numbers[0]} changed since this page was loaded" in done.text
    assert statuses(uow, numbers) == ["cancelled", "rejected"]


def test_nothing_is_decided_without_the_confirmation_box_or_a_tick(shop, uow):
    client = shop.staff("agent")
    unconfirmed = decide(client, [shop.requested], "approve", confirm=False)
    assert unconfirmed.status_code == 400
    assert "Tick the box to confirm that you want to approve every ticked return." in (
        unconfirmed.text
    )
    nothing = decide(client, [], "approve")
    assert nothing.status_code == 400
    assert "Tick at least one return." in nothing.text
    unknown = decide(client, [shop.requested], "archive")
    assert unknown.status_code == 400
    assert "decision cannot be &#39;archive&#39;" in unknown.text
    assert statuses(uow, [shop.requested]) == ["requested"]


def test_roles_that_may_not_review_see_no_bulk_form_and_are_refused(shop, uow):
    for role in ("warehouse", "analyst"):
        client = shop.staff(role)
        assert 'action="/backoffice/returns/bulk"' not in client.get(f"{BASE}/returns").text
        refused = decide(client, [shop.requested], "approve")
        assert refused.status_code == 403
    assert statuses(uow, [shop.requested]) == ["requested"]
    assert 'action="/backoffice/returns/bulk"' in shop.staff("agent").get(f"{BASE}/returns").text


def test_another_stores_return_cannot_be_decided_from_here(shop, uow):
    done = decide(shop.staff("owner"), [shop.other_stores], "approve")
    assert "<h1>0 returns approved</h1>" in done.text
    assert f"{shop.other_stores}</a>: return {shop.other_stores} not found" in done.text
    assert statuses(uow, [shop.other_stores]) == ["requested"]


def test_the_export_streams_every_return_of_the_filter_as_csv(shop, uow):
    numbers = [shop.requested, *more_returns(uow, shop, 3)]
    client = shop.staff("analyst")
    assert act(shop.staff("agent"), numbers[1], "approve").status_code == 303
    exported = client.get(f"{BASE}/returns.csv?status=requested&sort=oldest")
    assert exported.status_code == 200
    assert exported.headers["content-type"] == "text/csv; charset=utf-8"
    assert exported.headers["content-disposition"] == (
        'attachment; filename="returns-2026-03-02.csv"'
    )
    lines = exported.text.splitlines()
    assert lines[0] == (
        "return_number,status,requested_at,customer_email,order_number,units,resolution,"
        "return_method,risk_score,refund_status"
    )
    assert [line.split(",")[0] for line in lines[1:]] == [numbers[0], numbers[2], numbers[3]]
    assert lines[1] == (
        f"{numbers[0]},requested,2026-03-02T09:30:00+00:00,shopper@example.com,#1001,3,"
        "refund,ship_yourself,,none"
    )


def test_the_export_link_keeps_the_filter_and_a_bad_filter_is_refused(shop):
    client = shop.staff("agent")
    queue = client.get(f"{BASE}/returns?status=requested&q=shopper%40example.com")
    assert 'href="/backoffice/returns.csv?status=requested&amp;q=shopper%40example.com&amp;"' in (
        queue.text
    )
    refused = client.get(f"{BASE}/returns.csv?status=lost")
    assert refused.status_code == 400
    assert "status cannot be &#39;lost&#39;" in refused.text

"""A return staff open for a shopper: find the order, choose items, reason, resolution and
method; the policy decides, and its refusal can be overridden with a reason."""

from __future__ import annotations

import re

from sqlalchemy import select

from retour.db.models import ReturnLineRow, ReturnRow
from tests.backoffice.steps import BASE, csrf_of
from tests.factories import import_sample_order
from tests.portal.test_portal_pages import with_policy

FINAL_SALE = {
    "timezone": "UTC",
    "currency": "EUR",
    "default": {"window_days": 30},
    "final_sale": [{"id": "linen-final", "skus": ["LINEN-M"]}],
}


def open_for(client, order_id: int, **fields: str):
    path = f"{BASE}/returns/new/{order_id}"
    data = {"csrf": csrf_of(client, f"{BASE}/login"), "reason": "too_small",
            "resolution": "refund", "method": "ship_yourself"}  # fmt: skip
    return client.post(path, data=data | fields)


def test_an_agent_finds_the_order_and_opens_a_return_for_the_shopper(shop, uow):
    order = import_sample_order(uow, shop.store_id, shop.clock, platform_id="6001").order
    agent = shop.staff("agent")
    assert (
        'href="/backoffice/returns/new">New return for a shopper'
        in agent.get(f"{BASE}/returns").text
    )
    page = agent.get(f"{BASE}/returns/new?order=%236001")
    assert page.status_code == 200
    _shirt_m, shirt_l = re.findall(r'name="units-(\d+)"', page.text)
    opened = open_for(
        agent, order.id, resolution="store_credit", note="Called the shop",
        **{f"units-{shirt_l}": "1"},
    )  # fmt: skip
    assert opened.status_code == 303
    number = opened.headers["location"].split("/")[-1].split("?")[0]
    assert opened.headers["location"] == f"{BASE}/returns/{number}?done=created"
    with uow:
        row = uow.session.scalars(select(ReturnRow).where(ReturnRow.number == number)).one()
        lines = uow.session.execute(
            select(ReturnLineRow.sku, ReturnLineRow.requested_quantity).where(
                ReturnLineRow.return_id == row.id
            )
        ).all()
    assert (row.status, row.resolution, row.customer_note) == (
        "requested", "store_credit", "Called the shop",
    )  # fmt: skip
    assert lines == [("LINEN-L", 1)]


def test_a_policy_refusal_names_why_and_an_override_with_a_reason_opens_it(shop, uow):
    with_policy(uow, shop.clock, FINAL_SALE)
    order = import_sample_order(uow, shop.store_id, shop.clock, platform_id="6002").order
    agent = shop.staff("agent")
    page = agent.get(f"{BASE}/returns/new?order=6002").text
    shirt_m = re.findall(r'name="units-(\d+)"', page)[0]
    refused = open_for(agent, order.id, **{f"units-{shirt_m}": "1"})
    assert refused.status_code == 400
    assert 'id="override" name="override" value="" aria-describedby="new-error"' in refused.text
    overridden = open_for(
        agent, order.id, override="Goodwill: faulty seam", **{f"units-{shirt_m}": "1"}
    )
    assert overridden.status_code == 303
    with uow:
        decision = uow.session.scalar(
            select(ReturnRow.policy_decision).where(ReturnRow.order_id == order.id)
        )
    assert decision["override"]["reason"] == "Goodwill: faulty seam"


def test_unknown_orders_and_bad_choices_are_refused_next_to_the_field(shop, uow):
    agent = shop.staff("agent")
    unknown = agent.get(f"{BASE}/returns/new?order=9999")
    assert unknown.status_code == 400
    assert "No order 9999 in this store." in unknown.text
    order = import_sample_order(uow, shop.store_id, shop.clock, platform_id="6003").order
    nothing = open_for(agent, order.id)
    assert "Say how many units of which item go back." in nothing.text
    page = agent.get(f"{BASE}/returns/new?order=6003").text
    shirt_m = re.findall(r'name="units-(\d+)"', page)[0]
    odd = open_for(agent, order.id, method="pigeon", **{f"units-{shirt_m}": "1"})
    assert "Choose one of the methods offered." in odd.text
    with uow:
        assert (
            uow.session.scalar(select(ReturnRow.id).where(ReturnRow.order_id == order.id)) is None
        )


def test_roles_that_may_not_review_are_refused(shop, uow):
    order = import_sample_order(uow, shop.store_id, shop.clock, platform_id="6004").order
    for role in ("warehouse", "analyst"):
        client = shop.staff(role)
        assert client.get(f"{BASE}/returns/new").status_code == 403
        assert open_for(client, order.id, **{"units-1": "1"}).status_code == 403
    with uow:
        assert (
            uow.session.scalar(select(ReturnRow.id).where(ReturnRow.order_id == order.id)) is None
        )

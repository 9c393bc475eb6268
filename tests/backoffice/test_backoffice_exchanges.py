"""Exchanges from the return's page: the variants with their stock, choosing one (reserved
once approved), changing it, and refusals that change nothing."""

from __future__ import annotations

import re

from sqlalchemy import select

from retour.db.models import ReplacementLineRow, ReplacementOrderRow
from tests.backoffice.steps import BASE, act, csrf_of, seen_of
from tests.factories import import_sample_order
from tests.support.exchange_steps import exchange_return, stock, stocked, variant_id


def exchange_of(uow) -> list[tuple[str, str, str, int]]:
    with uow:
        rows = uow.session.execute(
            select(
                ReplacementOrderRow.kind, ReplacementOrderRow.status, ReplacementLineRow.sku,
                ReplacementLineRow.quantity,
            )
            .join(
                ReplacementLineRow,
                ReplacementLineRow.replacement_order_id == ReplacementOrderRow.id,
            )
            .order_by(ReplacementOrderRow.id)
        )  # fmt: skip
        return [tuple(row) for row in rows]  # type: ignore[misc]


def choose(client, number: str, **fields: str):
    page = client.get(f"{BASE}/returns/{number}").text
    form = page.split('id="exchange-form"', 1)[1]
    data = {"csrf": csrf_of(client, f"{BASE}/returns/{number}"), "seen": seen_of(form)}
    return client.post(f"{BASE}/returns/{number}/exchange", data=data | fields)


def to_exchange(shop, uow) -> str:
    """A return of one Linen shirt M (order #5001) to exchange, with 3 L in stock."""
    stocked(uow, shop.store_id, shop.clock, "LINEN-L", 3)
    order = import_sample_order(uow, shop.store_id, shop.clock, platform_id="5001").order
    return exchange_return(uow, shop.store_id, order, shop.clock).number


def test_the_page_lists_the_variants_with_stock_and_choosing_one_reserves_it(shop, uow):
    number = to_exchange(shop, uow)
    agent = shop.staff("agent")
    page = agent.get(f"{BASE}/returns/{number}").text
    assert "The shopper wants an exchange; nothing is chosen yet." in page
    large = variant_id(uow, shop.store_id, "LINEN-L")
    assert re.search(
        rf'LINEN-L · €49.00 · 3 in stock</span></label>\s*<input id="units-{large}"', page
    )
    chosen = choose(agent, number, kind="same_product", **{f"units-{large}": "1"})
    assert chosen.status_code == 303
    assert chosen.headers["location"] == f"{BASE}/returns/{number}?done=exchange#exchange"
    assert exchange_of(uow) == [("same_product", "draft", "LINEN-L", 1)]
    assert act(agent, number, "approve").status_code == 303
    assert exchange_of(uow) == [("same_product", "pending", "LINEN-L", 1)]
    assert stock(uow, shop.store_id)[("LINEN-L", "reserved")] == 1
    after = agent.get(f"{BASE}/returns/{number}").text
    assert "same product · pending: 1 × Linen shirt L" in after
    assert "Same value." in after


def test_more_than_in_stock_or_nothing_chosen_is_refused_and_nothing_is_made(shop, uow):
    number = to_exchange(shop, uow)
    agent = shop.staff("agent")
    large = variant_id(uow, shop.store_id, "LINEN-L")
    too_many = choose(agent, number, kind="same_product", **{f"units-{large}": "4"})
    assert too_many.status_code == 400
    assert "only 3 of LINEN-L in stock" in too_many.text
    nothing = choose(agent, number, kind="same_product")
    assert "Say how many of which item to send instead." in nothing.text
    odd = choose(agent, number, kind="any_product", **{f"units-{large}": "1"})
    assert "Choose another variant, or a replacement." in odd.text
    assert exchange_of(uow) == []


def test_roles_without_money_see_no_form_and_are_refused(shop, uow):
    number = to_exchange(shop, uow)
    large = variant_id(uow, shop.store_id, "LINEN-L")
    for role in ("warehouse", "analyst"):
        client = shop.staff(role)
        page = client.get(f"{BASE}/returns/{number}").text
        assert 'id="exchange-form"' not in page
        forged = client.post(
            f"{BASE}/returns/{number}/exchange",
            data={"csrf": csrf_of(client, f"{BASE}/returns/{number}"), "kind": "same_product",
                  f"units-{large}": "1"},
        )  # fmt: skip
        assert forged.status_code == 403
    assert exchange_of(uow) == []


def test_a_refund_return_has_no_exchange_section(shop):
    page = shop.staff("agent").get(f"{BASE}/returns/{shop.requested}").text
    assert '<h2 id="exchange">' not in page

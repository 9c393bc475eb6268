"""An exchange through the portal: the variant picker with its stock, the review's price
difference, the return and its exchange made together (or neither), the status page."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from retour.db.models import ReplacementLineRow, ReplacementOrderRow, ReturnRow, Variant
from retour.services.exchanges import choosing
from tests.portal.steps import BASE, line_ids, order_form, signed_in
from tests.portal.test_portal_pages import with_policy
from tests.support.exchange_steps import names, stock, stocked, variant_id

POLICY = {"timezone": "UTC", "currency": "EUR", "default": {"window_days": 30}}


def store_id_of(uow) -> int:
    with uow:
        return uow.stores.by_slug("acme").id


def count(uow, model) -> int:
    with uow:
        return uow.session.scalar(select(func.count()).select_from(model))


def picker(html: str, line: int) -> list[str]:
    """The picker's choices of an item, one `label · stock [disabled]` each."""
    found = re.search(
        rf'<fieldset class="exchange" id="exchange-{line}">(.*?)</fieldset>', html, re.S
    )
    assert found is not None, html
    choices = []
    for attributes, label in re.findall(
        r"<input ([^>]*)><label[^>]*>(.*?)</label>", found.group(1)
    ):
        text = " ".join(re.sub(r"<[^>]+>", "", label).split())
        choices.append(text + (" [disabled]" if "disabled" in attributes else ""))
    return choices


def exchange_fields(line: int, size_l: int, **extra: str) -> dict[str, str]:
    return {f"qty-{line}": "1", f"reason-{line}": "too_small", "resolution": "exchange",
            "method": "ship_yourself", f"exchange-{line}": str(size_l), **extra}  # fmt: skip


def test_the_items_page_offers_the_products_other_sizes_with_their_stock(portal, uow):
    new_shopper, clock = portal
    stocked(uow, store_id_of(uow), clock, sku="LINEN-L", quantity=3)
    client = signed_in(new_shopper())

    html, _ = order_form(client)
    size_m, size_l = line_ids(html)

    assert 'id="resolution-exchange" name="resolution" value="exchange"' in html
    assert picker(html, size_m) == ["Linen shirt L · in stock"]
    assert picker(html, size_l) == ["Linen shirt M · out of stock [disabled]"]


def test_no_exchange_is_offered_when_the_policy_does_not_allow_one(portal, uow):
    new_shopper, clock = portal
    refund_only = {**POLICY, "default": {"window_days": 30, "resolutions": ["refund"]}}
    with_policy(uow, clock, refund_only)
    stocked(uow, store_id_of(uow), clock, sku="LINEN-L", quantity=3)
    client = signed_in(new_shopper())

    html, form = order_form(client)
    size_m = line_ids(html)[0]
    refused = client.post(f"{BASE}/order", data={**form, **exchange_fields(size_m, 1)})

    assert 'value="exchange"' not in html
    assert 'class="exchange"' not in html
    assert refused.status_code == 400
    assert "Choose one of the options." in refused.text


def test_the_review_shows_the_chosen_size_and_that_nothing_is_owed_at_the_same_price(portal, uow):
    new_shopper, clock = portal
    store_id = store_id_of(uow)
    stocked(uow, store_id, clock, sku="LINEN-L", quantity=3)
    client = signed_in(new_shopper())
    html, form = order_form(client)
    size_m = line_ids(html)[0]

    review = client.post(
        f"{BASE}/order",
        data={**form, **exchange_fields(size_m, variant_id(uow, store_id, "LINEN-L"))},
    )

    assert review.status_code == 200
    assert 'value="exchange" checked' in review.text
    breakdown = re.search(r'id="breakdown-exchange">(.*?)</ul>', review.text, re.S)
    assert breakdown is not None
    assert [
        " ".join(item.split()) for item in re.findall(r"<li>(.*?)</li>", breakdown.group(1))
    ] == [
        "You get: 1 × Linen shirt L",
        "Same value: nothing to pay, nothing back.",
    ]
    assert count(uow, ReturnRow) == 0


def test_the_review_shows_the_difference_a_dearer_size_costs(portal, uow):
    new_shopper, clock = portal
    store_id = store_id_of(uow)
    stocked(uow, store_id, clock, sku="LINEN-L", quantity=3)
    size_l = variant_id(uow, store_id, "LINEN-L")
    with uow:
        uow.session.get(Variant, size_l).price = 5900  # 4900 paid 5880 with tax: 5900 → 7080
        uow.commit()
    client = signed_in(new_shopper())
    html, form = order_form(client)
    size_m = line_ids(html)[0]

    review = client.post(f"{BASE}/order", data={**form, **exchange_fields(size_m, size_l)})

    assert "It costs more: you pay the difference of €12.00 before it is sent." in review.text


def test_confirming_makes_the_return_and_its_exchange_shown_on_the_status_page(portal, uow):
    new_shopper, clock = portal
    store_id = store_id_of(uow)
    stocked(uow, store_id, clock, sku="LINEN-L", quantity=3)
    size_l = variant_id(uow, store_id, "LINEN-L")
    client = signed_in(new_shopper())
    html, form = order_form(client)
    size_m = line_ids(html)[0]

    response = client.post(
        f"{BASE}/order", data={**form, **exchange_fields(size_m, size_l, confirm="1")}
    )

    assert (response.status_code, response.headers["location"]) == (303, f"{BASE}/R-100001")
    with uow:
        ret = uow.session.scalars(select(ReturnRow)).one()
        replacement = uow.session.scalars(select(ReplacementOrderRow)).one()
        lines = [
            (line.variant_id, line.sku, line.quantity, line.unit_price)
            for line in uow.session.scalars(select(ReplacementLineRow))
        ]
        assert (ret.resolution, replacement.return_id, replacement.kind, replacement.status) == (
            "exchange", ret.id, "same_product", "draft",
        )  # fmt: skip
        assert (replacement.items_amount, replacement.credit_amount) == (5880, 5880)
        assert lines == [(size_l, "LINEN-L", 1, 4900)]
        returned = uow.returns.view(store_id, ret.id)
    assert names(uow, returned) == ["return.requested", "exchange.created"]
    status = client.get(f"{BASE}/R-100001").text
    assert '<h2 id="exchange">Your exchange</h2>' in status
    assert "<li>1 × Linen shirt L (LINEN-L)</li>" in status
    assert "Chosen. It is set aside for you once the store approves the return." in status
    assert "You chose an exchange." in status


def test_an_approved_return_reserves_the_exchanges_stock_at_once(portal, uow):
    new_shopper, clock = portal
    with_policy(uow, clock, {**POLICY, "automation": {"default": "approve"}})
    store_id = store_id_of(uow)
    stocked(uow, store_id, clock, sku="LINEN-L", quantity=3)
    client = signed_in(new_shopper())
    html, form = order_form(client)
    size_m = line_ids(html)[0]

    client.post(
        f"{BASE}/order",
        data={**form, **exchange_fields(size_m, variant_id(uow, store_id, "LINEN-L"), confirm="1")},
    )

    with uow:
        assert uow.session.scalars(select(ReplacementOrderRow.status)).one() == "pending"
    assert stock(uow, store_id) == {("LINEN-L", "sellable"): 2, ("LINEN-L", "reserved"): 1}
    assert (
        "Set aside for you. It is sent once your items are back."
        in client.get(f"{BASE}/R-100001").text
    )


def test_a_size_gone_out_of_stock_before_confirming_names_the_item_and_makes_nothing(portal, uow):
    new_shopper, clock = portal
    store_id = store_id_of(uow)
    stocked(uow, store_id, clock, sku="LINEN-L", quantity=1)
    size_l = variant_id(uow, store_id, "LINEN-L")
    client = signed_in(new_shopper())
    html, form = order_form(client)
    size_m = line_ids(html)[0]
    review = client.post(f"{BASE}/order", data={**form, **exchange_fields(size_m, size_l)})
    assert review.status_code == 200
    stocked(uow, store_id, clock, sku="LINEN-L", quantity=-1)  # sold meanwhile

    response = client.post(
        f"{BASE}/order", data={**form, **exchange_fields(size_m, size_l, confirm="1")}
    )

    assert response.status_code == 400
    assert (
        f'<p class="error field-error" id="error-{size_m}">“Linen shirt L” is out of stock now. '
        "Choose another one, or a refund or store credit.</p>"
    ) in response.text
    assert picker(response.text, size_m) == ["Linen shirt L · out of stock [disabled]"]
    assert (count(uow, ReturnRow), count(uow, ReplacementOrderRow)) == (0, 0)


def test_the_exchange_service_refusing_at_confirm_time_leaves_nothing_behind(
    portal, uow, monkeypatch
):
    """The items page saw stock; the exchange service, asked in the return's transaction,
    finds none (another shopper took it between the page's check and the write)."""
    new_shopper, clock = portal
    store_id = store_id_of(uow)
    stocked(uow, store_id, clock, sku="LINEN-L", quantity=1)
    size_l = variant_id(uow, store_id, "LINEN-L")
    client = signed_in(new_shopper())
    html, form = order_form(client)
    size_m = line_ids(html)[0]
    monkeypatch.setattr(choosing, "sellable_units", lambda *_: 0)  # as the write finds it

    response = client.post(
        f"{BASE}/order", data={**form, **exchange_fields(size_m, size_l, confirm="1")}
    )

    assert response.status_code == 400
    assert f'id="error-{size_m}">“Linen shirt L” is out of stock now.' in response.text
    assert (count(uow, ReturnRow), count(uow, ReplacementOrderRow)) == (0, 0)
    assert stock(uow, store_id) == {("LINEN-L", "sellable"): 1}


def test_an_exchange_without_a_size_picked_names_the_item(portal, uow):
    new_shopper, clock = portal
    stocked(uow, store_id_of(uow), clock, sku="LINEN-L", quantity=3)
    client = signed_in(new_shopper())
    html, form = order_form(client)
    size_m = line_ids(html)[0]
    fields = exchange_fields(size_m, 0, confirm="1")
    del fields[f"exchange-{size_m}"]

    response = client.post(f"{BASE}/order", data={**form, **fields})

    assert response.status_code == 400
    assert (
        f'<p class="error field-error" id="error-{size_m}">Choose the size or colour you want '
        "instead.</p>"
    ) in response.text
    assert count(uow, ReturnRow) == 0


def test_a_variant_not_offered_for_the_item_is_refused(portal, uow):
    """Its own size (that would be a replacement) or another store's variant: not offered."""
    new_shopper, clock = portal
    store_id = store_id_of(uow)
    stocked(uow, store_id, clock, sku="LINEN-M", quantity=3)
    client = signed_in(new_shopper())
    html, form = order_form(client)
    size_m = line_ids(html)[0]
    own = variant_id(uow, store_id, "LINEN-M")

    response = client.post(f"{BASE}/order", data={**form, **exchange_fields(size_m, own)})

    assert response.status_code == 400
    assert f'id="error-{size_m}">Choose the size or colour you want instead.</p>' in response.text
    assert count(uow, ReturnRow) == 0


def test_an_out_of_stock_size_posted_anyway_is_refused(portal, uow):
    new_shopper, _ = portal
    client = signed_in(new_shopper())
    html, form = order_form(client)
    size_m = line_ids(html)[0]
    size_l = variant_id(uow, store_id_of(uow), "LINEN-L")

    response = client.post(
        f"{BASE}/order", data={**form, **exchange_fields(size_m, size_l, confirm="1")}
    )

    assert response.status_code == 400
    assert "“Linen shirt L” is out of stock now." in response.text
    assert count(uow, ReturnRow) == 0


def test_the_same_exchange_sent_twice_makes_one_return_and_one_exchange(portal, uow):
    new_shopper, clock = portal
    store_id = store_id_of(uow)
    stocked(uow, store_id, clock, sku="LINEN-L", quantity=3)
    size_l = variant_id(uow, store_id, "LINEN-L")
    client = signed_in(new_shopper())
    html, form = order_form(client)
    size_m = line_ids(html)[0]
    fields = {**form, **exchange_fields(size_m, size_l, confirm="1")}

    first = client.post(f"{BASE}/order", data=fields)
    again = client.post(f"{BASE}/order", data=fields)

    assert again.headers["location"] == first.headers["location"]
    assert (count(uow, ReturnRow), count(uow, ReplacementOrderRow)) == (1, 1)


def test_the_picker_speaks_the_shoppers_language(portal, uow):
    new_shopper, clock = portal
    stocked(uow, store_id_of(uow), clock, sku="LINEN-L", quantity=3)
    client = signed_in(new_shopper())

    html = client.get(f"{BASE}/order?lang=fr").text

    assert "Pour un échange : lequel voulez-vous à la place ?" in html
    assert "Échange contre une autre taille ou couleur" in html
    assert picker(html, line_ids(html)[1]) == ["Linen shirt M · épuisé [disabled]"]

"""A shopper in Chromium: a whole return, an item that cannot go back, the look-up's rate
limit, the look-up by keyboard alone, an exchange and the switch to French. Every page is
checked by axe-core (see shopper.py)."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import select

from retour.db.models import ReplacementLineRow, ReplacementOrderRow, ReturnRow
from tests.factories import import_sample_order
from tests.portal.test_portal_pages import with_policy
from tests.support.exchange_steps import stock, stocked, variant_id

APPROVE_EVERYTHING = {
    "timezone": "UTC",
    "currency": "EUR",
    "default": {"window_days": 30},
    "automation": {"default": "approve"},
}
WAIT = "Too many tries. For your security, please wait 15 minutes and try again."


def test_a_shopper_returns_an_item_prints_the_slip_and_cancels(shopper, live_portal, uow):
    with_policy(uow, live_portal.clock, APPROVE_EVERYTHING)
    page = shopper.page
    shopper.open("", "lookup")

    shopper.look_up("#1001", "shopper@example.com", "order")
    assert page.url == f"{live_portal.url}/order"
    shirt = page.get_by_role("group", name="Linen shirt M")
    shirt.get_by_label("Quantity to return", exact=True).select_option("2")
    shirt.get_by_label("Reason", exact=True).select_option(label="Too small")
    page.get_by_label("Refund to my original payment").check()
    page.get_by_label("I will ship it myself").check()
    shopper.submit("Continue", "review")
    expect(page.locator(".summary li")).to_have_text(["2 × Linen shirt M — Too small"])
    expect(page.get_by_label("Refund to my original payment")).to_be_checked()
    expect(page.locator("label[for=resolution-refund]")).to_have_text(
        "Refund to my original payment: €117.60"
    )
    shopper.submit("Request the return", "approved")

    assert page.url == f"{live_portal.url}/R-100001"
    expect(page.get_by_role("heading", level=1)).to_have_text("Return R-100001")
    expect(page.locator(".status")).to_have_text("Status: approved")
    # Chromium shows an inline PDF in its viewer rather than as a download: fetched with the
    # page's own cookies instead.
    link = page.get_by_role("link", name="Print the packing slip").get_attribute("href")
    slip = page.request.get(f"{live_portal.url.removesuffix('/s/acme/returns')}{link}")
    assert (slip.status, slip.headers["content-type"]) == (200, "application/pdf")
    assert slip.headers["content-disposition"] == 'inline; filename="R-100001-packing-slip.pdf"'
    assert slip.body().startswith(b"%PDF-")
    (shopper.artifacts / "R-100001-packing-slip.pdf").write_bytes(slip.body())

    shopper.submit("Cancel this return", "cancelled")
    expect(page.locator(".status")).to_have_text("Status: cancelled")
    expect(page.locator(".timeline li").last).to_contain_text("The return was cancelled.")
    with uow:
        row = uow.session.scalars(select(ReturnRow)).one()
        assert (row.number, row.status, row.resolution) == ("R-100001", "cancelled", "refund")


def test_an_item_not_shipped_yet_is_greyed_with_its_reason(shopper, live_portal, uow):
    with uow:
        store_id = uow.stores.by_slug("acme").id
    import_sample_order(uow, store_id, live_portal.clock, platform_id="1002", fulfilled=(2, 0))
    page = shopper.page
    shopper.open("", "lookup")

    shopper.look_up("1002", "shopper@example.com", "order")

    shipped = page.get_by_role("group", name="Linen shirt M")
    unshipped = page.get_by_role("group", name="Linen shirt L")
    expect(unshipped.locator(".reason-refused")).to_have_text("Cannot be returned: Not shipped yet")
    expect(unshipped.get_by_role("combobox")).to_have_count(0)
    expect(shipped.get_by_role("combobox")).to_have_count(2)
    expect(unshipped.get_by_role("heading")).to_have_css("color", "rgb(89, 89, 89)")
    expect(shipped.get_by_role("heading")).to_have_css("color", "rgb(29, 29, 31)")


def test_the_eleventh_failed_look_up_asks_the_shopper_to_wait(shopper, live_portal):
    page = shopper.page
    shopper.open("", "lookup")
    first = shopper.look_up("1001", "guess@example.com", "wrong")
    assert first is not None and first.status == 400
    # Tries 2 to 10 show the same page: posted with the page's cookies, not reloaded 9 times.
    form = {"csrf": page.locator("input[name=csrf]").input_value(), "order_number": "1001"}
    for _ in range(2, 11):
        refused = page.request.post(live_portal.url, form={**form, "email": "guess@example.com"})
        assert refused.status == 400

    locked = shopper.look_up("1001", "shopper@example.com", "locked")

    assert locked is not None
    assert (locked.status, locked.headers["retry-after"]) == (429, "900")
    assert page.url == live_portal.url
    expect(page.get_by_role("alert")).to_have_text(WAIT)


def test_the_look_up_works_with_the_keyboard_alone(shopper, live_portal):
    page = shopper.page
    shopper.open("", "lookup")

    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    expect(page.get_by_role("link", name="Skip to content")).to_be_in_viewport()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Order number")).to_be_focused()
    page.keyboard.type("1001")
    page.keyboard.press("Tab")
    expect(page.get_by_label("E-mail address")).to_be_focused()
    expect(page.get_by_label("E-mail address")).to_have_css("outline-style", "solid")
    page.keyboard.type("shopper@example.com")
    shopper.arrive(lambda: page.keyboard.press("Enter"), "order")

    assert page.url == f"{live_portal.url}/order"
    expect(page.get_by_role("heading", level=1)).to_have_text("Order #1001")


def test_a_shopper_exchanges_a_shirt_for_the_size_in_stock(shopper, live_portal, uow):
    with_policy(uow, live_portal.clock, APPROVE_EVERYTHING)
    with uow:
        store_id = uow.stores.by_slug("acme").id
    stocked(uow, store_id, live_portal.clock, sku="LINEN-L", quantity=2)
    page = shopper.page
    shopper.open("", "lookup")
    shopper.look_up("#1001", "shopper@example.com", "order")

    size_m = page.get_by_role("group", name="Linen shirt M")
    size_l = page.get_by_role("group", name="Linen shirt L")
    # Size M is out of stock: offered to the L's shopper, greyed and not choosable.
    expect(size_l.get_by_role("radio", name="Linen shirt M · out of stock")).to_be_disabled()
    size_m.get_by_label("Quantity to return", exact=True).select_option("1")
    size_m.get_by_label("Reason", exact=True).select_option(label="Too small")
    page.get_by_label("Exchange for another size or colour").check()
    size_m.get_by_role("radio", name="Linen shirt L · in stock").check()
    page.get_by_label("I will ship it myself").check()
    shopper.submit("Continue", "review")
    expect(page.get_by_label("Exchange for another size or colour")).to_be_checked()
    expect(page.locator("#breakdown-exchange li")).to_have_text(
        ["You get: 1 × Linen shirt L", "Same value: nothing to pay, nothing back."]
    )
    shopper.submit("Request the return", "exchange-approved")

    assert page.url == f"{live_portal.url}/R-100001"
    exchange = page.get_by_role("region", name="Your exchange")
    expect(exchange.locator("li")).to_have_text(["1 × Linen shirt L (LINEN-L)"])
    expect(exchange).to_contain_text("Set aside for you. It is sent once your items are back.")
    with uow:
        ret = uow.session.scalars(select(ReturnRow)).one()
        replacement = uow.session.scalars(select(ReplacementOrderRow)).one()
        lines = [
            (line.variant_id, line.sku, line.quantity, line.unit_price)
            for line in uow.session.scalars(select(ReplacementLineRow))
        ]
        assert (ret.number, ret.status, ret.resolution) == ("R-100001", "approved", "exchange")
        assert (replacement.return_id, replacement.kind, replacement.status) == (
            ret.id, "same_product", "pending",
        )  # fmt: skip
        assert (replacement.items_amount, replacement.credit_amount, replacement.balance_due) == (
            5880, 5880, 0,
        )  # fmt: skip
    assert lines == [(variant_id(uow, store_id, "LINEN-L"), "LINEN-L", 1, 4900)]
    assert stock(uow, store_id) == {("LINEN-L", "sellable"): 1, ("LINEN-L", "reserved"): 1}


def test_a_shopper_switches_the_portal_to_french(shopper, live_portal, uow):
    final_sale = [{"id": "linen-l-final", "skus": ["LINEN-L"]}]
    with_policy(uow, live_portal.clock, {**APPROVE_EVERYTHING, "final_sale": final_sale})
    page = shopper.page
    shopper.open("", "lookup")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    languages = page.get_by_role("navigation", name="Language")
    shopper.arrive(lambda: languages.get_by_role("link", name="Français").click(), "lookup-fr")
    assert page.url == f"{live_portal.url}?lang=fr"
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", level=1)).to_have_text("Commencer un retour")
    expect(page.get_by_role("navigation", name="Langue").locator("[aria-current]")).to_have_text(
        "Français"
    )
    page.get_by_label("Numéro de commande").fill("1001")
    page.get_by_label("Adresse e-mail").fill("shopper@example.com")
    shopper.submit("Trouver ma commande", "order-fr")

    # The items page has no ?lang=: the switch was remembered.
    assert page.url == f"{live_portal.url}/order"
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page).to_have_title("Commande #1001 · Acme")
    expect(page.get_by_role("heading", level=1)).to_have_text("Commande #1001")
    expect(page.get_by_text("Passée le 20 février 2026.")).to_be_visible()
    size_m = page.get_by_role("group", name="Linen shirt M")
    size_l = page.get_by_role("group", name="Linen shirt L")
    expect(size_m.get_by_label("Quantité à retourner", exact=True)).to_be_visible()
    expect(size_l.locator(".reason-refused")).to_have_text("Retour impossible : Vente finale")
    expect(page.get_by_role("button", name="Continuer")).to_be_visible()

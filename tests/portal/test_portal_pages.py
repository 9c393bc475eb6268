"""The portal's pages over HTTP: look-up, items, submit, status, cancel, and who sees what."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from retour.db.models import PortalLookupAttempt, ReturnRow
from retour.services.context import Actor
from retour.services.order_import import OrderImport, import_order
from retour.services.policy.inputs import forget_store_return_rates
from retour.services.policy.versions import save_policy
from tests.factories import STAFF, import_sample_order, order_payload
from tests.portal.steps import BASE, csrf_of, line_ids, look_up, order_form, signed_in

NOT_FOUND = (
    "We could not find an order with these details. Check the order number and the "
    "e-mail address or postal code, as in your order confirmation."
)


def returns_count(uow) -> int:
    with uow:
        return uow.session.scalar(select(func.count()).select_from(ReturnRow))


def request_one(client, reason: str = "too_small", **extra: str):
    html, form = order_form(client)
    first = line_ids(html)[0]
    fields = {f"qty-{first}": "1", f"reason-{first}": reason, "resolution": "refund",
              "method": "ship_yourself", "confirm": "1", **extra}  # fmt: skip
    return client.post(f"{BASE}/order", data={**form, **fields}), form


def test_the_order_is_found_by_number_and_email_whatever_the_case_and_spaces(portal):
    new_shopper, _ = portal
    client = new_shopper()

    response = look_up(client, number=" #1001 ", email="  SHOPPER@Example.com ")

    assert response.status_code == 303
    assert response.headers["location"] == f"{BASE}/order"
    page = client.get(f"{BASE}/order")
    assert "<h1>Order #1001</h1>" in page.text
    assert "SKU LINEN-M · €58.80 each · ordered 2" in page.text


def test_the_order_is_found_by_number_and_postal_code(portal):
    new_shopper, _ = portal

    assert look_up(new_shopper(), postal_code="75011").status_code == 303


def test_every_mismatch_gets_the_same_message_and_no_session(portal):
    new_shopper, _ = portal
    tries = [
        look_up(new_shopper(), email="someone@else.com"),
        look_up(new_shopper(), number="9999", email="shopper@example.com"),
        look_up(new_shopper(), postal_code="10115"),
    ]

    assert [response.status_code for response in tries] == [400, 400, 400]
    assert all(NOT_FOUND in response.text for response in tries)
    assert all("retour_portal" not in response.cookies for response in tries)


def test_missing_details_name_the_field(portal):
    new_shopper, _ = portal

    response = look_up(new_shopper(), email="", postal_code="")

    assert response.status_code == 400
    assert "Enter the e-mail address of the order, or its postal code." in response.text


def test_ten_failures_lock_the_client_out_even_with_the_right_details(portal, uow):
    new_shopper, _ = portal
    client = new_shopper()
    for _ in range(10):
        assert look_up(client, email="guess@example.com").status_code == 400

    locked = look_up(client, email="shopper@example.com")

    assert locked.status_code == 429
    assert locked.headers["retry-after"] == "900"
    assert "please wait 15 minutes" in locked.text
    with uow:
        assert uow.session.scalar(select(func.count()).select_from(PortalLookupAttempt)) == 10


def test_the_lock_lifts_when_the_window_has_passed(portal):
    new_shopper, clock = portal
    client = new_shopper()
    for _ in range(10):
        look_up(client, email="guess@example.com")

    clock.current += timedelta(minutes=15, seconds=1)

    assert look_up(client, email="shopper@example.com").status_code == 303


def test_a_form_without_its_csrf_token_is_refused(portal, uow):
    new_shopper, _ = portal
    client = new_shopper()
    client.get(BASE)

    response = client.post(BASE, data={"order_number": "1001", "email": "shopper@example.com"})

    assert response.status_code == 400
    assert "This form has expired. Please try again." in response.text
    with uow:
        assert uow.session.scalar(select(func.count()).select_from(PortalLookupAttempt)) == 0


def test_an_item_not_shipped_yet_stays_visible_greyed_with_its_reason(portal, uow):
    new_shopper, clock = portal
    with uow:
        store_id = uow.stores.by_slug("acme").id
    import_sample_order(uow, store_id, clock, platform_id="1002", fulfilled=(2, 0))
    client = new_shopper()
    look_up(client, number="1002", email="shopper@example.com")

    html = client.get(f"{BASE}/order").text

    assert line_ids(html) == [3]
    assert re.search(
        r'class="item unavailable" id="item-4">\s*<h2 class="item-title">Linen shirt L</h2>.*?'
        r"Cannot be returned: Not shipped yet",
        html,
        re.S,
    )


def with_policy(uow, clock, document: dict[str, Any]) -> None:
    forget_store_return_rates()
    with uow:
        store_id = uow.stores.by_slug("acme").id
    save_policy(uow, store_id, document, "", Actor("staff", "owner@acme.test"), clock.now())


def test_an_item_past_the_return_window_shows_the_policys_reason(portal, uow):
    new_shopper, clock = portal
    with_policy(uow, clock, {"timezone": "UTC", "currency": "EUR", "default": {"window_days": 30}})
    clock.current += timedelta(days=60)
    client = signed_in(new_shopper())

    html = client.get(f"{BASE}/order").text

    assert line_ids(html) == []
    assert html.count("Cannot be returned: Return window ended on") == 2
    assert "Nothing in this order can be returned now." in html


def test_a_request_opens_a_return_and_shows_its_status_page(portal, uow):
    new_shopper, _ = portal
    client = signed_in(new_shopper())

    response, _ = request_one(client, note="Thanks!")

    assert response.status_code == 303
    assert response.headers["location"] == f"{BASE}/R-100001"
    status = client.get(f"{BASE}/R-100001").text
    assert "<strong>requested</strong>" in status
    assert "<li>1 × Linen shirt M (LINEN-M)</li>" in status
    assert "You asked for this return." in status
    with uow:
        row = uow.session.scalars(select(ReturnRow)).one()
        assert (row.customer_note, row.return_method) == ("Thanks!", "ship_yourself")


def test_an_approved_return_offers_its_packing_slip(portal, uow):
    new_shopper, clock = portal
    approve_all = {"default": "approve"}
    with_policy(
        uow, clock,
        {"timezone": "UTC", "currency": "EUR", "default": {"window_days": 30},
         "automation": approve_all},
    )  # fmt: skip
    client = signed_in(new_shopper())
    request_one(client)

    status = client.get(f"{BASE}/R-100001").text
    slip = client.get(f"{BASE}/R-100001/packing-slip.pdf")

    assert "<strong>approved</strong>" in status
    assert "Pack the items with the packing slip and send them back." in status
    assert f'href="{BASE}/R-100001/packing-slip.pdf"' in status
    assert (slip.status_code, slip.headers["content-type"]) == (200, "application/pdf")
    assert slip.content.startswith(b"%PDF-")


def test_the_review_shows_what_each_resolution_gives_before_anything_is_made(portal, uow):
    new_shopper, _ = portal
    with uow:
        store = uow.stores.by_slug("acme")
        store.label_cost, store.store_credit_bonus_bp = 500, 1000
        uow.commit()
    client = signed_in(new_shopper())
    html, form = order_form(client)
    first = line_ids(html)[0]

    review = client.post(
        f"{BASE}/order",
        data={**form, f"qty-{first}": "2", f"reason-{first}": "too_small",
              "resolution": "store_credit", "method": "prepaid_label"},
    )  # fmt: skip

    assert review.status_code == 200
    assert "<li>2 × Linen shirt M — Too small</li>" in review.text
    breakdowns = dict(re.findall(r'id="breakdown-(\w+)">(.*?)</ul>', review.text, re.S))
    assert [
        " ".join(item.split()) for item in re.findall(r"<li>(.*?)</li>", breakdowns["refund"])
    ] == [
        "Before fees: €117.60",
        "Return label: −€5.00",
    ]
    assert "Refund to my original payment: <strong>€112.60</strong>" in review.text
    assert 'value="store_credit" checked' in review.text
    assert returns_count(uow) == 0


def test_changing_ones_choices_keeps_them(portal):
    new_shopper, _ = portal
    client = signed_in(new_shopper())
    html, form = order_form(client)
    first = line_ids(html)[0]

    back = client.post(
        f"{BASE}/order",
        data={**form, f"qty-{first}": "2", f"reason-{first}": "too_large",
              "resolution": "refund", "method": "qr_drop_off", "edit": "1"},
    )  # fmt: skip

    assert back.status_code == 200
    assert '<option value="2" selected>2</option>' in back.text
    assert '<option value="too_large" selected>' in back.text
    assert 'value="qr_drop_off" checked' in back.text


def test_more_than_is_left_names_the_item(portal, uow):
    new_shopper, _ = portal
    client = signed_in(new_shopper())
    html, form = order_form(client)
    first = line_ids(html)[0]

    response = client.post(
        f"{BASE}/order",
        data={**form, f"qty-{first}": "3", f"reason-{first}": "too_small",
              "resolution": "refund", "method": "ship_yourself", "confirm": "1"},
    )  # fmt: skip

    assert response.status_code == 400
    assert (
        f'<p class="error field-error" id="error-{first}">At most 2 of this item can be '
        "returned.</p>"
    ) in response.text
    assert returns_count(uow) == 0


def test_the_same_form_sent_twice_makes_one_return(portal, uow):
    new_shopper, _ = portal
    client = signed_in(new_shopper())
    first, form = request_one(client)
    html = client.get(f"{BASE}/order").text
    line = line_ids(html)[0]

    again = client.post(
        f"{BASE}/order",
        data={**form, f"qty-{line}": "1", f"reason-{line}": "too_small",
              "resolution": "refund", "method": "ship_yourself", "confirm": "1"},
    )  # fmt: skip

    assert again.headers["location"] == first.headers["location"]
    assert returns_count(uow) == 1


def test_a_line_without_a_reason_is_refused_and_nothing_is_created(portal, uow):
    new_shopper, _ = portal
    client = signed_in(new_shopper())

    response, _ = request_one(client, reason="")

    assert response.status_code == 400
    assert "Choose why you are returning it." in response.text
    assert "selected>1</option>" in response.text
    assert returns_count(uow) == 0


def test_nothing_chosen_is_refused(portal, uow):
    new_shopper, _ = portal
    client = signed_in(new_shopper())
    _, form = order_form(client)

    response = client.post(
        f"{BASE}/order", data={**form, "resolution": "refund", "method": "ship_yourself"}
    )

    assert response.status_code == 400
    assert "Choose at least one item to return." in response.text
    assert returns_count(uow) == 0


def test_the_shopper_cancels_while_it_is_allowed(portal):
    new_shopper, _ = portal
    client = signed_in(new_shopper())
    request_one(client)

    response = client.post(f"{BASE}/R-100001/cancel", data={"csrf": csrf_of(client)})

    assert response.status_code == 303
    status = client.get(f"{BASE}/R-100001").text
    assert "<strong>cancelled</strong>" in status
    assert "The return was cancelled." in status
    assert "Cancel this return" not in status


def test_another_shopper_cannot_see_or_cancel_the_return(portal, uow):
    new_shopper, clock = portal
    with uow:
        store_id = uow.stores.by_slug("acme").id
    import_sample_order(uow, store_id, clock, platform_id="2002", email="other@example.com")
    owner = signed_in(new_shopper())
    request_one(owner)
    other = new_shopper()
    look_up(other, number="2002", email="other@example.com")

    seen = other.get(f"{BASE}/R-100001")
    cancelled = other.post(f"{BASE}/R-100001/cancel", data={"csrf": csrf_of(other)})
    slip = other.get(f"{BASE}/R-100001/packing-slip.pdf")

    assert [seen.status_code, cancelled.status_code, slip.status_code] == [404, 404, 404]
    assert "R-100001" not in seen.text
    assert "<strong>requested</strong>" in owner.get(f"{BASE}/R-100001").text


def test_an_emails_link_leads_through_the_look_up_to_the_return(portal):
    new_shopper, _ = portal
    request_one(signed_in(new_shopper()))
    client = new_shopper()

    asked = client.get(f"{BASE}/R-100001")
    page = client.get(asked.headers["location"])
    found = client.post(
        BASE,
        data={"csrf": csrf_of(client), "return": "R-100001", "order_number": "1001",
              "email": "shopper@example.com"},
    )  # fmt: skip

    assert asked.headers["location"] == f"{BASE}?return=R-100001"
    assert "Find your order to see return R-100001." in page.text
    assert '<input type="hidden" name="return" value="R-100001">' in page.text
    assert found.headers["location"] == f"{BASE}/R-100001"


def test_guessed_urls_without_a_session_go_back_to_the_look_up(portal):
    new_shopper, _ = portal

    for path in ("/order", "/R-100001/packing-slip.pdf", "/not-a-return"):
        response = new_shopper().get(BASE + path)
        assert (path, response.headers["location"]) == (path, f"{BASE}?expired=1")


def test_an_expired_session_asks_for_the_order_again(portal):
    new_shopper, clock = portal
    client = signed_in(new_shopper())
    clock.current += timedelta(minutes=31)

    response = client.get(f"{BASE}/order")

    assert response.headers["location"] == f"{BASE}?expired=1"
    assert "Your session ended." in client.get(response.headers["location"]).text


def test_a_forged_session_cookie_is_ignored(portal):
    new_shopper, _ = portal
    client = signed_in(new_shopper())
    body, _ = client.cookies["retour_portal"].split(".")
    client.cookies.set("retour_portal", f"{body}.{'0' * 64}", path="/s/acme/returns")

    assert client.get(f"{BASE}/order").headers["location"] == f"{BASE}?expired=1"


def test_an_unknown_store_is_a_plain_not_found_page(portal):
    new_shopper, _ = portal

    response = new_shopper().get("/s/nope/returns")

    assert response.status_code == 404
    assert "We could not find this page" in response.text


def test_pages_carry_a_csp_without_inline_scripts_or_styles(portal):
    new_shopper, _ = portal
    client = signed_in(new_shopper())
    request_one(client)

    for path in ("", "/order", "/R-100001"):
        page = client.get(BASE + path)
        assert page.headers["content-security-policy"].startswith("default-src 'self';")
        assert "script-src 'self'" in page.headers["content-security-policy"]
        # The only scripts are the portal's own files (htmx, see test_portal_htmx.py).
        assert re.findall(r"<script[^>]*>[^<]*</script>", page.text) == [
            '<script src="/s/acme/returns/htmx.min.js" defer></script>',
            '<script src="/s/acme/returns/portal.js" defer></script>',
        ]
        assert (page.text.count("<script"), "style=" in page.text, "<style" in page.text) == (
            2, False, False,
        )  # fmt: skip


def test_the_stylesheet_carries_the_stores_colours(portal, uow):
    new_shopper, _ = portal
    with uow:
        store = uow.stores.by_slug("acme")
        store.primary_color = "#123456"
        uow.commit()

    css = new_shopper().get(f"{BASE}/portal.css")

    assert css.headers["content-type"].startswith("text/css")
    assert css.text.startswith(":root { --brand: #123456; --brand-text: #ffffff; }")


def gift_order(uow, clock, code: str = "GIFT-7Q2K") -> None:
    with uow:
        store_id = uow.stores.by_slug("acme").id
    payload = order_payload("4004", placed_at=clock.now() - timedelta(days=5))
    payload |= {"is_gift": True, "gift_receipt_code": code}
    import_order(uow, store_id, OrderImport.model_validate(payload), STAFF, clock.now())


def test_a_gifts_recipient_finds_it_with_the_receipt_code_for_store_credit_only(portal, uow):
    new_shopper, clock = portal
    gift_order(uow, clock)
    client = new_shopper()

    form = client.get(f"{BASE}?gift=1").text
    found = client.post(
        BASE,
        data={"csrf": csrf_of(client), "gift": "1", "order_number": "4004",
              "gift_code": " gift-7q2k "},
    )  # fmt: skip

    assert '<label for="gift_code">Gift receipt code</label>' in form
    assert found.headers["location"] == f"{BASE}/order"
    html = client.get(f"{BASE}/order").text
    assert re.findall(r'name="resolution" value="(\w+)"', html) == ["store_credit"]


def test_a_gift_is_never_refunded_to_the_buyers_payment(portal, uow):
    new_shopper, clock = portal
    gift_order(uow, clock)
    client = new_shopper()
    client.post(
        BASE,
        data={"csrf": csrf_of(client), "order_number": "4004", "gift_code": "GIFT-7Q2K"},
    )

    response, _ = request_one(client)  # asks for a refund

    assert response.status_code == 400
    assert returns_count(uow) == 0


def test_a_wrong_gift_code_or_a_code_for_an_order_not_a_gift_gets_the_same_message(portal, uow):
    new_shopper, clock = portal
    gift_order(uow, clock)
    tries = [
        new_shopper().post(BASE, data={"csrf": "x", "order_number": "4004", "gift_code": "NOPE"}),
    ]
    for number, code in (("4004", "NOPE"), ("1001", "GIFT-7Q2K")):
        client = new_shopper()
        tries.append(
            client.post(
                BASE,
                data={"csrf": csrf_of(client), "order_number": number, "gift_code": code},
            )
        )

    assert [answer.status_code for answer in tries] == [400, 400, 400]
    assert "This form has expired" in tries[0].text
    assert all(NOT_FOUND in answer.text for answer in tries[1:])


def test_a_refused_confirm_shows_the_whole_page_again_with_the_orders_returns(portal, uow):
    new_shopper, _ = portal
    client = signed_in(new_shopper())
    made, _ = request_one(client)
    number = made.headers["location"].rsplit("/", 1)[-1]
    html, form = order_form(client)
    second = line_ids(html)[1]

    refused = client.post(
        f"{BASE}/order",
        data={**form, f"qty-{second}": "2", f"reason-{second}": "too_small",
              "resolution": "refund", "method": "ship_yourself", "confirm": "1"},
    )  # fmt: skip

    assert refused.status_code == 400
    assert "At most 1 of this item can be returned." in refused.text
    assert f'<a href="{BASE}/{number}">{number}</a>' in refused.text
    assert returns_count(uow) == 1

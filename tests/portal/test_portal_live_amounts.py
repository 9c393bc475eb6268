"""The items page's live amounts: htmx posts the form to the review's own route with
`amounts=1` (see order.html) and shows the quote's totals; nothing is made or stored."""

from __future__ import annotations

import re

import pytest

from retour.db.models import ReturnPhoto
from tests.portal.steps import BASE, line_ids, order_form, signed_in
from tests.portal.test_portal_pages import returns_count
from tests.portal.test_portal_photos import count, jpeg_with_gps, send, stored_files


def totals(html: str) -> list[str]:
    return [" ".join(re.sub(r"</?strong>", "", item).split()) for item in re.findall(
        r"<li>(.*?)</li>", html, re.S
    )]  # fmt: skip


def amounts_for(client, form, line: int, method: str):
    fields = {f"qty-{line}": "2", f"reason-{line}": "too_small", "resolution": "refund",
              "method": method, "amounts": "1"}  # fmt: skip
    return client.post(f"{BASE}/order", data={**form, **fields})


@pytest.fixture
def label_and_bonus(uow) -> None:
    """Acme charges €5.00 for a prepaid label and adds 10 % to store credit."""
    with uow:
        store = uow.stores.by_slug("acme")
        store.label_cost, store.store_credit_bonus_bp = 500, 1000
        uow.commit()


def test_the_amounts_follow_the_return_method(portal, label_and_bonus, uow):
    new_shopper, _ = portal
    client = signed_in(new_shopper())
    html, form = order_form(client)
    first = line_ids(html)[0]

    own = amounts_for(client, form, first, "ship_yourself")
    label = amounts_for(client, form, first, "prepaid_label")

    assert (own.status_code, own.headers["content-type"]) == (200, "text/html; charset=utf-8")
    assert totals(own.text) == [
        "Refund to my original payment: €117.60", "Store credit: €129.36",
    ]  # fmt: skip
    assert totals(label.text) == [
        "Refund to my original payment: €112.60", "Store credit: €124.36",
    ]  # fmt: skip
    assert '<h2 id="live-amounts-title">What you get back</h2>' in own.text
    assert "<html" not in own.text
    assert returns_count(uow) == 0


def test_incomplete_choices_give_no_amounts_and_no_error(portal, uow):
    new_shopper, _ = portal
    client = signed_in(new_shopper())
    _, form = order_form(client)

    nothing = client.post(f"{BASE}/order", data={
        **form, "resolution": "refund", "method": "ship_yourself", "amounts": "1",
    })  # fmt: skip

    assert (nothing.status_code, nothing.text.strip()) == (200, "")
    assert returns_count(uow) == 0


def test_the_amounts_are_in_the_shoppers_language(portal):
    new_shopper, _ = portal
    client = signed_in(new_shopper())
    client.get(f"{BASE}?lang=fr")
    html, form = order_form(client)

    french = amounts_for(client, form, line_ids(html)[0], "ship_yourself")

    assert totals(french.text) == [
        # The colon is the review's own (review.html), untranslated as there.
        "Remboursement sur mon moyen de paiement: 117,60 €", "Avoir: 117,60 €",
    ]  # fmt: skip


def test_the_items_page_asks_for_the_amounts_without_the_photos(portal):
    new_shopper, _ = portal
    client = signed_in(new_shopper())

    html, _ = order_form(client)

    section = re.search(r'<section id="live-amounts"[^>]*></section>', html, re.S)
    assert section is not None
    assert " ".join(section.group(0).split()) == (
        '<section id="live-amounts" aria-live="polite" hx-post="/s/acme/returns/order" '
        'hx-vals=\'{"amounts": "1"}\' hx-trigger="change from:closest form delay:300ms" '
        'hx-sync="this:replace" hx-params="not photos-1,photos-2"></section>'
    )


def test_kept_choices_ask_for_their_amounts_when_the_page_loads(portal):
    new_shopper, _ = portal
    client = signed_in(new_shopper())
    html, form = order_form(client)
    first = line_ids(html)[0]

    back = client.post(f"{BASE}/order", data={
        **form, f"qty-{first}": "1", f"reason-{first}": "too_small", "resolution": "refund",
        "method": "ship_yourself", "edit": "1",
    })  # fmt: skip

    assert 'hx-trigger="load, change from:closest form delay:300ms"' in back.text


def test_photos_sent_with_the_amounts_are_not_kept(portal, uow, settings):
    new_shopper, _ = portal
    client = signed_in(new_shopper())
    before = stored_files(settings)

    response, _ = send(client, [("shirt.jpg", jpeg_with_gps(), "image/jpeg")], "too_small",
                       amounts="1")  # fmt: skip

    assert totals(response.text) == [
        "Refund to my original payment: €58.80", "Store credit: €58.80",
    ]  # fmt: skip
    assert (count(uow, ReturnPhoto), stored_files(settings)) == (0, before)


def test_a_reason_that_needs_a_photo_shows_its_amounts_with_the_form(portal):
    new_shopper, _ = portal
    client = signed_in(new_shopper())

    # "Arrived damaged" needs a photo, which the amounts are asked without.
    response, _ = send(client, [], "damaged", amounts="1")

    assert (response.status_code, response.text.strip()) == (200, "")

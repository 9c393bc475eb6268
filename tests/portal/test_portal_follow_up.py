"""What the shopper does on their return's page after asking: answer the store's question,
give the tracking number of a parcel they send themselves."""

from __future__ import annotations

from retour.domain.addresses import Address
from retour.services.context import Actor
from retour.services.return_locations import add_return_location
from retour.services.returns import approve_return, change_return_location, request_return_info
from tests.portal.steps import BASE, csrf_of, signed_in
from tests.portal.test_portal_pages import request_one
from tests.support.shipping_steps import set_return_address

STAFF = Actor("staff", "ann@acme.test")
PAGE = f"{BASE}/R-100001"


def store_id(uow) -> int:
    with uow:
        return uow.stores.by_slug("acme").id


def test_the_shopper_answers_the_stores_question(portal, uow):
    new_shopper, clock = portal
    client = signed_in(new_shopper())
    request_one(client)
    request_return_info(uow, store_id(uow), 1, STAFF, clock.now(), "Is the tag still on?")
    assert "<blockquote>Is the tag still on?</blockquote>" in client.get(PAGE).text

    answered = client.post(
        f"{PAGE}/answer", data={"csrf": csrf_of(client, PAGE), "message": "Yes, unworn."}
    )

    assert answered.headers["location"] == PAGE
    page = client.get(PAGE).text
    assert "<strong>requested</strong>" in page
    assert "You answered the store&#39;s question." in page
    assert "Your answer" not in page


def test_an_empty_answer_is_refused_and_the_question_stays(portal, uow):
    new_shopper, clock = portal
    client = signed_in(new_shopper())
    request_one(client)
    request_return_info(uow, store_id(uow), 1, STAFF, clock.now(), "Is the tag still on?")

    answered = client.post(f"{PAGE}/answer", data={"csrf": csrf_of(client, PAGE), "message": " "})

    assert answered.status_code == 400
    assert "Write your answer to the store&#39;s question." in answered.text
    assert "<strong>needs info</strong>" in client.get(PAGE).text


def test_a_shopper_shipping_it_themselves_adds_the_tracking_number(portal, uow):
    new_shopper, clock = portal
    client = signed_in(new_shopper())
    request_one(client)  # ship_yourself
    approve_return(uow, store_id(uow), 1, STAFF, clock.now())
    assert "Sent it? Tell us the tracking number" in client.get(PAGE).text

    added = client.post(
        f"{PAGE}/tracking",
        data={"csrf": csrf_of(client, PAGE), "tracking_number": " 1Z999AA10123456784 ",
              "carrier": "UPS"},
    )  # fmt: skip

    assert added.headers["location"] == PAGE
    page = client.get(PAGE).text
    assert "<strong>in transit</strong>" in page
    assert "Tracking number: 1Z999AA10123456784 (UPS)" in page
    assert "Your parcel is on its way." in page


def test_a_tracking_number_is_required(portal, uow):
    new_shopper, clock = portal
    client = signed_in(new_shopper())
    request_one(client)
    approve_return(uow, store_id(uow), 1, STAFF, clock.now())

    added = client.post(f"{PAGE}/tracking", data={"csrf": csrf_of(client, PAGE)})

    assert added.status_code == 400
    assert "Enter the parcel&#39;s tracking number." in added.text
    assert "<strong>approved</strong>" in added.text


def test_a_shopper_shipping_it_themselves_is_shown_where_to_send_it_once_approved(portal, uow):

    new_shopper, clock = portal
    set_return_address(uow, store_id(uow))
    client = signed_in(new_shopper())
    request_one(client)  # ship_yourself, requested: no address yet
    assert "Where to send your parcel" not in client.get(PAGE).text
    approve_return(uow, store_id(uow), 1, STAFF, clock.now())

    page = client.get(PAGE).text

    assert (
        "<address>Acme Returns<br>Acme GmbH<br>Lagerstraße 5<br>10115 Berlin<br>GERMANY</address>"
    ) in page
    assert "Write the return number R-100001 on the parcel." in page
    hub = {"name": "Acme UK", "line1": "1 Dock Road", "city": "London",
           "postal_code": "E16 2QD", "country": "GB"}  # fmt: skip

    add_return_location(uow, store_id(uow), "uk-hub", "UK hub", Address(**hub))
    change_return_location(uow, store_id(uow), 1, STAFF, clock.now(), "uk-hub", "Berlin is full")
    moved = client.get(PAGE).text
    assert (
        "<address>Acme UK<br>1 Dock Road<br>LONDON<br>E16 2QD<br>UNITED KINGDOM</address>" in moved
    )
    german = client.get(PAGE, params={"lang": "de"}).text
    assert "Wohin Sie Ihr Paket schicken" in german

"""What the shopper does on their return's page after asking: answer the store's question,
give the tracking number of a parcel they send themselves."""

from __future__ import annotations

from retour.services.context import Actor
from retour.services.returns import approve_return, request_return_info
from tests.portal.steps import BASE, csrf_of, signed_in
from tests.portal.test_portal_pages import request_one

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

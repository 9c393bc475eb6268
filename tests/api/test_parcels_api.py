"""/api/v1/unmatched-parcels: a parcel no return expects is recorded (staff are e-mailed),
listed, and closed on the return it belonged to or with a note."""

from __future__ import annotations

from sqlalchemy import select

from retour.db.models import Delivery, Event
from retour.services.stores import create_staff_user
from tests.conftest import START
from tests.factories import order_payload

PARCEL = {"tracking_number": "JJD0001234567", "carrier": "DHL", "sender": "M. Durand",
          "note": "two shirts, no slip"}  # fmt: skip


def staff(uow, server, email="ann@acme.example"):
    create_staff_user(uow, store_slug="acme", email=email, password="a-long-password",
                      role="owner", now=server.clock.now())  # fmt: skip


def test_a_parcel_is_recorded_and_the_staff_are_emailed(client, uow, server):
    staff(uow, server)

    response = client.post("/unmatched-parcels", json=PARCEL)

    assert response.status_code == 201
    body = response.json()
    assert {key: body[key] for key in PARCEL} == PARCEL
    assert (body["status"], body["return_id"], body["closed_at"]) == ("open", None, None)
    assert body["received_by"] == "api_key:tests"
    with uow:
        event = uow.session.scalars(
            select(Event).where(Event.name == "return.unexpected_parcel")
        ).one()
        mails = uow.session.execute(
            select(Delivery.kind, Delivery.recipient).where(Delivery.channel == "email")
        ).all()
    assert event.payload == {"parcel_id": body["id"], **PARCEL, "status": "open"}
    assert mails == [("staff_unexpected_parcel", "ann@acme.example")]


def test_a_parcel_with_nothing_known_of_it_is_refused(client):
    response = client.post("/unmatched-parcels", json={"carrier": "DHL"})

    assert response.status_code == 422
    assert response.json()["field"] == "tracking_number"
    assert client.get("/unmatched-parcels").json()["items"] == []


def test_closing_on_its_return_then_again_is_refused_naming_the_status(client):
    order = client.post("/orders", json=order_payload("1001", placed_at=START)).json()
    line = {"order_line_id": order["lines"][0]["id"], "quantity": 1, "reason_code": "too_small"}
    ret = client.post("/returns", json={
        "order_id": order["id"], "resolution": "refund", "return_method": "ship_yourself",
        "lines": [line],
    }).json()  # fmt: skip
    parcel = client.post("/unmatched-parcels", json=PARCEL).json()

    closed = client.post(f"/unmatched-parcels/{parcel['id']}/close", json={"return_id": ret["id"]})
    again = client.post(f"/unmatched-parcels/{parcel['id']}/close", json={"note": "x"})

    assert closed.status_code == 200
    assert (closed.json()["status"], closed.json()["return_id"]) == ("closed", ret["id"])
    assert closed.json()["closed_at"] == "2026-03-02T09:30:00Z"
    assert again.status_code == 409
    assert (again.json()["code"], again.json()["current_status"]) == ("already_done", "closed")
    events = client.get(f"/returns/{ret['id']}/events").json()["items"]
    assert [event["name"] for event in events][-1] == "parcel.closed"


def test_closing_needs_a_known_return_or_a_note_and_changes_nothing_when_refused(client):
    parcel = client.post("/unmatched-parcels", json=PARCEL).json()

    unknown = client.post(f"/unmatched-parcels/{parcel['id']}/close", json={"return_id": 999999})
    empty = client.post(f"/unmatched-parcels/{parcel['id']}/close", json={})

    assert (unknown.status_code, unknown.json()["field"]) == (422, "return_id")
    assert (empty.status_code, empty.json()["field"]) == (422, "note")
    assert client.get(f"/unmatched-parcels/{parcel['id']}").json()["status"] == "open"


def test_lists_filter_by_status_page_newest_first_and_stay_in_their_store(client, other_client):
    first = client.post("/unmatched-parcels", json=PARCEL).json()
    second = client.post("/unmatched-parcels", json={"note": "a box of socks"}).json()
    client.post(f"/unmatched-parcels/{first['id']}/close", json={"note": "sent back to sender"})

    page = client.get("/unmatched-parcels", params={"limit": 1}).json()
    rest = client.get("/unmatched-parcels", params={"cursor": page["next_cursor"]}).json()
    open_only = client.get("/unmatched-parcels", params={"status": "open"}).json()

    assert [p["id"] for p in page["items"]] == [second["id"]]
    assert [p["id"] for p in rest["items"]] == [first["id"]]
    assert rest["next_cursor"] is None
    assert [p["id"] for p in open_only["items"]] == [second["id"]]
    assert other_client.get("/unmatched-parcels").json()["items"] == []
    assert other_client.get(f"/unmatched-parcels/{first['id']}").status_code == 404
    assert (
        other_client.post(
            f"/unmatched-parcels/{second['id']}/close", json={"note": "x"}
        ).status_code
        == 404
    )

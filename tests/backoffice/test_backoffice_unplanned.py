"""A parcel without an RMA for an order the station finds: an unplanned return of what is in
the box, opened and approved at once, then received and restocked like any other."""

from __future__ import annotations

import re

from sqlalchemy import select

from retour.db.models import Event, ReturnLineRow, ReturnRow
from retour.services import queries
from tests.backoffice.steps import BASE, csrf_of, sign_in
from tests.backoffice.test_backoffice_station import press_enter, scan
from tests.factories import import_sample_order


def order_without_return(uow, shop, platform_id: str = "3001") -> int:
    return import_sample_order(uow, shop.store_id, shop.clock, platform_id=platform_id).order.id


def open_box(client, order_id: int, **fields: str):
    path = f"{BASE}/station/unplanned/{order_id}"
    return client.post(path, data={"csrf": csrf_of(client, path), **fields})


def line_ids(html: str) -> list[str]:
    return re.findall(r'name="units-(\d+)"', html)


def test_an_order_number_without_a_return_offers_an_unplanned_return(shop, uow):
    order_id = order_without_return(uow, shop)
    found = scan(shop.staff("warehouse"), "#3001")
    assert found.status_code == 404
    assert "Order “#3001” has no open return." in found.text
    assert f'<a href="/backoffice/station/unplanned/{order_id}" autofocus>' in found.text
    assert "Record unmatched parcel" in found.text  # still offered


def test_the_box_is_received_and_restocked_after_opening_its_return(shop, uow):
    order_id = order_without_return(uow, shop)
    worker = shop.staff("warehouse")
    page = worker.get(f"{BASE}/station/unplanned/{order_id}")
    assert page.status_code == 200
    assert "<h1>Unplanned return for order #3001</h1>" in page.text
    shirt_m, shirt_l = line_ids(page.text)
    opened = open_box(
        worker, order_id, **{f"units-{shirt_m}": "1", f"units-{shirt_l}": "0"},
        reason="too_small", note="No paperwork in the box",
    )  # fmt: skip
    assert opened.status_code == 303
    number = opened.headers["location"].rsplit("/", 1)[1]
    assert opened.headers["location"] == f"{BASE}/station/{number}"
    with uow:
        row = uow.session.scalars(select(ReturnRow).where(ReturnRow.number == number)).one()
        assert (row.status, row.customer_note) == ("approved", "No paperwork in the box")
        lines = uow.session.execute(
            select(ReturnLineRow.sku, ReturnLineRow.approved_quantity).where(
                ReturnLineRow.return_id == row.id
            )
        ).all()
        actors = uow.session.execute(
            select(Event.name, Event.actor).where(Event.return_id == row.id).order_by(Event.id)
        ).all()
    assert lines == [("LINEN-M", 1)]
    assert actors == [
        ("return.requested", "staff:warehouse@acme.test"),
        ("return.approved", "staff:warehouse@acme.test"),
    ]
    done = press_enter(worker, number)
    assert done.headers["location"] == f"{BASE}/station?done={number}&units=1"
    stock = {(r.sku, r.bucket): r.quantity for r in queries.stock_levels(uow, shop.store_id)}
    assert stock == {("LINEN-M", "sellable"): 1}


def test_an_empty_box_or_too_many_units_is_refused_and_nothing_is_opened(shop, uow):
    order_id = order_without_return(uow, shop)
    worker = shop.staff("warehouse")
    shirt_m, _shirt_l = line_ids(worker.get(f"{BASE}/station/unplanned/{order_id}").text)
    empty = open_box(worker, order_id, reason="too_small")
    assert empty.status_code == 400
    assert "Say how many units of each item are in the parcel." in empty.text
    too_many = open_box(worker, order_id, reason="too_small", **{f"units-{shirt_m}": "3"})
    assert too_many.status_code == 400
    assert 'aria-invalid="true"' in too_many.text
    typo = open_box(worker, order_id, reason="too_small", **{f"units-{shirt_m}": "x"})
    assert f"units-{shirt_m} must be a whole number of units, not &#39;x&#39;" in typo.text
    with uow:
        assert uow.session.scalars(select(ReturnRow.number).order_by(ReturnRow.id)).all() == [
            shop.requested,
            shop.other_stores,
        ]


def test_an_order_whose_units_are_all_in_returns_has_nothing_to_open(shop):
    page = shop.staff("warehouse").get(f"{BASE}/station/unplanned/{shop.order_id}")
    assert "Every unit of this order is already in a return or was never shipped." in page.text
    assert "Open the return" not in page.text


def test_roles_without_parcels_and_other_stores_orders_are_refused(shop, uow):
    order_id = order_without_return(uow, shop)
    analyst = shop.staff("analyst")
    assert analyst.get(f"{BASE}/station/unplanned/{order_id}").status_code == 403
    owner_elsewhere = sign_in(shop.new_client(), "owner@other.test")
    assert owner_elsewhere.get(f"{BASE}/station/unplanned/{order_id}").status_code == 404
    with uow:
        assert (
            uow.session.scalar(select(ReturnRow.number).where(ReturnRow.order_id == order_id))
            is None
        )

"""The warehouse station: scan, one press to receive and restock, stock checked after."""

from __future__ import annotations

import re

from retour.services import queries
from tests.backoffice.steps import BASE, act, csrf_of


def scan(client, code: str):
    return client.post(
        f"{BASE}/station", data={"csrf": csrf_of(client, f"{BASE}/station"), "code": code}
    )


def press_enter(client, number: str):
    """The receive page's focused button: the form posted as it stands."""
    page = client.get(f"{BASE}/station/{number}").text
    assert re.search(r'<button type="submit" class="big" autofocus>', page)
    fields = dict(re.findall(r'<input id="[^"]+" name="([^"]+)"[^>]*value="([^"]*)"', page))
    fields |= dict(re.findall(r'name="(csrf|seen)" value="([^"]*)"', page))
    for name, options in re.findall(r'<select id="[^"]+" name="([^"]+)">(.*?)</select>', page):
        selected = re.search(r'<option(?: value="([^"]+)")? selected>([^<]*)', options)
        first = re.search(r'<option(?: value="([^"]+)")?>([^<]*)', options)
        chosen = selected or first
        fields[name] = chosen.group(1) or chosen.group(2)
    return client.post(f"{BASE}/station/{number}", data=fields)


def approved(shop, role: str = "agent"):
    client = shop.staff(role)
    assert act(client, shop.requested, "approve").status_code == 303
    assert act(client, shop.requested, "mark-in-transit", tracking_number="1Z42").status_code == 303


def test_scan_then_enter_receives_and_restocks_every_awaited_unit(shop, uow):
    approved(shop)
    worker = shop.staff("warehouse")
    opened = scan(worker, shop.requested.lower())  # a scanner may type it in lower case
    assert opened.status_code == 303
    assert opened.headers["location"] == f"{BASE}/station/{shop.requested}"
    done = press_enter(worker, shop.requested)
    assert done.status_code == 303
    assert done.headers["location"] == f"{BASE}/station?done={shop.requested}&units=3"
    page = worker.get(done.headers["location"]).text
    assert f"{shop.requested}: 3 units received and graded." in page
    assert 'id="code" name="code" autofocus' in page
    stock = {(r.sku, r.bucket): r.quantity for r in queries.stock_levels(uow, shop.store_id)}
    assert stock == {("LINEN-L", "sellable"): 1, ("LINEN-M", "sellable"): 2}
    detail = worker.get(f"{BASE}/returns/{shop.requested}").text
    assert 'status-inspected">inspected' in detail


def test_a_tracking_number_or_the_order_number_opens_the_return_too(shop):
    approved(shop)
    worker = shop.staff("warehouse")
    for code in ("1Z42", "#1001", "1001"):
        response = scan(worker, code)
        assert response.headers["location"] == f"{BASE}/station/{shop.requested}", code


def receive_with_a_wrong_item(shop, worker, **extra: str):
    """2 × M arrive as asked; in place of the L, something else."""
    page = worker.get(f"{BASE}/station/{shop.requested}").text
    first, second = re.findall(r'name="received-(\d+)"', page)
    data = {
        "csrf": csrf_of(worker, f"{BASE}/station/{shop.requested}"),
        "seen": re.search(r'name="seen" value="([^"]+)"', page).group(1),
        f"received-{first}": "2",
        f"received-{second}": "1",
        f"wrong-{second}": "1",
    }
    return worker.post(
        f"{BASE}/station/{shop.requested}",
        data=data | {key.replace("LINE", second): value for key, value in extra.items()},
    )


def test_a_wrong_item_is_received_refused_and_moves_no_stock_of_the_item_asked_for(shop, uow):
    approved(shop)
    worker = shop.staff("warehouse")
    assert receive_with_a_wrong_item(shop, worker).status_code == 303
    stock = {(r.sku, r.bucket): r.quantity for r in queries.stock_levels(uow, shop.store_id)}
    assert stock == {("LINEN-M", "sellable"): 2}
    detail = shop.staff("agent").get(f"{BASE}/returns/{shop.requested}").text
    assert "1 × wrong item, grade D, return to vendor: wrong item received" in detail


def test_what_arrived_instead_is_set_aside_in_its_own_stock(shop, uow):
    approved(shop)
    worker = shop.staff("warehouse")
    assert receive_with_a_wrong_item(shop, worker, **{"instead-LINE": "LINEN-M"}).status_code == 303
    stock = {(r.sku, r.bucket): r.quantity for r in queries.stock_levels(uow, shop.store_id)}
    assert stock == {("LINEN-M", "sellable"): 2, ("LINEN-M", "quarantine"): 1}
    detail = shop.staff("agent").get(f"{BASE}/returns/{shop.requested}").text
    assert "1 × wrong item (LINEN-M), grade D" in detail


def test_what_arrived_instead_without_a_wrong_item_is_refused(shop, uow):
    approved(shop)
    worker = shop.staff("warehouse")
    refused = receive_with_a_wrong_item(shop, worker, **{"wrong-LINE": "0", "instead-LINE": "X"})
    assert refused.status_code == 400
    assert "say how many wrong items arrived" in refused.text
    assert list(queries.stock_levels(uow, shop.store_id)) == []


def test_an_unknown_code_offers_search_and_an_unmatched_parcel(shop):
    worker = shop.staff("warehouse")
    missed = scan(worker, "ZZ-404")
    assert missed.status_code == 404
    assert "Nothing found for “ZZ-404”." in missed.text
    assert 'href="/backoffice/returns?q=ZZ-404"' in missed.text
    csrf = csrf_of(worker, f"{BASE}/station")
    recorded = worker.post(
        f"{BASE}/station/parcels",
        data={"csrf": csrf, "code": "ZZ-404", "sender": "J. Doe", "note": "2 shirts"},
    )
    assert recorded.status_code == 303
    assert re.fullmatch(r"/backoffice/station\?parcel=\d+", recorded.headers["location"])
    assert "Unmatched parcel" in worker.get(recorded.headers["location"]).text


def test_an_empty_scan_says_what_to_scan(shop):
    response = scan(shop.staff("warehouse"), "  ")
    assert response.status_code == 400
    assert "Scan or type an RMA, tracking or order number." in response.text


def test_an_analyst_may_not_use_the_station_and_nothing_changes(shop, uow):
    approved(shop)
    analyst = shop.staff("analyst")
    assert analyst.get(f"{BASE}/station/{shop.requested}").status_code == 403
    csrf = csrf_of(analyst, BASE)
    assert (
        analyst.post(f"{BASE}/station", data={"csrf": csrf, "code": shop.requested}).status_code
        == 403
    )
    posted = analyst.post(f"{BASE}/station/{shop.requested}", data={"csrf": csrf})
    assert posted.status_code == 403
    assert queries.stock_levels(uow, shop.store_id) == []


def test_units_of_one_line_are_graded_one_by_one_when_asked(shop, uow):
    approved(shop)
    worker = shop.staff("warehouse")
    page = worker.get(f"{BASE}/station/{shop.requested}").text
    first, second = re.findall(r'name="received-(\d+)"', page)
    assert f'name="grade-{first}-2"' in page  # two units of M awaited: graded apart if asked
    assert f'name="grade-{second}-1"' not in page  # one unit of L: the line's fields are its own
    data = {
        "csrf": csrf_of(worker, f"{BASE}/station/{shop.requested}"),
        "seen": re.search(r'name="seen" value="([^"]+)"', page).group(1),
        f"received-{first}": "2", f"received-{second}": "1",
        f"grade-{first}-2": "C", f"disposition-{first}-2": "refurbish",
        f"note-{first}-2": "seam open",
    }  # fmt: skip

    assert worker.post(f"{BASE}/station/{shop.requested}", data=data).status_code == 303

    stock = {(r.sku, r.bucket): r.quantity for r in queries.stock_levels(uow, shop.store_id)}
    assert stock == {
        ("LINEN-M", "sellable"): 1,
        ("LINEN-M", "refurb"): 1,
        ("LINEN-L", "sellable"): 1,
    }
    detail = shop.staff("agent").get(f"{BASE}/returns/{shop.requested}").text
    assert "1 × grade A, restock" in detail
    assert "1 × grade C, refurbish: seam open" in detail

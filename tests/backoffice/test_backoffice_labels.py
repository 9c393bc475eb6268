"""Labels from the return's page: issue one (a double click buys one), print its files (the
PDF's barcodes scan), void it, issue another; roles without review rights are refused."""

from __future__ import annotations

import re

from sqlalchemy import select

from retour.db.models import ShipmentRow
from retour.services.order_import import OrderImport, import_order
from tests.backoffice.steps import BASE, act, csrf_of, seen_of, sign_in
from tests.factories import STAFF, request_return
from tests.support.barcodes import pdf_barcodes
from tests.support.shipping_steps import set_return_address, shipped_order_payload


def label_form(html: str) -> dict[str, str]:
    form = html.split('id="label-form"', 1)[1].split("</form>", 1)[0]
    return {
        "seen": seen_of(form),
        "key": re.search(r'name="key" value="([^"]+)"', form).group(1),
    }


def issue(client, number: str, html: str | None = None, **fields: str):
    html = html or client.get(f"{BASE}/returns/{number}").text
    data = {"csrf": csrf_of(client, f"{BASE}/returns/{number}"), "method": "prepaid_label"}
    return client.post(f"{BASE}/returns/{number}/labels/new", data=data | label_form(html) | fields)


def shipments(uow) -> list[tuple[str, str, str]]:
    with uow:
        rows = uow.session.execute(
            select(ShipmentRow.method, ShipmentRow.status, ShipmentRow.label_status).order_by(
                ShipmentRow.id
            )
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


def approved(shop, uow):
    """An agent, and a return of order #4001 (shipped to a full address) approved by them;
    its RMA number replaces `shop.requested`, whose order has no street to send from."""
    set_return_address(uow, shop.store_id)
    payload = OrderImport.model_validate(shipped_order_payload("4001"))
    order = import_order(uow, shop.store_id, payload, STAFF, shop.clock.now()).order
    shop.requested = request_return(uow, shop.store_id, order, shop.clock, (1, 0)).number
    agent = shop.staff("agent")
    assert act(agent, shop.requested, "approve").status_code == 303
    return agent


def test_an_order_without_a_street_cannot_have_a_label_from_the_page(shop, uow):
    set_return_address(uow, shop.store_id)
    agent = shop.staff("agent")
    assert act(agent, shop.requested, "approve").status_code == 303
    refused = issue(agent, shop.requested)
    assert refused.status_code == 400
    assert (
        "No label can be made from this page: the order&#39;s shipping address has no street. "
        "The API takes another address to send it from (from_address)."
    ) in refused.text
    assert shipments(uow) == []


def test_a_label_is_issued_once_and_its_pdf_scans(shop, uow):
    agent = approved(shop, uow)
    html = agent.get(f"{BASE}/returns/{shop.requested}").text
    assert "<h3>Issue a label</h3>" in html
    first = issue(agent, shop.requested, html)
    again = issue(agent, shop.requested, html)  # the same form sent twice
    assert first.status_code == 303
    assert first.headers["location"] == f"{BASE}/returns/{shop.requested}?done=label#shipments"
    assert again.status_code == 303
    assert shipments(uow) == [("prepaid_label", "pre_transit", "issued")]
    page = agent.get(f"{BASE}/returns/{shop.requested}").text
    assert "<h3>Issue a label</h3>" not in page  # a live label is there
    (shipment_id,) = re.findall(r"/shipments/(\d+)/label\.pdf", page)
    pdf = agent.get(f"{BASE}/shipments/{shipment_id}/label.pdf")
    assert (pdf.status_code, pdf.headers["content-type"]) == (200, "application/pdf")
    with uow:
        tracking = uow.session.scalar(select(ShipmentRow.tracking_number))
    assert pdf_barcodes(pdf.content)[0] == {
        ("Code128", tracking),
        ("QRCode", f"RETOUR:{tracking}:{shop.requested}"),
    }


def test_voiding_needs_the_box_and_then_another_label_can_be_issued(shop, uow):
    agent = approved(shop, uow)
    assert issue(agent, shop.requested).status_code == 303
    page = agent.get(f"{BASE}/returns/{shop.requested}").text
    (shipment_id,) = re.findall(r"/shipments/(\d+)/void", page)
    path = f"{BASE}/returns/{shop.requested}/shipments/{shipment_id}/void"
    csrf = csrf_of(agent, f"{BASE}/returns/{shop.requested}")
    unconfirmed = agent.post(path, data={"csrf": csrf})
    assert unconfirmed.status_code == 400
    assert "Tick the box to confirm that you want to void this label." in unconfirmed.text
    voided = agent.post(path, data={"csrf": csrf, "confirm": "yes"})
    assert voided.headers["location"].endswith("?done=label-voided#shipments")
    after = agent.get(f"{BASE}/returns/{shop.requested}").text
    assert "files unavailable: voided" in after
    assert agent.get(f"{BASE}/shipments/{shipment_id}/label.pdf").status_code == 409
    assert issue(agent, shop.requested, after, method="qr_drop_off").status_code == 303
    assert shipments(uow) == [
        ("prepaid_label", "voided", "issued"),
        ("qr_drop_off", "pre_transit", "issued"),
    ]


def test_bad_input_and_roles_without_review_rights_are_refused(shop, uow):
    agent = approved(shop, uow)
    wrong = issue(agent, shop.requested, method="pigeon")
    assert wrong.status_code == 400
    assert "Choose a prepaid label or a QR drop-off code." in wrong.text
    for role in ("warehouse", "analyst"):
        client = shop.staff(role)
        assert "<h3>Issue a label</h3>" not in client.get(f"{BASE}/returns/{shop.requested}").text
        forged = issue(client, shop.requested, agent.get(f"{BASE}/returns/{shop.requested}").text)
        assert forged.status_code == 403
    assert shipments(uow) == []


def test_another_stores_shipment_file_is_not_found(shop, uow):
    agent = approved(shop, uow)
    assert issue(agent, shop.requested).status_code == 303
    with uow:
        shipment_id = uow.session.scalar(select(ShipmentRow.id))
    stranger = sign_in(shop.new_client(), "owner@other.test")
    assert stranger.get(f"{BASE}/shipments/{shipment_id}/label.pdf").status_code == 404
    assert agent.get(f"{BASE}/shipments/{shipment_id}/nothing.txt").status_code == 404

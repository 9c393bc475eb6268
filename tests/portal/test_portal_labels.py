"""The shopper's label or QR drop-off code: made once on asking, downloaded from the return's
page, and no one else's."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from retour.db.models import ShipmentRow
from retour.services.order_import import OrderImport, import_order
from tests.factories import STAFF
from tests.portal.steps import BASE, csrf_of, line_ids, look_up, order_form
from tests.portal.test_portal_pages import with_policy
from tests.support.shipping_steps import set_return_address, shipped_order_payload

APPROVE_ALL = {"timezone": "UTC", "currency": "EUR", "default": {"window_days": 30},
               "automation": {"default": "approve"}}  # fmt: skip


def shipped_order(uow, clock) -> None:
    """Order #3003 of shopper@example.com, shipped to a full address, in a store that approves
    every return and has a return address."""
    with uow:
        store_id = uow.stores.by_slug("acme").id
    set_return_address(uow, store_id)
    payload = OrderImport.model_validate(shipped_order_payload("3003"))
    import_order(uow, store_id, payload, STAFF, clock.now())
    with_policy(uow, clock, APPROVE_ALL)


def approved_with(client, method: str) -> str:
    look_up(client, number="3003", email="shopper@example.com")
    html, form = order_form(client)
    first = line_ids(html)[0]
    made = client.post(
        f"{BASE}/order",
        data={**form, f"qty-{first}": "1", f"reason-{first}": "too_small",
              "resolution": "refund", "method": method, "confirm": "1"},
    )  # fmt: skip
    assert made.status_code == 303, made.text
    return made.headers["location"]


def shipments_count(uow) -> int:
    with uow:
        return uow.session.scalar(select(func.count()).select_from(ShipmentRow))


def test_the_shopper_gets_the_label_once_and_downloads_it(portal, uow):
    new_shopper, clock = portal
    shipped_order(uow, clock)
    client = new_shopper()
    page = approved_with(client, "prepaid_label")
    assert "Get my return label" in client.get(page).text

    asked = [client.post(f"{page}/label", data={"csrf": csrf_of(client, page)}) for _ in "12"]

    assert [answer.headers["location"] for answer in asked] == [page, page]
    assert shipments_count(uow) == 1
    status = client.get(page).text
    link = re.search(rf'href="({page}/shipments/\d+/label\.pdf)">Download the label', status)
    assert link is not None
    label = client.get(link.group(1))
    assert (label.status_code, label.headers["content-type"]) == (200, "application/pdf")
    assert label.content.startswith(b"%PDF-")
    assert "Get my return label" not in status


def test_a_qr_drop_off_return_gets_its_code_as_an_image(portal, uow):
    new_shopper, clock = portal
    shipped_order(uow, clock)
    client = new_shopper()
    page = approved_with(client, "qr_drop_off")

    client.post(f"{page}/label", data={"csrf": csrf_of(client, page)})

    status = client.get(page).text
    link = re.search(rf'href="({page}/shipments/\d+/qr-code\.png)">Show the QR code', status)
    assert link is not None
    code = client.get(link.group(1))
    assert (code.headers["content-type"], code.content[:8]) == ("image/png", b"\x89PNG\r\n\x1a\n")
    assert client.get(link.group(1).replace("qr-code.png", "label.pdf")).status_code == 404


def test_another_shopper_cannot_download_the_label(portal, uow):
    new_shopper, clock = portal
    shipped_order(uow, clock)
    owner = new_shopper()
    page = approved_with(owner, "prepaid_label")
    owner.post(f"{page}/label", data={"csrf": csrf_of(owner, page)})
    link = re.search(r'href="([^"]+/label\.pdf)"', owner.get(page).text).group(1)
    other = new_shopper()
    look_up(other, number="1001", email="shopper@example.com")

    assert other.get(link).status_code == 404
    assert other.post(f"{page}/label", data={"csrf": csrf_of(other)}).status_code == 404

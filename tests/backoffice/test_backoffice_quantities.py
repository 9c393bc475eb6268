"""*Edit quantities* on a return's page: the form (only when the domain and the role allow it),
the change with its event, the quote afterwards, and each refusal with nothing changed."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from retour.db.models import Event, ReturnLineRow, ReturnRow
from retour.domain.inputs import Receipt
from retour.domain.refund_quote import RefundMethod
from retour.services import returns as use_cases
from retour.services.refunds.opening import RefundInstruction, open_refund
from tests.backoffice.steps import BASE, act, csrf_of, seen_of
from tests.factories import STAFF

WHY = "The shopper keeps one shirt."


def forms_on(html: str, number: str) -> list[str]:
    return re.findall(rf'action="/backoffice/returns/{number}/([a-z-]+)"', html)


def quantity_fields(html: str) -> list[tuple[str, str, str, str]]:
    """(line id, min, max, value) of each number field of the form."""
    return re.findall(
        r'name="quantity-(\d+)" type="number" min="(\d+)" max="(\d+)" inputmode="numeric" '
        r'required value="(\d+)"',
        html,
    )


def row_of(uow, number: str) -> ReturnRow:
    with uow:
        return uow.session.scalars(select(ReturnRow).where(ReturnRow.number == number)).one()


def approved_units(uow, number: str) -> list[int]:
    with uow:
        return list(
            uow.session.scalars(
                select(ReturnLineRow.approved_quantity)
                .join(ReturnRow, ReturnRow.id == ReturnLineRow.return_id)
                .where(ReturnRow.number == number)
                .order_by(ReturnLineRow.id)
            )
        )


def events_of(uow, number: str) -> list[str]:
    with uow:
        return list(
            uow.session.scalars(
                select(Event.name)
                .join(ReturnRow, ReturnRow.id == Event.return_id)
                .where(ReturnRow.number == number)
                .order_by(Event.id)
            )
        )


def approved_page(shop, role: str = "agent"):
    """A client of `role` on the requested return (2 × M, 1 × L) once an agent approved it."""
    assert act(shop.staff("agent"), shop.requested, "approve").status_code == 303
    client = shop.staff(role)
    return client, client.get(f"{BASE}/returns/{shop.requested}").text


def edit(client, number: str, html: str, **fields: str):
    data = {"csrf": csrf_of(client, f"{BASE}/returns/{number}"), "seen": seen_of(html)}
    return client.post(f"{BASE}/returns/{number}/quantities", data=data | fields)


def test_an_approved_return_offers_one_labelled_field_per_line_with_its_limits(shop):
    _, page = approved_page(shop)

    assert forms_on(page, shop.requested) == [
        "refund", "quantities", "policy-override", "mark-in-transit", "receive", "cancel", "notes",
    ]  # fmt: skip
    first, second = (line for line, *_ in quantity_fields(page))
    assert quantity_fields(page) == [(first, "0", "2", "2"), (second, "0", "1", "1")]
    assert (
        f'<label for="quantity-{first}">Units of Linen shirt M approved '
        '<span class="muted">LINEN-M · now 2 of 2 requested</span></label>'
    ) in page
    assert '<textarea id="quantities-reason" name="reason" rows="2" required>' in page
    assert 'id="quantities-confirm" name="confirm" value="yes" required' in page


def test_lowering_a_line_records_the_event_and_the_quote_follows(shop, uow):
    client, page = approved_page(shop)
    first, second = (line for line, *_ in quantity_fields(page))
    assert "Original payment: €176.40" in page

    response = edit(
        client, shop.requested, page,
        **{f"quantity-{first}": "1", f"quantity-{second}": "1"}, reason=WHY, confirm="yes",
    )  # fmt: skip

    assert response.status_code == 303
    assert response.headers["location"] == (
        f"{BASE}/returns/{shop.requested}?done=quantities-changed#quantities"
    )
    assert approved_units(uow, shop.requested) == [1, 1]
    with uow:
        event = uow.session.scalars(
            select(Event).where(Event.name == "return.quantities_changed")
        ).one()
        assert event.actor == "staff:agent@acme.test"
        assert event.payload == {
            "number": shop.requested,
            "status": "approved",
            "lines": [{"line_id": int(first), "sku": "LINEN-M", "from": 2, "to": 1}],
            "reason": WHY,
        }
    after = client.get(response.headers["location"]).text
    assert "Done: quantities changed." in after
    assert '<label for="method-original">Original payment: €117.60</label>' in after
    assert quantity_fields(after)[0] == (first, "0", "2", "1")


def test_every_line_at_zero_is_refused_above_the_form(shop, uow):
    client, page = approved_page(shop)
    first, second = (line for line, *_ in quantity_fields(page))

    response = edit(
        client, shop.requested, page,
        **{f"quantity-{first}": "0", f"quantity-{second}": "0"}, reason=WHY, confirm="yes",
    )  # fmt: skip

    assert response.status_code == 400
    assert (
        '<p class="error" role="alert" id="quantities-error">keep at least one unit approved; '
        "to take back the whole return, reject or cancel it instead</p>"
    ) in response.text
    assert approved_units(uow, shop.requested) == [2, 1]
    assert "return.quantities_changed" not in events_of(uow, shop.requested)


def test_a_refunded_line_is_refused_next_to_its_field(shop, uow):
    client, page = approved_page(shop)
    first, _ = (line for line, *_ in quantity_fields(page))
    row = row_of(uow, shop.requested)
    open_refund(
        uow, shop.store_id, row.id, RefundInstruction(RefundMethod.MANUAL, reference="till 4"),
        STAFF, shop.clock.now(), None,
    )  # fmt: skip
    page = client.get(f"{BASE}/returns/{shop.requested}").text

    response = edit(
        client, shop.requested, page, **{f"quantity-{first}": "1"}, reason=WHY, confirm="yes"
    )

    assert response.status_code == 400
    assert f'aria-describedby="quantity-{first}-error" aria-invalid="true">' in response.text
    assert re.search(
        rf'<p class="error" role="alert" id="quantity-{first}-error">line {first} \(LINEN-M\): '
        r"2 unit\(s\) are refunded or being refunded",
        response.text,
    )
    assert approved_units(uow, shop.requested) == [2, 1]


def test_a_missing_reason_or_confirmation_is_refused_next_to_it(shop, uow):
    client, page = approved_page(shop)
    first, _ = (line for line, *_ in quantity_fields(page))

    unconfirmed = edit(client, shop.requested, page, **{f"quantity-{first}": "1"}, reason=WHY)
    unexplained = edit(
        client, shop.requested, page, **{f"quantity-{first}": "1"}, reason=" ", confirm="yes"
    )

    assert unconfirmed.status_code == 400
    assert (
        '<p class="error" role="alert" id="quantities-confirm-error">Tick the box to confirm '
        "that you want to change the approved quantities.</p>"
    ) in unconfirmed.text
    assert unexplained.status_code == 400
    assert (
        '<p class="error" role="alert" id="quantities-reason-error">say why the quantities '
        "change</p>"
    ) in unexplained.text
    assert approved_units(uow, shop.requested) == [2, 1]


def test_a_partly_received_return_offers_only_the_lines_still_awaited(shop, uow):
    client, page = approved_page(shop)
    first, second = (line for line, *_ in quantity_fields(page))
    row = row_of(uow, shop.requested)
    use_cases.receive_return(
        uow, shop.store_id, row.id, STAFF, shop.clock.now(), [Receipt(int(first), 1)]
    )

    page = client.get(f"{BASE}/returns/{shop.requested}").text

    assert quantity_fields(page) == [(second, "0", "1", "1")]


def test_a_requested_return_has_no_form_and_a_role_that_may_not_review_gets_403(shop, uow):
    requested = shop.staff("agent").get(f"{BASE}/returns/{shop.requested}").text
    assert "quantities" not in forms_on(requested, shop.requested)
    client, page = approved_page(shop, "warehouse")
    assert "quantities" not in forms_on(page, shop.requested)
    line_id = re.findall(r'name="receive-(\d+)"', page)[0]

    refused = edit(
        client, shop.requested, page, **{f"quantity-{line_id}": "1"}, reason=WHY, confirm="yes"
    )

    assert refused.status_code == 403
    assert "the warehouse role may not review returns. Nothing was changed." in refused.text
    assert approved_units(uow, shop.requested) == [2, 1]


def test_a_stale_page_is_409_naming_the_current_status_and_nothing_changes(shop, uow):
    alice, page = approved_page(shop)
    first, _ = (line for line, *_ in quantity_fields(page))
    shop.clock.current += timedelta(minutes=1)
    bob = shop.staff("admin")
    assert act(bob, shop.requested, "mark-in-transit", tracking_number="T-1").status_code == 303

    late = edit(
        alice, shop.requested, page, **{f"quantity-{first}": "1"}, reason=WHY, confirm="yes"
    )

    assert late.status_code == 409
    assert (
        f"Return {shop.requested} changed since this page was loaded (it is now in transit)."
        in late.text
    )
    assert approved_units(uow, shop.requested) == [2, 1]
    assert row_of(uow, shop.requested).status == "in_transit"

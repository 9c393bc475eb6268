"""Quantity rules of the return aggregate, without a database.

requested ≥ approved ≥ received ≥ accepted + rejected, each step bounded by the one before;
every refusal names the field and the maximum, and leaves the return exactly as it was.
"""

from __future__ import annotations

import copy
from datetime import timedelta

import pytest

from retour.domain.errors import IllegalTransition, InvalidRequest, QuantityExceeded
from retour.domain.inputs import InspectionInput, LineRequest, Receipt, StockMove, UnexpectedItem
from retour.domain.lines import Disposition, Grade, Resolution, ReturnMethod, StockBucket
from retour.domain.orders import Order, OrderLine
from retour.domain.returns import Return
from retour.domain.statuses import ReturnStatus
from tests.unit.builders import NOW, in_status, order, requested, verdict

S = ReturnStatus
LATER = NOW + timedelta(hours=2)


# -- builders of this file ------------------------------------------------------------------


def open_return(
    requests: list[LineRequest],
    returnable: dict[int, int] | None = None,
    the_order: Order | None = None,
) -> Return:
    """Request a return on the builders' order (lines 11 and 12, two units of each).

    The caller reserves ids: the return gets 1, its lines 1, 2, … in request order.
    """
    return Return.request(
        order=the_order or order(),
        return_id=1,
        line_ids=list(range(1, len(requests) + 1)),
        number="R-100001",
        requests=requests,
        returnable={11: 2, 12: 2} if returnable is None else returnable,
        resolution=Resolution.REFUND,
        return_method=ReturnMethod.SHIP_YOURSELF,
        customer_note="",
        now=NOW,
    )


def approved(
    quantities: dict[int, int] | None = None, method: ReturnMethod = ReturnMethod.SHIP_YOURSELF
) -> Return:
    """Return lines 1 (order line 11) and 2 (order line 12), 2 requested each, approved."""
    ret = requested(method)
    ret.approve(NOW, deadline_days=30, quantities=quantities)
    ret.events.clear()
    return ret


def received(quantities: dict[int, int] | None = None) -> Return:
    """Approved, and every approved unit has arrived."""
    ret = approved(quantities)
    ret.receive(NOW, [Receipt(line.id, line.approved_quantity) for line in ret.lines if line.id])
    ret.events.clear()
    return ret


def frozen(ret: Return) -> Return:
    """A deep copy to compare with after a refusal (dataclass equality covers every field)."""
    return copy.deepcopy(ret)


def assert_unchanged(ret: Return, before: Return) -> None:
    assert ret == before
    assert ret.lines == before.lines
    assert ret.events == []


def quantities(ret: Return) -> list[tuple[int, int, int, int, int, int]]:
    """Per line: requested, approved, received, wrong item, accepted, rejected."""
    return [
        (
            line.requested_quantity,
            line.approved_quantity,
            line.received_quantity,
            line.wrong_item_quantity,
            line.accepted_quantity,
            line.rejected_quantity,
        )
        for line in ret.lines
    ]


# -- requesting -----------------------------------------------------------------------------


def test_a_request_takes_each_quantity_up_to_what_is_returnable():
    ret = open_return(
        [LineRequest(11, 2, "too_small"), LineRequest(12, 1, "damaged", "torn seam")],
        returnable={11: 2, 12: 1},
    )

    assert ret.status is S.REQUESTED
    assert (ret.id, [line.id for line in ret.lines]) == (1, [1, 2])
    assert quantities(ret) == [(2, 0, 0, 0, 0, 0), (1, 0, 0, 0, 0, 0)]
    first, second = ret.lines
    assert (first.order_line_id, first.variant_id, first.sku, first.title) == (
        11,
        101,
        "LINEN-M",
        "Linen shirt M",
    )
    assert (second.reason_code, second.reason_note, second.is_unexpected) == (
        "damaged",
        "torn seam",
        False,
    )
    assert [line.resolution for line in ret.lines] == [Resolution.REFUND, Resolution.REFUND]
    assert (ret.store_id, ret.order_id, ret.currency, ret.customer_email) == (
        1,
        7,
        "EUR",
        "sam@example.com",
    )


def test_a_line_may_choose_its_own_resolution():
    ret = open_return(
        [LineRequest(11, 1, "too_small", resolution=Resolution.EXCHANGE), LineRequest(12, 1, "x")]
    )

    assert [line.resolution for line in ret.lines] == [Resolution.EXCHANGE, Resolution.REFUND]


def test_requesting_more_than_is_returnable_names_the_line_and_the_maximum():
    with pytest.raises(QuantityExceeded) as refused:
        open_return(
            [LineRequest(11, 1, "too_small"), LineRequest(12, 2, "too_small")],
            returnable={11: 2, 12: 1},
        )

    assert refused.value.field == "lines[1].quantity"
    assert refused.value.maximum == 1
    assert refused.value.extra == {"field": "lines[1].quantity", "maximum": 1}
    assert refused.value.code == "quantity_exceeded"
    assert str(refused.value) == "at most 1 of LINEN-L can be returned"


def test_a_line_other_returns_hold_entirely_has_nothing_returnable():
    # Given line 11 is missing from the returnable map (other returns hold all of it)
    with pytest.raises(QuantityExceeded) as refused:
        open_return([LineRequest(11, 1, "too_small")], returnable={12: 2})

    assert (refused.value.field, refused.value.maximum) == ("lines[0].quantity", 0)


def test_only_fulfilled_units_count_when_the_caller_passes_what_is_returnable():
    unfulfilled = Order(
        id=8,
        store_id=1,
        number="#1002",
        currency="EUR",
        customer_email="sam@example.com",
        placed_at=NOW,
        lines=(OrderLine(21, "MUG", "Mug", quantity=3, fulfilled_quantity=1, variant_id=None),),
    )

    with pytest.raises(QuantityExceeded) as refused:
        open_return([LineRequest(21, 2, "other")], returnable={21: 1}, the_order=unfulfilled)

    assert (refused.value.field, refused.value.maximum) == ("lines[0].quantity", 1)


def test_the_same_order_line_twice_is_an_invalid_request_not_a_quantity_problem():
    with pytest.raises(InvalidRequest) as refused:
        open_return([LineRequest(11, 1, "too_small"), LineRequest(11, 1, "too_large")])

    assert type(refused.value) is InvalidRequest
    assert refused.value.field == "lines[1].order_line_id"
    assert str(refused.value) == "order line 11 appears twice"


def test_an_order_line_of_another_order_is_refused():
    with pytest.raises(InvalidRequest) as refused:
        open_return([LineRequest(12, 1, "too_small"), LineRequest(99, 1, "too_small")])

    assert type(refused.value) is InvalidRequest
    assert refused.value.field == "lines[1].order_line_id"
    assert str(refused.value) == "order #1001 has no line 99"


@pytest.mark.parametrize("quantity", [0, -1])
def test_a_quantity_below_one_is_refused(quantity):
    with pytest.raises(InvalidRequest) as refused:
        open_return([LineRequest(11, quantity, "too_small")])

    assert type(refused.value) is InvalidRequest
    assert refused.value.field == "lines[0].quantity"


def test_a_request_needs_at_least_one_line():
    with pytest.raises(InvalidRequest) as refused:
        open_return([])

    assert refused.value.field == "lines"


def test_a_request_records_return_requested_naming_its_lines():
    ret = open_return([LineRequest(12, 1, "damaged"), LineRequest(11, 2, "too_small")])

    assert [event.name for event in ret.events] == ["return.requested"]
    assert ret.events[0].payload == {
        "number": "R-100001",
        "status": "requested",
        "lines": [
            {"line_id": 1, "sku": "LINEN-L", "quantity": 1, "reason": "damaged"},
            {"line_id": 2, "sku": "LINEN-M", "quantity": 2, "reason": "too_small"},
        ],
    }


def test_a_request_needs_one_reserved_id_per_line():
    with pytest.raises(ValueError, match="one reserved id per requested line"):
        Return.request(
            order=order(),
            return_id=1,
            line_ids=[1],
            number="R-100001",
            requests=[LineRequest(11, 1, "too_small"), LineRequest(12, 1, "too_small")],
            returnable={11: 2, 12: 2},
            resolution=Resolution.REFUND,
            return_method=ReturnMethod.SHIP_YOURSELF,
            customer_note="",
            now=NOW,
        )


# -- approving ------------------------------------------------------------------------------


def test_approving_everything_approves_every_requested_unit_and_sets_the_deadline():
    ret = requested()

    ret.approve(LATER, deadline_days=30)

    assert ret.status is S.APPROVED
    assert quantities(ret) == [(2, 2, 0, 0, 0, 0), (2, 2, 0, 0, 0, 0)]
    assert (ret.approved_at, ret.expires_at, ret.updated_at) == (
        LATER,
        LATER + timedelta(days=30),
        LATER,
    )
    assert [event.name for event in ret.events] == ["return.approved"]
    assert ret.events[0].payload == {
        "number": "R-100001",
        "status": "approved",
        "lines": [
            {"line_id": 1, "sku": "LINEN-M", "quantity": 2, "reason": "too_small"},
            {"line_id": 2, "sku": "LINEN-L", "quantity": 2, "reason": "damaged"},
        ],
        "expires_at": (LATER + timedelta(days=30)).isoformat(),
    }


def test_a_partial_approval_gives_unnamed_lines_zero():
    ret = requested()

    ret.approve(NOW, deadline_days=14, quantities={1: 1})

    assert quantities(ret) == [(2, 1, 0, 0, 0, 0), (2, 0, 0, 0, 0, 0)]
    assert ret.expires_at == NOW + timedelta(days=14)
    assert [line["quantity"] for line in ret.events[0].payload["lines"]] == [1, 0]


def test_approving_more_than_requested_is_refused_and_changes_nothing():
    ret = requested()
    before = frozen(ret)

    with pytest.raises(QuantityExceeded) as refused:
        ret.approve(NOW, deadline_days=30, quantities={1: 1, 2: 3})

    assert (refused.value.field, refused.value.maximum) == ("lines[1].quantity", 2)
    assert_unchanged(ret, before)


@pytest.mark.parametrize("approval", [{1: 0, 2: 0}, {}], ids=["all-zero", "empty"])
def test_approving_no_unit_at_all_is_refused(approval):
    ret = requested()
    before = frozen(ret)

    with pytest.raises(InvalidRequest) as refused:
        ret.approve(NOW, deadline_days=30, quantities=approval)

    assert type(refused.value) is InvalidRequest
    assert refused.value.field == "lines"
    assert str(refused.value) == "approve at least one unit, or reject the return"
    assert_unchanged(ret, before)


def test_approving_a_negative_quantity_is_refused():
    ret = requested()
    before = frozen(ret)

    with pytest.raises(InvalidRequest) as refused:
        ret.approve(NOW, deadline_days=30, quantities={1: 2, 2: -1})

    assert type(refused.value) is InvalidRequest
    assert refused.value.field == "lines[1].quantity"
    assert_unchanged(ret, before)


def test_approving_a_line_the_return_does_not_have_is_refused():
    ret = requested()
    before = frozen(ret)

    with pytest.raises(InvalidRequest) as refused:
        ret.approve(NOW, deadline_days=30, quantities={42: 1})

    assert type(refused.value) is InvalidRequest
    assert refused.value.field == "lines[0].line_id"
    assert_unchanged(ret, before)


def test_approving_twice_is_an_illegal_transition_that_changes_nothing():
    ret = approved({1: 1})
    before = frozen(ret)

    with pytest.raises(IllegalTransition) as refused:
        ret.approve(LATER, deadline_days=30)

    assert refused.value.current_status == "approved"
    assert_unchanged(ret, before)


# -- receiving ------------------------------------------------------------------------------


def test_a_partial_receipt_leaves_the_return_partially_received():
    ret = approved()

    ret.receive(LATER, [Receipt(1, 1)])

    assert ret.status is S.PARTIALLY_RECEIVED
    assert quantities(ret) == [(2, 2, 1, 0, 0, 0), (2, 2, 0, 0, 0, 0)]
    assert [line.awaiting_receipt_quantity for line in ret.lines] == [1, 2]
    assert [line.awaiting_inspection_quantity for line in ret.lines] == [1, 0]
    assert ret.updated_at == LATER


def test_receiving_every_approved_unit_makes_the_return_received():
    ret = approved({1: 2, 2: 1})

    ret.receive(NOW, [Receipt(1, 1)])
    ret.receive(NOW, [Receipt(1, 1), Receipt(2, 1)])

    assert ret.status is S.RECEIVED
    assert quantities(ret) == [(2, 2, 2, 0, 0, 0), (2, 1, 1, 0, 0, 0)]


def test_receiving_more_than_awaited_names_the_maximum_and_changes_nothing():
    ret = approved()
    ret.receive(NOW, [Receipt(1, 1)])
    ret.events.clear()
    before = frozen(ret)

    with pytest.raises(QuantityExceeded) as refused:
        ret.receive(LATER, [Receipt(2, 1), Receipt(1, 2)])

    assert (refused.value.field, refused.value.maximum) == ("lines[1].quantity", 1)
    assert str(refused.value) == "line 1: at most 1 more can be received"
    assert_unchanged(ret, before)


def test_receipts_on_one_line_in_one_call_add_up_against_the_maximum():
    ret = approved()
    before = frozen(ret)

    with pytest.raises(QuantityExceeded) as refused:
        ret.receive(NOW, [Receipt(1, 1), Receipt(1, 2, is_wrong_item=True)])

    # The first receipt used one of the two awaited units: one is left for the second.
    assert (refused.value.field, refused.value.maximum) == ("lines[1].quantity", 1)
    assert_unchanged(ret, before)


def test_a_line_approved_at_zero_awaits_nothing():
    ret = approved({1: 2})
    before = frozen(ret)

    with pytest.raises(QuantityExceeded) as refused:
        ret.receive(NOW, [Receipt(2, 1)])

    assert (refused.value.field, refused.value.maximum) == ("lines[0].quantity", 0)
    assert_unchanged(ret, before)


def test_a_refused_unexpected_item_undoes_the_valid_receipts_of_the_same_call():
    ret = approved()
    before = frozen(ret)

    with pytest.raises(InvalidRequest) as refused:
        ret.receive(NOW, [Receipt(1, 2)], [UnexpectedItem(sku="SOCKS", title="", quantity=0)])

    assert refused.value.field == "unexpected_items[0].quantity"
    assert_unchanged(ret, before)


def test_an_unexpected_item_needs_a_sku():
    ret = approved()
    before = frozen(ret)

    with pytest.raises(InvalidRequest) as refused:
        ret.receive(NOW, [], [UnexpectedItem(sku="  ", title="Socks", quantity=1)])

    assert refused.value.field == "unexpected_items[0].sku"
    assert_unchanged(ret, before)


def test_receiving_nothing_is_refused():
    ret = approved()
    before = frozen(ret)

    with pytest.raises(InvalidRequest) as refused:
        ret.receive(NOW, [])

    assert refused.value.field == "lines"
    assert_unchanged(ret, before)


def test_receiving_a_line_the_return_does_not_have_is_refused():
    ret = approved()
    before = frozen(ret)

    with pytest.raises(InvalidRequest) as refused:
        ret.receive(NOW, [Receipt(1, 1), Receipt(9, 1)])

    assert type(refused.value) is InvalidRequest
    assert refused.value.field == "lines[1].line_id"
    assert_unchanged(ret, before)


def test_wrong_items_are_counted_among_the_received_units():
    ret = approved()

    ret.receive(NOW, [Receipt(1, 1, is_wrong_item=True), Receipt(1, 1), Receipt(2, 2)])

    assert ret.status is S.RECEIVED
    assert quantities(ret) == [(2, 2, 2, 1, 0, 0), (2, 2, 2, 0, 0, 0)]


def test_unexpected_extras_get_their_own_lines_and_do_not_block_received():
    ret = approved()

    ret.receive(
        LATER,
        [Receipt(1, 2), Receipt(2, 2)],
        [
            UnexpectedItem(sku=" SOCKS-BLUE ", title="", quantity=3, note="in the same box"),
            UnexpectedItem(sku="LINEN-S", title="Linen shirt S", quantity=1, variant_id=103),
        ],
    )

    assert ret.status is S.RECEIVED
    assert quantities(ret) == [
        (2, 2, 2, 0, 0, 0),
        (2, 2, 2, 0, 0, 0),
        (0, 0, 3, 0, 0, 0),
        (0, 0, 1, 0, 0, 0),
    ]
    socks, shirt = ret.lines[2:]
    assert (socks.is_unexpected, socks.order_line_id, socks.variant_id) == (True, None, None)
    assert (socks.sku, socks.title, socks.reason_code, socks.reason_note) == (
        "SOCKS-BLUE",
        "SOCKS-BLUE",
        "unexpected",
        "in the same box",
    )
    assert (shirt.variant_id, shirt.title, shirt.resolution) == (
        103,
        "Linen shirt S",
        Resolution.REFUND,
    )
    assert [line.awaiting_receipt_quantity for line in ret.lines] == [0, 0, 0, 0]
    assert [line.awaiting_inspection_quantity for line in ret.lines] == [2, 2, 3, 1]


def test_only_unexpected_extras_leave_the_return_partially_received():
    ret = approved()

    ret.receive(NOW, [], [UnexpectedItem(sku="SOCKS", title="Socks", quantity=1)])

    assert ret.status is S.PARTIALLY_RECEIVED
    assert [line.awaiting_receipt_quantity for line in ret.lines] == [2, 2, 0]


def test_nothing_can_be_received_on_an_unexpected_line():
    ret = approved()
    ret.receive(NOW, [Receipt(1, 1)], [UnexpectedItem(sku="SOCKS", title="Socks", quantity=1)])
    ret.lines[2].id = 3
    ret.events.clear()
    before = frozen(ret)

    with pytest.raises(QuantityExceeded) as refused:
        ret.receive(NOW, [Receipt(3, 1)])

    assert (refused.value.field, refused.value.maximum) == ("lines[0].quantity", 0)
    assert_unchanged(ret, before)


def test_a_keep_item_return_receives_nothing():
    ret = approved(method=ReturnMethod.KEEP_ITEM)
    before = frozen(ret)

    with pytest.raises(IllegalTransition) as refused:
        ret.receive(NOW, [Receipt(1, 1)])

    assert refused.value.current_status == "a keep-item return"
    assert_unchanged(ret, before)


def test_the_received_event_lists_receipts_and_extras():
    ret = approved()

    ret.receive(
        NOW,
        [Receipt(1, 2, is_wrong_item=True), Receipt(2, 1)],
        [UnexpectedItem(sku="SOCKS", title="Socks", quantity=2)],
    )

    assert [event.name for event in ret.events] == ["return.received"]
    assert ret.events[0].payload == {
        "number": "R-100001",
        "status": "partially_received",
        "receipts": [
            {"line_id": 1, "quantity": 2, "wrong_item": True},
            {"line_id": 2, "quantity": 1, "wrong_item": False},
        ],
        "unexpected_items": [{"sku": "SOCKS", "quantity": 2}],
        "fully_received": False,
    }


# -- inspecting -----------------------------------------------------------------------------


def test_inspecting_more_than_awaits_inspection_names_the_maximum_and_changes_nothing():
    ret = approved()
    ret.receive(NOW, [Receipt(1, 1), Receipt(2, 2)])
    ret.events.clear()
    before = frozen(ret)

    with pytest.raises(QuantityExceeded) as refused:
        ret.inspect(LATER, [verdict(2, 2), verdict(1, 2)])

    assert (refused.value.field, refused.value.maximum) == ("lines[1].quantity", 1)
    assert str(refused.value) == "line 1: 1 received unit(s) await inspection"
    assert_unchanged(ret, before)


def test_verdicts_on_one_line_in_one_call_add_up_against_the_maximum():
    ret = received()
    ret.inspect(NOW, [verdict(1, 1)])
    ret.events.clear()
    before = frozen(ret)

    with pytest.raises(QuantityExceeded) as refused:
        ret.inspect(NOW, [verdict(1, 1), verdict(1, 1)])

    assert (refused.value.field, refused.value.maximum) == ("lines[1].quantity", 0)
    assert_unchanged(ret, before)


@pytest.mark.parametrize("quantity", [0, -2])
def test_a_verdict_below_one_unit_is_refused(quantity):
    ret = received()
    before = frozen(ret)

    with pytest.raises(InvalidRequest) as refused:
        ret.inspect(NOW, [verdict(1, quantity)])

    assert type(refused.value) is InvalidRequest
    assert refused.value.field == "lines[0].quantity"
    assert_unchanged(ret, before)


def test_inspecting_nothing_is_refused():
    ret = received()
    before = frozen(ret)

    with pytest.raises(InvalidRequest) as refused:
        ret.inspect(NOW, [])

    assert refused.value.field == "lines"
    assert_unchanged(ret, before)


def test_accepted_and_rejected_units_add_up_to_the_inspected_ones():
    ret = received()

    ret.inspect(
        LATER,
        [
            InspectionInput(1, 1, True, Grade.A, Disposition.RESTOCK),
            InspectionInput(1, 1, False, Grade.D, Disposition.DISPOSE, "  stained "),
            InspectionInput(2, 2, False, Grade.C, Disposition.RETURN_TO_VENDOR),
        ],
    )

    assert ret.status is S.INSPECTED
    assert quantities(ret) == [(2, 2, 2, 0, 1, 1), (2, 2, 2, 0, 0, 2)]
    stained = ret.lines[0].inspections[1]
    assert (stained.note, stained.grade, stained.inspected_at) == ("stained", Grade.D, LATER)
    assert [line.awaiting_inspection_quantity for line in ret.lines] == [0, 0]


def test_the_return_is_inspected_only_when_everything_received_is_inspected():
    ret = received()

    ret.inspect(NOW, [verdict(1, 2), verdict(2, 1)])
    assert ret.status is S.RECEIVED

    ret.inspect(NOW, [verdict(2, 1)])
    assert ret.status is S.INSPECTED


def test_inspecting_while_partially_received_stays_partially_received():
    ret = approved()
    ret.receive(NOW, [Receipt(1, 2)])

    ret.inspect(NOW, [verdict(1, 2)])

    assert ret.status is S.PARTIALLY_RECEIVED
    assert quantities(ret) == [(2, 2, 2, 0, 2, 0), (2, 2, 0, 0, 0, 0)]


@pytest.mark.parametrize(
    ("disposition", "bucket"),
    [
        (Disposition.RESTOCK, StockBucket.SELLABLE),
        (Disposition.REFURBISH, StockBucket.REFURB),
        (Disposition.RETURN_TO_VENDOR, StockBucket.QUARANTINE),
        (Disposition.LIQUIDATE, StockBucket.QUARANTINE),
        (Disposition.DONATE, StockBucket.WRITTEN_OFF),
        (Disposition.DISPOSE, StockBucket.WRITTEN_OFF),
    ],
)
def test_each_disposition_moves_the_units_to_its_bucket(disposition, bucket):
    ret = received()

    moves = ret.inspect(NOW, [verdict(2, 2, disposition)])

    assert moves == [StockMove(variant_id=102, bucket=bucket, quantity=2, line_id=2)]


def test_rejected_units_move_stock_by_their_disposition_too():
    ret = received()

    moves = ret.inspect(NOW, [InspectionInput(1, 1, False, Grade.D, Disposition.REFURBISH)])

    assert moves == [StockMove(101, StockBucket.REFURB, 1, 1)]


def test_one_move_per_verdict_and_none_for_lines_without_a_variant():
    ret = approved()
    ret.receive(
        NOW,
        [Receipt(1, 2)],
        [
            UnexpectedItem(sku="SOCKS", title="Socks", quantity=1),
            UnexpectedItem(sku="LINEN-S", title="Linen S", quantity=1, variant_id=103),
        ],
    )
    ret.lines[2].id, ret.lines[3].id = 3, 4

    moves = ret.inspect(
        NOW,
        [
            verdict(1, 1),
            verdict(1, 1, Disposition.DONATE),
            verdict(3, 1, Disposition.DISPOSE),
            verdict(4, 1, Disposition.LIQUIDATE),
        ],
    )

    assert moves == [
        StockMove(101, StockBucket.SELLABLE, 1, 1),
        StockMove(101, StockBucket.WRITTEN_OFF, 1, 1),
        StockMove(103, StockBucket.QUARANTINE, 1, 4),
    ]
    assert quantities(ret)[2:] == [(0, 0, 1, 0, 1, 0), (0, 0, 1, 0, 1, 0)]
    assert ret.status is S.PARTIALLY_RECEIVED


def test_a_refused_inspection_moves_no_stock():
    ret = received()
    before = frozen(ret)

    with pytest.raises(QuantityExceeded):
        ret.inspect(NOW, [verdict(1, 1), verdict(2, 3)])

    assert_unchanged(ret, before)


def test_the_inspected_event_lists_every_verdict():
    ret = received()

    ret.inspect(
        NOW,
        [
            InspectionInput(1, 2, True, Grade.B, Disposition.REFURBISH),
            InspectionInput(2, 2, False, Grade.D, Disposition.DISPOSE),
        ],
    )

    assert [event.name for event in ret.events] == ["return.inspected"]
    assert ret.events[0].payload == {
        "number": "R-100001",
        "status": "inspected",
        "verdicts": [
            {
                "line_id": 1,
                "quantity": 2,
                "accepted": True,
                "grade": "B",
                "disposition": "refurbish",
            },
            {
                "line_id": 2,
                "quantity": 2,
                "accepted": False,
                "grade": "D",
                "disposition": "dispose",
            },
        ],
        "fully_inspected": True,
    }


# -- completing -----------------------------------------------------------------------------


def test_completion_waits_until_every_received_unit_is_inspected():
    ret = received()
    ret.inspect(NOW, [verdict(1, 2)])
    ret.events.clear()
    before = frozen(ret)

    assert not ret.can_complete()
    with pytest.raises(IllegalTransition) as refused:
        ret.complete(NOW)

    assert refused.value.current_status == "received"
    assert_unchanged(ret, before)


def test_completion_records_accepted_and_rejected_units_per_line():
    ret = received({1: 2, 2: 1})
    ret.inspect(
        NOW,
        [
            InspectionInput(1, 1, True, Grade.A, Disposition.RESTOCK),
            InspectionInput(1, 1, False, Grade.D, Disposition.DISPOSE),
            InspectionInput(2, 1, True, Grade.B, Disposition.RESTOCK),
        ],
    )
    ret.events.clear()

    ret.complete(LATER)

    assert (ret.status, ret.completed_at) == (S.COMPLETED, LATER)
    assert [event.name for event in ret.events] == ["return.completed"]
    assert ret.events[0].payload == {
        "number": "R-100001",
        "status": "completed",
        "resolution": "refund",
        "lines": [
            {"line_id": 1, "resolution": "refund", "accepted": 1, "rejected": 1, "kept": 0},
            {"line_id": 2, "resolution": "refund", "accepted": 1, "rejected": 0, "kept": 0},
        ],
    }


def test_a_keep_item_return_completes_from_approved_keeping_the_approved_units():
    ret = approved({1: 1, 2: 2}, method=ReturnMethod.KEEP_ITEM)

    ret.complete(NOW)

    assert ret.status is S.COMPLETED
    assert [line["kept"] for line in ret.events[0].payload["lines"]] == [1, 2]
    assert quantities(ret) == [(2, 1, 0, 0, 0, 0), (2, 2, 0, 0, 0, 0)]


def test_a_shipped_return_cannot_complete_before_its_items_arrive():
    ret = approved()
    before = frozen(ret)

    with pytest.raises(IllegalTransition) as refused:
        ret.complete(NOW)

    assert refused.value.current_status == "approved and waiting for its items"
    assert_unchanged(ret, before)


# -- what a return holds of its order -------------------------------------------------------


def partially_approved_in(status: ReturnStatus, method=ReturnMethod.SHIP_YOURSELF) -> Return:
    """Requested 2 + 2; once approved, only 2 of order line 11 and 1 of order line 12."""
    ret = requested(method)
    approve = lambda r: r.approve(NOW - timedelta(days=31), 30, {1: 2, 2: 1})  # noqa: E731
    receive_all = lambda r: r.receive(NOW, [Receipt(1, 2), Receipt(2, 1)])  # noqa: E731
    inspect_all = lambda r: r.inspect(NOW, [verdict(1, 2), verdict(2, 1)])  # noqa: E731
    path = {
        S.REQUESTED: [],
        S.NEEDS_INFO: [lambda r: r.request_info(NOW, "photo?")],
        S.REJECTED: [lambda r: r.reject(NOW, "too late")],
        S.CANCELLED: [approve, lambda r: r.cancel(NOW)],
        S.APPROVED: [approve],
        S.EXPIRED: [approve, lambda r: r.expire(NOW)],
        S.IN_TRANSIT: [approve, lambda r: r.mark_in_transit(NOW, "TRK1")],
        S.PARTIALLY_RECEIVED: [approve, lambda r: r.receive(NOW, [Receipt(2, 1)])],
        S.RECEIVED: [approve, receive_all],
        S.INSPECTED: [approve, receive_all, inspect_all],
        S.COMPLETED: [approve, receive_all, inspect_all, lambda r: r.complete(NOW)],
    }[status]
    for step in path:
        step(ret)
    assert ret.status is status
    return ret


@pytest.mark.parametrize(
    ("status", "held_of_line_12"),
    [
        (S.REQUESTED, 2),
        (S.NEEDS_INFO, 2),
        (S.APPROVED, 1),
        (S.IN_TRANSIT, 1),
        (S.PARTIALLY_RECEIVED, 1),
        (S.RECEIVED, 1),
        (S.INSPECTED, 1),
        (S.COMPLETED, 1),
        (S.REJECTED, 0),
        (S.CANCELLED, 0),
        (S.EXPIRED, 0),
    ],
)
def test_held_quantity_is_requested_before_approval_approved_after_and_zero_once_released(
    status, held_of_line_12
):
    ret = partially_approved_in(status)

    assert ret.held_quantity(12) == held_of_line_12
    assert ret.held_quantity(11) == (0 if held_of_line_12 == 0 else 2)
    assert ret.held_quantity(13) == 0


def test_a_completed_keep_item_return_holds_what_was_approved():
    ret = approved({2: 1}, method=ReturnMethod.KEEP_ITEM)
    ret.complete(NOW)

    assert (ret.held_quantity(11), ret.held_quantity(12)) == (0, 1)


def test_unexpected_lines_hold_nothing_of_the_order():
    ret = approved({1: 1})
    # An unexpected line that happens to carry an order line id still holds nothing.
    ret.receive(NOW, [Receipt(1, 1)], [UnexpectedItem(sku="LINEN-L", title="", quantity=2)])
    ret.lines[2].order_line_id = 12

    assert (ret.held_quantity(11), ret.held_quantity(12)) == (1, 0)


def test_asking_for_info_after_a_partial_approval_is_refused_and_holds_nothing_again():
    # Given a return of 2 + 2 units approved for 1 + 0 (3 units released to the order)
    ret = approved({1: 1})
    before = frozen(ret)

    # When staff try to ask the shopper a question
    with pytest.raises(IllegalTransition) as refused:
        ret.request_info(NOW, "which colour?")

    # Then it is refused: going back to `needs_info` would hold the released units again
    assert refused.value.current_status == "approved"
    assert (ret.held_quantity(11), ret.held_quantity(12)) == (1, 0)
    assert_unchanged(ret, before)


# -- events of the other transitions --------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "act", "name", "extra"),
    [
        (S.REQUESTED, lambda r: r.reject(LATER, " too late "), "return.rejected",
         {"reason": "too late"}),
        (S.REQUESTED, lambda r: r.request_info(LATER, "photo?"), "return.info_requested",
         {"message": "photo?"}),
        (S.NEEDS_INFO, lambda r: r.answer_info(LATER, " blue "), "return.info_provided",
         {"message": "blue"}),
        (S.IN_TRANSIT, lambda r: r.cancel(LATER, " changed mind "), "return.cancelled",
         {"reason": "changed mind"}),
        (S.APPROVED, lambda r: r.mark_in_transit(LATER, " TRK9 ", " ups "), "return.in_transit",
         {"tracking_number": "TRK9", "carrier": "ups"}),
        (S.APPROVED, lambda r: r.expire(LATER), "return.expired",
         {"expired_at": LATER.isoformat()}),
    ],
)  # fmt: skip
def test_each_transition_records_one_event_with_number_status_and_its_details(
    start, act, name, extra
):
    ret = in_status(start)

    act(ret)

    assert [event.name for event in ret.events] == [name]
    assert ret.events[0].payload == {"number": "R-100001", "status": ret.status.value, **extra}
    assert ret.updated_at == LATER


@pytest.mark.parametrize(
    ("act", "field"),
    [
        (lambda r: r.reject(NOW, "  "), "reason"),
        (lambda r: r.request_info(NOW, ""), "message"),
    ],
)
def test_an_empty_reason_or_message_is_refused_and_changes_nothing(act, field):
    ret = requested()
    before = frozen(ret)

    with pytest.raises(InvalidRequest) as refused:
        act(ret)

    assert refused.value.field == field
    assert_unchanged(ret, before)


def test_an_approved_return_cannot_expire_before_its_deadline():
    ret = approved()  # approved at NOW, due NOW + 30 days
    before = frozen(ret)

    assert not ret.is_overdue(NOW + timedelta(days=30) - timedelta(seconds=1))
    assert ret.is_overdue(NOW + timedelta(days=30))
    with pytest.raises(IllegalTransition) as refused:
        ret.expire(NOW + timedelta(days=29))

    assert refused.value.current_status == "approved and not yet due"
    assert_unchanged(ret, before)

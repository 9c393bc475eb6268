"""Editing approved quantities after approval, without a database: which lines may change,
the event it records, and every refusal (naming its field, leaving the return as it was)."""

from __future__ import annotations

import copy
from datetime import timedelta

import pytest

from retour.domain.errors import IllegalTransition, InvalidRequest, QuantityExceeded
from retour.domain.events import DomainEvent
from retour.domain.inputs import Receipt
from retour.domain.quantity_edits import trimmed_units
from retour.domain.returns import Return
from retour.domain.statuses import ReturnStatus
from tests.unit.builders import NOW, in_status, requested

S = ReturnStatus
LATER = NOW + timedelta(hours=2)
WHY = "the shopper keeps one shirt"


def approved(quantities: dict[int, int] | None = None) -> Return:
    """Lines 1 (LINEN-M, order line 11) and 2 (LINEN-L, order line 12), 2 requested each."""
    ret = requested()
    ret.approve(NOW, deadline_days=30, quantities=quantities)
    ret.events.clear()
    return ret


def refused(ret: Return, error: type[Exception], **edit: object) -> Exception:
    """Edit `ret`, expecting `error`; the return must be exactly as it was, with no event."""
    before = copy.deepcopy(ret)
    quantities = edit.pop("quantities")
    reason = edit.pop("reason", WHY)
    with pytest.raises(error) as raised:
        ret.edit_quantities(LATER, quantities, reason, **edit)
    assert ret == before
    assert ret.events == []
    return raised.value


# -- what may change ------------------------------------------------------------------------


def test_lowering_a_line_changes_only_it_and_records_old_and_new_units_with_the_reason():
    ret = approved()

    ret.edit_quantities(LATER, {1: 1}, f"  {WHY} ")

    assert [line.approved_quantity for line in ret.lines] == [1, 2]
    assert ret.status is S.APPROVED
    assert ret.updated_at == LATER
    assert ret.events == [
        DomainEvent(
            "return.quantities_changed",
            {
                "number": "R-100001",
                "status": "approved",
                "lines": [{"line_id": 1, "sku": "LINEN-M", "from": 2, "to": 1}],
                "reason": WHY,
            },
        )
    ]


def test_lines_given_with_their_current_units_are_not_listed_as_changed():
    ret = approved()

    ret.edit_quantities(LATER, {1: 2, 2: 0}, WHY)

    assert [line.approved_quantity for line in ret.lines] == [2, 0]
    assert ret.events[0].payload["lines"] == [{"line_id": 2, "sku": "LINEN-L", "from": 2, "to": 0}]


def test_a_return_in_transit_can_be_lowered():
    ret = in_status(S.IN_TRANSIT)

    ret.edit_quantities(LATER, {2: 1}, WHY)

    assert [line.approved_quantity for line in ret.lines] == [2, 1]
    assert ret.status is S.IN_TRANSIT


def test_a_line_can_go_back_up_to_what_was_requested_when_the_order_still_has_the_units():
    ret = approved({1: 1, 2: 2})

    ret.edit_quantities(LATER, {1: 2}, "approved one too few", free_units={11: 1})

    assert [line.approved_quantity for line in ret.lines] == [2, 2]
    assert ret.events[0].payload["lines"] == [{"line_id": 1, "sku": "LINEN-M", "from": 1, "to": 2}]


def test_lowering_the_last_awaited_line_of_a_partly_received_return_makes_it_received():
    ret = approved()
    ret.receive(NOW, [Receipt(1, 2)])
    ret.events.clear()
    assert ret.status is S.PARTIALLY_RECEIVED

    ret.edit_quantities(LATER, {2: 0}, "the second shirt will not come")

    assert ret.status is S.RECEIVED
    assert [line.approved_quantity for line in ret.lines] == [2, 0]
    assert ret.events[0].payload["status"] == "received"


@pytest.mark.parametrize(
    ("status", "editable"),
    [
        (S.REQUESTED, False),
        (S.NEEDS_INFO, False),
        (S.APPROVED, True),
        (S.IN_TRANSIT, True),
        # Line 1 has 1 of its 2 units, line 2 none yet: line 2 may still change.
        (S.PARTIALLY_RECEIVED, True),
        (S.RECEIVED, False),
        (S.INSPECTED, False),
        (S.COMPLETED, False),
        (S.REJECTED, False),
        (S.CANCELLED, False),
        (S.EXPIRED, False),
    ],
)
def test_can_edit_quantities_by_status(status, editable):
    assert in_status(status).can_edit_quantities() is editable


# -- refusals -------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [S.REQUESTED, S.NEEDS_INFO, S.RECEIVED, S.COMPLETED])
def test_other_statuses_are_refused_naming_the_current_status(status):
    error = refused(in_status(status), IllegalTransition, quantities={1: 1})

    assert str(error) == f"cannot edit the quantities of a return that is {status.value}"
    assert error.action == "edit_quantities"
    assert error.current_status == status.value


def test_a_partly_received_return_whose_every_line_has_units_received_is_refused():
    ret = approved()
    ret.receive(NOW, [Receipt(1, 1), Receipt(2, 1)])
    ret.events.clear()

    error = refused(ret, IllegalTransition, quantities={1: 1})

    assert error.current_status == ("partially_received and every line already has units received")


def test_a_line_cannot_go_below_what_was_received():
    ret = in_status(S.PARTIALLY_RECEIVED)  # line 1: 1 of 2 received

    error = refused(ret, InvalidRequest, quantities={2: 1, 1: 0})

    assert error.field == "lines[1].quantity"
    assert error.extra["minimum"] == 1
    assert str(error) == (
        "line 1 (LINEN-M): 1 unit(s) already received, so its quantity can no longer change "
        "(never below what arrived)"
    )


def test_every_line_at_zero_is_refused_pointing_to_reject_or_cancel():
    error = refused(approved(), InvalidRequest, quantities={1: 0, 2: 0})

    assert error.field == "lines"
    assert str(error) == (
        "keep at least one unit approved; to take back the whole return, reject or cancel it "
        "instead"
    )


def test_the_last_approved_line_at_zero_is_refused_too():
    error = refused(approved({1: 0, 2: 1}), InvalidRequest, quantities={2: 0})

    assert error.field == "lines"


def test_a_line_with_refunded_units_is_refused():
    error = refused(approved(), InvalidRequest, quantities={1: 1}, refunded={1: 2})

    assert error.field == "lines[0].quantity"
    assert str(error).startswith("line 1 (LINEN-M): 2 unit(s) are refunded or being refunded")


def test_a_refund_on_another_line_does_not_stop_the_edit():
    ret = approved()

    ret.edit_quantities(LATER, {2: 1}, WHY, refunded={1: 2})

    assert [line.approved_quantity for line in ret.lines] == [2, 1]


def test_above_what_was_requested_is_refused_with_the_maximum():
    error = refused(approved({1: 1, 2: 2}), QuantityExceeded, quantities={1: 3})

    assert error.field == "lines[0].quantity"
    assert error.maximum == 2


def test_raising_is_refused_when_other_returns_hold_the_units():
    error = refused(approved({1: 1, 2: 2}), QuantityExceeded, quantities={1: 2}, free_units={11: 0})

    assert error.maximum == 1
    assert "other returns hold the rest of LINEN-M" in str(error)


def test_raising_is_refused_while_an_exchange_holds_stock():
    error = refused(
        approved({1: 1, 2: 2}),
        InvalidRequest,
        quantities={1: 2},
        free_units={11: 1},
        exchange_reserved=True,
    )

    assert error.field == "lines[0].quantity"
    assert "quantities can only go down" in str(error)


@pytest.mark.parametrize(
    ("quantities", "reason", "field"),
    [
        ({1: -1}, WHY, "lines[0].quantity"),
        ({2: 1, 9: 1}, WHY, "lines[1].line_id"),
        ({1: 2}, WHY, "lines"),
        ({}, WHY, "lines"),
        ({1: 1}, "   ", "reason"),
        ({1: 1}, "x" * 5001, "reason"),
    ],
)
def test_bad_input_names_the_field(quantities, reason, field):
    error = refused(approved(), InvalidRequest, quantities=quantities, reason=reason)

    assert error.field == field


def test_other_transitions_keep_their_wording():
    with pytest.raises(IllegalTransition, match=r"^cannot mark in transit a return that is "):
        in_status(S.COMPLETED).mark_in_transit(NOW, "TRK")


# -- an exchange's items following the new quantities ------------------------------------


def test_trimming_keeps_the_earliest_items_whole_and_leaves_other_keys_alone():
    items = [("shirt", 1), ("shirt", 2), ("trousers", 2), ("socks", 3)]

    assert trimmed_units(items, {"shirt": 2, "trousers": 2}) == [1, 1, 2, 3]
    assert trimmed_units(items, {"shirt": 0, "trousers": 1}) == [0, 0, 1, 3]
    assert trimmed_units(items, {}) == [1, 2, 2, 3]

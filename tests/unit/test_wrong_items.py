"""Inspecting wrong items: they never move the line's item's stock nor earn a refund, what
arrived instead moves its own stock when the store sells it, and the line's own units keep
their refund whatever became of the wrong ones."""

from __future__ import annotations

import pytest

from retour.domain.errors import QuantityExceeded
from retour.domain.inputs import InspectionInput, Receipt, StockMove
from retour.domain.lines import Disposition, Grade, StockBucket
from retour.domain.refund_basis import refund_basis
from retour.domain.statuses import ReturnStatus
from tests.unit.builders import NOW, in_status

SHIRT_M = 101  # line 1's variant (tests/unit/builders.py)


def one_right_one_wrong():
    """Line 1: two units arrived, one of them not the shirt that was asked for."""
    ret = in_status(ReturnStatus.APPROVED)
    ret.receive(NOW, [Receipt(1, 1), Receipt(1, 1, is_wrong_item=True), Receipt(2, 2)])
    ret.events.clear()
    return ret


def test_an_unflagged_verdict_covers_the_lines_own_units_first_then_its_wrong_items():
    ret = one_right_one_wrong()

    moves = ret.inspect(NOW, [InspectionInput(1, 2, True, Grade.A, Disposition.RESTOCK)])

    line = ret.line(1, "lines")
    assert [(i.quantity, i.is_wrong_item) for i in line.inspections] == [(1, False), (1, True)]
    assert moves == [StockMove(SHIRT_M, StockBucket.SELLABLE, 1, 1)]
    assert refund_basis(ret, line) == 1


def test_what_arrived_instead_moves_its_own_stock_and_the_line_keeps_its_refund():
    ret = one_right_one_wrong()

    moves = ret.inspect(NOW, [
        InspectionInput(1, 1, True, Grade.A, Disposition.RESTOCK),
        InspectionInput(1, 1, False, Grade.D, Disposition.RETURN_TO_VENDOR, "wrong item received",
                        is_wrong_item=True, arrived_sku="WOOL-M", arrived_variant_id=555),
    ])  # fmt: skip

    assert moves == [
        StockMove(SHIRT_M, StockBucket.SELLABLE, 1, 1),
        StockMove(555, StockBucket.QUARANTINE, 1, 1),
    ]
    line = ret.line(1, "lines")
    assert [(i.is_wrong_item, i.arrived_sku) for i in line.inspections] == [
        (False, ""),
        (True, "WOOL-M"),
    ]
    # The rejected unit is the wrong item: the shirt that did come back is still paid back.
    assert (line.rejected_quantity, line.refused_quantity) == (1, 0)
    assert refund_basis(ret, line) == 1
    assert ret.events[-1].payload["verdicts"][1] == {
        "line_id": 1, "quantity": 1, "accepted": False, "grade": "D",
        "disposition": "return_to_vendor", "wrong_item": True, "arrived_sku": "WOOL-M",
    }  # fmt: skip


def test_an_unknown_wrong_item_moves_no_stock_at_all():
    ret = one_right_one_wrong()
    wrong = InspectionInput(1, 1, False, Grade.D, Disposition.RETURN_TO_VENDOR, is_wrong_item=True)

    assert ret.inspect(NOW, [wrong]) == []
    assert ret.line(1, "lines").wrong_items_awaiting_inspection == 0


def test_more_wrong_items_than_arrived_are_refused_and_nothing_is_recorded():
    ret = one_right_one_wrong()
    wrong = InspectionInput(1, 2, False, Grade.D, Disposition.DISPOSE, is_wrong_item=True)

    with pytest.raises(QuantityExceeded, match="1 wrong item"):
        ret.inspect(NOW, [wrong])
    assert ret.line(1, "lines").inspections == []
    assert ret.events == []


def test_a_rejected_unit_of_the_lines_own_item_earns_nothing():
    ret = one_right_one_wrong()
    ret.inspect(NOW, [InspectionInput(1, 2, False, Grade.C, Disposition.DISPOSE)])

    line = ret.line(1, "lines")
    assert (line.rejected_quantity, line.refused_quantity) == (2, 1)
    assert refund_basis(ret, line) == 0

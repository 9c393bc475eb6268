"""The refunds report against a real database: totals per day, what is open, how fast."""

from __future__ import annotations

from datetime import timedelta

import pytest

from retour.domain.inputs import LineRequest, Receipt
from retour.domain.refund_quote import RefundMethod
from retour.payments.registry import NO_PROVIDERS
from retour.services import returns as use_cases
from retour.services.refunds.opening import RefundInstruction, open_refund
from retour.services.refunds.report import Durations, refunds_report
from tests.factories import STAFF, import_sample_order, make_store


@pytest.fixture
def store_id(uow, clock):
    return make_store(uow, clock)


@pytest.fixture
def order(uow, store_id, clock):
    """Two linen shirts size M (line 1) and one size L (line 2), 49.00 + 9.80 tax each."""
    return import_sample_order(uow, store_id, clock).order


def approved_return(uow, store_id, order, clock, line_index):
    line = order.lines[line_index]
    request = use_cases.ReturnRequest(order.id, [LineRequest(line.id, 1, "too_small")])
    ret = use_cases.request_return(uow, store_id, request, STAFF, clock.now())
    return use_cases.approve_return(uow, store_id, ret.id, STAFF, clock.now())


def manual_refund(uow, store_id, ret, at):
    instruction = RefundInstruction(RefundMethod.MANUAL, reference="bank 42")
    open_refund(uow, store_id, ret.id, instruction, STAFF, at, NO_PROVIDERS)


def receive(uow, store_id, ret, at):
    use_cases.receive_return(uow, store_id, ret.id, STAFF, at, [Receipt(ret.lines[0].id, 1)])


def test_refunds_paid_before_the_parcel_arrived_are_left_out_of_time_from_receipt(
    uow, store_id, order, clock
):
    start = clock.now()
    refunded_first = approved_return(uow, store_id, order, clock, 0)
    manual_refund(uow, store_id, refunded_first, start + timedelta(hours=1))
    receive(uow, store_id, refunded_first, start + timedelta(hours=3))
    received_first = approved_return(uow, store_id, order, clock, 1)
    receive(uow, store_id, received_first, start + timedelta(hours=2))
    manual_refund(uow, store_id, received_first, start + timedelta(hours=6))

    report = refunds_report(uow, store_id, start.date(), start.date())

    assert [(day.count, day.paid_amount) for day in report.days] == [(2, 2 * 5880)]
    assert report.from_request == Durations(2, 1.0, 6.0)
    assert report.from_receipt == Durations(1, 4.0, 4.0)

"""Refund use cases against a real database: quote, open, settle, retry, void."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from retour.db.models import Event, Store, StoreCreditEntry
from retour.db.unit_of_work import UnitOfWork
from retour.domain.errors import IllegalTransition, InvalidRequest, QuantityExceeded
from retour.domain.inputs import InspectionInput, LineRequest, Receipt
from retour.domain.lines import Disposition, Grade, Resolution
from retour.domain.refund_quote import QuoteMethod, RefundMethod
from retour.payments.base import (
    ProviderRefundRequest,
    ProviderResult,
    ProviderStatus,
    ProviderUnavailable,
)
from retour.payments.registry import NO_PROVIDERS, PaymentProviders
from retour.services import returns as use_cases
from retour.services.errors import IdempotencyMismatch
from retour.services.order_import import OrderImport, import_order
from retour.services.refunds.opening import RefundInstruction, open_refund
from retour.services.refunds.quoting import quote_return_refund
from retour.services.refunds.settling import (
    retry_refund,
    settle_pending_refunds,
    settle_refund,
    void_refund,
)
from tests.factories import STAFF, make_store, order_payload


class ScriptedProvider:
    """A provider that answers from a script and records every request (service tests only)."""

    name = "scripted"

    def __init__(self, *answers: ProviderResult | Exception) -> None:
        self.answers = list(answers)
        self.requests: list[ProviderRefundRequest] = []

    def refund(self, request: ProviderRefundRequest) -> ProviderResult:
        self.requests.append(request)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    def fetch_refund(self, reference: str) -> ProviderResult:
        return ProviderResult(ProviderStatus.SUCCEEDED, reference=reference)


OK = ProviderResult(ProviderStatus.SUCCEEDED, reference="re_1")
DECLINED = ProviderResult(ProviderStatus.FAILED, message="Your card was declined.")


@pytest.fixture
def store_id(uow, clock):
    return make_store(uow, clock)


@pytest.fixture
def new_uow(session_factory):
    return lambda: UnitOfWork(session_factory)


def set_store(uow, store_id, **settings):
    with uow:
        store = uow.session.get(Store, store_id)
        for name, value in settings.items():
            setattr(store, name, value)
        uow.commit()


def import_payload(uow, store_id, clock, **changes):
    payload = order_payload(placed_at=clock.now() - timedelta(days=10))
    payload.update(changes)
    return import_order(uow, store_id, OrderImport.model_validate(payload), STAFF, clock.now())


def approved(uow, store_id, clock, quantities=(1, 0), reason="too_small", **order_changes):
    order = import_payload(uow, store_id, clock, **order_changes).order
    lines = [
        LineRequest(line.id, quantity, reason)
        for line, quantity in zip(order.lines, quantities, strict=True)
        if quantity
    ]
    ret = use_cases.request_return(
        uow, store_id, use_cases.ReturnRequest(order.id, lines), STAFF, clock.now()
    )
    return use_cases.approve_return(uow, store_id, ret.id, STAFF, clock.now())


def refund(uow, store_id, ret, clock, providers=NO_PROVIDERS, **instruction):
    options = {"method": RefundMethod.MANUAL, "reference": "bank 42", **instruction}
    row, _replayed = open_refund(
        uow, store_id, ret.id, RefundInstruction(**options), STAFF, clock.now(), providers
    )
    return row


def refund_status(uow, store_id, ret):
    with uow:
        return uow.returns.get(store_id, ret.id).refund_status


def event_names(uow, ret):
    with uow:
        statement = select(Event.name).where(Event.return_id == ret.id).order_by(Event.id)
        return list(uow.session.scalars(statement))


def test_a_manual_refund_pays_the_quote_back_and_settles_the_units(uow, store_id, clock):
    ret = approved(uow, store_id, clock, quantities=(2, 0))

    quote = quote_return_refund(uow, store_id, ret.id)
    row = refund(uow, store_id, ret, clock)

    assert quote.refundable == 2 * (4900 + 980)
    assert (row.status, row.paid_amount, row.amount, row.currency) == (
        "succeeded",
        11760,
        11760,
        "EUR",
    )
    assert [(a.amount, a.status, a.provider_reference) for a in row.allocations] == [
        (11760, "succeeded", "bank 42")
    ]
    assert refund_status(uow, store_id, ret) == "refunded"
    assert event_names(uow, ret)[-1] == "refund.succeeded"
    assert quote_return_refund(uow, store_id, ret.id).refundable == 0
    with pytest.raises(IllegalTransition) as refused:
        refund(uow, store_id, ret, clock)
    assert refused.value.current_status == "fully refunded"


def test_a_return_awaiting_a_decision_gets_a_quote_but_no_refund(uow, store_id, clock):
    order = import_payload(uow, store_id, clock).order
    ret = use_cases.request_return(
        uow,
        store_id,
        use_cases.ReturnRequest(order.id, [LineRequest(order.lines[0].id, 1, "too_small")]),
        STAFF,
        clock.now(),
    )

    assert quote_return_refund(uow, store_id, ret.id).refundable == 5880
    with pytest.raises(IllegalTransition) as refused:
        refund(uow, store_id, ret, clock)
    assert refused.value.current_status == "requested"


def test_rejected_and_wrong_units_earn_nothing_once_the_parcel_is_in(uow, store_id, clock):
    ret = approved(uow, store_id, clock, quantities=(2, 1))
    shirts, trousers = ret.lines
    use_cases.receive_return(
        uow,
        store_id,
        ret.id,
        STAFF,
        clock.now(),
        [Receipt(shirts.id, 2), Receipt(trousers.id, 1, is_wrong_item=True)],
    )
    use_cases.inspect_return(
        uow,
        store_id,
        ret.id,
        STAFF,
        clock.now(),
        [
            InspectionInput(shirts.id, 1, True, Grade.A, Disposition.RESTOCK),
            InspectionInput(shirts.id, 1, False, Grade.D, Disposition.DISPOSE),
        ],
    )

    quote = quote_return_refund(uow, store_id, ret.id)

    assert [(line.return_line_id, line.units, line.total) for line in quote.lines] == [
        (shirts.id, 1, 5880)
    ]


def test_store_credit_adds_the_bonus_and_lands_in_the_customers_ledger(uow, store_id, clock):
    set_store(uow, store_id, store_credit_bonus_bp=1000, store_credit_expiry_days=365)
    ret = approved(uow, store_id, clock)

    row = refund(uow, store_id, ret, clock, method=RefundMethod.STORE_CREDIT, reference="")

    assert (row.status, row.paid_amount, row.bonus_amount, row.amount) == (
        "succeeded",
        5880,
        588,
        6468,
    )
    assert row.provider_reference.startswith("SC-")
    with uow:
        entry = uow.session.scalars(select(StoreCreditEntry)).one()
        assert (entry.kind, entry.amount, entry.refund_id) == ("issue", 6468, row.id)
        assert entry.expires_at == clock.now() + timedelta(days=365)
    assert "store_credit.issued" in event_names(uow, ret)


def test_staff_may_change_the_amount_within_the_limit_and_must_say_why(uow, store_id, clock):
    set_store(uow, store_id, restocking_fee_bp=1000)
    ret = approved(uow, store_id, clock)

    with pytest.raises(QuantityExceeded) as too_much:
        refund(uow, store_id, ret, clock, amount=5881, reason="goodwill")
    with pytest.raises(InvalidRequest) as no_reason:
        refund(uow, store_id, ret, clock, amount=5880)
    row = refund(uow, store_id, ret, clock, amount=5880, reason="fee waived: loyal customer")

    assert (too_much.value.field, too_much.value.maximum) == ("amount", 5880)
    assert no_reason.value.field == "reason"
    assert (row.paid_amount, row.breakdown["quoted_amount"]) == (5880, 5880 - 490)


def test_refunding_to_a_gateway_without_a_provider_is_refused(uow, store_id, clock):
    ret = approved(uow, store_id, clock)

    with pytest.raises(InvalidRequest) as refused:
        refund(uow, store_id, ret, clock, method=RefundMethod.ORIGINAL_PAYMENT)

    assert refused.value.field == "method"
    assert "'card'" in refused.value.detail
    assert refund_status(uow, store_id, ret) == "none"


def test_a_declined_refund_fails_keeps_its_hold_and_succeeds_on_retry(
    uow, new_uow, store_id, clock
):
    provider = ScriptedProvider(DECLINED, OK)
    providers = PaymentProviders({"card": provider})
    ret = approved(uow, store_id, clock)

    pending = refund(uow, store_id, ret, clock, providers, method=RefundMethod.ORIGINAL_PAYMENT)
    failed = settle_refund(new_uow, store_id, pending.id, providers, clock.now, STAFF)

    assert (pending.status, failed.status) == ("pending", "failed")
    assert failed.failure_message == "Your card was declined."
    assert refund_status(uow, store_id, ret) == "failed"
    assert quote_return_refund(uow, store_id, ret.id).refundable == 0

    retry_refund(uow, store_id, failed.id, STAFF, clock.now())
    done = settle_refund(new_uow, store_id, failed.id, providers, clock.now, STAFF)

    assert (done.status, done.provider_reference, done.attempts) == ("succeeded", "re_1", 2)
    first_key, second_key = (request.idempotency_key for request in provider.requests)
    assert first_key != second_key  # a refusal is final: the retry is a new provider request
    assert refund_status(uow, store_id, ret) == "refunded"
    assert event_names(uow, ret)[-4:] == [
        "refund.pending",
        "refund.failed",
        "refund.retried",
        "refund.succeeded",
    ]


def test_an_unknown_outcome_is_retried_with_the_same_provider_key(uow, new_uow, store_id, clock):
    provider = ScriptedProvider(ProviderUnavailable("503 after 3 tries"), OK)
    providers = PaymentProviders({"card": provider})
    ret = approved(uow, store_id, clock)

    pending = refund(uow, store_id, ret, clock, providers, method=RefundMethod.ORIGINAL_PAYMENT)
    failed = settle_refund(new_uow, store_id, pending.id, providers, clock.now, STAFF)
    retry_refund(uow, store_id, failed.id, STAFF, clock.now())
    settle_refund(new_uow, store_id, failed.id, providers, clock.now, STAFF)

    assert "outcome unknown" in failed.failure_message
    first_key, second_key = (request.idempotency_key for request in provider.requests)
    assert first_key == second_key


def test_a_voided_refund_frees_the_return_to_be_paid_another_way(uow, new_uow, store_id, clock):
    providers = PaymentProviders({"card": ScriptedProvider(DECLINED)})
    ret = approved(uow, store_id, clock)
    pending = refund(uow, store_id, ret, clock, providers, method=RefundMethod.ORIGINAL_PAYMENT)
    settle_refund(new_uow, store_id, pending.id, providers, clock.now, STAFF)

    voided = void_refund(uow, store_id, pending.id, STAFF, clock.now(), "card closed")
    credit = refund(uow, store_id, ret, clock, method=RefundMethod.STORE_CREDIT, reference="")

    assert voided.status == "voided"
    assert (credit.status, credit.amount) == ("succeeded", 5880)
    with pytest.raises(IllegalTransition):
        retry_refund(uow, store_id, pending.id, STAFF, clock.now())


def test_one_idempotency_key_gives_one_refund(uow, store_id, clock):
    ret = approved(uow, store_id, clock, quantities=(2, 0))

    first = refund(uow, store_id, ret, clock, amount=5000, reason="partial", idempotency_key="k1")
    again = refund(uow, store_id, ret, clock, amount=5000, reason="partial", idempotency_key="k1")

    assert again.id == first.id
    with pytest.raises(IdempotencyMismatch):
        refund(uow, store_id, ret, clock, amount=4000, reason="partial", idempotency_key="k1")


def test_split_tender_refunds_the_card_before_the_gift_card(uow, store_id, clock):
    payments = [
        {"id": "p-gift", "gateway": "gift_card", "amount": 3000},
        {"id": "p-card", "gateway": "card", "amount": 17000},
    ]
    ret = approved(uow, store_id, clock, quantities=(2, 1), payments=payments)

    row = refund(uow, store_id, ret, clock)

    with uow:
        order = uow.orders.get_row(store_id, ret.order_id)
        gateways = {payment.id: payment.gateway for payment in order.payments}
    assert [(gateways[a.payment_id], a.amount) for a in row.allocations] == [
        ("card", 17000),
        ("gift_card", 3 * 5880 - 17000),
    ]


def test_an_order_paid_in_another_currency_is_refunded_in_that_currency(uow, store_id, clock):
    ret = approved(uow, store_id, clock, currency="USD")

    row = refund(uow, store_id, ret, clock, method=RefundMethod.STORE_CREDIT, reference="")

    assert (row.currency, row.amount) == ("USD", 5880)
    quote = quote_return_refund(uow, store_id, ret.id)
    assert quote.currency == "USD"


def test_merchant_fault_returns_get_the_shipping_back_and_no_fees(uow, store_id, clock):
    set_store(uow, store_id, restocking_fee_bp=1000, return_shipping_fee=500)
    with uow:
        reasons = uow.stores.merchant_fault_reason_codes(store_id)
    ret = approved(uow, store_id, clock, reason=sorted(reasons)[0])

    quote = quote_return_refund(uow, store_id, ret.id)

    assert quote.shipping_amount == 495
    assert quote.method(QuoteMethod.ORIGINAL_PAYMENT).total == 5880 + 495


def test_automatic_store_credit_on_approval_is_paid_in_the_approvals_transaction(
    uow, store_id, clock
):
    set_store(uow, store_id, auto_refund="on_approval")
    order = import_payload(uow, store_id, clock).order
    ret = use_cases.request_return(
        uow,
        store_id,
        use_cases.ReturnRequest(
            order.id,
            [LineRequest(order.lines[0].id, 1, "too_small")],
            resolution=Resolution.STORE_CREDIT,
        ),
        STAFF,
        clock.now(),
    )

    approved_return = use_cases.approve_return(uow, store_id, ret.id, STAFF, clock.now())

    assert approved_return.refund_status == "refunded"
    assert event_names(uow, ret)[-3:] == [
        "return.approved",
        "store_credit.issued",
        "refund.succeeded",
    ]


def test_automatic_refunds_to_the_card_wait_for_settlement_after_receipt(
    uow, new_uow, store_id, clock
):
    set_store(uow, store_id, auto_refund="on_receipt")
    providers = PaymentProviders({"card": ScriptedProvider(OK)})
    ret = approved(uow, store_id, clock)
    assert refund_status(uow, store_id, ret) == "none"

    received = use_cases.receive_return(
        uow, store_id, ret.id, STAFF, clock.now(), [Receipt(ret.lines[0].id, 1)]
    )
    settled = settle_pending_refunds(new_uow, providers, clock.now, STAFF, return_id=ret.id)

    assert received.refund_status == "pending"
    assert [(row.status, row.paid_amount) for row in settled] == [("succeeded", 5880)]
    assert refund_status(uow, store_id, ret) == "refunded"

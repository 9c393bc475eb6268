"""Paying a return back from its page: the quote is on the page first; the staff member picks
a method, may change the amount within the refundable limit (with a reason), and confirms.

The money rules are the refund use cases' own (services/refunds): this only adds the role,
the stale-page check, amounts as typed ("117.60"), and the form's one-time key, so that a
double click or a resent form never pays twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from retour.db.models import RefundRow
from retour.db.unit_of_work import UnitOfWork
from retour.domain.errors import DomainError, InvalidRequest
from retour.domain.money import currency_precision
from retour.domain.refund_quote import RefundMethod
from retour.domain.staff import Permission, StaffMember, ensure_permitted
from retour.notifications.formatting import format_money
from retour.payments.registry import PaymentProviders
from retour.services.backoffice.actions import StalePage, actor_of
from retour.services.backoffice.detail import return_id_of, version_of
from retour.services.refunds.opening import RefundInstruction, open_refund
from retour.services.refunds.settling import retry_refund, settle_refund
from retour.services.returns.common import load_return


@dataclass(frozen=True)
class RefundForm:
    method: str
    #: As typed, in the currency's major unit ("117.60"); blank takes the quote.
    amount: str
    reason: str
    reference: str
    #: Rendered into the form once; the refund's idempotency key.
    key: str


@dataclass(frozen=True)
class Payments:
    """What paying back needs besides the database: the providers, and fresh transactions and
    times for the provider call after the refund is recorded."""

    providers: PaymentProviders
    new_uow: Callable[[], UnitOfWork]
    now: Callable[[], datetime]


def refund_from_page(
    uow: UnitOfWork,
    staff: StaffMember,
    number: str,
    seen: str,
    form: RefundForm,
    payments: Payments,
) -> RefundRow:
    """Record the refund, then (original payment) ask the providers; a failure shows on the
    page with a retry."""
    ensure_permitted(staff, Permission.MOVE_MONEY)
    method = _method(form.method)
    if len(form.key) < 16:
        raise InvalidRequest("This form has expired. Please try again.", field="key")
    with uow:
        return_id = return_id_of(uow, staff.store_id, number)
        current = load_return(uow, staff.store_id, return_id)
        if seen and version_of(current) != seen:
            raise StalePage(current.number, current.status.value)
        currency = current.currency
    instruction = RefundInstruction(
        method=method,
        amount=parse_amount(form.amount, currency),
        reason=form.reason,
        reference=form.reference,
        idempotency_key=f"backoffice-{staff.store_id}-{form.key}",
    )
    actor = actor_of(staff)
    try:
        refund, _replayed = open_refund(
            uow, staff.store_id, return_id, instruction, actor, payments.now(),
            payments.providers,
        )  # fmt: skip
    except DomainError as error:
        in_money = _in_money(error, currency)
        if in_money is error:
            raise
        raise in_money from error
    if refund.status != "pending":
        return refund
    return settle_refund(
        payments.new_uow, staff.store_id, refund.id, payments.providers, payments.now, actor
    )


def retry_from_page(
    uow: UnitOfWork, staff: StaffMember, refund_id: int, payments: Payments
) -> RefundRow:
    """Try a failed refund's failed parts again."""
    ensure_permitted(staff, Permission.MOVE_MONEY)
    actor = actor_of(staff)
    refund = retry_refund(uow, staff.store_id, refund_id, actor, payments.now())
    return settle_refund(
        payments.new_uow, staff.store_id, refund.id, payments.providers, payments.now, actor
    )


def parse_amount(text: str, currency: str, field: str = "amount") -> int | None:
    """`"117.60"` → 11760 (EUR); blank → None (the quote's amount). A refusal names `field`."""
    cleaned = text.strip().replace(" ", "").replace(",", ".")
    if not cleaned:
        return None
    places = currency_precision(currency)
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or value.as_tuple().exponent < -places:  # type: ignore[operator]
        example = f"{12:.{places}f}" if places else "12"
        raise InvalidRequest(
            f"Type the amount as a number like {example}, in {currency}.", field=field
        )
    return int(value.scaleb(places))


def _method(value: str) -> RefundMethod:
    try:
        return RefundMethod(value)
    except ValueError:
        raise InvalidRequest("Choose how to pay the money back.", field="method") from None


def _in_money(error: DomainError, currency: str) -> DomainError:
    """The refund rules speak in minor units; the page speaks in the shopper's money."""
    field = error.extra.get("field")
    if field == "amount" and "maximum" in error.extra:
        limit = format_money(int(error.extra["maximum"]), currency, "en")
        return InvalidRequest(
            f"That is more than the {limit} this return can still pay back.", field="amount"
        )
    if field == "reason":
        return InvalidRequest("The amount is not the quote's: say why.", field="reason")
    return error

"""What the shopper would get back for the items and method chosen, before asking: the same
refund quote the API and staff see (docs/refunds.md), for a return not yet made."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from retour.db.unit_of_work import UnitOfWork
from retour.domain.errors import InvalidRequest
from retour.domain.lines import MERCHANT_SHIPPING_METHODS, Resolution
from retour.domain.refund_quote import (
    FeeSettings,
    MethodTotal,
    QuoteMethod,
    QuoteRequest,
    UnitsToRefund,
    quote_refund,
)
from retour.services.exchanges.queries import VariantOption
from retour.services.policy.evaluation import judge_request
from retour.services.policy.inputs import CurrencyMismatch, LineAsk
from retour.services.policy.live import live_policy
from retour.services.portal.exchange_choice import (
    ExchangePreview,
    check_exchange,
    price_exchange_preview,
)
from retour.services.portal.lookup import PortalAccess
from retour.services.portal.order_view import PortalOrder
from retour.services.portal.submitting import PortalSubmission

QUOTE_METHODS = {
    Resolution.REFUND: QuoteMethod.ORIGINAL_PAYMENT,
    Resolution.STORE_CREDIT: QuoteMethod.STORE_CREDIT,
}


@dataclass(frozen=True)
class Preview:
    currency: str
    #: Paid money the items are worth back (items, their tax, shipping when refunded).
    refundable: int
    #: What each resolution the portal offers would give, fees and bonus included.
    totals: dict[Resolution, MethodTotal]
    #: The variants picked for an exchange and what the swap costs; None: none picked.
    exchange: ExchangePreview | None = None


def check_selection(order: PortalOrder, submission: PortalSubmission) -> None:
    """The items page's checks, each naming its field: items that can go back, quantities
    within what is left, a reason of the store's list, a comment where the reason needs one."""
    if not submission.lines:
        raise InvalidRequest("Choose at least one item to return.", field="lines")
    items = {item.order_line_id: item for item in order.items}
    reasons = {reason.code: reason for reason in order.reasons}
    for line in submission.lines:
        item = items.get(line.order_line_id)
        if item is None or item.refusal is not None:
            raise InvalidRequest("This item cannot be returned.", field=f"qty-{line.order_line_id}")
        if line.quantity > item.returnable:
            raise InvalidRequest(
                f"At most {item.returnable} of this item can be returned.",
                field=f"qty-{line.order_line_id}",
                msgid="At most {count} of this item can be returned.",
                params={"count": item.returnable},
            )
        reason = reasons.get(line.reason_code)
        if reason is None:
            raise InvalidRequest(
                "Choose why you are returning it.", field=f"reason-{line.order_line_id}"
            )
        if reason.requires_photo and not submission.photos.get(line.order_line_id):
            raise InvalidRequest(
                f"Add a photo: “{reason.label}” needs one.",
                field=f"photos-{line.order_line_id}",
                msgid="Add a photo: “{reason}” needs one.",
                params={"reason": reason.label},
            )
        if reason.requires_comment and not line.reason_note:
            raise InvalidRequest(
                f"Tell us more: “{reason.label}” needs a comment.",
                field=f"comment-{line.order_line_id}",
                msgid="Tell us more: “{reason}” needs a comment.",
                params={"reason": reason.label},
            )
    if submission.resolution not in order.resolutions:
        raise InvalidRequest("Choose one of the options.", field="resolution")
    if submission.return_method not in order.methods:
        raise InvalidRequest("Choose one of the options.", field="method")
    if submission.resolution is Resolution.EXCHANGE:
        check_exchange(submission.lines, submission.exchanges, exchange_options(order))


def exchange_options(order: PortalOrder) -> dict[int, tuple[VariantOption, ...]]:
    return {item.order_line_id: item.exchange_options for item in order.items}


def preview_return(
    uow: UnitOfWork,
    access: PortalAccess,
    submission: PortalSubmission,
    now: datetime,
    options: Mapping[int, Sequence[VariantOption]] | None = None,
) -> Preview:
    """The amounts for the review page; with `options` (the order's exchange options) and a
    variant picked for every item, what the exchange costs too."""
    with uow:
        money = uow.refunds.order_money(access.order_id)
        merchant_fault = uow.stores.merchant_fault_reason_codes(access.store_id)
        fees = _fee_settings(uow, access, submission, now)
    units = [
        UnitsToRefund(
            return_line_id=-index,  # no return line yet
            order_line_id=line.order_line_id,
            units=line.quantity,
            is_merchant_fault=line.reason_code in merchant_fault,
        )
        for index, line in enumerate(submission.lines, start=1)
    ]
    quote = quote_refund(
        QuoteRequest(
            currency=money.currency,
            order_lines=money.lines,
            units=units,
            fees=fees,
            shipping_paid=money.shipping_paid,
            refunded=money.refunded_lines,
            shipping_refunded=money.shipping_refunded,
            uses_merchant_shipping=submission.return_method in MERCHANT_SHIPPING_METHODS,
            return_has_merchant_fault=any(unit.is_merchant_fault for unit in units),
            payments_remaining=money.payments_remaining,
        )
    )
    totals = {
        resolution: quote.method(method)
        for resolution, method in QUOTE_METHODS.items()
        if method in quote.methods
    }
    exchange = None
    if options and all(
        submission.exchanges.get(line.order_line_id)
        in {option.variant_id for option in options.get(line.order_line_id, ())}
        for line in submission.lines
    ):
        exchange = price_exchange_preview(
            quote, money, submission.lines, submission.exchanges, options
        )
    return Preview(quote.currency, quote.refundable, totals, exchange)


def _fee_settings(
    uow: UnitOfWork, access: PortalAccess, submission: PortalSubmission, now: datetime
) -> FeeSettings:
    """The fees the live policy would decide this return under, as a new return keeps them;
    the store's money settings without a live policy (as the quote of a return made then)
    or when the policy cannot judge the order."""
    live = live_policy(uow, access.store_id)
    if live is None:
        return uow.stores.fee_settings(access.store_id)
    asks = [LineAsk(line.order_line_id, line.quantity, line.reason_code, line.reason_note)
            for line in submission.lines]  # fmt: skip
    try:
        judged = judge_request(uow, access.store_id, live.policy, access.order_id, asks, now)
    except CurrencyMismatch:
        return uow.stores.fee_settings(access.store_id)
    return judged.evaluation.fees.settings

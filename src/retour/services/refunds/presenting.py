"""Quotes and refunds as plain data: stored with each refund and carried by its events."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from retour.db.models import RefundRow
from retour.db.unit_of_work import UnitOfWork
from retour.domain.events import DomainEvent
from retour.domain.refund_quote import MethodTotal, RefundQuote
from retour.services.context import Actor


def method_payload(total: MethodTotal) -> dict[str, Any]:
    return {
        "method": total.method.value,
        "fees": [
            {"code": fee.code.value, "amount": fee.amount, "waived": fee.waived, "note": fee.note}
            for fee in total.fees
        ],
        "fees_charged": total.fees_charged,
        "bonus": total.bonus,
        "paid_amount": total.paid_amount,
        "total": total.total,
    }


def quote_payload(quote: RefundQuote) -> dict[str, Any]:
    return {
        "currency": quote.currency,
        "lines": [
            {
                "return_line_id": line.return_line_id,
                "order_line_id": line.order_line_id,
                "units": line.units,
                "items_amount": line.items_amount,
                "tax_amount": line.tax_amount,
                "total": line.total,
            }
            for line in quote.lines
        ],
        "items_amount": quote.items_amount,
        "tax_amount": quote.tax_amount,
        "shipping_amount": quote.shipping_amount,
        "refundable": quote.refundable,
        "capped_by_payments": quote.capped_by_payments,
        "methods": [method_payload(total) for total in quote.methods.values()],
    }


def refund_event_payload(refund: RefundRow) -> dict[str, Any]:
    return {
        "refund_id": refund.id,
        "method": refund.method,
        "status": refund.status,
        "amount": refund.amount,
        "paid_amount": refund.paid_amount,
        "bonus_amount": refund.bonus_amount,
        "currency": refund.currency,
        "provider_reference": refund.provider_reference,
        "failure_message": refund.failure_message,
    }


def record_refund_event(
    uow: UnitOfWork,
    refund: RefundRow,
    actor: Actor,
    now: datetime,
    name: str | None = None,
    **extra: Any,
) -> None:
    """Append `refund.<status>` (or `name`) for `refund` to its return's timeline."""
    uow.events.append(
        [DomainEvent(name or f"refund.{refund.status}", {**refund_event_payload(refund), **extra})],
        store_id=refund.store_id,
        actor=str(actor),
        occurred_at=now,
        return_id=refund.return_id,
        order_id=refund.order_id,
    )

"""Public JSON shapes of quotes and refunds."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from retour.domain.refund_quote import MethodTotal, RefundMethod, RefundQuote


class RefundCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    method: RefundMethod
    amount: Annotated[
        int | None,
        Field(ge=0, description="paid money to give back, minor units; default: the quote's"),
    ] = None
    reason: Annotated[
        str, Field(max_length=2000, description="required when the amount differs from the quote")
    ] = ""
    reference: Annotated[
        str, Field(max_length=255, description="manual refunds: where the money went")
    ] = ""


class VoidBody(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: Annotated[str, Field(min_length=1, max_length=2000)]


class FeePublic(BaseModel):
    code: str
    amount: int
    waived: bool
    note: str


class MethodQuotePublic(BaseModel):
    method: str
    fees: list[FeePublic]
    fees_charged: int
    bonus: int = Field(description="store-credit bonus on top of the paid money")
    paid_amount: int = Field(description="paid money given back: refundable minus fees")
    total: int = Field(description="what the shopper gets: paid_amount + bonus")

    @classmethod
    def from_domain(cls, total: MethodTotal) -> MethodQuotePublic:
        return cls(
            method=total.method.value,
            fees=[
                FeePublic(code=f.code.value, amount=f.amount, waived=f.waived, note=f.note)
                for f in total.fees
            ],
            fees_charged=total.fees_charged,
            bonus=total.bonus,
            paid_amount=total.paid_amount,
            total=total.total,
        )


class QuoteLinePublic(BaseModel):
    return_line_id: int
    order_line_id: int
    units: int
    items_amount: int
    tax_amount: int
    total: int


class RefundQuotePublic(BaseModel):
    return_id: int
    currency: str
    lines: list[QuoteLinePublic]
    items_amount: int
    tax_amount: int
    shipping_amount: int
    refundable: int = Field(description="most paid money this return can give back now")
    capped_by_payments: bool
    methods: list[MethodQuotePublic]

    @classmethod
    def from_domain(cls, return_id: int, quote: RefundQuote) -> RefundQuotePublic:
        return cls(
            return_id=return_id,
            currency=quote.currency,
            lines=[
                QuoteLinePublic(
                    return_line_id=line.return_line_id,
                    order_line_id=line.order_line_id,
                    units=line.units,
                    items_amount=line.items_amount,
                    tax_amount=line.tax_amount,
                    total=line.total,
                )
                for line in quote.lines
            ],
            items_amount=quote.items_amount,
            tax_amount=quote.tax_amount,
            shipping_amount=quote.shipping_amount,
            refundable=quote.refundable,
            capped_by_payments=quote.capped_by_payments,
            methods=[MethodQuotePublic.from_domain(total) for total in quote.methods.values()],
        )


class _FromRow(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class RefundLinePublic(_FromRow):
    return_line_id: int
    order_line_id: int
    units: int
    items_amount: int
    tax_amount: int


class RefundAllocationPublic(_FromRow):
    payment_id: int
    amount: int
    status: str
    provider_reference: str
    failure_message: str


class RefundPublic(_FromRow):
    id: int
    return_id: int
    order_id: int
    method: str
    provider: str
    status: str = Field(description="pending, succeeded, failed or voided")
    currency: str
    amount: int = Field(description="what the shopper gets: paid_amount + bonus_amount")
    paid_amount: int
    bonus_amount: int
    items_amount: int
    tax_amount: int
    shipping_amount: int
    fees_amount: int
    adjustment_reason: str
    provider_reference: str
    failure_message: str
    attempts: int
    actor: str
    created_at: datetime
    updated_at: datetime
    succeeded_at: datetime | None
    lines: list[RefundLinePublic]
    allocations: list[RefundAllocationPublic]


class RefundList(BaseModel):
    items: list[RefundPublic]

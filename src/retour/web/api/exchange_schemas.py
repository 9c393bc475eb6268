"""Public JSON shapes of exchanges (replacement orders) and the variant picker."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from retour.domain.exchanges import ExchangeKind


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ExchangeItemIn(_In):
    variant_id: int
    quantity: Annotated[int, Field(ge=1, le=1000)]


class ExchangeCreate(_In):
    kind: ExchangeKind = ExchangeKind.SAME_PRODUCT
    items: Annotated[
        list[ExchangeItemIn],
        Field(max_length=100, description="ignored for `replacement`: the returned items"),
    ] = []


class ReleaseBody(_In):
    balance_paid_reference: Annotated[
        str, Field(max_length=255, description="required when the shopper owes a balance")
    ] = ""


class ShipBody(_In):
    tracking_number: Annotated[str, Field(max_length=100)] = ""


class ExchangeCancelBody(_In):
    reason: Annotated[str, Field(min_length=1, max_length=2000)]


class _FromRow(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ExchangeLinePublic(_FromRow):
    variant_id: int
    sku: str
    title: str
    quantity: int
    unit_price: int


class ExchangePublic(_FromRow):
    id: int
    return_id: int
    kind: str
    status: str = Field(description="draft, pending, released, shipped or cancelled")
    currency: str
    items_amount: int
    credit_amount: int = Field(description="what the returned units are worth")
    balance_due: int = Field(description="owed by the shopper before release")
    balance_paid_reference: str
    refund_id: int | None
    tracking_number: str
    note: str
    created_at: datetime
    updated_at: datetime
    lines: list[ExchangeLinePublic]


class ExchangePage(BaseModel):
    items: list[ExchangePublic]
    next_cursor: str | None


class VariantOptionPublic(BaseModel):
    variant_id: int
    product_id: int
    sku: str
    title: str
    options: dict[str, object]
    unit_price: int
    in_stock: int


class VariantOptionList(BaseModel):
    items: list[VariantOptionPublic]

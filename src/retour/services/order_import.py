"""Import or update an order from the shop platform, idempotent on the platform's order id."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from retour.db.locking import take_store_writer_lock
from retour.db.models import (
    Customer,
    Fulfilment,
    FulfilmentLine,
    OrderLineRow,
    OrderPayment,
    OrderRow,
    Product,
    Variant,
)
from retour.db.unit_of_work import UnitOfWork
from retour.domain.addresses import checked_country
from retour.domain.email_addresses import address_problem
from retour.domain.errors import InvalidRequest
from retour.domain.events import DomainEvent
from retour.domain.money import validate_currency
from retour.services.context import Actor

MinorUnits = Annotated[int, Field(ge=0, description="amount in the currency's minor unit")]
SHIPPING_ADDRESS_FIELDS = (
    "name", "company", "line1", "line2", "city", "region", "postal_code", "country", "phone",
)  # fmt: skip
_LATER_ADDRESS_FIELDS = frozenset(SHIPPING_ADDRESS_FIELDS) - {"postal_code", "country"}
Text = Annotated[str, Field(min_length=1, max_length=300)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _checked_email(address: str) -> str:
    problem = address_problem(address)
    if problem is not None:
        raise ValueError(f"not a usable e-mail address: {problem}")
    return address


EmailAddress = Annotated[str, Field(max_length=254), AfterValidator(_checked_email)]


class CustomerImport(_Strict):
    email: EmailAddress
    name: str = ""
    #: A BCP 47 tag such as `fr` or `de-CH`: the language of the shopper's e-mails.
    locale: Annotated[
        str, Field(max_length=16, pattern=r"^([A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*)?$")
    ] = ""


class ProductImport(_Strict):
    handle: Text
    title: Text
    collection: str = ""
    tags: list[str] = []
    is_returnable: bool = True
    is_final_sale: bool = False


class OrderLineImport(_Strict):
    id: Annotated[str, Field(min_length=1, max_length=100, description="platform line id")]
    sku: Annotated[str, Field(min_length=1, max_length=100)]
    title: Text
    quantity: Annotated[int, Field(ge=1)]
    unit_price: MinorUnits
    line_discount: MinorUnits = 0
    order_discount_allocated: MinorUnits = 0
    tax: MinorUnits = 0
    options: dict[str, str] = {}
    product: ProductImport | None = None


class PaymentImport(_Strict):
    id: Annotated[str, Field(min_length=1, max_length=100)]
    gateway: Annotated[str, Field(min_length=1, max_length=64)]
    amount: MinorUnits


class FulfilmentLineImport(_Strict):
    line_id: Annotated[str, Field(min_length=1, max_length=100)]
    quantity: Annotated[int, Field(ge=1)]


class FulfilmentImport(_Strict):
    id: Annotated[str, Field(min_length=1, max_length=100)]
    shipped_at: AwareDatetime | None = None
    delivered_at: AwareDatetime | None = None
    tracking_number: str = ""
    lines: list[FulfilmentLineImport]


def _known_country(code: str) -> str:
    """Checked, but kept as written (it is upper-cased when saved), so that the payload of an
    order imported before reads the same, and re-importing it changes nothing."""
    try:
        checked_country(code, "country")
    except InvalidRequest as error:
        raise ValueError(error.detail) from error
    return code


class ShippingImport(_Strict):
    """What shipping cost, and where it went: the address a return label starts from.

    Every address field is optional; they are checked per country (docs/shipping.md) when a
    label is made, so an order always imports. Only the country must be a real one.
    """

    amount: MinorUnits = 0
    tax: MinorUnits = 0
    name: Annotated[str, Field(max_length=200)] = ""
    company: Annotated[str, Field(max_length=200)] = ""
    line1: Annotated[str, Field(max_length=200)] = ""
    line2: Annotated[str, Field(max_length=200)] = ""
    city: Annotated[str, Field(max_length=100)] = ""
    region: Annotated[str, Field(max_length=100)] = ""
    postal_code: Annotated[str, Field(max_length=32)] = ""
    country: Annotated[str, Field(max_length=2), AfterValidator(_known_country)] = ""
    phone: Annotated[str, Field(max_length=32)] = ""


class OrderImport(_Strict):
    """An order as the shop platform knows it; `id` is the platform's order id."""

    id: Annotated[str, Field(min_length=1, max_length=100)]
    number: Annotated[str, Field(min_length=1, max_length=64)]
    placed_at: AwareDatetime
    currency: Annotated[str, Field(min_length=3, max_length=3)]
    customer: CustomerImport
    is_gift: bool = False
    #: The code on the gift receipt (gift returns in the portal); empty: none.
    gift_receipt_code: Annotated[str, Field(max_length=64)] = ""
    shipping: ShippingImport = ShippingImport()
    lines: Annotated[list[OrderLineImport], Field(min_length=1)]
    payments: list[PaymentImport] = []
    fulfilments: list[FulfilmentImport] = []

    @field_validator("currency")
    @classmethod
    def _known_currency(cls, value: str) -> str:
        try:
            return validate_currency(value)
        except InvalidRequest as error:
            raise ValueError(error.detail) from error

    @model_validator(mode="after")
    def _consistent(self) -> OrderImport:
        quantities = {line.id: line.quantity for line in self.lines}
        if len(quantities) != len(self.lines):
            raise ValueError("lines: every line id must be unique")
        for fulfilment in self.fulfilments:
            for item in fulfilment.lines:
                if item.line_id not in quantities:
                    raise ValueError(f"fulfilments: unknown line_id {item.line_id!r}")
                quantities[item.line_id] -= item.quantity
        over = [line_id for line_id, left in quantities.items() if left < 0]
        if over:
            raise ValueError(f"fulfilments: more fulfilled than ordered on line {over[0]!r}")
        return self


@dataclass(frozen=True)
class ImportResult:
    order: OrderRow
    created: bool
    changed: bool


def import_order(
    uow: UnitOfWork, store_id: int, payload: OrderImport, actor: Actor, now: datetime
) -> ImportResult:
    """Create or update the order; importing the same payload again changes nothing."""
    source_hash = _source_hash(payload)
    with uow:
        take_store_writer_lock(uow.session, store_id)
        existing = uow.orders.find_row_by_platform_id(store_id, payload.id)
        if existing is not None and existing.source_hash == source_hash:
            return ImportResult(existing, created=False, changed=False)
        if existing is not None and existing.currency != payload.currency:
            raise InvalidRequest("an order's currency cannot change", field="currency")
        order = existing or OrderRow(
            store_id=store_id,
            platform_order_id=payload.id,
            created_at=now,
            lines=[],
            payments=[],
            fulfilments=[],
        )
        _apply_header(uow, order, payload, store_id, now, source_hash)
        if existing is None:
            uow.session.add(order)
        _apply_lines(uow, order, payload, store_id)
        _apply_payments(order, payload, store_id)
        uow.session.flush()
        _apply_fulfilments(order, payload, store_id)
        uow.session.flush()
        name = "order.imported" if existing is None else "order.updated"
        event = DomainEvent(name, {"number": order.number, "platform_order_id": payload.id})
        uow.events.append(
            [event], store_id=store_id, actor=str(actor), occurred_at=now, order_id=order.id
        )
        uow.commit()
    return ImportResult(order, created=existing is None, changed=True)


def _source_hash(payload: OrderImport) -> str:
    """SHA-256 of the payload; the address fields and gift receipt code added later count only
    when given, so an order imported before them hashes as it did (importing it again changes
    nothing)."""
    unset = {name for name in _LATER_ADDRESS_FIELDS if not getattr(payload.shipping, name)}
    exclude: dict[str, Any] = {"shipping": unset}
    if not payload.gift_receipt_code:
        exclude["gift_receipt_code"] = True
    dump = payload.model_dump_json(exclude=exclude)
    return hashlib.sha256(dump.encode()).hexdigest()


def _apply_header(
    uow: UnitOfWork,
    order: OrderRow,
    payload: OrderImport,
    store_id: int,
    now: datetime,
    source_hash: str,
) -> None:
    email = payload.customer.email.lower()
    customer = uow.stores.customer(store_id, email)
    if customer is None:
        customer = Customer(
            store_id=store_id,
            email=email,
            name=payload.customer.name,
            locale=payload.customer.locale,
            created_at=now,
        )
        uow.session.add(customer)
        uow.session.flush()
    else:
        if payload.customer.name:
            customer.name = payload.customer.name
        if payload.customer.locale:
            customer.locale = payload.customer.locale
    order.number = payload.number
    order.customer_id = customer.id
    order.customer_email = email
    order.currency = payload.currency
    order.placed_at = payload.placed_at
    order.is_gift = payload.is_gift
    order.gift_receipt_code = payload.gift_receipt_code.strip()
    order.shipping_amount = payload.shipping.amount
    order.shipping_tax = payload.shipping.tax
    for name in SHIPPING_ADDRESS_FIELDS:
        setattr(order, f"shipping_{name}", getattr(payload.shipping, name))
    order.shipping_country = payload.shipping.country.upper()
    order.source_hash = source_hash
    order.updated_at = now


def _apply_lines(uow: UnitOfWork, order: OrderRow, payload: OrderImport, store_id: int) -> None:
    variants = uow.stores.variant_ids_by_sku(store_id, [line.sku for line in payload.lines])
    by_platform_id = {line.platform_line_id: line for line in order.lines}
    for item in payload.lines:
        variant_id = variants.get(item.sku) or _create_variant(uow, store_id, item, order.currency)
        variants[item.sku] = variant_id
        row = by_platform_id.get(item.id)
        if row is None:
            row = OrderLineRow(store_id=store_id, platform_line_id=item.id)
            order.lines.append(row)
        fields: dict[str, Any] = item.model_dump(
            include={
                "sku",
                "title",
                "quantity",
                "unit_price",
                "line_discount",
                "order_discount_allocated",
                "tax",
            }
        )
        for name, value in fields.items():
            setattr(row, name, value)
        row.variant_id = variant_id


def _create_variant(uow: UnitOfWork, store_id: int, item: OrderLineImport, currency: str) -> int:
    product_info = item.product or ProductImport(handle=item.sku.lower(), title=item.title)
    product = uow.stores.product_by_handle(store_id, product_info.handle)
    if product is None:
        product = Product(store_id=store_id, **product_info.model_dump())
        uow.session.add(product)
        uow.session.flush()
    variant = Variant(
        store_id=store_id,
        product_id=product.id,
        sku=item.sku,
        title=item.title,
        options=item.options,
        price=item.unit_price,
    )
    uow.session.add(variant)
    uow.session.flush()
    return variant.id


def _apply_payments(order: OrderRow, payload: OrderImport, store_id: int) -> None:
    by_platform_id = {payment.platform_payment_id: payment for payment in order.payments}
    for item in payload.payments:
        row = by_platform_id.get(item.id)
        if row is None:
            row = OrderPayment(store_id=store_id, platform_payment_id=item.id)
            order.payments.append(row)
        row.gateway = item.gateway
        row.amount = item.amount
        row.currency = order.currency


def _apply_fulfilments(order: OrderRow, payload: OrderImport, store_id: int) -> None:
    line_ids = {line.platform_line_id: line.id for line in order.lines}
    by_platform_id = {row.platform_fulfilment_id: row for row in order.fulfilments}
    for item in payload.fulfilments:
        row = by_platform_id.get(item.id)
        if row is None:
            row = Fulfilment(store_id=store_id, platform_fulfilment_id=item.id, lines=[])
            order.fulfilments.append(row)
        row.shipped_at = item.shipped_at
        row.delivered_at = item.delivered_at
        row.tracking_number = item.tracking_number
        row.lines[:] = [
            FulfilmentLine(order_line_id=line_ids[line.line_id], quantity=line.quantity)
            for line in item.lines
        ]

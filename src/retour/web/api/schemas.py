"""Public JSON shapes of the API: `XCreate` in, `XPublic` out."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from retour.domain.lines import Disposition, Grade, Resolution, ReturnLine, ReturnMethod
from retour.domain.policy_override import DECISION_KEY
from retour.domain.returns import Return
from retour.web.api.policy_schemas import DecisionPublic, RiskPublic, TermsOverridePublic

Quantity = Annotated[int, Field(ge=1, le=100_000)]
Message = Annotated[str, Field(min_length=1, max_length=5000)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


# -- requests -------------------------------------------------------------------------------


class ReturnLineCreate(_In):
    order_line_id: int
    quantity: Quantity
    reason_code: Annotated[str, Field(min_length=1, max_length=64)]
    reason_note: Annotated[str, Field(max_length=5000)] = ""
    resolution: Resolution | None = None


class ReturnCreate(_In):
    order_id: int
    lines: Annotated[list[ReturnLineCreate], Field(min_length=1, max_length=500)]
    resolution: Resolution = Resolution.REFUND
    return_method: ReturnMethod = ReturnMethod.SHIP_YOURSELF
    customer_note: Annotated[str, Field(max_length=5000)] = ""


class ApproveLine(_In):
    line_id: int
    quantity: Annotated[int, Field(ge=0, le=100_000)]


class ApproveBody(_In):
    """Omit `lines` to approve everything requested; lines left out of a list get 0."""

    lines: list[ApproveLine] | None = None


class QuantitiesBody(_In):
    """Approved units of the listed lines after approval (lines left out keep theirs), and why."""

    lines: Annotated[list[ApproveLine], Field(min_length=1, max_length=200)]
    reason: Message
    expected_updated_at: AwareDatetime | None = Field(
        default=None,
        description="the return's `updated_at` as last read; if it changed since: 409 "
        "`concurrent_modification` with `current_status` and `updated_at`, nothing changed",
    )


class RejectBody(_In):
    reason: Message


class MessageBody(_In):
    message: Message


class CancelBody(_In):
    reason: Annotated[str, Field(max_length=5000)] = ""


class LocationChangeBody(_In):
    #: A return location's code, as `GET /locations` lists them.
    location: Annotated[str, Field(min_length=1, max_length=64)]
    reason: Message


class InTransitBody(_In):
    tracking_number: Annotated[str, Field(min_length=1, max_length=100)]
    carrier: Annotated[str, Field(max_length=64)] = ""


class ReceiptLine(_In):
    line_id: int
    quantity: Quantity
    wrong_item: bool = False


class UnexpectedItemIn(_In):
    sku: Annotated[str, Field(min_length=1, max_length=100)]
    title: Annotated[str, Field(max_length=300)] = ""
    quantity: Quantity
    note: Annotated[str, Field(max_length=5000)] = ""


class ReceiveBody(_In):
    lines: list[ReceiptLine] = []
    unexpected_items: list[UnexpectedItemIn] = []


class InspectionLine(_In):
    line_id: int
    quantity: Quantity
    accepted: bool
    grade: Grade
    disposition: Disposition
    note: Annotated[str, Field(max_length=5000)] = ""
    wrong_item: bool = Field(
        default=False,
        description="the units are the line's wrong items (received with wrong_item); "
        "unflagged units beyond the line's own are taken as its wrong items too",
    )
    arrived_sku: Annotated[str, Field(max_length=64)] = Field(
        default="",
        description="wrong items: what arrived instead; when the store sells that SKU, its "
        "stock moves as the disposition says (never the line's)",
    )


class InspectBody(_In):
    lines: Annotated[list[InspectionLine], Field(min_length=1)]


# -- responses ------------------------------------------------------------------------------


class Quantities(BaseModel):
    requested: int
    approved: int
    received: int
    accepted: int
    rejected: int
    wrong_item: int


class InspectionPublic(BaseModel):
    id: int | None
    quantity: int
    accepted: bool
    grade: Grade
    disposition: Disposition
    note: str
    inspected_at: datetime
    wrong_item: bool = Field(description="a verdict on the line's wrong items")
    arrived_sku: str = Field(description="what arrived instead, when the warehouse said")


class ReturnLinePublic(BaseModel):
    id: int | None
    order_line_id: int | None
    variant_id: int | None
    sku: str
    title: str
    reason_code: str
    reason_note: str
    resolution: Resolution
    is_unexpected: bool
    quantities: Quantities
    inspections: list[InspectionPublic]

    @classmethod
    def from_domain(cls, line: ReturnLine) -> ReturnLinePublic:
        return cls(
            id=line.id,
            order_line_id=line.order_line_id,
            variant_id=line.variant_id,
            sku=line.sku,
            title=line.title,
            reason_code=line.reason_code,
            reason_note=line.reason_note,
            resolution=line.resolution,
            is_unexpected=line.is_unexpected,
            quantities=Quantities(
                requested=line.requested_quantity,
                approved=line.approved_quantity,
                received=line.received_quantity,
                accepted=line.accepted_quantity,
                rejected=line.rejected_quantity,
                wrong_item=line.wrong_item_quantity,
            ),
            inspections=[
                InspectionPublic(
                    id=i.id,
                    quantity=i.quantity,
                    accepted=i.is_accepted,
                    grade=i.grade,
                    disposition=i.disposition,
                    note=i.note,
                    inspected_at=i.inspected_at,
                    wrong_item=i.is_wrong_item,
                    arrived_sku=i.arrived_sku,
                )
                for i in line.inspections
            ],
        )


class ReturnPublic(BaseModel):
    id: int | None
    number: str
    status: str
    order_id: int
    customer_email: str
    currency: str
    resolution: Resolution
    return_method: ReturnMethod
    customer_note: str
    staff_message: str
    tracking_number: str
    carrier: str
    created_at: datetime
    updated_at: datetime
    approved_at: datetime | None
    expires_at: datetime | None
    completed_at: datetime | None
    arrived_at: datetime | None = Field(
        description="when the carrier delivered the parcel at the warehouse (tracking); "
        "null until then, and for returns without carrier tracking"
    )
    refund_status: str = Field(description="none, pending, failed, partially_refunded or refunded")
    balance_due: int = Field(
        description="owed by the shopper for a dearer exchange until staff record their payment "
        "and release it (minor units; 0 when nothing is owed)"
    )
    policy_version: int | None = Field(
        description="the return policy version it was decided under; null: no policy"
    )
    decision: DecisionPublic | None = Field(description="what the policy decided, and why")
    terms_override: TermsOverridePublic | None = Field(
        default=None,
        description="staff's override of the refund terms (`POST /returns/{id}/policy-override`); "
        "null: the policy's terms apply",
    )
    risk: RiskPublic | None = Field(description="the policy's risk score and its signals")
    allowed_actions: list[str] = Field(description="actions the current status allows")
    lines: list[ReturnLinePublic]

    @classmethod
    def from_domain(cls, ret: Return) -> ReturnPublic:
        return cls(
            id=ret.id,
            number=ret.number,
            status=ret.status.value,
            order_id=ret.order_id,
            customer_email=ret.customer_email,
            currency=ret.currency,
            resolution=ret.resolution,
            return_method=ret.return_method,
            customer_note=ret.customer_note,
            staff_message=ret.staff_message,
            tracking_number=ret.tracking_number,
            carrier=ret.carrier,
            created_at=ret.created_at,
            updated_at=ret.updated_at,
            approved_at=ret.approved_at,
            expires_at=ret.expires_at,
            completed_at=ret.completed_at,
            arrived_at=ret.arrived_at,
            refund_status=ret.refund_status,
            balance_due=ret.balance_due,
            policy_version=ret.policy_version,
            decision=(ret.policy_decision or {}).get("decision"),
            terms_override=(ret.policy_decision or {}).get(DECISION_KEY),
            risk=((ret.policy_decision or {}).get("evaluation") or {}).get("risk"),
            allowed_actions=[action.value for action in ret.allowed_actions()],
            lines=[ReturnLinePublic.from_domain(line) for line in ret.lines],
        )


class _FromRow(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class OrderLinePublic(_FromRow):
    id: int
    platform_line_id: str
    variant_id: int | None
    sku: str
    title: str
    quantity: int
    unit_price: int
    line_discount: int
    order_discount_allocated: int
    tax: int


class PaymentPublic(_FromRow):
    id: int
    platform_payment_id: str
    gateway: str
    amount: int
    currency: str


class FulfilmentLinePublic(_FromRow):
    order_line_id: int
    quantity: int


class FulfilmentPublic(_FromRow):
    id: int
    platform_fulfilment_id: str
    tracking_number: str
    shipped_at: datetime | None
    delivered_at: datetime | None
    lines: list[FulfilmentLinePublic]


class OrderPublic(_FromRow):
    id: int
    platform_order_id: str
    number: str
    customer_email: str
    currency: str
    placed_at: datetime
    is_gift: bool
    shipping_amount: int
    shipping_tax: int
    shipping_postal_code: str
    shipping_country: str
    shipping_name: str
    shipping_company: str
    shipping_line1: str
    shipping_line2: str
    shipping_city: str
    shipping_region: str
    shipping_phone: str
    lines: list[OrderLinePublic]
    payments: list[PaymentPublic]
    fulfilments: list[FulfilmentPublic]


class EventPublic(_FromRow):
    id: int
    name: str
    actor: str
    occurred_at: datetime
    return_id: int | None
    order_id: int | None
    payload: dict[str, Any]


class StockLevelPublic(_FromRow):
    sku: str
    location: str
    bucket: str
    quantity: int


class MovementPublic(_FromRow):
    id: int
    sku: str
    location: str
    bucket: str
    quantity: int
    cause: str
    return_id: int | None
    return_line_id: int | None
    occurred_at: datetime


class ReturnPage(BaseModel):
    items: list[ReturnPublic]
    next_cursor: str | None


class OrderPage(BaseModel):
    items: list[OrderPublic]
    next_cursor: str | None


class MovementPage(BaseModel):
    items: list[MovementPublic]
    next_cursor: str | None


class EventList(BaseModel):
    items: list[EventPublic]


class StockList(BaseModel):
    items: list[StockLevelPublic]

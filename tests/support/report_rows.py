"""Rows for report tests, written straight to the tables so every figure is hand-picked:
orders with lines, returns with lines, events, inspections, refunds and labels."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from retour.db.models import (
    Event,
    InspectionRow,
    InventoryLocation,
    OrderLineRow,
    OrderRow,
    Product,
    RefundRow,
    ReturnLineRow,
    ReturnRow,
    ShipmentRow,
    Variant,
)
from retour.db.unit_of_work import UnitOfWork
from retour.services.stores import create_store


@dataclass(frozen=True)
class Item:
    """One order line: SKU, units and unit price; the line discount is for all its units."""

    sku: str
    quantity: int
    unit_price: int
    discount: int = 0


@dataclass(frozen=True)
class Asked:
    """One return line: which order line (by index), units, reason, resolution."""

    line: int
    quantity: int
    reason: str = "too_small"
    resolution: str = "refund"


@dataclass
class ReportRows:
    uow: UnitOfWork
    store_id: int = 0
    location_id: int = 0
    variants: dict[str, int] = field(default_factory=dict)
    _count: int = 0

    @classmethod
    def for_store(
        cls, uow: UnitOfWork, now: datetime, timezone: str = "UTC", slug: str = "acme"
    ) -> ReportRows:
        store_id = create_store(
            uow, slug=slug, name=slug.title(), currency="EUR", now=now, timezone=timezone
        )
        with uow:
            location = uow.session.query(InventoryLocation).filter_by(store_id=store_id).one()
            return cls(uow, store_id, location.id)

    def product(self, handle: str, collection: str, skus: list[str]) -> None:
        with self.uow:
            product = Product(
                store_id=self.store_id, handle=handle, title=handle.title(), collection=collection
            )
            self.uow.session.add(product)
            self.uow.session.flush()
            for sku in skus:
                variant = Variant(store_id=self.store_id, product_id=product.id, sku=sku, title=sku)
                self.uow.session.add(variant)
                self.uow.session.flush()
                self.variants[sku] = variant.id
            self.uow.commit()

    def order(
        self,
        placed_at: datetime,
        items: list[Item],
        currency: str = "EUR",
        email: str = "sam@example.com",
    ) -> tuple[int, list[int]]:
        """An order; returns its id and its lines' ids."""
        self._count += 1
        with self.uow:
            order = OrderRow(
                store_id=self.store_id,
                platform_order_id=str(self._count),
                number=f"#{self._count}",
                customer_email=email,
                currency=currency,
                placed_at=placed_at,
                created_at=placed_at,
                updated_at=placed_at,
                lines=[
                    OrderLineRow(
                        store_id=self.store_id,
                        platform_line_id=f"{self._count}-{index}",
                        variant_id=self.variants.get(item.sku),
                        sku=item.sku,
                        title=f"{item.sku} title",
                        quantity=item.quantity,
                        unit_price=item.unit_price,
                        line_discount=item.discount,
                    )
                    for index, item in enumerate(items)
                ],
            )
            self.uow.session.add(order)
            self.uow.commit()
            return order.id, [line.id for line in order.lines]

    def return_(
        self,
        order: tuple[int, list[int]],
        requested_at: datetime,
        asked: list[Asked],
        *,
        status: str = "approved",
        email: str = "sam@example.com",
        currency: str = "EUR",
        decision: dict[str, Any] | None = None,
        risk_score: int | None = None,
    ) -> tuple[int, list[int]]:
        """A return against `order`; returns its id and its lines' ids."""
        order_id, line_ids = order
        self._count += 1
        with self.uow:
            order_row = self.uow.session.get(OrderRow, order_id)
            assert order_row is not None
            by_id = {line.id: line for line in order_row.lines}
            ret = ReturnRow(
                store_id=self.store_id,
                order_id=order_id,
                number=f"R-{self._count}",
                customer_email=email,
                currency=currency,
                status=status,
                resolution=asked[0].resolution,
                return_method="prepaid_label",
                location_id=self.location_id,
                created_at=requested_at,
                updated_at=requested_at,
                policy_version=1 if decision is not None else None,
                policy_decision=decision,
                risk_score=risk_score,
                lines=[
                    ReturnLineRow(
                        store_id=self.store_id,
                        order_line_id=line_ids[ask.line],
                        variant_id=by_id[line_ids[ask.line]].variant_id,
                        sku=by_id[line_ids[ask.line]].sku,
                        title=by_id[line_ids[ask.line]].title,
                        reason_code=ask.reason,
                        resolution=ask.resolution,
                        requested_quantity=ask.quantity,
                    )
                    for ask in asked
                ],
            )
            self.uow.session.add(ret)
            self.uow.session.flush()
            self.uow.session.add(self._event(ret.id, "return.requested", requested_at))
            self.uow.commit()
            return ret.id, [line.id for line in ret.lines]

    def event(self, return_id: int, name: str, at: datetime) -> None:
        with self.uow:
            self.uow.session.add(self._event(return_id, name, at))
            self.uow.commit()

    def inspection(
        self, line_id: int, quantity: int, disposition: str, at: datetime, accepted: bool = True
    ) -> None:
        with self.uow:
            self.uow.session.add(
                InspectionRow(
                    return_line_id=line_id,
                    store_id=self.store_id,
                    quantity=quantity,
                    is_accepted=accepted,
                    grade="A",
                    disposition=disposition,
                    inspected_at=at,
                )
            )
            self.uow.commit()

    def refund(
        self,
        return_id: int,
        at: datetime,
        amount: int,
        *,
        status: str = "succeeded",
        method: str = "original_payment",
        fees: int = 0,
        bonus: int = 0,
        currency: str = "EUR",
    ) -> None:
        self._count += 1
        with self.uow:
            ret = self.uow.session.get(ReturnRow, return_id)
            assert ret is not None
            self.uow.session.add(
                RefundRow(
                    store_id=self.store_id,
                    return_id=return_id,
                    order_id=ret.order_id,
                    method=method,
                    provider="manual",
                    status=status,
                    currency=currency,
                    amount=amount + bonus,
                    paid_amount=amount,
                    bonus_amount=bonus,
                    fees_amount=fees,
                    idempotency_key=f"refund-{self._count}",
                    actor="staff:ann@acme.test",
                    created_at=at,
                    updated_at=at,
                    succeeded_at=at if status == "succeeded" else None,
                )
            )
            self.uow.commit()

    def label(
        self,
        return_id: int,
        at: datetime,
        cost: int,
        *,
        currency: str = "EUR",
        label_status: str = "issued",
        voided: bool = False,
    ) -> None:
        self._count += 1
        with self.uow:
            self.uow.session.add(
                ShipmentRow(
                    store_id=self.store_id,
                    return_id=return_id,
                    carrier="builtin",
                    method="prepaid_label",
                    status="voided" if voided else "pre_transit",
                    label_status=label_status,
                    label_cost=cost,
                    currency=currency,
                    from_address={},
                    to_address={},
                    idempotency_key=f"label-{self._count}",
                    created_by="staff:ann@acme.test",
                    created_at=at,
                    updated_at=at,
                    expires_at=at,
                    voided_at=at if voided else None,
                )
            )
            self.uow.commit()

    def _event(self, return_id: int, name: str, at: datetime) -> Event:
        return Event(
            store_id=self.store_id,
            name=name,
            actor="system",
            occurred_at=at,
            return_id=return_id,
            payload={},
        )

"""Refunds (with their lines and per-payment allocations) and the store-credit ledger."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from retour.db.base import Base


class RefundRow(Base):
    __tablename__ = "refunds"
    __table_args__ = (
        UniqueConstraint("store_id", "idempotency_key"),
        Index("ix_refunds_return", "return_id", "id"),
        Index("ix_refunds_store_created", "store_id", "created_at"),
        Index("ix_refunds_store_status", "store_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    return_id: Mapped[int] = mapped_column(ForeignKey("returns.id"))
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    #: original_payment, store_credit or manual.
    method: Mapped[str] = mapped_column(String(32))
    #: Who moves the money: stripe, manual, store_credit.
    provider: Mapped[str] = mapped_column(String(32))
    #: pending → succeeded | failed; a failed refund can be retried.
    status: Mapped[str] = mapped_column(String(16))
    currency: Mapped[str] = mapped_column(String(3))
    #: What the shopper gets: paid money plus any store-credit bonus.
    amount: Mapped[int]
    #: The part of `amount` that is money the shopper paid (never more than refundable).
    paid_amount: Mapped[int]
    bonus_amount: Mapped[int] = mapped_column(default=0)
    items_amount: Mapped[int] = mapped_column(default=0)
    tax_amount: Mapped[int] = mapped_column(default=0)
    shipping_amount: Mapped[int] = mapped_column(default=0)
    fees_amount: Mapped[int] = mapped_column(default=0)
    #: Whether this refund charged the return's once-per-return fees (fixed restocking fee,
    #: return shipping fee, label cost), so later refunds of the return do not again.
    fixed_fees_charged: Mapped[bool] = mapped_column(default=False)
    #: The quote it was made from, and why staff changed the amount, if they did.
    breakdown: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    adjustment_reason: Mapped[str] = mapped_column(Text, default="")
    idempotency_key: Mapped[str] = mapped_column(String(255))
    provider_reference: Mapped[str] = mapped_column(String(255), default="")
    failure_message: Mapped[str] = mapped_column(Text, default="")
    attempts: Mapped[int] = mapped_column(default=0)
    actor: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    succeeded_at: Mapped[datetime | None]

    lines: Mapped[list[RefundLineRow]] = relationship(
        order_by="RefundLineRow.id", cascade="all, delete-orphan"
    )
    allocations: Mapped[list[RefundAllocationRow]] = relationship(
        order_by="RefundAllocationRow.id", cascade="all, delete-orphan"
    )


class RefundLineRow(Base):
    """Units of one return line paid back by one refund, and the money for them."""

    __tablename__ = "refund_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    refund_id: Mapped[int] = mapped_column(ForeignKey("refunds.id"), index=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    return_line_id: Mapped[int] = mapped_column(ForeignKey("return_lines.id"), index=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id"), index=True)
    units: Mapped[int]
    items_amount: Mapped[int]
    tax_amount: Mapped[int]


class RefundAllocationRow(Base):
    """The part of a refund paid back to one of the order's payments (split tender)."""

    __tablename__ = "refund_allocations"

    id: Mapped[int] = mapped_column(primary_key=True)
    refund_id: Mapped[int] = mapped_column(ForeignKey("refunds.id"), index=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    payment_id: Mapped[int] = mapped_column(ForeignKey("order_payments.id"), index=True)
    amount: Mapped[int]
    #: pending → succeeded | failed, per payment.
    status: Mapped[str] = mapped_column(String(16))
    provider_reference: Mapped[str] = mapped_column(String(255), default="")
    failure_message: Mapped[str] = mapped_column(Text, default="")
    #: Bumped after a definite failure so a retry gets a fresh provider idempotency key;
    #: unchanged after an unknown outcome (timeout) so the retry is deduplicated.
    key_generation: Mapped[int] = mapped_column(default=1)


class StoreCreditAccount(Base):
    """One customer's store credit in one store and currency, spendable with its code."""

    __tablename__ = "store_credit_accounts"
    __table_args__ = (
        UniqueConstraint("store_id", "customer_email", "currency"),
        UniqueConstraint("store_id", "code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    customer_email: Mapped[str] = mapped_column(String(254))
    currency: Mapped[str] = mapped_column(String(3))
    code: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]


class StoreCreditEntry(Base):
    """One movement of store credit; the balance is always the sum of these, never stored."""

    __tablename__ = "store_credit_entries"
    __table_args__ = (
        Index("ix_store_credit_entries_account", "account_id", "id"),
        UniqueConstraint("account_id", "idempotency_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("store_credit_accounts.id"))
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    #: issue, redeem, expire or adjust.
    kind: Mapped[str] = mapped_column(String(16))
    #: Signed, minor units: issues are positive, redemptions and expiries negative.
    amount: Mapped[int]
    #: For issues: when the unspent rest of this credit lapses.
    expires_at: Mapped[datetime | None]
    reason: Mapped[str] = mapped_column(Text, default="")
    #: Shop-side reference for redemptions (e.g. the checkout or order it paid for).
    reference: Mapped[str] = mapped_column(String(255), default="")
    refund_id: Mapped[int | None] = mapped_column(ForeignKey("refunds.id"))
    return_id: Mapped[int | None] = mapped_column(ForeignKey("returns.id"))
    idempotency_key: Mapped[str | None] = mapped_column(String(255))
    actor: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime]

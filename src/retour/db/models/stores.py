"""Stores (tenants), their staff, API keys and return reasons."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint, false, true
from sqlalchemy.orm import Mapped, mapped_column

from retour.db.base import Base


class Store(Base):
    __tablename__ = "stores"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    currency: Mapped[str] = mapped_column(String(3))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    locale: Mapped[str] = mapped_column(String(16), default="en")
    #: Days an approved return has for its items to arrive before it expires.
    return_deadline_days: Mapped[int] = mapped_column(default=30)
    #: Days a return label (or drop-off code) can be used after it is made.
    label_expiry_days: Mapped[int] = mapped_column(default=30, server_default="30")
    created_at: Mapped[datetime]

    # Branding (domain/branding.py): e-mails, and the portal when it lands.
    logo_url: Mapped[str] = mapped_column(String(500), default="", server_default="")
    primary_color: Mapped[str] = mapped_column(
        String(7), default="#1f2937", server_default="#1f2937"
    )
    button_text_color: Mapped[str] = mapped_column(
        String(7), default="#ffffff", server_default="#ffffff"
    )
    reply_to: Mapped[str] = mapped_column(String(254), default="", server_default="")

    # Money settings (until the policy issue lands, the refund calculator reads these).
    #: Restocking fee as a share of the returned items' value, in basis points (1000 = 10 %).
    restocking_fee_bp: Mapped[int] = mapped_column(default=0, server_default="0")
    #: Fixed restocking fee per return, in minor units.
    restocking_fee_fixed: Mapped[int] = mapped_column(default=0, server_default="0")
    #: Fee for a return shipped with a merchant-provided label or drop-off code, minor units.
    return_shipping_fee: Mapped[int] = mapped_column(default=0, server_default="0")
    #: What the merchant's label or drop-off code costs, charged once per return on top of the
    #: return shipping fee (same conditions), minor units.
    label_cost: Mapped[int] = mapped_column(default=0, server_default="0")
    #: Store-credit bonus: a share of the items' value (basis points) plus a fixed amount.
    store_credit_bonus_bp: Mapped[int] = mapped_column(default=0, server_default="0")
    store_credit_bonus_fixed: Mapped[int] = mapped_column(default=0, server_default="0")
    #: Largest bonus per return in minor units; None means no cap.
    store_credit_bonus_cap: Mapped[int | None]
    waive_fees_for_store_credit: Mapped[bool] = mapped_column(default=False, server_default=false())
    waive_fees_for_exchange: Mapped[bool] = mapped_column(default=True, server_default=true())
    #: Refund the original shipping on every return (merchant-fault returns always get it).
    refund_original_shipping: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: When refunds go out without staff: off, on_approval, on_receipt or on_inspection.
    auto_refund: Mapped[str] = mapped_column(String(16), default="off", server_default="off")
    #: What an exchange falls back to when the replacement is out of stock, and how the
    #: shopper gets the rest when the replacement costs less: store_credit or refund.
    exchange_fallback: Mapped[str] = mapped_column(
        String(16), default="store_credit", server_default="store_credit"
    )
    #: Days store credit stays spendable after it is issued; None means it never expires.
    store_credit_expiry_days: Mapped[int | None]


class StaffUser(Base):
    __tablename__ = "staff_users"
    __table_args__ = (UniqueConstraint("store_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]
    #: Wrong passwords in a row; reset by a good one. Enough of them lock the account.
    failed_logins: Mapped[int] = mapped_column(default=0, server_default="0")
    locked_until: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]


class ApiKey(Base):
    """An API key; only its SHA-256 is kept, the prefix finds it without a scan."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class ReturnReason(Base):
    __tablename__ = "return_reasons"
    __table_args__ = (UniqueConstraint("store_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    code: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(200))
    #: Damaged, defective, wrong item: the merchant pays (no fees, free shipping).
    is_merchant_fault: Mapped[bool] = mapped_column(default=False)
    requires_photo: Mapped[bool] = mapped_column(default=False)
    requires_comment: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)

"""Stores and what hangs off them: settings, reasons, API keys, staff, catalogue look-ups."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from retour.db.models import ApiKey, Customer, Product, ReturnReason, StaffUser, Store, Variant
from retour.domain.refund_quote import FeeSettings

ACTIVE_REASON_CODES = select(ReturnReason.code).where(
    ReturnReason.store_id == bindparam("store_id"), ReturnReason.is_active.is_(True)
)


MERCHANT_FAULT_CODES = select(ReturnReason.code).where(
    ReturnReason.store_id == bindparam("store_id"), ReturnReason.is_merchant_fault.is_(True)
)
STORE_FEES = select(
    Store.restocking_fee_bp,
    Store.restocking_fee_fixed,
    Store.return_shipping_fee,
    Store.label_cost,
    Store.store_credit_bonus_bp,
    Store.store_credit_bonus_fixed,
    Store.store_credit_bonus_cap,
    Store.waive_fees_for_store_credit,
    Store.waive_fees_for_exchange,
    Store.refund_original_shipping,
).where(Store.id == bindparam("store_id"))
#: The same, with one row per merchant-fault reason code (a single row of NULL code: none).
STORE_FEES_AND_FAULT_CODES = STORE_FEES.add_columns(ReturnReason.code).outerjoin(
    ReturnReason,
    (ReturnReason.store_id == Store.id) & ReturnReason.is_merchant_fault.is_(True),
)


class StoreRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def by_slug(self, slug: str) -> Store | None:
        return self.session.scalars(select(Store).where(Store.slug == slug)).one_or_none()

    def get(self, store_id: int) -> Store | None:
        return self.session.get(Store, store_id)

    def return_deadline_days(self, store_id: int) -> int:
        statement = select(Store.return_deadline_days).where(Store.id == store_id)
        return self.session.scalars(statement).one()

    def active_reason_codes(self, store_id: int) -> set[str]:
        parameters = {"store_id": store_id}
        return set(self.session.connection().execute(ACTIVE_REASON_CODES, parameters).scalars())

    def merchant_fault_reason_codes(self, store_id: int) -> set[str]:
        parameters = {"store_id": store_id}
        return set(self.session.connection().execute(MERCHANT_FAULT_CODES, parameters).scalars())

    def fee_settings(self, store_id: int) -> FeeSettings:
        """Fees and bonus from the store's settings (the policy engine will supply them later)."""
        row = self.session.connection().execute(STORE_FEES, {"store_id": store_id}).one()
        return FeeSettings(**row._asdict())

    def fees_and_merchant_fault_codes(self, store_id: int) -> tuple[FeeSettings, set[str]]:
        """`fee_settings` and `merchant_fault_reason_codes` in one statement (the quote's)."""
        rows = (
            self.session.connection()
            .execute(STORE_FEES_AND_FAULT_CODES, {"store_id": store_id})
            .all()
        )
        fees = {name: value for name, value in rows[0]._mapping.items() if name != "code"}
        codes = {row.code for row in rows if row.code is not None}
        return FeeSettings(**fees), codes

    def reasons(self, store_id: int) -> list[ReturnReason]:
        statement = (
            select(ReturnReason)
            .where(ReturnReason.store_id == store_id)
            .order_by(ReturnReason.position, ReturnReason.id)
        )
        return list(self.session.scalars(statement))

    def variant_ids_by_sku(self, store_id: int, skus: Sequence[str]) -> dict[str, int]:
        wanted = {sku.strip() for sku in skus if sku.strip()}
        if not wanted:
            return {}
        statement = select(Variant.sku, Variant.id).where(
            Variant.store_id == store_id, Variant.sku.in_(wanted)
        )
        return {sku: variant_id for sku, variant_id in self.session.execute(statement)}

    def api_key_by_prefix(self, prefix: str) -> ApiKey | None:
        return self.session.scalars(select(ApiKey).where(ApiKey.prefix == prefix)).one_or_none()

    def staff_user(self, store_id: int, email: str) -> StaffUser | None:
        statement = select(StaffUser).where(
            StaffUser.store_id == store_id, StaffUser.email == email.lower()
        )
        return self.session.scalars(statement).one_or_none()

    def customer(self, store_id: int, email: str) -> Customer | None:
        statement = select(Customer).where(Customer.store_id == store_id, Customer.email == email)
        return self.session.scalars(statement).one_or_none()

    def product_by_handle(self, store_id: int, handle: str) -> Product | None:
        statement = select(Product).where(Product.store_id == store_id, Product.handle == handle)
        return self.session.scalars(statement).one_or_none()

"""A store's money settings: fees, store-credit bonus and expiry, refunds and exchanges."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from retour.db.models import Store
from retour.db.unit_of_work import UnitOfWork
from retour.domain.errors import InvalidRequest
from retour.services.errors import NotFound


@dataclass(frozen=True)
class MoneySettings:
    restocking_fee_bp: int
    restocking_fee_fixed: int
    return_shipping_fee: int
    label_cost: int
    store_credit_bonus_bp: int
    store_credit_bonus_fixed: int
    store_credit_bonus_cap: int | None
    waive_fees_for_store_credit: bool
    waive_fees_for_exchange: bool
    refund_original_shipping: bool
    auto_refund: str
    exchange_fallback: str
    store_credit_expiry_days: int | None


SETTING_NAMES = tuple(field.name for field in fields(MoneySettings))
AUTO_REFUND_CHOICES = ("off", "on_approval", "on_receipt", "on_inspection")
EXCHANGE_FALLBACK_CHOICES = ("store_credit", "refund")


def money_settings(uow: UnitOfWork, store_id: int) -> MoneySettings:
    with uow:
        return _read(_store(uow, store_id))


def store_currency(uow: UnitOfWork, store_id: int) -> str:
    """The currency the store's amounts are in (it never changes)."""
    with uow:
        return _store(uow, store_id).currency


def update_money_settings(uow: UnitOfWork, store_id: int, changes: dict[str, Any]) -> MoneySettings:
    """Change only the settings given; every value is checked before anything is saved."""
    for name, value in changes.items():
        _check(name, value)
    with uow:
        store = _store(uow, store_id)
        for name, value in changes.items():
            setattr(store, name, value)
        uow.commit()
        return _read(store)


def _store(uow: UnitOfWork, store_id: int) -> Store:
    store = uow.stores.get(store_id)
    if store is None:
        raise NotFound("store", store_id)
    return store


def _read(store: Store) -> MoneySettings:
    return MoneySettings(**{name: getattr(store, name) for name in SETTING_NAMES})


def _check(name: str, value: Any) -> None:
    if name not in SETTING_NAMES:
        raise InvalidRequest(f"{name} is not a store setting", field=name)
    if name == "auto_refund" and value not in AUTO_REFUND_CHOICES:
        raise InvalidRequest(f"choose one of {', '.join(AUTO_REFUND_CHOICES)}", field=name)
    if name == "exchange_fallback" and value not in EXCHANGE_FALLBACK_CHOICES:
        raise InvalidRequest(f"choose one of {', '.join(EXCHANGE_FALLBACK_CHOICES)}", field=name)
    if name.endswith("_bp") and not 0 <= value <= 10_000:
        raise InvalidRequest("basis points run from 0 to 10000 (100 %)", field=name)
    if isinstance(value, int) and not isinstance(value, bool) and value < 0:
        raise InvalidRequest("must not be negative", field=name)
    if name == "store_credit_expiry_days" and value == 0:
        raise InvalidRequest("at least 1 day, or null for credit that never lapses", field=name)

"""A store's shipping settings: the return address labels go to, and how long labels last."""

from __future__ import annotations

from dataclasses import dataclass

from retour.db.models import InventoryLocation
from retour.db.repositories.shipments import location_address, set_location_address
from retour.db.unit_of_work import UnitOfWork
from retour.domain.addresses import Address, checked_address
from retour.domain.errors import InvalidRequest
from retour.services.errors import NotFound

MAX_LABEL_EXPIRY_DAYS = 365


@dataclass(frozen=True)
class ShippingSettings:
    #: The default return location's address (empty until set): every label goes there.
    return_address: Address
    label_expiry_days: int


def shipping_settings(uow: UnitOfWork, store_id: int) -> ShippingSettings:
    with uow:
        store = uow.stores.get(store_id)
        if store is None:
            raise NotFound("store", store_id)
        return ShippingSettings(location_address(_location(uow, store_id)), store.label_expiry_days)


def update_shipping_settings(
    uow: UnitOfWork,
    store_id: int,
    return_address: Address | None = None,
    label_expiry_days: int | None = None,
) -> ShippingSettings:
    """Change what is given; the address is checked whole (fields named `return_address.…`).
    Labels made before keep the address and the date they were made with."""
    if label_expiry_days is not None and not 1 <= label_expiry_days <= MAX_LABEL_EXPIRY_DAYS:
        raise InvalidRequest(f"from 1 to {MAX_LABEL_EXPIRY_DAYS} days", field="label_expiry_days")
    checked = checked_address(return_address, "return_address") if return_address else None
    with uow:
        store = uow.stores.get(store_id)
        if store is None:
            raise NotFound("store", store_id)
        location = _location(uow, store_id)
        if checked is not None:
            set_location_address(location, checked)
        if label_expiry_days is not None:
            store.label_expiry_days = label_expiry_days
        uow.commit()
        return ShippingSettings(location_address(location), store.label_expiry_days)


def _location(uow: UnitOfWork, store_id: int) -> InventoryLocation:
    location = uow.shipments.default_location(store_id)
    if location is None:
        raise NotFound("return location", store_id)
    return location

"""A store's return locations: list them, add one, change one (name, address, the default).

Locations are never deleted: returns, stock and movements point at them. A location without
an address can take returns, but no label can be made to it until it has one.
"""

from __future__ import annotations

from dataclasses import dataclass

from retour.db.models import InventoryLocation
from retour.db.repositories.shipments import location_address, set_location_address
from retour.db.unit_of_work import UnitOfWork
from retour.domain.addresses import Address, checked_address
from retour.domain.errors import InvalidRequest
from retour.domain.routing import checked_location_code
from retour.services.errors import AlreadyExists, NotFound

MAX_NAME_LENGTH = 200


@dataclass(frozen=True)
class ReturnLocation:
    code: str
    name: str
    is_default: bool
    #: Empty until set; labels need it.
    address: Address

    @classmethod
    def of(cls, row: InventoryLocation) -> ReturnLocation:
        return cls(row.code, row.name, row.is_default, location_address(row))


def return_locations(uow: UnitOfWork, store_id: int) -> list[ReturnLocation]:
    """The default location first, then the others by code."""
    with uow:
        return [ReturnLocation.of(row) for row in uow.locations.all(store_id)]


def add_return_location(
    uow: UnitOfWork,
    store_id: int,
    code: str,
    name: str,
    address: Address | None = None,
    is_default: bool = False,
) -> ReturnLocation:
    checked_location_code(code)
    name = _checked_name(name)
    checked = checked_address(address, "address") if address else Address()
    with uow:
        if uow.locations.by_code(store_id, code) is not None:
            raise AlreadyExists("return location", code, field="code")
        row = InventoryLocation(store_id=store_id, code=code, name=name, is_default=False)
        set_location_address(row, checked)
        uow.locations.add(row)
        if is_default:
            _make_default(uow, store_id, row)
        uow.commit()
        return ReturnLocation.of(row)


def update_return_location(
    uow: UnitOfWork,
    store_id: int,
    code: str,
    name: str | None = None,
    address: Address | None = None,
    is_default: bool | None = None,
) -> ReturnLocation:
    """Change what is given. The default moves by making another location the default (a
    store always has exactly one); returns already made keep the location they were sent to."""
    if is_default is False:
        raise InvalidRequest("make another location the default instead", field="is_default")
    name = _checked_name(name) if name is not None else None
    checked = checked_address(address, "address") if address else None
    with uow:
        row = uow.locations.by_code(store_id, code)
        if row is None:
            raise NotFound("return location", code)
        if name is not None:
            row.name = name
        if checked is not None:
            set_location_address(row, checked)
        if is_default:
            _make_default(uow, store_id, row)
        uow.commit()
        return ReturnLocation.of(row)


def _make_default(uow: UnitOfWork, store_id: int, chosen: InventoryLocation) -> None:
    for row in uow.locations.all(store_id):
        row.is_default = row.id == chosen.id
    uow.session.flush()


def _checked_name(name: str) -> str:
    name = " ".join(name.split())
    if not name or len(name) > MAX_NAME_LENGTH:
        raise InvalidRequest(f"1 to {MAX_NAME_LENGTH} characters", field="name")
    return name

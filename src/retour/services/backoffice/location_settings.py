"""Settings → return locations: the store's locations with their addresses, the default, and
the routing rules that send each new return to one of them. Owners and admins
(CONFIGURE_STORE). The rules themselves are services/return_routing.py's and
domain/routing.py's; this module reads the page's form into them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from retour.db.unit_of_work import UnitOfWork
from retour.domain.addresses import Address
from retour.domain.errors import InvalidRequest
from retour.domain.routing import Route
from retour.domain.staff import Permission, StaffMember, ensure_permitted
from retour.services.backoffice.audit import audited
from retour.services.return_locations import (
    ReturnLocation,
    add_return_location,
    return_locations,
    update_return_location,
)
from retour.services.return_routing import replace_return_routing, return_routing

#: `routes[3].values[0]` → 3: the rule a refusal is about.
_RULE_INDEX = re.compile(r"^routes\[(\d+)\]")


@dataclass(frozen=True)
class LocationSettings:
    locations: list[ReturnLocation]
    routes: list[Route]


@dataclass(frozen=True)
class RuleRow:
    """One row of the rules form as typed: `values` comma-separated; an empty row is left out."""

    location: str
    match: str
    values: str

    def is_blank(self) -> bool:
        return not self.values.strip()


class RuleRefused(InvalidRequest):
    """A refused rule, with the form row it came from (`row`, counted from 0)."""

    def __init__(self, error: InvalidRequest, row: int) -> None:
        super().__init__(f"rule {row + 1}: {error.detail}", field=error.field, row=row)
        self.row = row


def location_settings(uow: UnitOfWork, staff: StaffMember) -> LocationSettings:
    ensure_permitted(staff, Permission.CONFIGURE_STORE)
    locations = return_locations(uow, staff.store_id)
    return LocationSettings(locations, return_routing(uow, staff.store_id))


def add_location(
    uow: UnitOfWork, staff: StaffMember, code: str, name: str, address: Address
) -> ReturnLocation:
    """A new location, not the default; an address left blank is set later."""
    ensure_permitted(staff, Permission.CONFIGURE_STORE)
    given = None if address.is_empty() else address
    return audited(
        uow, staff, "locations", "added", code.strip(),
        lambda: add_return_location(uow, staff.store_id, code.strip(), name, given),
        _described(name, given),
    )  # fmt: skip


def edit_location(
    uow: UnitOfWork, staff: StaffMember, code: str, name: str, address: Address
) -> ReturnLocation:
    """The name and the address (sent whole; all blank keeps the address as it was)."""
    ensure_permitted(staff, Permission.CONFIGURE_STORE)
    given = None if address.is_empty() else address
    return audited(
        uow, staff, "locations", "changed", code,
        lambda: update_return_location(uow, staff.store_id, code, name, given),
        _described(name, given),
    )  # fmt: skip


def make_default(uow: UnitOfWork, staff: StaffMember, code: str) -> ReturnLocation:
    ensure_permitted(staff, Permission.CONFIGURE_STORE)
    return audited(
        uow, staff, "locations", "made_default", code,
        lambda: update_return_location(uow, staff.store_id, code, is_default=True),
    )  # fmt: skip


def save_rules(uow: UnitOfWork, staff: StaffMember, rows: Sequence[RuleRow]) -> list[Route]:
    """The rules become the rows that are not blank, in the rows' order. A refusal names the
    row it is about (RuleRefused)."""
    ensure_permitted(staff, Permission.CONFIGURE_STORE)
    kept = [(index, row) for index, row in enumerate(rows) if not row.is_blank()]
    raw = [
        {"location": row.location, "match": row.match, "values": _split(row.values)}
        for _, row in kept
    ]
    try:
        return audited(
            uow, staff, "routing", "rules_saved", f"{len(raw)} rule(s)",
            lambda: replace_return_routing(uow, staff.store_id, raw), {"rules": raw},
        )  # fmt: skip
    except InvalidRequest as error:
        found = _RULE_INDEX.match(error.field)
        if found is None:
            raise
        raise RuleRefused(error, kept[int(found.group(1))][0]) from error


def _described(name: str, address: Address | None) -> dict[str, object]:
    return {"name": name.strip(), "address": address.as_dict() if address else None}


def _split(values: str) -> list[str]:
    return [value.strip() for value in values.split(",") if value.strip()]

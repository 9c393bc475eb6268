"""Send a return to another of the store's return locations, before its parcel leaves.

The location was chosen by the routing rules when the return was requested
(services/return_routing.py); staff may choose another, with a reason, while the return is
requested, waiting for information or approved. A label or drop-off code already made is
addressed to the old location, so it must be voided first; what comes after (a new label, the
shopper's ship-it-yourself address, receiving and restocking) uses the new location.
"""

from __future__ import annotations

from datetime import datetime

from retour.db.models import InventoryLocation
from retour.db.unit_of_work import UnitOfWork
from retour.domain.errors import InvalidRequest
from retour.domain.returns import Return
from retour.services.context import Actor
from retour.services.returns.common import load_return, save_return
from retour.services.shipments.errors import LabelAddressedElsewhere


def change_return_location(
    uow: UnitOfWork,
    store_id: int,
    return_id: int,
    actor: Actor,
    now: datetime,
    location_code: str,
    reason: str,
) -> Return:
    """`return.location_changed` (from, to, reason); the return's status does not change."""
    with uow:
        ret = load_return(uow, store_id, return_id)
        chosen = _location(uow, store_id, location_code)
        current = uow.session.get_one(InventoryLocation, uow.returns.location_of(ret))
        ret.change_location(now, current.code, chosen.code, reason)
        label = uow.shipments.live_for_return(store_id, return_id, now)
        if label is not None:
            raise LabelAddressedElsewhere(ret.number, label, current.code)
        uow.returns.send_to(ret, chosen.id)
        save_return(uow, ret, actor, now)
        uow.commit()
    return ret


def _location(uow: UnitOfWork, store_id: int, code: str) -> InventoryLocation:
    found = uow.locations.by_code(store_id, code.strip())
    if found is None:
        known = ", ".join(location.code for location in uow.locations.all(store_id))
        raise InvalidRequest(
            f"no return location {code.strip()!r}; one of: {known}", field="location"
        )
    return found

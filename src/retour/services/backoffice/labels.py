"""Labels from the return's page: issue a prepaid label or a QR drop-off code for an approved
return, print its files, void an unused one (then issue another). The shipping use cases
(services/shipments) do the work; this adds the role, the stale-page check and the form's
one-time key, so that a double click buys one label."""

from __future__ import annotations

from dataclasses import dataclass

from retour.db.unit_of_work import UnitOfWork
from retour.domain.errors import InvalidRequest
from retour.domain.shipments import ShipmentMethod
from retour.domain.staff import Permission, StaffMember, ensure_permitted
from retour.services import shipments
from retour.services.backoffice.actions import StalePage, actor_of
from retour.services.backoffice.detail import return_id_of, version_of
from retour.services.context import Clock
from retour.services.returns.common import load_return
from retour.services.shipments.common import IdempotencyKey
from retour.services.shipments.views import ShipmentView
from retour.shipping.base import DocumentKind
from retour.shipping.registry import Carriers


@dataclass(frozen=True)
class LabelForm:
    method: str
    parcels: str
    #: Rendered into the form once: the shipment's idempotency key.
    key: str


def issue_label(
    uow: UnitOfWork,
    staff: StaffMember,
    number: str,
    seen: str,
    form: LabelForm,
    carriers: Carriers,
    clock: Clock,
) -> ShipmentView:
    ensure_permitted(staff, Permission.REVIEW_RETURNS)
    try:
        method = ShipmentMethod(form.method)
    except ValueError:
        raise InvalidRequest(
            "Choose a prepaid label or a QR drop-off code.", field="method"
        ) from None
    parcels = form.parcels.strip() or "1"
    if not parcels.isdigit():
        raise InvalidRequest("Parcels is a whole number, like 1.", field="parcels")
    if len(form.key) < 16:
        raise InvalidRequest("This form has expired. Please try again.", field="key")
    with uow:
        return_id = return_id_of(uow, staff.store_id, number)
        current = load_return(uow, staff.store_id, return_id)
        if seen and version_of(current) != seen:
            raise StalePage(current.number, current.status.value)
    request = shipments.ShipmentRequest(method=method, parcels=int(parcels))
    key = IdempotencyKey(
        f"backoffice-{staff.store_id}-{form.key}", f"label:{return_id}:{method}:{parcels}"
    )
    try:
        outcome = shipments.create_shipment(
            uow, carriers, staff.store_id, return_id, request, actor_of(staff), clock, key
        )
    except InvalidRequest as error:
        if not str(error.extra.get("field", "")).startswith("from_address"):
            raise
        detail = error.detail.removesuffix("; send from_address").removesuffix(
            ": send from_address"
        )
        raise InvalidRequest(
            f"No label can be made from this page: {detail}. The API takes another address "
            "to send it from (from_address).",
            field="method",
        ) from error
    return outcome.view


def void_label(
    uow: UnitOfWork,
    staff: StaffMember,
    shipment_id: int,
    reason: str,
    carriers: Carriers,
    clock: Clock,
) -> ShipmentView:
    ensure_permitted(staff, Permission.REVIEW_RETURNS)
    outcome = shipments.void_shipment(
        uow, carriers, staff.store_id, shipment_id, actor_of(staff), clock, reason.strip()
    )
    return outcome.view


def label_file(
    uow: UnitOfWork, staff: StaffMember, shipment_id: int, kind: DocumentKind, clock: Clock
) -> bytes:
    """The label's PDF or ZPL, or the QR code, of one of the store's shipments."""
    ensure_permitted(staff, Permission.VIEW_RETURNS)
    return shipments.shipment_document(uow, staff.store_id, shipment_id, kind, clock.now())

"""Make a return's label or drop-off code, never calling the carrier inside a transaction.

1. Record the intent: the shipment, `pending`, with the addresses it will carry, and the
   Idempotency-Key claimed; commit. Every refusal (status, addresses, a live label) happens
   here, before anything is written.
2. Ask the carrier, outside any transaction, with the shipment id as its idempotency key.
3. Record the answer: the label and its documents and `shipment.created`, or the carrier's
   refusal. A crash between 1 and 3 leaves a `pending` shipment that the same request (same
   Idempotency-Key) finishes; the carrier, asked again for the same shipment id, makes no
   second label.

Creating a label moves nothing else: the return stays `approved` until the parcel is first
scanned or staff mark it in transit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete

from retour.db.models import IdempotencyRecord, ShipmentRow
from retour.db.repositories.shipments import location_address, order_address
from retour.db.unit_of_work import UnitOfWork
from retour.domain.addresses import Address, checked_address
from retour.domain.errors import IllegalTransition, InvalidRequest
from retour.domain.events import DomainEvent
from retour.domain.lines import ReturnMethod
from retour.domain.returns import Return
from retour.domain.shipments import (
    LabelStatus,
    ShipmentMethod,
    ShipmentStatus,
    label_unavailable_because,
)
from retour.domain.statuses import ReturnStatus
from retour.services.context import Actor, Clock
from retour.services.errors import ConcurrentModification, NotFound
from retour.services.idempotency import store_response, stored_response
from retour.services.shipments.accounts import store_carriers
from retour.services.shipments.carrier_calls import ask_for_label, void_at_carrier
from retour.services.shipments.common import IdempotencyKey, ShipmentOutcome, load_shipment
from retour.services.shipments.errors import CarrierRefusedShipment, ShipmentExists
from retour.services.shipments.views import ShipmentView, tracking_numbers_of, view_of
from retour.shipping.base import CarrierRefused, Label, ParcelLabel
from retour.shipping.registry import Carriers

CREATED_EVENT = "shipment.created"
MAX_PARCELS = 20


@dataclass(frozen=True)
class ShipmentRequest:
    method: ShipmentMethod
    parcels: int = 1
    #: Where the parcel leaves from; None: the order's shipping address.
    from_address: Address | None = None


def create_shipment(
    uow: UnitOfWork,
    carriers: Carriers,
    store_id: int,
    return_id: int,
    request: ShipmentRequest,
    actor: Actor,
    clock: Clock,
    idempotency: IdempotencyKey | None = None,
) -> ShipmentOutcome:
    """A label (and for qr_drop_off a QR code) for an approved return, one per key."""
    if not 1 <= request.parcels <= MAX_PARCELS:
        raise InvalidRequest(f"from 1 to {MAX_PARCELS} parcels", field="parcels")
    carriers = store_carriers(uow, carriers, store_id)
    intent = _Intent(uow, carriers, store_id, return_id, request, actor, clock.now())
    try:
        shipment, ret, replayed = intent.record(idempotency)
    except ConcurrentModification:
        # Another request with the same key won the race: answer as it did.
        if idempotency is None:
            raise
        shipment, ret, replayed = intent.record(idempotency)
    if replayed or shipment.label_status != LabelStatus.PENDING.value or _is_voided(shipment):
        with uow:
            return ShipmentOutcome(view_of(uow, shipment, clock.now()), replayed)
    shipment, label = _finish(uow, carriers, shipment, ret, actor, clock)
    # Made just now: no scans yet, and the number is known; no need to read them back.
    unavailable = label_unavailable_because(
        LabelStatus(shipment.label_status),
        ShipmentStatus(shipment.status),
        shipment.expires_at,
        clock.now(),
    )
    numbers = tracking_numbers_of(shipment, _parcel_numbers(label))
    view = ShipmentView(shipment, ret.number, (), unavailable, numbers)
    return ShipmentOutcome(view, replayed=False)


@dataclass(frozen=True)
class _Intent:
    uow: UnitOfWork
    carriers: Carriers
    store_id: int
    return_id: int
    request: ShipmentRequest
    actor: Actor
    now: datetime

    def record(self, idempotency: IdempotencyKey | None) -> tuple[ShipmentRow, Return, bool]:
        """The shipment the key made before (replayed if its label is done), or a new
        pending one, committed with the key; and the return."""
        uow, store_id = self.uow, self.store_id
        with uow:
            # The return's lock first: requests for one return take turns, so the second of
            # two with the same key finds the first's shipment here.
            ret = uow.returns.read_locked(store_id, self.return_id)
            if ret is None:
                raise NotFound("return", self.return_id)
            if idempotency is not None:
                stored = stored_response(uow, store_id, idempotency.key, idempotency.fingerprint)
                if stored is not None:
                    shipment = load_shipment(uow, store_id, int(stored[1]["shipment_id"]))
                    return shipment, ret, shipment.label_status == LabelStatus.ISSUED.value
            shipment = self._new_shipment(ret, idempotency)
            if idempotency is not None:
                response = (201, {"shipment_id": shipment.id})
                store_response(
                    uow, store_id, idempotency.key, idempotency.fingerprint, response, self.now
                )
            uow.commit()
            return shipment, ret, False

    def _new_shipment(self, ret: Return, idempotency: IdempotencyKey | None) -> ShipmentRow:
        uow, store_id, return_id = self.uow, self.store_id, self.return_id
        if ret.return_method is ReturnMethod.KEEP_ITEM:
            raise IllegalTransition("ship", "a keep-item return")
        if ret.status is not ReturnStatus.APPROVED:
            raise IllegalTransition("ship", ret.status.value)
        live = uow.shipments.live_for_return(store_id, return_id, self.now)
        if live is not None:
            raise ShipmentExists(ret.number, live)
        from_address = _from_address(uow, ret, self.request.from_address)
        to_address = _return_address(uow, store_id, return_id)
        settings = uow.shipments.label_settings(store_id)
        if settings is None:
            raise NotFound("store", store_id)
        label_cost, currency, expiry_days = settings
        return uow.shipments.add(
            ShipmentRow(
                store_id=store_id,
                return_id=return_id,
                carrier=self.carriers.default,
                service="",
                method=self.request.method.value,
                parcels=self.request.parcels,
                status=ShipmentStatus.PRE_TRANSIT.value,
                label_status=LabelStatus.PENDING.value,
                label_error="",
                label_formats=[],
                # What the store says a label costs; a carrier's own price replaces it.
                label_cost=label_cost,
                currency=currency,
                from_address=from_address.as_dict(),
                to_address=to_address.as_dict(),
                idempotency_key=idempotency.key if idempotency else None,
                created_by=str(self.actor),
                created_at=self.now,
                updated_at=self.now,
                expires_at=self.now + timedelta(days=expiry_days),
            )
        )


def _finish(
    uow: UnitOfWork,
    carriers: Carriers,
    pending: ShipmentRow,
    ret: Return,
    actor: Actor,
    clock: Clock,
) -> tuple[ShipmentRow, Label | None]:
    """Ask the carrier for the pending shipment's label, then record what it said; the
    shipment, and the label if this request recorded it."""
    store_id, rma_number = pending.store_id, ret.number
    carrier = carriers.get(pending.carrier)
    outcome = ask_for_label(carrier, pending, rma_number)
    now = clock.now()
    with uow:
        shipment = load_shipment(uow, store_id, pending.id, for_update=True)
        if shipment.label_status != LabelStatus.PENDING.value:
            return shipment, None  # another request with the same key recorded it first
        if isinstance(outcome, CarrierRefused):
            _record_refusal(uow, shipment, outcome.reason, now)
        else:
            _record_label(uow, shipment, outcome, now)
            if not _is_voided(shipment):
                uow.events.append(
                    [DomainEvent(CREATED_EVENT, _created_payload(shipment, rma_number, outcome))],
                    store_id=store_id,
                    actor=str(actor),
                    occurred_at=now,
                    return_id=shipment.return_id,
                    order_id=ret.order_id,
                )
        uow.commit()
    if isinstance(outcome, CarrierRefused):
        raise CarrierRefusedShipment(shipment.carrier, shipment.id, outcome.reason)
    if _is_voided(shipment):
        # Voided while the carrier was making the label: void the label it made too.
        one_label = ParcelLabel(shipment.tracking_number, shipment.carrier_reference)
        void_at_carrier(carrier, shipment, list(outcome.parcels) or [one_label])
    return shipment, outcome


def _record_label(uow: UnitOfWork, shipment: ShipmentRow, label: Label, now: datetime) -> None:
    shipment.tracking_number = label.tracking_number
    shipment.carrier_reference = label.carrier_reference
    shipment.service = label.service
    shipment.qr_payload = label.qr_payload
    shipment.label_formats = [document.kind.value for document in label.documents]
    if label.cost is not None:
        shipment.label_cost, shipment.currency = label.cost, label.currency
    shipment.label_status = LabelStatus.ISSUED.value
    shipment.updated_at = now
    uow.shipments.add_documents(
        shipment, [(document.kind.value, document.content) for document in label.documents]
    )
    uow.shipments.add_parcels(
        shipment, [(parcel.tracking_number, parcel.carrier_reference) for parcel in label.parcels]
    )


def _record_refusal(uow: UnitOfWork, shipment: ShipmentRow, reason: str, now: datetime) -> None:
    """The shipment stays, `failed`, with the carrier's reason. Its key is let go: only
    successful answers are kept for a key, so the request may come again once fixed."""
    shipment.label_status = LabelStatus.FAILED.value
    shipment.label_error = reason
    shipment.updated_at = now
    if shipment.idempotency_key is not None:
        uow.session.execute(
            delete(IdempotencyRecord).where(
                IdempotencyRecord.store_id == shipment.store_id,
                IdempotencyRecord.key == shipment.idempotency_key,
            )
        )
        shipment.idempotency_key = None


def _created_payload(shipment: ShipmentRow, rma_number: str, label: Label) -> dict[str, object]:
    return {
        "number": rma_number,
        "shipment_id": shipment.id,
        "carrier": shipment.carrier,
        "service": shipment.service,
        "method": shipment.method,
        "tracking_number": shipment.tracking_number,
        "tracking_numbers": list(tracking_numbers_of(shipment, _parcel_numbers(label))),
        "parcels": shipment.parcels,
        "label_cost": shipment.label_cost,
        "currency": shipment.currency,
        "expires_at": shipment.expires_at.isoformat(),
    }


def _parcel_numbers(label: Label | None) -> list[str]:
    return [parcel.tracking_number for parcel in label.parcels] if label is not None else []


def _is_voided(shipment: ShipmentRow) -> bool:
    return shipment.status == ShipmentStatus.VOIDED.value


def _from_address(uow: UnitOfWork, ret: Return, given: Address | None) -> Address:
    if given is not None:
        return checked_address(given, "from_address")
    order = uow.shipments.order(ret.store_id, ret.order_id)
    address = order_address(order) if order is not None else Address()
    if not address.line1:
        raise InvalidRequest(
            "the order's shipping address has no street: send from_address",
            field="from_address",
        )
    try:
        return checked_address(address, "from_address")
    except InvalidRequest as error:
        raise InvalidRequest(
            f"the order's shipping address: {error.detail}; send from_address", field=error.field
        ) from error


def _return_address(uow: UnitOfWork, store_id: int, return_id: int) -> Address:
    location = uow.shipments.return_location(store_id, return_id)
    address = location_address(location) if location is not None else Address()
    if location is None or (address.is_empty() and location.is_default):
        raise InvalidRequest(
            "the store has no return address yet: set it with PATCH /api/v1/settings/shipping",
            field="return_address",
        )
    if address.is_empty():
        raise InvalidRequest(
            f"return location {location.code} has no address: PATCH /api/v1/locations/"
            f"{location.code}",
            field="return_address",
        )
    return checked_address(address, "return_address")

"""Parcels that arrive with no return to match: recorded (staff are told), listed, closed.

Recording one writes `return.unexpected_parcel`, which e-mails the store's staff
(`staff_unexpected_parcel`) and reaches webhooks; closing it, with the return it turned out
to belong to or a note of what was done, writes `parcel.closed`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from retour.db.models import UnmatchedParcel
from retour.db.unit_of_work import UnitOfWork
from retour.domain.errors import InvalidRequest
from retour.domain.events import DomainEvent
from retour.services.context import Actor
from retour.services.errors import AlreadyDone, NotFound
from retour.services.queries import Page, decode_cursor, encode_cursor

RECORDED_EVENT = "return.unexpected_parcel"
CLOSED_EVENT = "parcel.closed"


@dataclass(frozen=True)
class ParcelArrival:
    tracking_number: str = ""
    carrier: str = ""
    sender: str = ""
    note: str = ""


def record_unmatched_parcel(
    uow: UnitOfWork, store_id: int, arrival: ParcelArrival, actor: Actor, now: datetime
) -> UnmatchedParcel:
    """Record a parcel no return expects; staff get an e-mail about it."""
    if not (arrival.tracking_number or arrival.sender or arrival.note):
        raise InvalidRequest(
            "say something of the parcel: a tracking number, the sender or a note",
            field="tracking_number",
        )
    with uow:
        parcel = UnmatchedParcel(
            store_id=store_id,
            tracking_number=arrival.tracking_number,
            carrier=arrival.carrier,
            sender=arrival.sender,
            note=arrival.note,
            status="open",
            resolution_note="",
            received_at=now,
            received_by=str(actor),
        )
        uow.session.add(parcel)
        uow.session.flush()
        uow.events.append(
            [DomainEvent(RECORDED_EVENT, _payload(parcel))],
            store_id=store_id,
            actor=str(actor),
            occurred_at=now,
        )
        uow.commit()
        return parcel


def close_parcel(
    uow: UnitOfWork,
    store_id: int,
    parcel_id: int,
    return_id: int | None,
    note: str,
    actor: Actor,
    now: datetime,
) -> UnmatchedParcel:
    """Close an open parcel: it belonged to `return_id`, or `note` says what was done."""
    if return_id is None and not note:
        raise InvalidRequest("name the return it belongs to, or say what was done", field="note")
    with uow:
        parcel = _load(uow, store_id, parcel_id, for_update=True)
        if parcel.status != "open":
            raise AlreadyDone(f"parcel {parcel_id} is closed already", current_status="closed")
        if return_id is not None and not uow.returns.exists(store_id, return_id):
            raise InvalidRequest(f"return {return_id} not found", field="return_id")
        parcel.status = "closed"
        parcel.return_id = return_id
        parcel.resolution_note = note
        parcel.closed_at = now
        uow.session.flush()
        uow.events.append(
            [DomainEvent(CLOSED_EVENT, {**_payload(parcel), "resolution_note": note})],
            store_id=store_id,
            actor=str(actor),
            occurred_at=now,
            return_id=return_id,
        )
        uow.commit()
        return parcel


def get_parcel(uow: UnitOfWork, store_id: int, parcel_id: int) -> UnmatchedParcel:
    with uow:
        return _load(uow, store_id, parcel_id)


def list_parcels(
    uow: UnitOfWork, store_id: int, status: str | None, cursor: str | None, limit: int
) -> Page[UnmatchedParcel]:
    """Newest first; `status` is `open` or `closed`."""
    statement = select(UnmatchedParcel).where(UnmatchedParcel.store_id == store_id)
    if status is not None:
        statement = statement.where(UnmatchedParcel.status == status)
    after = decode_cursor(cursor)
    if after is not None:
        statement = statement.where(UnmatchedParcel.id < after)
    with uow:
        rows = list(
            uow.session.scalars(statement.order_by(UnmatchedParcel.id.desc()).limit(limit + 1))
        )
    items = rows[:limit]
    return Page(items, encode_cursor(items[-1].id) if len(rows) > limit else None)


def _load(
    uow: UnitOfWork, store_id: int, parcel_id: int, for_update: bool = False
) -> UnmatchedParcel:
    statement = select(UnmatchedParcel).where(
        UnmatchedParcel.id == parcel_id, UnmatchedParcel.store_id == store_id
    )
    if for_update and uow.session.get_bind().dialect.name == "postgresql":
        statement = statement.with_for_update()
    parcel = uow.session.scalars(statement).one_or_none()
    if parcel is None:
        raise NotFound("parcel", parcel_id)
    return parcel


def _payload(parcel: UnmatchedParcel) -> dict[str, object]:
    return {
        "parcel_id": parcel.id,
        "tracking_number": parcel.tracking_number,
        "carrier": parcel.carrier,
        "sender": parcel.sender,
        "note": parcel.note,
        "status": parcel.status,
    }

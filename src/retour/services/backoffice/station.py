"""The warehouse station: a scanned code opens the return it belongs to, and one press
receives every awaited unit and grades it (A, restock by default) in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from itertools import groupby
from pathlib import Path

from sqlalchemy import ColumnElement, select, union

from retour.db.models import OrderRow, ReturnRow, ShipmentRow
from retour.db.repositories.shipments import returns_with_parcel
from retour.db.unit_of_work import UnitOfWork
from retour.domain.errors import InvalidRequest
from retour.domain.inputs import InspectionInput, Receipt
from retour.domain.lines import Disposition, Grade
from retour.domain.returns import Return
from retour.domain.staff import Permission, StaffMember, ensure_permitted
from retour.domain.statuses import FINAL_STATUSES
from retour.services import returns as use_cases
from retour.services.backoffice.actions import act, actor_of
from retour.services.backoffice.queue import RMA_NUMBER
from retour.services.backoffice.station_photos import StationPhotos, keep_station_photos
from retour.services.context import Actor
from retour.services.parcels import ParcelArrival, record_unmatched_parcel


@dataclass(frozen=True)
class ScanResult:
    code: str
    #: RMA numbers the code points at, newest first; one opens that return.
    numbers: list[str]
    #: What the code was taken as: rma, tracking, order, or "" when nothing matched.
    matched_as: str


@dataclass(frozen=True)
class UnitGrade:
    """How one unit of a line was graded at the station."""

    grade: Grade = Grade.A
    disposition: Disposition = Disposition.RESTOCK
    is_accepted: bool = True
    note: str = ""


@dataclass(frozen=True)
class StationLine:
    """What the worker says about one line: units that arrived and their grading (the
    line's grading for every unit, unless `units` grades the first ones one by one)."""

    line_id: int
    received: int
    wrong_item: int = 0
    grade: Grade = Grade.A
    disposition: Disposition = Disposition.RESTOCK
    is_accepted: bool = True
    note: str = ""
    #: What arrived instead of the line's item (a SKU scanned or typed), for its wrong items.
    instead: str = ""
    #: Unit by unit, in the order they are graded (the right units: wrong items aside).
    units: tuple[UnitGrade, ...] = ()

    def good_units(self) -> list[UnitGrade]:
        """Each right unit's grading: its own when given, else the line's."""
        whole = UnitGrade(self.grade, self.disposition, self.is_accepted, self.note)
        count = self.received - self.wrong_item
        return [self.units[n] if n < len(self.units) else whole for n in range(count)]


def find_scanned(uow: UnitOfWork, staff: StaffMember, code: str) -> ScanResult:
    """An RMA barcode, a tracking number or an order number (as a wedge scanner types it)."""
    ensure_permitted(staff, Permission.HANDLE_PARCELS)
    text = code.strip()
    if not text:
        raise InvalidRequest("Scan or type an RMA, tracking or order number.", field="code")
    store = staff.store_id
    with uow:
        if RMA_NUMBER.fullmatch(text):
            found = _numbers(uow, ReturnRow.store_id == store, ReturnRow.number == text.upper())
            return ScanResult(text, found, "rma" if found else "")
        by_tracking = _numbers(
            uow,
            ReturnRow.store_id == store,
            # Indexed look-ups in one set (an OR of them walks every return).
            ReturnRow.id.in_(
                union(
                    select(ReturnRow.id).where(
                        ReturnRow.store_id == store, ReturnRow.tracking_number == text
                    ),
                    select(ShipmentRow.return_id).where(
                        ShipmentRow.store_id == store, ShipmentRow.tracking_number == text
                    ),
                    returns_with_parcel(store, text),
                )
            ),
        )
        if by_tracking:
            return ScanResult(text, by_tracking, "tracking")
        bare = text.lstrip("#")
        orders = select(OrderRow.id).where(
            OrderRow.store_id == store, OrderRow.number.in_({text, bare, f"#{bare}"})
        )
        open_ones = _numbers(
            uow,
            ReturnRow.store_id == store,
            ReturnRow.order_id.in_(orders),
            ReturnRow.status.not_in([s.value for s in FINAL_STATUSES]),
        )
        return ScanResult(text, open_ones, "order" if open_ones else "")


def receive_and_grade(
    uow: UnitOfWork,
    staff: StaffMember,
    number: str,
    seen: str,
    now: datetime,
    lines: list[StationLine],
    photos: StationPhotos | None = None,
) -> Return:
    """Receive what arrived and inspect it at once: every unit received is graded, and the
    photos taken are kept with the return, all in one transaction."""
    if not any(line.received for line in lines):
        raise InvalidRequest("Nothing is marked as received.", field="lines")
    for line in lines:
        if line.wrong_item > line.received:
            raise InvalidRequest(
                "wrong items cannot be more than the units received",
                field=f"wrong-{line.line_id}",
            )
        if line.instead and not line.wrong_item:
            raise InvalidRequest(
                "say how many wrong items arrived, or leave what arrived instead empty",
                field=f"wrong-{line.line_id}",
            )
        if len(line.instead) > 64:
            raise InvalidRequest("a SKU has at most 64 characters", field=f"instead-{line.line_id}")

    def receive_then_inspect(return_id: int, actor: Actor) -> Return:
        use_cases.receive_return(
            uow, staff.store_id, return_id, actor, now,
            [Receipt(line.line_id, line.received - line.wrong_item) for line in lines
             if line.received > line.wrong_item]
            + [Receipt(line.line_id, line.wrong_item, is_wrong_item=True) for line in lines
               if line.wrong_item],
        )  # fmt: skip
        verdicts = [
            InspectionInput(
                line.line_id, len(same), unit.is_accepted, unit.grade, unit.disposition, unit.note
            )
            for line in lines
            for unit, same in _runs(line.good_units())
        ] + [
            # A wrong item is refused and set aside (quarantine) for staff to sort out; if the
            # worker said what it is and the store sells it, that item's stock holds it.
            InspectionInput(
                line.line_id,
                line.wrong_item,
                False,
                Grade.D,
                Disposition.RETURN_TO_VENDOR,
                "wrong item received",
                is_wrong_item=True,
                arrived_sku=line.instead,
            )
            for line in lines
            if line.wrong_item > 0
        ]
        if not verdicts:
            raise InvalidRequest("Nothing right arrived to grade.", field="lines")
        graded = use_cases.inspect_return(uow, staff.store_id, return_id, actor, now, verdicts)
        if photos is not None:
            written.extend(keep_station_photos(uow, staff, graded, photos, now))
        return graded

    written: list[Path] = []
    try:
        return act(uow, staff, number, seen, Permission.HANDLE_PARCELS, receive_then_inspect)
    except BaseException:
        for path in written:  # the transaction is gone: so are its photos
            path.unlink(missing_ok=True)
        raise


def _runs(units: list[UnitGrade]) -> list[tuple[UnitGrade, list[UnitGrade]]]:
    """Units graded alike one after the other, as one verdict each."""
    return [(unit, list(same)) for unit, same in groupby(units)]


def default_lines(ret: Return) -> list[StationLine]:
    """Every unit still awaited, received as the right item, grade A, restocked."""
    return [
        StationLine(line.id, line.awaiting_receipt_quantity)
        for line in ret.lines
        if line.id is not None and line.awaiting_receipt_quantity > 0
    ]


def record_parcel_without_return(
    uow: UnitOfWork, staff: StaffMember, code: str, sender: str, note: str, now: datetime
) -> int:
    """A parcel nothing matched: kept as an unmatched parcel for someone to sort out."""
    ensure_permitted(staff, Permission.HANDLE_PARCELS)
    arrival = ParcelArrival(tracking_number=code.strip(), sender=sender.strip(), note=note.strip())
    parcel = record_unmatched_parcel(uow, staff.store_id, arrival, actor_of(staff), now)
    return parcel.id


def _numbers(uow: UnitOfWork, *conditions: ColumnElement[bool]) -> list[str]:
    statement = select(ReturnRow.number).where(*conditions).order_by(ReturnRow.id.desc()).limit(20)
    return list(uow.session.scalars(statement))

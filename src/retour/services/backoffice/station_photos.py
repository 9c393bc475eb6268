"""Photos the warehouse takes of what arrived, per line or per unit of a line, kept with the
return like the shopper's (checked by decoding, re-encoded without metadata, under the data
dir), marked with who took them."""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from retour.db.models import ReturnPhoto
from retour.db.unit_of_work import UnitOfWork
from retour.domain.errors import InvalidRequest
from retour.domain.returns import Return
from retour.domain.staff import StaffMember
from retour.services.portal.photos import EXTENSIONS, FORMATS, MAX_PER_ITEM, CleanImage


@dataclass(frozen=True)
class StationPhotos:
    data_dir: Path
    #: Return line id → its checked images.
    by_line: Mapping[int, Sequence[CleanImage]] = field(default_factory=dict)
    #: (return line id, unit 1, 2, …) → the checked images of that unit.
    by_unit: Mapping[tuple[int, int], Sequence[CleanImage]] = field(default_factory=dict)

    def taken(self) -> list[tuple[int, int | None, Sequence[CleanImage]]]:
        """(line id, unit or None for the whole line, images), the line's own first."""
        whole = [(line_id, None, images) for line_id, images in self.by_line.items()]
        units = [(line_id, unit, images) for (line_id, unit), images in self.by_unit.items()]
        return [*whole, *sorted(units, key=lambda taken: (taken[0], taken[1]))]


def check_station_photos(ret: Return, photos: StationPhotos) -> None:
    """Refuses, naming the line's field, photos of a line not on this return's order, or too
    many; before anything is written."""
    for line_id, unit, images in photos.taken():
        name = f"photos-{line_id}" if unit is None else f"photos-{line_id}-{unit}"
        line = next((line for line in ret.lines if line.id == line_id), None)
        if line is None or line.order_line_id is None:
            raise InvalidRequest("Photos only of the return's own items.", field=name)
        if unit is not None and not 1 <= unit <= line.received_quantity:
            raise InvalidRequest(f"No unit {unit} of this item arrived.", field=name)
        if len(images) > MAX_PER_ITEM:
            raise InvalidRequest(f"At most {MAX_PER_ITEM} photos per item.", field=name)


def keep_station_photos(
    uow: UnitOfWork, staff: StaffMember, ret: Return, photos: StationPhotos, now: datetime
) -> list[Path]:
    """Write the files and add their rows in the caller's transaction; the files written, for
    the caller to remove if that transaction fails."""
    check_station_photos(ret, photos)
    if ret.id is None:
        return []
    folder = photos.data_dir / "photos" / str(staff.store_id)
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for line_id, unit, images in photos.taken():
        order_line_id = next(line.order_line_id for line in ret.lines if line.id == line_id)
        assert order_line_id is not None
        for image in images:
            token = secrets.token_urlsafe(24)
            relative = Path("photos", str(staff.store_id), f"{token}.{EXTENSIONS[image.format]}")
            (photos.data_dir / relative).write_bytes(image.content)
            written.append(photos.data_dir / relative)
            uow.session.add(
                ReturnPhoto(
                    store_id=staff.store_id,
                    order_id=ret.order_id,
                    order_line_id=order_line_id,
                    return_id=ret.id,
                    token=token,
                    path=str(relative),
                    media_type=FORMATS[image.format],
                    width=image.width,
                    height=image.height,
                    byte_size=len(image.content),
                    created_at=now,
                    taken_by=f"staff:{staff.actor_name}",
                    unit=unit,
                )
            )
    return written

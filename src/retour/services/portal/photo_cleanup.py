"""Photos shoppers sent with a form they never confirmed: no return ever took them, so after a
day they are deleted, rows and files (`retour portal prune-photos`, for cron)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import ColumnElement, delete, select

from retour.db.models import ReturnPhoto
from retour.db.unit_of_work import UnitOfWork

DEFAULT_AGE = timedelta(hours=24)
#: Longer than a portal session (30 minutes): no form still open can attach a photo this old.
MINIMUM_AGE = timedelta(hours=1)
#: Rows deleted per transaction.
BATCH = 500


@dataclass(frozen=True)
class PrunedPhoto:
    store_id: int
    token: str
    #: Relative to the data dir.
    path: str
    byte_size: int
    created_at: datetime
    #: False when the file was already gone (a run interrupted after deleting it).
    had_file: bool


def prune_unattached_photos(
    uow: UnitOfWork, data_dir: Path, now: datetime, older_than: timedelta = DEFAULT_AGE
) -> list[PrunedPhoto]:
    """Delete the shoppers' photos no return took, sent more than `older_than` ago: their
    rows and their files under `data_dir` (a file already gone is fine). Run again, it finds
    nothing more to do. `older_than` under an hour is refused (ValueError).

    Each batch deletes its rows, then their files, then commits: a photo attached meanwhile is
    not deleted (the delete asks again that it has no return), and a failed commit leaves rows
    whose files the next run finds gone."""
    if older_than < MINIMUM_AGE:
        # The operator's argument, not a shopper's input: not one of the portal's sentences.
        raise ValueError("Photos sent less than an hour ago may still be sent with a return.")
    cutoff = now - older_than
    pruned: list[PrunedPhoto] = []
    while True:
        with uow:
            ids = list(
                uow.session.scalars(
                    select(ReturnPhoto.id)
                    .where(*_unattached(cutoff))
                    .order_by(ReturnPhoto.id)
                    .limit(BATCH)
                )
            )
            if not ids:
                return pruned
            gone = uow.session.execute(
                delete(ReturnPhoto)
                .where(ReturnPhoto.id.in_(ids), *_unattached(cutoff))
                .returning(
                    ReturnPhoto.store_id,
                    ReturnPhoto.token,
                    ReturnPhoto.path,
                    ReturnPhoto.byte_size,
                    ReturnPhoto.created_at,
                )
            ).all()
            batch = [
                PrunedPhoto(row.store_id, row.token, row.path, row.byte_size, row.created_at,
                            _remove(data_dir, row.path))
                for row in gone
            ]  # fmt: skip
            uow.commit()
        pruned.extend(sorted(batch, key=lambda photo: photo.created_at))
        if len(ids) < BATCH:
            return pruned


def _unattached(cutoff: datetime) -> tuple[ColumnElement[bool], ...]:
    # Photos staff take at the station belong to a return from the start: never matched.
    return (ReturnPhoto.return_id.is_(None), ReturnPhoto.created_at < cutoff)


def _remove(data_dir: Path, relative: str) -> bool:
    """Delete the photo's file; False when it was not there. A path that leads outside the
    data dir's photos folder is left alone (the row goes, the file is not touched)."""
    photos = (data_dir / "photos").resolve()
    target = (data_dir / relative).resolve()
    if not target.is_relative_to(photos):
        return False
    try:
        target.unlink()
    except FileNotFoundError:
        return False
    return True

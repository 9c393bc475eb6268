"""Photos shoppers send with items: checked by decoding (never by name), limited in size and
pixels, re-encoded without metadata (EXIF and GPS gone), kept under the data dir."""

from __future__ import annotations

import io
import secrets
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import select

from retour.db.models import ReturnPhoto
from retour.db.unit_of_work import UnitOfWork
from retour.domain.errors import InvalidRequest
from retour.domain.returns import Return
from retour.services.errors import NotFound
from retour.services.portal.lookup import PortalAccess

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 50_000_000
MAX_PER_ITEM = 5
#: What the browser is told each kept format is, and how it is written back.
FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}


@dataclass(frozen=True)
class CleanImage:
    content: bytes
    format: str
    width: int
    height: int


def clean_image(data: bytes, field: str) -> CleanImage:
    """The image re-encoded without metadata, or InvalidRequest naming `field`."""
    if len(data) > MAX_BYTES:
        raise InvalidRequest("This photo is larger than 10 MB.", field=field)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                kind = probe.format or ""
                if kind not in FORMATS:
                    raise InvalidRequest("Send a JPEG, PNG or WebP photo.", field=field)
                if probe.width * probe.height > MAX_PIXELS:
                    raise InvalidRequest("This photo has too many pixels.", field=field)
                probe.load()
                upright = ImageOps.exif_transpose(probe)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise InvalidRequest("This file is not a photo we can read.", field=field) from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise InvalidRequest("This photo has too many pixels.", field=field) from None
    if kind == "JPEG" and upright.mode not in ("RGB", "L"):
        upright = upright.convert("RGB")
    out = io.BytesIO()
    upright.save(out, format=kind)  # a fresh file: no EXIF, no XMP, no comments
    return CleanImage(out.getvalue(), kind, upright.width, upright.height)


def keep_photos(
    uow: UnitOfWork,
    access: PortalAccess,
    order_line_id: int,
    images: Sequence[CleanImage],
    data_dir: Path,
    now: datetime,
) -> list[str]:
    """Store checked images for an item of the session's order; their tokens."""
    folder = data_dir / "photos" / str(access.store_id)
    folder.mkdir(parents=True, exist_ok=True)
    tokens = []
    with uow:
        for image in images:
            token = secrets.token_urlsafe(24)
            relative = Path("photos", str(access.store_id), f"{token}.{EXTENSIONS[image.format]}")
            (data_dir / relative).write_bytes(image.content)
            uow.session.add(
                ReturnPhoto(
                    store_id=access.store_id,
                    order_id=access.order_id,
                    order_line_id=order_line_id,
                    token=token,
                    path=str(relative),
                    media_type=FORMATS[image.format],
                    width=image.width,
                    height=image.height,
                    byte_size=len(image.content),
                    created_at=now,
                )
            )
            tokens.append(token)
        uow.commit()
    return tokens


def attach_photos(
    uow: UnitOfWork, access: PortalAccess, ret: Return, tokens: Sequence[str]
) -> None:
    """Give the return the photos of its items sent in this session (others are ignored)."""
    if not tokens or ret.id is None:
        return
    with uow:
        photos = uow.session.scalars(
            select(ReturnPhoto).where(
                ReturnPhoto.store_id == access.store_id,
                ReturnPhoto.order_id == access.order_id,
                ReturnPhoto.return_id.is_(None),
                ReturnPhoto.token.in_(tokens),
            )
        )
        for photo in photos:
            photo.return_id = ret.id
        uow.commit()


def photo_tokens_of_return(uow: UnitOfWork, access: PortalAccess, return_id: int) -> list[str]:
    with uow:
        return list(
            uow.session.scalars(
                select(ReturnPhoto.token)
                .where(ReturnPhoto.store_id == access.store_id, ReturnPhoto.return_id == return_id)
                .order_by(ReturnPhoto.id)
            )
        )


def read_photo(
    uow: UnitOfWork, access: PortalAccess, token: str, data_dir: Path
) -> tuple[bytes, str]:
    """A photo of the session's order (attached or not): its bytes and media type."""
    with uow:
        photo = uow.session.scalars(
            select(ReturnPhoto).where(
                ReturnPhoto.token == token,
                ReturnPhoto.store_id == access.store_id,
                ReturnPhoto.order_id == access.order_id,
            )
        ).one_or_none()
        if photo is None:
            raise NotFound("photo", token)
        return (data_dir / photo.path).read_bytes(), photo.media_type

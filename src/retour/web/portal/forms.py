"""The portal's posted forms read into use-case inputs: the items form and its photos."""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from starlette.datastructures import UploadFile

from retour.db.unit_of_work import UnitOfWork
from retour.domain.errors import InvalidRequest
from retour.domain.inputs import LineRequest
from retour.domain.lines import Resolution, ReturnMethod
from retour.services.portal.exchange_choice import exchange_field
from retour.services.portal.lookup import PortalAccess
from retour.services.portal.photos import MAX_BYTES, MAX_PER_ITEM, clean_image, keep_photos
from retour.services.portal.submitting import PortalSubmission

Choice = TypeVar("Choice", Resolution, ReturnMethod)


def submission_of(fields: Mapping[str, str]) -> PortalSubmission:
    lines = []
    photos: dict[int, tuple[str, ...]] = {}
    exchanges: dict[int, int] = {}
    for name, value in fields.items():
        if not name.startswith("qty-") or value in ("", "0"):
            continue
        line_id = name.removeprefix("qty-")
        if not line_id.isdigit() or not value.isdigit():
            raise InvalidRequest("Choose how many of this item to return.", field=name)
        reason = fields.get(f"reason-{line_id}", "")
        if not reason:
            raise InvalidRequest("Choose why you are returning it.", field=f"reason-{line_id}")
        comment = fields.get(f"comment-{line_id}", "").strip()
        lines.append(LineRequest(int(line_id), int(value), reason, comment))
        photos[int(line_id)] = photo_tokens(fields, line_id)
        variant = fields.get(exchange_field(int(line_id)), "")
        if variant.isdigit():
            exchanges[int(line_id)] = int(variant)
    return PortalSubmission(
        lines=lines,
        resolution=_choice(Resolution, fields.get("resolution", ""), "resolution"),
        return_method=_choice(ReturnMethod, fields.get("method", ""), "method"),
        note=fields.get("note", ""),
        submission_key=fields.get("submission_key", "")[:64] or secrets.token_urlsafe(16),
        photos=photos,
        exchanges=exchanges,
    )


def photo_tokens(fields: Mapping[str, str], line_id: str) -> tuple[str, ...]:
    """The photos already sent for an item, carried from page to page in a hidden field."""
    return tuple(token for token in fields.get(f"photo-tokens-{line_id}", "").split(",") if token)


async def take_photos(
    uow: UnitOfWork,
    access: PortalAccess,
    fields: dict[str, str],
    files: Mapping[str, Sequence[UploadFile]],
    data_dir: Path,
    now: datetime,
) -> None:
    """Check every photo sent with the form, then keep them all, or none: one bad file is
    reported next to its item and nothing is stored. Their tokens join `fields`."""
    checked = []
    for name, uploads in files.items():
        line_id = name.removeprefix("photos-")
        if not name.startswith("photos-") or not line_id.isdigit():
            continue
        sent = [upload for upload in uploads if upload.filename]
        if not sent:
            continue
        if len(sent) + len(photo_tokens(fields, line_id)) > MAX_PER_ITEM:
            raise InvalidRequest(
                f"Send at most {MAX_PER_ITEM} photos per item.", field=name,
                msgid="Send at most {count} photos per item.", params={"count": MAX_PER_ITEM},
            )  # fmt: skip
        images = [clean_image(await upload.read(MAX_BYTES + 1), name) for upload in sent]
        checked.append((line_id, images))
    for line_id, images in checked:
        tokens = keep_photos(uow, access, int(line_id), images, data_dir, now)
        fields[f"photo-tokens-{line_id}"] = ",".join((*photo_tokens(fields, line_id), *tokens))


def _choice(kind: type[Choice], value: str, field: str) -> Choice:
    try:
        return kind(value)
    except ValueError:
        raise InvalidRequest("Choose one of the options.", field=field) from None

"""Idempotency-Key: the same key and request give the same response and no second effect."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select

from retour.db.models import IdempotencyRecord
from retour.db.unit_of_work import UnitOfWork
from retour.services.errors import ConcurrentModification, IdempotencyMismatch

Response = tuple[int, dict[str, Any]]


def fingerprint(method: str, path: str, body: bytes) -> str:
    return hashlib.sha256(b"\n".join([method.encode(), path.encode(), body])).hexdigest()


def run_idempotently(
    uow: UnitOfWork,
    *,
    store_id: int,
    key: str | None,
    request_fingerprint: str,
    now: datetime,
    action: Callable[[], Response],
) -> tuple[Response, bool]:
    """Run `action` once per key; returns its response and whether it was a replay.

    The action's use case joins this transaction (nested unit of work), so its effects and
    the stored response commit together: a crash between them cannot happen.
    """
    if key is None:
        return action(), False
    with uow:
        stored = _stored(uow, store_id, key)
    if stored is not None:
        return _replay(stored, request_fingerprint), True
    try:
        with uow:
            response = action()
            store_response(uow, store_id, key, request_fingerprint, response, now)
            uow.commit()
        return response, False
    except ConcurrentModification:
        # Maybe a concurrent request with the same key won; ours was rolled back.
        with uow:
            stored = _stored(uow, store_id, key)
        if stored is None:
            raise
        return _replay(stored, request_fingerprint), True


def stored_response(
    uow: UnitOfWork, store_id: int, key: str, request_fingerprint: str
) -> Response | None:
    """The response given to `key` before, None if none; IdempotencyMismatch when the key
    came with another request. For use cases that cannot run inside one transaction (those
    that call a carrier): they look here first and store their answer when done."""
    stored = _stored(uow, store_id, key)
    return None if stored is None else _replay(stored, request_fingerprint)


def store_response(
    uow: UnitOfWork,
    store_id: int,
    key: str,
    request_fingerprint: str,
    response: Response,
    now: datetime,
) -> None:
    """Keep `response` for `key`, in the transaction of the change it describes."""
    uow.session.add(
        IdempotencyRecord(
            store_id=store_id,
            key=key,
            fingerprint=request_fingerprint,
            status_code=response[0],
            response_body=response[1],
            created_at=now,
        )
    )


def _stored(uow: UnitOfWork, store_id: int, key: str) -> IdempotencyRecord | None:
    statement = select(IdempotencyRecord).where(
        IdempotencyRecord.store_id == store_id, IdempotencyRecord.key == key
    )
    return uow.session.scalars(statement).one_or_none()


def _replay(stored: IdempotencyRecord, request_fingerprint: str) -> Response:
    if stored.fingerprint != request_fingerprint:
        raise IdempotencyMismatch()
    return stored.status_code, stored.response_body

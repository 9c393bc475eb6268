"""A store's name and branding: what its e-mails (and later its portal) look like."""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Any

from retour.db.unit_of_work import UnitOfWork
from retour.domain.branding import Branding, checked_branding
from retour.domain.errors import InvalidRequest
from retour.services.errors import NotFound

FIELDS = tuple(field.name for field in fields(Branding))


def store_branding(uow: UnitOfWork, store_id: int) -> Branding:
    with uow:
        store = uow.stores.get(store_id)
        if store is None:
            raise NotFound("store", store_id)
        return Branding(**{name: getattr(store, name) for name in FIELDS})


def update_store_branding(uow: UnitOfWork, store_id: int, changes: dict[str, Any]) -> Branding:
    """Change the fields given; the result is checked as a whole (colours against each other)
    before anything is saved."""
    for name in changes:
        if name not in FIELDS:
            raise InvalidRequest(f"{name} is not a branding setting", field=name)
    with uow:
        store = uow.stores.get(store_id)
        if store is None:
            raise NotFound("store", store_id)
        current = Branding(**{name: getattr(store, name) for name in FIELDS})
        branding = checked_branding(replace(current, **changes))
        for name in FIELDS:
            setattr(store, name, getattr(branding, name))
        uow.commit()
        return branding

"""Where the demo's returns are played: the store, who acts, the dice, and the moment it ends."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from random import Random

from retour.db.unit_of_work import UnitOfWork
from retour.domain.returns import Return
from retour.services.context import Actor

CUSTOMER = Actor("customer")


@dataclass(frozen=True)
class Stage:
    """Where the returns are played: the store, who acts for the shop, and the dice."""

    uow: UnitOfWork
    store_id: int
    staff: Actor
    rng: Random
    reference: datetime


def saved_id(ret: Return) -> int:
    if ret.id is None:
        raise ValueError(f"return {ret.number} was never saved")
    return ret.id


def psp_reference(rng: Random, at: datetime) -> str:
    """A payment provider's reference, as staff copy it from the PSP's dashboard."""
    return f"PSP-{at.year}-{rng.randrange(1, 10**6):06d}"

"""Keep-item (returnless) returns: the shopper keeps the item and nothing is shipped back, so
the moves that need a parcel (shipping, relocating, receiving, expiring) do not apply."""

from __future__ import annotations

from datetime import datetime, timedelta

from retour.domain.errors import IllegalTransition
from retour.domain.lines import ReturnMethod
from retour.domain.statuses import ReturnAction


def is_keep_item(method: ReturnMethod) -> bool:
    return method is ReturnMethod.KEEP_ITEM


def refuse_keep_item(method: ReturnMethod, action: ReturnAction) -> None:
    """IllegalTransition when `action` needs a parcel and the return has none."""
    if is_keep_item(method):
        raise IllegalTransition(action.value, "a keep-item return")


def approval_deadline(method: ReturnMethod, now: datetime, deadline_days: int) -> datetime | None:
    """When an approved return's parcel is due."""
    # Nothing is shipped back for keep-item returns, so nothing can be late.
    return None if is_keep_item(method) else now + timedelta(days=deadline_days)

"""Which policy judges a request: the store's live version, its built-in one, or a draft."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from retour.db.unit_of_work import UnitOfWork
from retour.domain.policy import InvalidPolicy, Policy, parse_policy
from retour.services.errors import NotFound
from retour.services.policy.defaults import BUILTIN_VERSION, builtin_document


@dataclass(frozen=True)
class ActivePolicy:
    #: The store's version number; 0 for the built-in policy; None for a draft.
    version: int | None
    policy: Policy


def live_policy(uow: UnitOfWork, store_id: int) -> ActivePolicy | None:
    """The live version, or None for a store without one: one indexed look-up, and the
    document parsed once per process (versions never change, so the cache never goes stale)."""
    found = uow.policies.live_document_text(store_id)
    if found is None:
        return None
    version, text = found
    return ActivePolicy(version, _parsed(text))


def policy_in_force(uow: UnitOfWork, store_id: int) -> ActivePolicy:
    """The live version, else the built-in policy (version 0)."""
    live = live_policy(uow, store_id)
    if live is not None:
        return live
    store = uow.stores.get(store_id)
    if store is None:
        raise NotFound("store", store_id)
    return ActivePolicy(BUILTIN_VERSION, _parsed(json.dumps(builtin_document(store))))


def draft_policy(document: Any, pointer_prefix: str = "") -> ActivePolicy:
    """A document not saved; its errors point into the request that carried it."""
    try:
        return ActivePolicy(None, parse_policy(document))
    except InvalidPolicy as invalid:
        raise InvalidPolicy(
            (pointer_prefix + pointer, message) for pointer, message in invalid.errors
        ) from None


@lru_cache(maxsize=256)
def _parsed(text: str) -> Policy:
    return parse_policy(json.loads(text))

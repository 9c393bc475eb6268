"""Recently authenticated API keys, so that most requests skip the database look-up."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable

from retour.services.stores import ApiPrincipal

#: A revoked key keeps working for at most this long in a process that saw it.
TTL_SECONDS = 30.0
MAX_ENTRIES = 10_000


class ApiKeyCache:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._entries: dict[str, tuple[float, ApiPrincipal]] = {}

    def get(self, key: str) -> ApiPrincipal | None:
        entry = self._entries.get(_digest(key))
        if entry is None or entry[0] < self._clock():
            return None
        return entry[1]

    def put(self, key: str, principal: ApiPrincipal) -> None:
        if len(self._entries) >= MAX_ENTRIES:
            self._entries.clear()
        self._entries[_digest(key)] = (self._clock() + TTL_SECONDS, principal)


def _digest(key: str) -> str:
    # Keyed by digest so that the cache never holds usable keys.
    return hashlib.sha256(key.encode()).hexdigest()

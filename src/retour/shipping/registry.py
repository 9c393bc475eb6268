"""Which carriers this installation has; the built-in one is always there, and the default."""

from __future__ import annotations

from collections.abc import Iterable

from retour.domain.errors import InvalidRequest
from retour.settings import Settings
from retour.shipping.base import Carrier
from retour.shipping.builtin import NAME as BUILTIN
from retour.shipping.builtin import BuiltinCarrier


class Carriers:
    def __init__(self, carriers: Iterable[Carrier] = (), default: str = BUILTIN) -> None:
        self._by_name: dict[str, Carrier] = {BUILTIN: BuiltinCarrier()}
        self._by_name.update({carrier.name: carrier for carrier in carriers})
        if default not in self._by_name:
            raise ValueError(f"no carrier named {default!r}")
        self.default = default

    def get(self, name: str) -> Carrier:
        carrier = self._by_name.get(name)
        if carrier is None:
            raise InvalidRequest(f"no carrier named {name!r} is configured", field="carrier")
        return carrier

    def names(self) -> list[str]:
        return sorted(self._by_name)


def carriers_from_settings(settings: Settings) -> Carriers:
    """The built-in carrier; adapters for real carriers join it when their key is set."""
    return Carriers()

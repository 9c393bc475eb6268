"""Which carriers this installation has; the built-in one is always there, and the default.

Carriers that need an account (EasyPost) are not built once for the installation but for
each store that has configured one: `for_store` adds them, from the store's accounts. The
accounts' credentials are stored sealed with `sealer` (security/sealed.py), the key derived
from RETOUR_SECRET_KEY.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

from retour.domain.errors import InvalidRequest
from retour.security.sealed import Sealer, sealer_of
from retour.settings import DEVELOPMENT_SECRET_KEY, Settings
from retour.shipping.base import Carrier, CarrierAccount
from retour.shipping.builtin import NAME as BUILTIN
from retour.shipping.builtin import BuiltinCarrier
from retour.shipping.easypost import NAME as EASYPOST
from retour.shipping.easypost import easypost_factory

#: Builds a carrier's adapter from one store's account with it.
CarrierFactory = Callable[[CarrierAccount], Carrier]


class Carriers:
    def __init__(
        self,
        carriers: Iterable[Carrier] = (),
        default: str = BUILTIN,
        factories: Mapping[str, CarrierFactory] | None = None,
        sealer: Sealer | None = None,
    ) -> None:
        self._by_name: dict[str, Carrier] = {BUILTIN: BuiltinCarrier()}
        self._by_name.update({carrier.name: carrier for carrier in carriers})
        if default not in self._by_name:
            raise ValueError(f"no carrier named {default!r}")
        self.default = default
        self._factories = dict(factories or {})
        #: What the stores' account credentials are sealed with; without one, a key derived
        #: from the development secret key (the settings' default), as tests build them.
        self.sealer = sealer or Sealer(DEVELOPMENT_SECRET_KEY)

    def get(self, name: str) -> Carrier:
        carrier = self._by_name.get(name)
        if carrier is None:
            raise InvalidRequest(f"no carrier named {name!r} is configured", field="carrier")
        return carrier

    def names(self) -> list[str]:
        return sorted(self._by_name)

    def account_carriers(self) -> list[str]:
        """The carriers a store can configure an account with."""
        return sorted(self._factories)

    def for_account(self, account: CarrierAccount) -> Carrier:
        factory = self._factories.get(account.carrier)
        if factory is None:
            raise InvalidRequest(
                f"no carrier named {account.carrier!r} takes accounts here", field="carrier"
            )
        return factory(account)

    def for_store(self, accounts: Sequence[CarrierAccount]) -> Carriers:
        """The carriers of one store: its accounts' adapters join the installation's, and
        the first one that is on becomes its default (new labels are bought there); one that
        is off still voids and tracks what it bought. Accounts of a carrier this installation
        no longer knows are left out."""
        known = [account for account in accounts if account.carrier in self._factories]
        if not known:
            return self
        every = [*self._by_name.values(), *(self.for_account(account) for account in known)]
        default = self.default_for((account.carrier, account.is_active) for account in known)
        return Carriers(every, default=default, factories=self._factories, sealer=self.sealer)

    def default_for(self, accounts: Iterable[tuple[str, bool]]) -> str:
        """The default carrier of a store with these accounts (carrier, is on), oldest
        first: its first account that is on with a carrier known here, else the
        installation's default."""
        for carrier, is_active in accounts:
            if is_active and carrier in self._factories:
                return carrier
        return self.default


def carriers_from_settings(settings: Settings) -> Carriers:
    """The built-in carrier, and EasyPost for the stores with an account."""
    return Carriers(
        factories={EASYPOST: easypost_factory(settings.easypost_api_base)},
        sealer=sealer_of(settings),
    )

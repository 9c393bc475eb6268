"""Stored third-party credentials: seal the ones still stored plain.

Carrier accounts' API keys and webhook secrets are the only credentials Retour stores (the
Stripe key is the operator's, read from the environment). Each is sealed when it is saved;
this seals the ones saved before sealing existed, in one transaction, without opening any.
"""

from __future__ import annotations

from retour.db.unit_of_work import UnitOfWork
from retour.security.sealed import Sealer, is_sealed


def seal_stored_credentials(uow: UnitOfWork, sealer: Sealer) -> int:
    """Seal every plain stored credential; how many were sealed (0 when none was left)."""
    sealed = 0
    with uow:
        for row in uow.carrier_accounts.every_for_update():
            for credential in ("api_key", "webhook_secret"):
                stored = getattr(row, credential)
                if stored and not is_sealed(stored):
                    setattr(row, credential, sealer.seal(stored))
                    sealed += 1
        uow.commit()
    return sealed

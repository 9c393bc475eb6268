"""A store's carrier accounts (EasyPost): set, read, turn off and on, remove; and the
carriers a store uses.

The API key and the webhook secret are written, never read back: views say only whether a
webhook secret is set. They are stored sealed (security/sealed.py) and opened only to build
the carrier's adapter; a plain one stored before sealing is read as it is and sealed the
next time the account is saved (or by `retour secrets seal`). A store with an account that
is on buys its new labels with that carrier; one without uses the built-in carrier.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from retour.db.models import CarrierAccountRow
from retour.db.unit_of_work import UnitOfWork
from retour.domain.errors import InvalidRequest
from retour.security.sealed import SealedValueUnreadable, Sealer
from retour.services.errors import NotFound
from retour.services.shipments.errors import AccountCredentialsUnreadable
from retour.shipping.base import CarrierAccount
from retour.shipping.registry import Carriers

MAX_SECRET_LENGTH = 500


@dataclass(frozen=True)
class AccountChanges:
    """What to set; None keeps what the account has (a new account needs an API key)."""

    api_key: str | None = None
    webhook_secret: str | None = None
    service: str | None = None


@dataclass(frozen=True)
class CarrierAccountView:
    carrier: str
    service: str
    has_webhook_secret: bool
    is_active: bool
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: CarrierAccountRow) -> CarrierAccountView:
        return cls(row.carrier, row.service, bool(row.webhook_secret), row.is_active,
                   row.created_at, row.updated_at)  # fmt: skip


def account_of(row: CarrierAccountRow, sealer: Sealer) -> CarrierAccount:
    """The account with its credentials opened: only to build the carrier's adapter."""
    return CarrierAccount(
        row.carrier,
        _opened(sealer, row.api_key, row.carrier, "API key"),
        _opened(sealer, row.webhook_secret, row.carrier, "webhook secret"),
        row.service,
        row.is_active,
    )


def store_carriers(uow: UnitOfWork, carriers: Carriers, store_id: int) -> Carriers:
    """The carriers the store uses: the installation's, with adapters for its accounts."""
    if not carriers.account_carriers():
        return carriers
    with uow:
        rows = uow.carrier_accounts.for_store(store_id)
        accounts = [account_of(row, carriers.sealer) for row in rows]
    return carriers.for_store(accounts)


def store_default_carrier(uow: UnitOfWork, carriers: Carriers, store_id: int) -> str:
    """The carrier the store's new labels are bought with; opens no credential."""
    return carriers.default_for(
        (account.carrier, account.is_active) for account in list_carrier_accounts(uow, store_id)
    )


def list_carrier_accounts(uow: UnitOfWork, store_id: int) -> list[CarrierAccountView]:
    with uow:
        return [CarrierAccountView.of(row) for row in uow.carrier_accounts.for_store(store_id)]


def set_carrier_account(
    uow: UnitOfWork,
    carriers: Carriers,
    store_id: int,
    carrier: str,
    changes: AccountChanges,
    now: datetime,
) -> CarrierAccountView:
    """Create or change the store's account with `carrier`; from the next label on, the
    store's labels are bought with it. Its credentials are stored sealed, the ones it kept
    too."""
    if carrier not in carriers.account_carriers():
        known = ", ".join(carriers.account_carriers()) or "none"
        raise InvalidRequest(
            f"no carrier named {carrier!r} takes accounts here (these do: {known})",
            field="carrier",
        )
    api_key = _secret(changes.api_key, "api_key")
    webhook_secret = _secret(changes.webhook_secret, "webhook_secret")
    service = changes.service.strip() if changes.service is not None else None
    if service is not None and len(service) > 64:
        raise InvalidRequest("at most 64 characters", field="service")
    with uow:
        if uow.stores.get(store_id) is None:
            raise NotFound("store", store_id)
        row = uow.carrier_accounts.get(store_id, carrier)
        if row is None:
            if not api_key:
                raise InvalidRequest("a new account needs its API key", field="api_key")
            row = CarrierAccountRow(store_id=store_id, carrier=carrier, api_key=api_key,
                                    webhook_secret="", service="", created_at=now)  # fmt: skip
        if api_key:
            row.api_key = api_key
        if webhook_secret is not None:
            row.webhook_secret = webhook_secret
        row.api_key = carriers.sealer.sealed(row.api_key)
        row.webhook_secret = carriers.sealer.sealed(row.webhook_secret)
        if service is not None:
            row.service = service
        row.updated_at = now
        uow.carrier_accounts.add(row)
        uow.commit()
        return CarrierAccountView.of(row)


def switch_carrier_account(
    uow: UnitOfWork, store_id: int, carrier: str, is_active: bool, now: datetime
) -> CarrierAccountView:
    """Off: the store's new labels are made by its next account that is on, else the built-in
    carrier; shipments bought with this one are still voided and tracked with it. On: its
    labels are bought here again (the key and the secret were kept)."""
    with uow:
        row = uow.carrier_accounts.get(store_id, carrier)
        if row is None:
            raise NotFound("carrier account", carrier)
        if row.is_active != is_active:
            row.is_active = is_active
            row.updated_at = now
            uow.commit()
        return CarrierAccountView.of(row)


def remove_carrier_account(uow: UnitOfWork, store_id: int, carrier: str) -> None:
    """The store's labels are made by the built-in carrier again; shipments bought with the
    account keep their carrier (voiding or tracking them needs the account back)."""
    with uow:
        row = uow.carrier_accounts.get(store_id, carrier)
        if row is None:
            raise NotFound("carrier account", carrier)
        uow.carrier_accounts.delete(row)
        uow.commit()


def _opened(sealer: Sealer, stored: str, carrier: str, credential: str) -> str:
    try:
        return sealer.open(stored)
    except SealedValueUnreadable:
        raise AccountCredentialsUnreadable(carrier, credential) from None


def _secret(value: str | None, field: str) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if len(value) > MAX_SECRET_LENGTH or any(char.isspace() for char in value):
        raise InvalidRequest(f"at most {MAX_SECRET_LENGTH} characters, no spaces", field=field)
    return value

"""Settings → carriers: the carriers the store's labels are made with, its EasyPost account
(added, its key or webhook secret replaced, turned off and on) and what a label costs the
store. Owners and admins (CONFIGURE_STORE).

The rules are services/shipments/accounts.py's, settings.py's and store_settings.py's; this
module reads the page's forms into them. The API key and the webhook secret are written,
never read back: the page says only that they are set.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from retour.db.unit_of_work import UnitOfWork
from retour.domain.addresses import Address
from retour.domain.errors import InvalidRequest
from retour.domain.staff import Permission, StaffMember, ensure_permitted
from retour.services.backoffice.audit import audited
from retour.services.backoffice.refunding import parse_amount
from retour.services.errors import NotFound
from retour.services.shipments.accounts import (
    AccountChanges,
    CarrierAccountView,
    list_carrier_accounts,
    set_carrier_account,
    store_default_carrier,
    switch_carrier_account,
)
from retour.services.shipments.settings import shipping_settings
from retour.services.store_settings import money_settings, store_currency, update_money_settings
from retour.shipping.registry import Carriers


@dataclass(frozen=True)
class CarrierSettings:
    #: The carrier the store's new labels are bought with (`builtin` or an account's).
    default: str
    accounts: list[CarrierAccountView]
    #: Carriers that take accounts and the store has none with yet.
    addable: list[str]
    label_cost: int
    currency: str
    #: Shown here, edited elsewhere: the store profile and the default return location.
    label_expiry_days: int
    return_address: Address


@dataclass(frozen=True)
class AccountForm:
    """An account's fields as typed; a blank key or secret keeps the one the account has."""

    api_key: str = ""
    webhook_secret: str = ""
    service: str = ""

    def changes(self) -> AccountChanges:
        return AccountChanges(self.api_key or None, self.webhook_secret or None, self.service)

    def audited(self) -> dict[str, object]:
        """What the audit log keeps of the form: whether a key or secret was given, never it."""
        return {
            "api_key_replaced": bool(self.api_key),
            "webhook_secret_replaced": bool(self.webhook_secret),
            "service": self.service.strip(),
        }


def carrier_settings(uow: UnitOfWork, carriers: Carriers, staff: StaffMember) -> CarrierSettings:
    ensure_permitted(staff, Permission.CONFIGURE_STORE)
    accounts = list_carrier_accounts(uow, staff.store_id)
    having = {account.carrier for account in accounts}
    shipping = shipping_settings(uow, staff.store_id)
    money = money_settings(uow, staff.store_id)
    return CarrierSettings(
        # Read without opening any credential: the page stays up to set unreadable ones again.
        default=store_default_carrier(uow, carriers, staff.store_id),
        accounts=accounts,
        addable=[name for name in carriers.account_carriers() if name not in having],
        label_cost=money.label_cost,
        currency=store_currency(uow, staff.store_id),
        label_expiry_days=shipping.label_expiry_days,
        return_address=shipping.return_address,
    )


def add_account(
    uow: UnitOfWork,
    carriers: Carriers,
    staff: StaffMember,
    carrier: str,
    form: AccountForm,
    now: datetime,
) -> CarrierAccountView:
    """A new account, on: the store's next labels are bought with it. One per carrier: an
    account the store has is changed with `change_account`, not added again."""
    ensure_permitted(staff, Permission.CONFIGURE_STORE)
    if _has_account(uow, staff, carrier):
        raise InvalidRequest(
            f"the store has a {carrier} account already: replace its key below", field="carrier"
        )
    return audited(
        uow, staff, "carriers", "account_added", carrier,
        lambda: set_carrier_account(uow, carriers, staff.store_id, carrier, form.changes(), now),
        form.audited(), now,
    )  # fmt: skip


def change_account(
    uow: UnitOfWork,
    carriers: Carriers,
    staff: StaffMember,
    carrier: str,
    form: AccountForm,
    now: datetime,
) -> CarrierAccountView:
    """A new key or webhook secret (blank keeps the one set) and the service to buy."""
    ensure_permitted(staff, Permission.CONFIGURE_STORE)
    if not any(
        account.carrier == carrier for account in list_carrier_accounts(uow, staff.store_id)
    ):
        raise NotFound("carrier account", carrier)
    return audited(
        uow, staff, "carriers", "account_changed", carrier,
        lambda: set_carrier_account(uow, carriers, staff.store_id, carrier, form.changes(), now),
        form.audited(), now,
    )  # fmt: skip


def switch_account(
    uow: UnitOfWork, staff: StaffMember, carrier: str, is_active: bool, now: datetime
) -> CarrierAccountView:
    ensure_permitted(staff, Permission.CONFIGURE_STORE)
    return audited(
        uow, staff, "carriers", "switched_on" if is_active else "switched_off", carrier,
        lambda: switch_carrier_account(uow, staff.store_id, carrier, is_active, now), now=now,
    )  # fmt: skip


def save_label_cost(uow: UnitOfWork, staff: StaffMember, text: str) -> int:
    """What one label costs the store, typed in its currency (`4.50`); refused: nothing saved."""
    ensure_permitted(staff, Permission.CONFIGURE_STORE)
    currency = store_currency(uow, staff.store_id)
    amount = parse_amount(text, currency, field="label_cost")
    if amount is None:
        raise InvalidRequest(f"Type what a label costs, in {currency} (0 for nothing).",
                             field="label_cost")  # fmt: skip
    return audited(
        uow, staff, "carriers", "label_cost_saved", currency,
        lambda: update_money_settings(uow, staff.store_id, {"label_cost": amount}).label_cost,
        {"label_cost": amount},
    )  # fmt: skip


def _has_account(uow: UnitOfWork, staff: StaffMember, carrier: str) -> bool:
    return any(account.carrier == carrier for account in list_carrier_accounts(uow, staff.store_id))

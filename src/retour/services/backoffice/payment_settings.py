"""Settings → payment providers: which provider refunds each payment gateway (read only:
Stripe is the operator's, set in the environment), the gateways of the store's recent
payments that no provider refunds, and the store's money settings that no other page edits.
Owners and admins (CONFIGURE_STORE).

The money rules are services/store_settings.py's; this module reads the page's form into
them, all fields at once: a refused field saves nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from retour.db.unit_of_work import UnitOfWork
from retour.domain.errors import InvalidRequest
from retour.domain.staff import Permission, StaffMember, ensure_permitted
from retour.payments.registry import PaymentProviders
from retour.services.backoffice.audit import audited
from retour.services.backoffice.refunding import parse_amount
from retour.services.store_settings import (
    MoneySettings,
    money_settings,
    store_currency,
    update_money_settings,
)

#: How many of the store's latest payments are read for gateways no provider refunds.
RECENT_PAYMENTS = 1000
AMOUNTS = ("restocking_fee_fixed", "return_shipping_fee", "store_credit_bonus_fixed",
           "store_credit_bonus_cap")  # fmt: skip
PERCENTS = ("restocking_fee_bp", "store_credit_bonus_bp")
SWITCHES = ("waive_fees_for_store_credit", "waive_fees_for_exchange", "refund_original_shipping")
#: Blank means none: no cap on the bonus, credit that never lapses.
OPTIONAL = ("store_credit_bonus_cap", "store_credit_expiry_days")
#: What this page edits; `auto_refund` is the store profile's, `label_cost` the carriers'.
EDITED = (*PERCENTS, *AMOUNTS, *SWITCHES, "exchange_fallback", "store_credit_expiry_days")


@dataclass(frozen=True)
class PaymentSettings:
    #: Gateway name → the provider that refunds its payments (e.g. `stripe` → `stripe`).
    routes: dict[str, str]
    #: Gateways of the store's last RECENT_PAYMENTS payments that no provider refunds.
    unrouted_gateways: list[str]
    money: MoneySettings
    currency: str

    def gateways_of(self, provider: str) -> list[str]:
        return [gateway for gateway, name in self.routes.items() if name == provider]


def payment_settings(
    uow: UnitOfWork, providers: PaymentProviders, staff: StaffMember
) -> PaymentSettings:
    ensure_permitted(staff, Permission.CONFIGURE_STORE)
    routes = {gateway: _provider_name(providers, gateway) for gateway in providers.gateways()}
    with uow:
        recent = uow.orders.recent_gateways(staff.store_id, RECENT_PAYMENTS)
    unrouted = [gateway for gateway in recent if providers.for_gateway(gateway) is None]
    money = money_settings(uow, staff.store_id)
    return PaymentSettings(routes, unrouted, money, store_currency(uow, staff.store_id))


def save_money_settings(
    uow: UnitOfWork, staff: StaffMember, fields: Mapping[str, str]
) -> MoneySettings:
    """Every field of the form, read and checked before anything is saved."""
    ensure_permitted(staff, Permission.CONFIGURE_STORE)
    currency = store_currency(uow, staff.store_id)
    changes: dict[str, Any] = {}
    for name in PERCENTS:
        changes[name] = _basis_points(fields.get(name, ""), name)
    for name in AMOUNTS:
        amount = parse_amount(fields.get(name, ""), currency, field=name)
        if amount is None and name not in OPTIONAL:
            raise InvalidRequest(f"Type an amount in {currency} (0 for none).", field=name)
        changes[name] = amount
    for name in SWITCHES:
        changes[name] = fields.get(name) == "yes"
    changes["exchange_fallback"] = fields.get("exchange_fallback", "").strip()
    changes["store_credit_expiry_days"] = _days(fields.get("store_credit_expiry_days", ""))
    return audited(
        uow, staff, "payments", "money_settings_saved", currency,
        lambda: update_money_settings(uow, staff.store_id, changes), changes,
    )  # fmt: skip


def _provider_name(providers: PaymentProviders, gateway: str) -> str:
    provider = providers.for_gateway(gateway)
    assert provider is not None, "a listed gateway has its provider"
    return provider.name


def _basis_points(text: str, field: str) -> int:
    """`12.5` (per cent) → 1250 basis points."""
    try:
        value = Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or value.as_tuple().exponent < -2:  # type: ignore[operator]
        raise InvalidRequest("Type a percentage like 10 or 12.5 (0 for none).", field=field)
    return int(value.scaleb(2))


def _days(text: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    if not text.isdigit():
        raise InvalidRequest("a whole number of days, or blank for credit that never lapses",
                             field="store_credit_expiry_days")  # fmt: skip
    return int(text)

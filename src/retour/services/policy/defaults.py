"""The built-in policy of a store that has saved none: what Retour does without a policy."""

from __future__ import annotations

from typing import Any

from retour.db.models import Store
from retour.domain.lines import Resolution, ReturnMethod
from retour.domain.policy.parsing import MAX_DAYS

#: The version number the built-in policy is reported under (saved versions count from 1).
BUILTIN_VERSION = 0
#: Every resolution and every return method a return can be asked with today.
_ALL_RESOLUTIONS = [resolution.value for resolution in Resolution]
_ALL_METHODS = [method.value for method in ReturnMethod if method is not ReturnMethod.KEEP_ITEM]


def builtin_document(store: Store) -> dict[str, Any]:
    """The policy that reproduces a store's behaviour without one: every item returnable
    (the longest window the schema allows), every resolution and method, the fees of the
    store's money settings, and every request waiting for staff to approve it."""
    default: dict[str, Any] = {
        "window_days": MAX_DAYS,
        "resolutions": _ALL_RESOLUTIONS,
        "return_methods": _ALL_METHODS,
    }
    if store.restocking_fee_bp:
        default["restocking"] = {"percent": _percent(store.restocking_fee_bp)}
    fees: dict[str, Any] = {
        "waived_for": [
            resolution.value
            for resolution, is_waived in (
                (Resolution.STORE_CREDIT, store.waive_fees_for_store_credit),
                (Resolution.EXCHANGE, store.waive_fees_for_exchange),
            )
            if is_waived
        ],
        "refund_original_shipping": store.refund_original_shipping,
    }
    if store.restocking_fee_fixed:
        fees["restocking_per_return"] = store.restocking_fee_fixed
    shipping = store.return_shipping_fee + store.label_cost
    if shipping:
        fees["return_shipping"] = {"fixed": shipping}
    if store.store_credit_bonus_bp or store.store_credit_bonus_fixed:
        bonus: dict[str, Any] = {}
        if store.store_credit_bonus_bp:
            bonus["percent"] = _percent(store.store_credit_bonus_bp)
        if store.store_credit_bonus_fixed:
            bonus["fixed"] = store.store_credit_bonus_fixed
        if store.store_credit_bonus_cap is not None:
            bonus["cap"] = store.store_credit_bonus_cap
        fees["store_credit_bonus"] = bonus
    return {
        "$schema": "urn:retour:schema:return-policy",
        "description": "Built in: no policy saved yet. Fees from the store's money settings; "
        "staff approve every return.",
        "timezone": store.timezone,
        "currency": store.currency,
        "default": default,
        "fees": fees,
        "automation": {"default": "review"},
    }


def _percent(basis_points: int) -> int | float:
    """1250 → 12.5, 1000 → 10: the policy's percentages, from the settings' basis points."""
    whole, rest = divmod(basis_points, 100)
    return whole if rest == 0 else basis_points / 100

"""The variables of the e-mails about money: a refund (paid or failed), an exchange."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from retour.notifications.formatting import format_money
from retour.notifications.labels import label


@dataclass(frozen=True)
class Money:
    locale: str
    currency: str

    def format(self, amount: Any, currency: str | None = None) -> str:
        return format_money(int(amount or 0), currency or self.currency, self.locale)


def refund_context(payload: Mapping[str, Any], money: Money, locale: str) -> dict[str, Any]:
    currency = str(payload.get("currency") or money.currency)
    method = str(payload.get("method") or "")
    reference = str(payload.get("provider_reference") or "")
    is_store_credit = method == "store_credit"
    return {
        "id": payload.get("refund_id"),
        "method": method,
        "method_label": label(locale, "refund_method", method),
        "is_store_credit": is_store_credit,
        "amount": money.format(payload.get("amount"), currency),
        "amount_minor": int(payload.get("amount") or 0),
        "bonus_amount": money.format(payload.get("bonus_amount"), currency),
        "bonus_amount_minor": int(payload.get("bonus_amount") or 0),
        "currency": currency,
        "provider_reference": reference,
        "credit_code": reference if is_store_credit else "",
        "failure_message": str(payload.get("failure_message") or ""),
    }


def exchange_context(
    payload: Mapping[str, Any], money: Money, titles: Mapping[str, str]
) -> dict[str, Any]:
    currency = str(payload.get("currency") or money.currency)
    lines = [
        {
            "sku": str(item.get("sku", "")),
            "title": titles.get(str(item.get("sku", "")), str(item.get("sku", ""))),
            "quantity": int(item.get("quantity", 0)),
        }
        for item in payload.get("items", [])
    ]
    return {
        "kind": str(payload.get("kind") or "exchange"),
        "lines": lines,
        "items_amount": money.format(payload.get("items_amount"), currency),
        "balance_due": money.format(payload.get("balance_due"), currency),
        "balance_due_minor": int(payload.get("balance_due") or 0),
    }

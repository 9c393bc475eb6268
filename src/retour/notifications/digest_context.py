"""The variables of the staff's daily digest: returns to review, overdue returns, failed
refunds and unusual returns, each linked to the back office."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from retour.notifications.formatting import format_ratio, parse_day, parse_moment
from retour.notifications.labels import label
from retour.notifications.mail_facts import Links
from retour.notifications.money_context import Money


def digest_context(
    payload: Mapping[str, Any], money: Money, links: Links, tz: Any
) -> dict[str, Any]:
    def returns(section: Mapping[str, Any]) -> list[dict[str, Any]]:
        return [
            {
                "number": str(item.get("number", "")),
                "status": str(item.get("status", "")),
                "status_label": label(money.locale, "status", str(item.get("status", ""))),
                "customer_email": str(item.get("customer_email", "")),
                "date": parse_moment(item.get("date"), tz),
                "url": links.backoffice_return(str(item.get("number", ""))),
            }
            for item in section.get("returns", [])
        ]

    review = payload.get("review", {})
    overdue = payload.get("overdue", {})
    failed = payload.get("failed_refunds", {})
    refunds = [
        {
            "number": str(item.get("number", "")),
            "amount": money.format(item.get("amount"), item.get("currency")),
            "failure_message": str(item.get("failure_message", "")),
            "url": links.backoffice_return(str(item.get("number", ""))),
        }
        for item in failed.get("refunds", [])
    ]
    unusual = _unusual_returns_context(payload.get("unusual_returns", {}), money.locale, links)
    return {
        "date": parse_day(payload.get("date")),
        "review": {"count": int(review.get("count", 0)), "returns": returns(review)},
        "overdue": {"count": int(overdue.get("count", 0)), "returns": returns(overdue)},
        "failed_refunds": {"count": int(failed.get("count", 0)), "refunds": refunds},
        "unusual_returns": unusual,
        "total": int(review.get("count", 0))
        + int(overdue.get("count", 0))
        + int(failed.get("count", 0))
        + unusual["count"],
    }


def _unusual_returns_context(
    section: Mapping[str, Any], locale: str, links: Links
) -> dict[str, Any]:
    """The digest's anomalies (digest_anomalies.py); a digest queued before it had them has
    none."""
    first, last = str(section.get("from") or ""), str(section.get("to") or "")
    anomalies = [
        {
            "sku": str(item.get("sku", "")),
            "title": str(item.get("title", "")),
            "reason_code": str(item.get("reason_code", "")),
            "reason": str(item.get("reason_label") or item.get("reason_code", "")),
            "returns": int(item.get("returns", 0)),
            "expected_returns": float(item.get("expected_returns", 0)),
            "ratio": format_ratio(float(item.get("ratio", 0)), locale),
            "ratio_value": float(item.get("ratio", 0)),
            "url": links.backoffice_returns(
                q=str(item.get("sku", "")),
                reason=str(item.get("reason_code", "")),
                **{"from": first, "to": last},
            ),
        }
        for item in section.get("anomalies", [])
    ]
    return {
        "count": int(section.get("count", 0)),
        "date_from": parse_day(first),
        "date_to": parse_day(last),
        "baseline_days": int(section.get("baseline_days", 0)),
        "anomalies": anomalies,
    }

"""The variables of the e-mails about a return itself: the return, its lines and order, and
what its events say (quantities changed, the label or drop-off code)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from retour.notifications.formatting import parse_moment, zone
from retour.notifications.labels import label
from retour.notifications.mail_facts import Links, MailFacts, ReturnFacts

#: Which quantity of a return line an e-mail talks about, by kind (default: approved).
_QUANTITY_BY_KIND = {
    "return_requested": "requested",
    "return_rejected": "requested",
    "return_info_requested": "requested",
    "staff_review_needed": "requested",
    "return_received": "received",
}


def return_context(facts: MailFacts, ret: ReturnFacts, links: Links, locale: str) -> dict[str, Any]:
    tz = zone(facts.store.timezone)
    quantity_of = _QUANTITY_BY_KIND.get(facts.kind, "approved")
    lines = [
        {
            "title": line.title,
            "sku": line.sku,
            "quantity": getattr(line, quantity_of),
            "requested_quantity": line.requested,
            "approved_quantity": line.approved,
            "received_quantity": line.received,
            "reason": line.reason_label,
            "reason_code": line.reason_code,
            "note": line.note,
        }
        for line in ret.lines
    ]
    lines = [line for line in lines if line["quantity"]] or lines
    portal_url = links.portal_return(facts.store.slug, ret.number)
    return {
        "rma": {
            "id": ret.id,
            "number": ret.number,
            "status": ret.status,
            "status_label": label(locale, "status", ret.status),
            "method": ret.method,
            "method_label": label(locale, "method", ret.method),
            "resolution": ret.resolution,
            "resolution_label": label(locale, "resolution", ret.resolution),
            "created_at": ret.created_at.astimezone(tz),
            "approved_at": local_time(ret.approved_at, tz),
            "expires_at": local_time(ret.expires_at, tz),
            "tracking_number": ret.tracking_number,
            "carrier": ret.carrier,
            "customer_note": ret.customer_note,
            "staff_message": ret.staff_message,
            "lines": lines,
            "total_quantity": sum(line["quantity"] for line in lines),
            "url": portal_url,
            "backoffice_url": links.backoffice_return(ret.number),
        },
        "rma_number": ret.number,
        "portal_url": portal_url,
        "order": {"number": ret.order_number, "placed_at": local_time(ret.order_placed_at, tz)},
        "customer": {"email": ret.customer_email, "name": ret.customer_name},
    }


def quantity_changes(payload: Mapping[str, Any], ret: ReturnFacts | None) -> list[dict[str, Any]]:
    """Each changed line of a `return.quantities_changed` payload, with the item's title."""
    titles = {line.id: line.title for line in ret.lines} if ret is not None else {}
    changes = []
    for item in payload.get("lines", []):
        sku = str(item.get("sku") or "")
        changes.append(
            {
                "title": titles.get(int(item.get("line_id") or 0)) or sku,
                "sku": sku,
                "before": int(item.get("from") or 0),
                "after": int(item.get("to") or 0),
            }
        )
    return changes


def shipment_context(
    payload: Mapping[str, Any], locale: str, tz: Any, attached: Sequence[str]
) -> dict[str, Any]:
    """The label or drop-off code of a `shipment.created` payload, and the name of its file
    when the e-mail carries it."""
    method = str(payload.get("method") or "prepaid_label")
    return {
        "id": payload.get("shipment_id"),
        "method": method,
        "method_label": label(locale, "method", method),
        "is_qr_code": method == "qr_drop_off",
        "carrier": str(payload.get("carrier") or ""),
        "tracking_number": str(payload.get("tracking_number") or ""),
        "parcels": int(payload.get("parcels") or 1),
        "expires_at": parse_moment(payload.get("expires_at"), tz),
        "attachment": attached[0] if attached else "",
    }


def local_time(value: datetime | None, tz: Any) -> datetime | None:
    return value.astimezone(tz) if value is not None else None

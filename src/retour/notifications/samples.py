"""Made-up facts for previews and template checks: one plausible return, in the store's
currency and timezone, with an event payload for every e-mail kind."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from retour.domain.notifications import EMAIL_KINDS, Audience
from retour.notifications.context import (
    LineFacts,
    MailFacts,
    ReturnFacts,
    StoreFacts,
    email_locale,
)
from retour.notifications.labels import supported_locale

SAMPLE_NUMBER = "R-100231"
SAMPLE_SHOPPER = ("sam@example.com", "Sam Shopper")
SAMPLE_STAFF = ("alex@example.com", "Alex")
_AMOUNT = 11_760
#: Where a sample return sent elsewhere goes now, by language, as the post reads it
#: (domain/addresses.py `address_lines`).
SAMPLE_RETURN_ADDRESSES: dict[str, tuple[str, ...]] = {
    "en": ("Acme UK Returns", "1 Dock Road", "LONDON", "E16 2QD", "UNITED KINGDOM"),
    "fr": ("Acme Retours", "8 rue des Entrepôts", "69007 Lyon", "FRANCE"),
    "de": ("Acme Retouren", "Hafenstraße 12", "20457 Hamburg", "GERMANY"),
}
#: The kinds whose sample tells the shopper where to send the parcel.
_WITH_ADDRESS = ("return_location_changed", "return_approved")
#: The made-up words of a sample, in each language.
_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "shirt": "Linen shirt", "too_small": "Too small", "damaged": "Arrived damaged",
        "seam": "Torn seam", "note": "The M is too tight across the shoulders.",
        "reason": "These items were bought more than 30 days ago.",
        "question": "Could you send us a photo of the torn seam?",
        "cancelled": "Cancelled at your request.", "card": "The card was closed.",
        "keeps": "Keeps one M shirt, said so on the phone.",
        "moved": "The Berlin warehouse is full this week.",
    },
    "fr": {
        "shirt": "Chemise en lin", "too_small": "Trop petit", "damaged": "Arrivé endommagé",
        "seam": "Couture déchirée", "note": "La taille M est trop serrée aux épaules.",
        "reason": "Ces articles ont été achetés il y a plus de 30 jours.",
        "question": "Pourriez-vous nous envoyer une photo de la couture déchirée ?",
        "cancelled": "Annulé à votre demande.", "card": "La carte a été clôturée.",
        "keeps": "Garde une chemise M, dit au téléphone.",
        "moved": "L'entrepôt de Berlin est plein cette semaine.",
    },
    "de": {
        "shirt": "Leinenhemd", "too_small": "Zu klein", "damaged": "Beschädigt angekommen",
        "seam": "Naht gerissen", "note": "Das M ist an den Schultern zu eng.",
        "reason": "Diese Artikel wurden vor mehr als 30 Tagen gekauft.",
        "question": "Könnten Sie uns ein Foto der gerissenen Naht schicken?",
        "cancelled": "Auf Ihren Wunsch storniert.", "card": "Die Karte wurde gekündigt.",
        "keeps": "Behält ein Hemd in M, am Telefon gesagt.",
        "moved": "Das Lager in Berlin ist diese Woche voll.",
    },
}  # fmt: skip


def sample_return(now: datetime, currency: str, locale: str = "en") -> ReturnFacts:
    words = _WORDS[supported_locale(locale)]
    shirt = words["shirt"]
    return ReturnFacts(
        id=100231,
        number=SAMPLE_NUMBER,
        status="approved",
        method="ship_yourself",
        resolution="refund",
        currency=currency,
        created_at=now - timedelta(days=2),
        approved_at=now - timedelta(days=1),
        expires_at=now + timedelta(days=29),
        tracking_number="1Z999AA10123456784",
        carrier="UPS",
        customer_note=words["note"],
        staff_message="",
        customer_email=SAMPLE_SHOPPER[0],
        customer_name=SAMPLE_SHOPPER[1],
        order_number="#1042",
        order_placed_at=now - timedelta(days=12),
        lines=[
            LineFacts(f"{shirt} M", "LINEN-M", "too_small", words["too_small"], "", 2, 2, 2, 1),
            LineFacts(
                f"{shirt} L", "LINEN-L", "damaged", words["damaged"], words["seam"], 1, 1, 1, 2
            ),
        ],
    )


def sample_payload(kind: str, now: datetime, currency: str, locale: str = "en") -> dict[str, Any]:
    """An event payload like the real one behind `kind`."""
    words = _WORDS[supported_locale(locale)]
    refund = {
        "refund_id": 5012, "method": "original_payment", "status": "succeeded",
        "amount": _AMOUNT, "paid_amount": _AMOUNT, "bonus_amount": 0, "currency": currency,
        "provider_reference": "re_3PqL2m7Xv", "failure_message": "",
    }  # fmt: skip
    day = now.date().isoformat()
    since = (now - timedelta(days=2)).isoformat()
    payloads: dict[str, dict[str, Any]] = {
        "return_rejected": {"reason": words["reason"]},
        "return_info_requested": {"message": words["question"]},
        "return_quantities_changed": {
            "lines": [{"line_id": 1, "sku": "LINEN-M", "from": 2, "to": 1}],
            "reason": words["keeps"],
        },
        "return_received": {
            "receipts": [{"line_id": 1, "quantity": 2}, {"line_id": 2, "quantity": 1}],
            "fully_received": True,
        },
        "return_refunded": refund,
        "staff_refund_failed": {
            **refund,
            "status": "failed",
            "failure_message": words["card"],
        },
        "return_exchanged": {
            "exchange_id": 77,
            "kind": "exchange",
            "status": "released",
            "currency": currency,
            "items_amount": 4900,
            "credit_amount": 4900,
            "balance_due": 0,
            "items": [{"sku": "LINEN-L", "quantity": 1, "unit_price": 4900}],
        },
        "return_cancelled": {"reason": words["cancelled"]},
        "return_location_changed": {
            "from": "returns",
            "to": "uk-hub",
            "reason": words["moved"],
            "status": "approved",
        },
        "return_label_ready": {
            "shipment_id": 7,
            "carrier": "builtin",
            "service": "standard",
            "method": "prepaid_label",
            "tracking_number": "RT00000000075",
            "parcels": 1,
            "label_cost": 450,
            "currency": currency,
            "expires_at": (now + timedelta(days=30)).isoformat(),
        },
        "return_in_transit": {"tracking_number": "1Z999AA10123456784", "carrier": "UPS"},
        "staff_unexpected_parcel": {
            "parcel_id": 7,
            "tracking_number": "JJD0001234567",
            "carrier": "DHL",
            "sender": "M. Durand, Lyon",
            "note": "two shirts, no slip",
            "status": "open",
        },
        "staff_webhook_disabled": {
            "webhook_id": 3,
            "url": "https://erp.example.com/hooks/retour",
            "description": "ERP",
            "reason": "HTTP 500 on every attempt for 3 days",
        },
        "staff_daily_digest": {
            "date": day,
            "review": {
                "count": 3,
                "returns": [
                    {
                        "number": SAMPLE_NUMBER,
                        "status": "requested",
                        "customer_email": SAMPLE_SHOPPER[0],
                        "date": since,
                    },
                    {
                        "number": "R-100232",
                        "status": "requested",
                        "customer_email": "kim@example.com",
                        "date": since,
                    },
                ],
            },
            "failed_refunds": {
                "count": 1,
                "refunds": [
                    {
                        "number": "R-100198",
                        "amount": 2450,
                        "currency": currency,
                        "failure_message": words["card"],
                    }
                ],
            },
            "overdue": {
                "count": 1,
                "returns": [
                    {
                        "number": "R-100150",
                        "status": "approved",
                        "customer_email": "lee@example.com",
                        "date": since,
                    }
                ],
            },
            "unusual_returns": {
                "count": 3,
                "from": (now - timedelta(days=7)).date().isoformat(),
                "to": (now - timedelta(days=1)).date().isoformat(),
                "baseline_days": 90,
                "anomalies": [
                    {
                        "sku": "LINEN-M",
                        "title": f"{words['shirt']} M",
                        "reason_code": "too_small",
                        "reason_label": words["too_small"],
                        "returns": 41,
                        "expected_returns": 12.81,
                        "ratio": 3.2,
                    },
                    {
                        "sku": "LINEN-L",
                        "title": f"{words['shirt']} L",
                        "reason_code": "damaged",
                        "reason_label": words["damaged"],
                        "returns": 9,
                        "expected_returns": 2.0,
                        "ratio": 4.5,
                    },
                ],
            },
        },
    }
    return {"number": SAMPLE_NUMBER, **payloads.get(kind, {})}


def sample_mail(kind: str, store: StoreFacts, now: datetime) -> MailFacts:
    """A whole e-mail's facts, as if the event behind `kind` had just happened."""
    email, name = SAMPLE_STAFF if EMAIL_KINDS[kind] is Audience.STAFF else SAMPLE_SHOPPER
    locale = email_locale(store)
    has_return = kind not in ("staff_daily_digest", "staff_webhook_disabled")
    ret = sample_return(now, store.currency, locale) if has_return else None
    if ret is not None and kind == "return_quantities_changed":
        # The sample return as the sample edit left it: one M shirt instead of two.
        ret = replace(ret, lines=[replace(ret.lines[0], approved=1), *ret.lines[1:]])
    return MailFacts(
        kind=kind,
        store=store,
        recipient=email,
        recipient_name=name,
        event_name=kind,
        occurred_at=now,
        payload=sample_payload(kind, now, store.currency, locale),
        ret=ret,
        exchange_titles={"LINEN-L": f"{_WORDS[locale]['shirt']} L"},
        return_address=SAMPLE_RETURN_ADDRESSES[locale] if kind in _WITH_ADDRESS else (),
    )

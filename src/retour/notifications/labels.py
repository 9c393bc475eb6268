"""Words for the values e-mails show (statuses, methods, resolutions), per language."""

from __future__ import annotations

#: The languages e-mails are written in; others fall back to the first.
LOCALES: tuple[str, ...] = ("en", "fr", "de")

_LABELS: dict[str, dict[str, dict[str, str]]] = {
    "en": {
        "status": {
            "requested": "requested", "needs_info": "waiting for your answer",
            "approved": "approved", "rejected": "not approved", "in_transit": "on its way",
            "partially_received": "partly received", "received": "received",
            "inspected": "inspected", "completed": "completed", "cancelled": "cancelled",
            "expired": "expired",
        },
        "method": {
            "prepaid_label": "prepaid return label", "qr_drop_off": "QR code drop-off",
            "ship_yourself": "ship it yourself", "in_store": "return in store",
            "keep_item": "keep the item",
        },
        "resolution": {
            "refund": "refund", "store_credit": "store credit", "exchange": "exchange",
            "replacement": "replacement", "keep_item": "keep the item",
        },
        "refund_method": {
            "original_payment": "original payment method", "store_credit": "store credit",
            "manual": "manual refund", "exchange": "exchange",
        },
    },
    "fr": {
        "status": {
            "requested": "demandé", "needs_info": "en attente de votre réponse",
            "approved": "accepté", "rejected": "refusé", "in_transit": "en route",
            "partially_received": "reçu en partie", "received": "reçu",
            "inspected": "contrôlé", "completed": "terminé", "cancelled": "annulé",
            "expired": "expiré",
        },
        "method": {
            "prepaid_label": "étiquette de retour prépayée", "qr_drop_off": "dépôt avec QR code",
            "ship_yourself": "envoi par vos soins", "in_store": "retour en magasin",
            "keep_item": "conservation de l'article",
        },
        "resolution": {
            "refund": "remboursement", "store_credit": "avoir", "exchange": "échange",
            "replacement": "remplacement", "keep_item": "conservation de l'article",
        },
        "refund_method": {
            "original_payment": "moyen de paiement d'origine", "store_credit": "avoir",
            "manual": "remboursement manuel", "exchange": "échange",
        },
    },
    "de": {
        "status": {
            "requested": "angefragt", "needs_info": "wartet auf Ihre Antwort",
            "approved": "genehmigt", "rejected": "abgelehnt", "in_transit": "unterwegs",
            "partially_received": "teilweise eingegangen", "received": "eingegangen",
            "inspected": "geprüft", "completed": "abgeschlossen", "cancelled": "storniert",
            "expired": "abgelaufen",
        },
        "method": {
            "prepaid_label": "vorfrankiertes Rücksendeetikett",
            "qr_drop_off": "Abgabe mit QR-Code", "ship_yourself": "selbst versenden",
            "in_store": "Rückgabe im Geschäft", "keep_item": "Artikel behalten",
        },
        "resolution": {
            "refund": "Erstattung", "store_credit": "Guthaben", "exchange": "Umtausch",
            "replacement": "Ersatz", "keep_item": "Artikel behalten",
        },
        "refund_method": {
            "original_payment": "ursprüngliche Zahlungsart", "store_credit": "Guthaben",
            "manual": "manuelle Erstattung", "exchange": "Umtausch",
        },
    },
}  # fmt: skip


def language_of(locale: str | None) -> str:
    """`fr_CA`, `fr-CA` and `FR` are all `fr`."""
    return (locale or "").replace("-", "_").split("_")[0].lower()


def supported_locale(locale: str | None) -> str:
    """`locale` if e-mails exist in it (`fr_CA` counts as `fr`), else English."""
    language = language_of(locale)
    return language if language in LOCALES else LOCALES[0]


def label(locale: str, group: str, value: str) -> str:
    """The word for `value` (e.g. a return method) in `locale`; the value itself if unknown."""
    return _LABELS[supported_locale(locale)][group].get(value, value.replace("_", " "))

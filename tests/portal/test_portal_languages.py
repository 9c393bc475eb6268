"""The portal in English, French and German: every sentence has a translation, the language
follows Accept-Language, `?lang=` switches it and is remembered, money and dates follow it."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from retour.services.portal.exchange_choice import EXCHANGE_STATES
from retour.services.portal.status import EVENT_SENTENCES, NEXT_STEPS
from retour.web.portal.findings import (
    NONE_LEFT,
    NOT_ALLOWED,
    RESOLUTION_WORDS,
    RETURN_METHOD_WORDS,
    SENTENCES,
    SINGULAR,
)
from retour.web.portal.i18n import catalogue, choose_language
from retour.web.portal.visit import FEE_LABELS, LABELS
from tests.portal.steps import BASE, csrf_of, look_up, signed_in

PORTAL = Path(__file__).resolve().parents[2] / "src" / "retour"
STATUSES = ["requested", "needs info", "approved", "rejected", "in transit",
            "partially received", "received", "inspected", "completed", "cancelled",
            "expired"]  # fmt: skip


def sentences() -> set[str]:
    """Every sentence the portal shows: in its templates, its constants, its errors."""
    found: set[str] = set(STATUSES) | {"Not shipped yet", "Already in a return", NONE_LEFT}
    for template in (PORTAL / "web/portal/templates").glob("*.html"):
        found |= {m.group(2) for m in re.finditer(r'_\((["\'])(.+?)\1\)', template.read_text())}
    tables = (EVENT_SENTENCES, NEXT_STEPS, LABELS, FEE_LABELS, EXCHANGE_STATES, SENTENCES,
              SINGULAR, RESOLUTION_WORDS, RETURN_METHOD_WORDS, NOT_ALLOWED)  # fmt: skip
    for table in tables:
        found |= set(table.values())
    for module in [
        *(PORTAL / "services/portal").glob("*.py"),
        *(PORTAL / "web/portal").glob("*.py"),
    ]:
        text = module.read_text()
        found |= set(re.findall(r'InvalidRequest\(\s*"([^"]+)"', text))
        found |= set(re.findall(r'msgid="([^"]+)"', text))
        found |= {a + b for a, b in re.findall(r'__init__\(\s*"([^"]+)"\s*"([^"]+)"', text)}
    return found - {""}


def fields_of(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("language", ["fr", "de"])
def test_every_sentence_has_a_translation_with_the_same_placeholders(language):
    messages = catalogue(language)
    shown = sentences()

    assert len(shown) >= 130
    assert sorted(shown - set(messages)) == []
    assert [m for m in shown if fields_of(m) != fields_of(messages[m])] == []


def test_the_language_follows_accept_language_then_the_store():
    assert choose_language(None, None, "de-CH,de;q=0.9,en;q=0.5", "fr_FR") == "de"
    assert choose_language(None, None, "es, fr;q=0.4, de;q=0.8", "en") == "de"
    assert choose_language(None, None, "es, it", "fr_FR") == "fr"
    assert choose_language(None, None, "fr;q=0", "en") == "en"
    assert choose_language("de", "fr", "en", "en") == "de"
    assert choose_language("xx", "fr", "de", "en") == "fr"


def test_a_german_browser_gets_the_look_up_in_german(portal):
    new_shopper, _ = portal

    page = new_shopper().get(BASE, headers={"Accept-Language": "de-DE,de;q=0.9"})

    assert '<html lang="de">' in page.text
    assert "<h1>Rücksendung starten</h1>" in page.text
    assert '<label for="order_number">Bestellnummer</label>' in page.text


def test_the_switch_is_remembered_and_money_and_dates_follow_it(portal):
    new_shopper, _ = portal
    client = new_shopper()

    switched = client.get(f"{BASE}?lang=fr", headers={"Accept-Language": "de"})
    look_up(client, email="shopper@example.com")
    order = client.get(f"{BASE}/order", headers={"Accept-Language": "de"})

    assert "<h1>Commencer un retour</h1>" in switched.text
    assert switched.cookies["retour_lang"] == "fr"
    assert "<h1>Commande #1001</h1>" in order.text
    assert "<p>Passée le 20 février 2026.</p>" in order.text
    assert "Réf. LINEN-M · 58,80\xa0€ l’unité · commandé : 2" in order.text
    assert '<span aria-current="true" lang="fr">Français</span>' in order.text


def test_errors_are_shown_in_the_shoppers_language(portal):
    new_shopper, _ = portal
    client = new_shopper()
    client.get(f"{BASE}?lang=de")
    for _ in range(10):
        client.post(BASE, data={"csrf": csrf_of(client), "order_number": "1001",
                                "email": "guess@example.com"})  # fmt: skip

    locked = look_up(client, email="shopper@example.com")

    assert locked.status_code == 429
    assert (
        "Zu viele Versuche. Zu Ihrer Sicherheit warten Sie bitte 15 Minuten und versuchen Sie "
        "es erneut."
    ) in locked.text


def test_the_status_page_speaks_french(portal):
    new_shopper, _ = portal
    client = signed_in(new_shopper())
    client.get(f"{BASE}?lang=fr")
    from tests.portal.test_portal_pages import request_one

    request_one(client)
    page = client.get(f"{BASE}/R-100001").text

    assert '<p class="status">Statut : <strong>demandé</strong></p>' in page
    assert "Vous avez demandé ce retour." in page
    assert "La boutique va examiner votre demande et vous répondra par e-mail." in page

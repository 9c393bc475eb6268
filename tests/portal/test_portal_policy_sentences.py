"""The return policy's refusals in the shopper's language, on the items page and when a
request is sent: translated from the code and parameters, days written for the shopper's
locale."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from retour.domain.policy import FindingCode
from retour.services.policy.admission import NotEligible, Refusal
from retour.web.portal.findings import say_refused, translate_finding
from retour.web.portal.i18n import translator
from tests.portal.steps import BASE, line_ids, order_form, signed_in
from tests.portal.test_portal_pages import request_one, returns_count, with_policy

POLICY = {"timezone": "UTC", "currency": "EUR", "default": {"window_days": 30}}
TODAY = date(2026, 4, 20)


def refusals(html: str) -> list[str]:
    return re.findall(r'<p class="reason-refused">(.*?)</p>', html)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Cannot be returned: Return window ended on 25 March"),
        ("fr", "Retour impossible : Le délai de retour a pris fin le 25 mars"),
        ("de", "Keine Rücksendung möglich: Die Rückgabefrist endete am 25. März"),
    ],
)
def test_an_item_past_its_window_says_so_in_the_shoppers_language(portal, uow, language, expected):
    new_shopper, clock = portal
    with_policy(uow, clock, POLICY)
    clock.current += timedelta(days=60)
    client = signed_in(new_shopper())

    html = client.get(f"{BASE}/order?lang={language}").text

    assert refusals(html) == [expected, expected]


def test_a_final_sale_item_says_so_in_german(portal, uow):
    new_shopper, clock = portal
    with_policy(uow, clock, {**POLICY, "final_sale": [{"id": "linen-final", "skus": ["LINEN-M"]}]})
    client = signed_in(new_shopper())

    html = client.get(f"{BASE}/order?lang=de").text

    assert refusals(html) == ["Keine Rücksendung möglich: Vom Umtausch ausgeschlossen"]


def test_a_swiss_store_writes_the_french_percentage_its_way(portal, uow):
    new_shopper, clock = portal
    with uow:
        uow.stores.by_slug("acme").locale = "fr_CH"
        uow.commit()
    discounts = [{"id": "deep", "min_percent": 0, "action": "exclude"}]
    with_policy(uow, clock, {**POLICY, "discounts": discounts})
    client = signed_in(new_shopper())

    html = client.get(f"{BASE}/order?lang=fr").text

    assert refusals(html)[0] == (
        "Retour impossible : Les articles achetés avec une remise d’au moins 0% ne peuvent pas "
        "être retournés"
    )


@pytest.mark.parametrize(
    ("code", "params", "language", "expected"),
    [
        (FindingCode.WINDOW_ENDED, {"last_day": "2027-01-05"}, "fr",
         "Le délai de retour a pris fin le 5 janvier 2027"),
        (FindingCode.WINDOW_ENDED, {"last_day": "2027-01-05"}, "de",
         "Die Rückgabefrist endete am 5. Januar 2027"),
        (FindingCode.QUANTITY_UNAVAILABLE, {"available": 0}, "fr",
         "Il ne reste aucune unité de cet article à retourner"),
        (FindingCode.QUANTITY_UNAVAILABLE, {"available": 1}, "de",
         "Nur ein Stück dieses Artikels kann zurückgegeben werden"),
        (FindingCode.QUANTITY_UNAVAILABLE, {"available": 3}, "fr",
         "Seules 3 unités de cet article peuvent être retournées"),
        (FindingCode.DISCOUNT_EXCLUDED, {"min_discount_bp": 1250}, "fr",
         "Les articles achetés avec une remise d’au moins 12,5\xa0% ne peuvent pas être "
         "retournés"),
        (FindingCode.DISCOUNT_EXCLUDED, {"min_discount_bp": 5000}, "de",
         "Artikel, die mit 50\xa0% Rabatt oder mehr gekauft wurden, können nicht "
         "zurückgegeben werden"),
        (FindingCode.CUSTOMER_LIMIT, {"max_returns": 1, "days": 30}, "fr",
         "Limite atteinte : au plus un retour en 30 jours"),
        (FindingCode.CUSTOMER_LIMIT, {"max_returns": 3, "days": 90}, "de",
         "Grenze erreicht: höchstens 3 Rücksendungen in 90 Tagen"),
        (FindingCode.GIFT_ORDER, {"resolutions": "refund,store_credit,exchange"}, "fr",
         "Commande cadeau : remboursement, avoir ou échange uniquement"),
        (FindingCode.REASON_TERMS, {"resolutions": "store_credit,exchange"}, "de",
         "Bei diesem Grund: nur Gutschrift oder Umtausch"),
        (FindingCode.NO_RETURN_METHOD, {}, "de",
         "Für diesen Artikel ist kein Rücksendeweg verfügbar"),
    ],
)  # fmt: skip
def test_each_finding_is_translated_from_its_code_and_parameters(code, params, language, expected):
    assert translate_finding(code, params, TODAY, language, translator(language)) == expected


def test_every_finding_code_has_a_sentence():
    from retour.web.portal.findings import SENTENCES

    assert sorted(set(FindingCode) - set(SENTENCES)) == []


def test_the_policys_refusal_of_a_request_being_sent_is_in_french(portal, uow):
    new_shopper, clock = portal
    reasons = [{"id": "style-photo", "codes": ["style"], "photo_required": True}]
    with_policy(uow, clock, {**POLICY, "reasons": reasons})
    client = signed_in(new_shopper())
    client.get(f"{BASE}?lang=fr")

    refused, _ = request_one(client, reason="style")

    assert refused.status_code == 400
    assert (
        '<p class="error" role="alert" id="form-error">Ajoutez une photo pour ce motif</p>'
    ) in refused.text
    assert returns_count(uow) == 0


def form_error(html: str) -> str:
    found = re.search(r'<p class="error" role="alert" id="form-error">(.*?)</p>', html)
    assert found is not None, html
    return found.group(1)


def request_both(client, resolution: str = "refund", method: str = "ship_yourself", qty: int = 1):
    """Both items of the order, each `qty` units (the order has 2 × M, 1 × L)."""
    html, form = order_form(client)
    medium, large = line_ids(html)
    fields = {f"qty-{medium}": str(qty), f"reason-{medium}": "too_small",
              f"qty-{large}": "1", f"reason-{large}": "too_small",
              "resolution": resolution, "method": method, "confirm": "1"}  # fmt: skip
    return client.post(f"{BASE}/order", data={**form, **fields})


LARGE_FOR_CREDIT = {**POLICY, "overrides": [
    {"id": "large", "match": {"skus": ["LINEN-L"]}, "resolutions": ["store_credit", "exchange"],
     "return_methods": ["prepaid_label"]},
]}  # fmt: skip


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Refund is not available for this item (only store credit, exchange); "
               "Ship yourself is not available for this item (only prepaid label)"),
        ("fr", "Remboursement : non disponible pour cet article (seulement avoir ou échange); "
               "Envoi par vos soins : non disponible pour cet article (seulement étiquette "
               "retour prépayée)"),
        ("de", "Erstattung ist für diesen Artikel nicht möglich (nur Gutschrift oder Umtausch); "
               "Eigener Versand ist für diesen Artikel nicht möglich (nur vorfrankiertes "
               "Rücksendeetikett)"),
    ],
)  # fmt: skip
def test_a_resolution_and_method_the_item_does_not_allow_are_refused_in_the_shoppers_language(
    portal, uow, language, expected
):
    new_shopper, clock = portal
    with_policy(uow, clock, LARGE_FOR_CREDIT)
    client = signed_in(new_shopper())
    client.get(f"{BASE}?lang={language}")

    refused = request_both(client)

    assert refused.status_code == 400
    assert form_error(refused.text) == expected
    assert returns_count(uow) == 0


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Return window ended on 25 March"),
        ("fr", "Le délai de retour a pris fin le 25 mars"),
        ("de", "Die Rückgabefrist endete am 25. März"),
    ],
)
def test_a_window_that_closed_while_the_form_was_open_is_refused_in_the_shoppers_language(
    language, expected
):
    closed = Refusal(0, 7, "window_ended", "default", "Return window ended on 25 March",
                     {"last_day": "2026-03-25"}, TODAY)  # fmt: skip

    said = say_refused(NotEligible([closed]), language, language, translator(language))

    assert said == expected

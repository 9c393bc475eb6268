"""The portal's error pages in the shopper's language, chosen as every page chooses it:
`?lang=`, the remembered switch, Accept-Language, then the store's own locale."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests.portal.steps import BASE, csrf_of, look_up, signed_in

NOT_FOUND = {
    "en": ("Not found", "We could not find this page",
           "The link may be wrong, or this page belongs to another order. Go back to the returns "
           "page and find your order again."),
    "fr": ("Page introuvable", "Nous n’avons pas trouvé cette page",
           "Le lien est peut-être erroné, ou cette page appartient à une autre commande. Revenez "
           "à la page des retours et retrouvez votre commande."),
    "de": ("Nicht gefunden", "Wir konnten diese Seite nicht finden",
           "Der Link ist möglicherweise falsch, oder diese Seite gehört zu einer anderen "
           "Bestellung. Gehen Sie zurück zur Rücksendeseite und suchen Sie Ihre Bestellung "
           "erneut."),
}  # fmt: skip


def not_found_page(html: str) -> tuple[str, str, str, str]:
    """The page's language, title, heading and paragraph."""
    found = re.search(
        r'<html lang="(\w+)">.*<title>(.*?)</title>.*<h1>(.*?)</h1><p>(.*?)</p>', html, re.S
    )
    assert found is not None, html
    language, title, heading, text = found.groups()
    return language, title, heading, text


@pytest.mark.parametrize("language", ["en", "fr", "de"])
def test_a_guessed_return_is_not_found_in_the_remembered_language(portal, language):
    new_shopper, _ = portal
    client = signed_in(new_shopper())
    client.get(f"{BASE}?lang={language}")

    response = client.get(f"{BASE}/R-999999", headers={"Accept-Language": "en"})

    assert response.status_code == 404
    assert not_found_page(response.text) == (language, *NOT_FOUND[language])


def test_an_unknown_store_is_not_found_in_the_browsers_language(portal):
    new_shopper, _ = portal

    response = new_shopper().get("/s/nope/returns", headers={"Accept-Language": "fr-FR,fr;q=0.9"})

    assert response.status_code == 404
    assert not_found_page(response.text) == ("fr", *NOT_FOUND["fr"])


def test_an_unknown_store_is_not_found_in_the_language_asked_for(portal):
    new_shopper, _ = portal

    response = new_shopper().get("/s/nope/returns?lang=de", headers={"Accept-Language": "fr"})

    assert response.status_code == 404
    assert not_found_page(response.text) == ("de", *NOT_FOUND["de"])
    assert "retour_lang" not in response.cookies


def test_without_a_language_asked_a_missing_page_is_in_the_stores_language(portal, uow):
    new_shopper, _ = portal
    with uow:
        uow.stores.by_slug("acme").locale = "de_DE"
        uow.commit()
    client = signed_in(new_shopper())

    response = client.get(f"{BASE}/R-999999")

    assert response.status_code == 404
    assert not_found_page(response.text) == ("de", *NOT_FOUND["de"])


def test_an_expired_session_says_so_in_french(portal):
    new_shopper, clock = portal
    client = signed_in(new_shopper())
    client.get(f"{BASE}?lang=fr")
    clock.current += timedelta(minutes=31)

    sent_back = client.get(f"{BASE}/order")
    page = client.get(sent_back.headers["location"])

    assert sent_back.headers["location"] == f"{BASE}?expired=1"
    assert (
        '<p class="notice" role="status">Votre session a expiré. Veuillez retrouver votre '
        "commande.</p>"
    ) in page.text


def test_too_many_tries_say_so_in_french(portal):
    new_shopper, _ = portal
    client = new_shopper()
    for _ in range(10):
        look_up(client, email="guess@example.com")

    locked = client.post(BASE, headers={"Accept-Language": "fr"}, data={
        "csrf": csrf_of(client), "order_number": "1001", "email": "shopper@example.com",
    })  # fmt: skip

    assert locked.status_code == 429
    assert locked.headers["Retry-After"] == "900"
    assert (
        '<p class="error" role="alert" id="lookup-error">Trop de tentatives. Pour votre '
        "sécurité, patientez 15 minutes puis réessayez.</p>"
    ) in locked.text

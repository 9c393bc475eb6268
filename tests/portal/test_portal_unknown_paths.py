"""Paths the portal does not have: its own "not found" page in the shopper's language, for a
known store and an unknown one; the API keeps its JSON 404."""

from __future__ import annotations

import pytest

from tests.portal.steps import BASE
from tests.portal.test_portal_error_pages import NOT_FOUND, not_found_page

UNKNOWN_PATHS = (
    "/s/acme/whatever",
    "/s/acme/",
    f"{BASE}/nonsense/deeper",
    f"{BASE}/R-100001/nothing",
    f"{BASE}/R-100001/cancel",  # a form's address, asked with GET
    "/s/nope/whatever",
    "/s/nope/returns/nonsense/deeper",
)


@pytest.mark.parametrize("path", UNKNOWN_PATHS)
def test_an_unknown_portal_path_is_the_portals_not_found_page_in_french(portal, path):
    new_shopper, _ = portal

    response = new_shopper().get(f"{path}?lang=fr")

    assert (response.status_code, response.headers["content-type"]) == (
        404, "text/html; charset=utf-8",
    )  # fmt: skip
    assert not_found_page(response.text) == ("fr", *NOT_FOUND["fr"])
    assert response.headers["content-security-policy"].startswith("default-src 'self';")
    assert response.headers["content-language"] == "fr"


def test_an_unknown_path_of_a_known_store_is_in_the_stores_language(portal, uow):
    new_shopper, _ = portal
    with uow:
        uow.stores.by_slug("acme").locale = "de_DE"
        uow.commit()

    known = new_shopper().get("/s/acme/whatever")
    unknown = new_shopper().get("/s/nope/whatever")

    assert (known.status_code, not_found_page(known.text)) == (404, ("de", *NOT_FOUND["de"]))
    # No store, no store's language: English.
    assert (unknown.status_code, not_found_page(unknown.text)) == (404, ("en", *NOT_FOUND["en"]))


def test_an_unknown_path_follows_the_browsers_language(portal):
    new_shopper, _ = portal

    response = new_shopper().get(f"{BASE}/a/b", headers={"Accept-Language": "de-DE,de;q=0.9"})

    assert (response.status_code, not_found_page(response.text)) == (
        404, ("de", *NOT_FOUND["de"]),
    )  # fmt: skip


def test_a_form_posted_to_an_unknown_path_is_not_found_and_does_nothing(portal):
    new_shopper, _ = portal

    response = new_shopper().post("/s/acme/whatever?lang=fr", data={"order_number": "1001"})

    assert (response.status_code, response.headers["content-type"]) == (
        404, "text/html; charset=utf-8",
    )  # fmt: skip
    assert not_found_page(response.text) == ("fr", *NOT_FOUND["fr"])
    assert "retour_portal" not in response.cookies


def test_the_store_without_a_trailing_slash_is_sent_to_the_not_found_page(portal):
    new_shopper, _ = portal

    response = new_shopper().get("/s/acme")

    assert (response.status_code, response.headers["location"]) == (
        307,
        "http://testserver/s/acme/",
    )


def test_the_api_keeps_its_json_not_found(portal):
    new_shopper, _ = portal

    response = new_shopper().get("/api/v1/nonsense?lang=fr")

    assert (response.status_code, response.headers["content-type"]) == (
        404, "application/problem+json",
    )  # fmt: skip
    assert (response.json()["type"], response.json()["status"]) == (
        "urn:retour:problem:not_found", 404,
    )  # fmt: skip


def test_pages_the_portal_has_are_unchanged(portal):
    new_shopper, _ = portal

    # A one-part path is read as an RMA number: without a session, the look-up first.
    response = new_shopper().get(f"{BASE}/nonsense")

    assert (response.status_code, response.headers["location"]) == (303, f"{BASE}?expired=1")

"""htmx in the portal, as the server sends it: the vendored file, the config the CSP needs,
boosted pages with their language in Content-Language, files left to a full load. What it
does in a browser: tests/browser/test_portal_htmx_in_browser.py."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.portal.steps import BASE, signed_in
from tests.portal.test_portal_pages import request_one, with_policy

STATIC = Path(__file__).resolve().parents[2] / "src" / "retour" / "web" / "portal" / "static"


@pytest.mark.parametrize("name", ["htmx.min.js", "portal.js"])
def test_the_scripts_are_served_from_the_portal_itself(portal, name):
    new_shopper, _ = portal

    script = new_shopper().get(f"{BASE}/{name}")

    headers = script.headers
    assert (script.status_code, headers["content-type"], headers["x-content-type-options"]) == (
        200, "text/javascript; charset=utf-8", "nosniff",
    )  # fmt: skip
    assert script.content == (STATIC / name).read_bytes()


def test_the_vendored_htmx_is_the_release_its_licence_names(portal):
    new_shopper, _ = portal

    script = new_shopper().get(f"{BASE}/htmx.min.js")

    assert 'version:"2.0.11"' in script.text
    assert (STATIC / "htmx.LICENSE").read_text().startswith("htmx 2.0.11 ")


def test_pages_are_boosted_with_a_config_the_csp_allows(portal):
    new_shopper, _ = portal

    page = new_shopper().get(f"{BASE}?lang=de")

    assert '<body hx-boost="true">' in page.text
    found = re.search(r"<meta name=\"htmx-config\" content='([^']+)'>", page.text)
    assert found is not None
    assert json.loads(found.group(1)) == {
        "includeIndicatorStyles": False,
        "allowEval": False,
        "allowScriptTags": False,
        "historyCacheSize": 0,
        "refreshOnHistoryMiss": True,
        "responseHandling": [{"code": "204", "swap": False}, {"code": "...", "swap": True}],
    }
    assert page.headers["content-language"] == "de"


def test_every_page_says_its_language(portal):
    new_shopper, _ = portal
    client = signed_in(new_shopper())
    client.get(f"{BASE}?lang=fr")
    request_one(client)

    languages = [client.get(BASE + path).headers["content-language"] for path in ("", "/order")]
    missing = client.get(f"{BASE}/R-999999")

    assert languages == ["fr", "fr"]
    assert (missing.status_code, missing.headers["content-language"]) == (404, "fr")


def test_files_are_links_htmx_leaves_to_the_browser(portal, uow):
    new_shopper, clock = portal
    automation = {"default": {"window_days": 30}, "automation": {"default": "approve"}}
    with_policy(uow, clock, {"timezone": "UTC", "currency": "EUR", **automation})
    client = signed_in(new_shopper())
    request_one(client)

    page = client.get(f"{BASE}/R-100001")

    assert re.findall(r"<a hx-boost=\"false\" href=\"([^\"]+)\">", page.text) == [
        f"{BASE}/R-100001/packing-slip.pdf"
    ]

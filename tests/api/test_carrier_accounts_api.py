"""The store's carrier accounts over HTTP: set, switched off and on, removed; the key and
secret are taken and stored sealed, and never come back in an answer."""

from __future__ import annotations

from tests.support.stored_credentials import stored_credentials

API_KEY = "EZAK_api_0123456789abcdef"
SECRET = "whsec_api_5e4d3c"


def test_an_account_is_set_switched_and_removed_and_its_secrets_never_shown(client, uow):
    assert client.get("/carrier-accounts").json() == {"items": [], "default_carrier": "builtin"}

    made = client.put(
        "/carrier-accounts/easypost",
        json={"api_key": API_KEY, "webhook_secret": SECRET, "service": "GroundAdvantage"},
    )
    assert made.status_code == 200, made.text
    assert API_KEY not in made.text and SECRET not in made.text
    shown = ("carrier", "service", "has_webhook_secret", "is_active")
    assert {k: made.json()[k] for k in shown} == {
        "carrier": "easypost", "service": "GroundAdvantage", "has_webhook_secret": True,
        "is_active": True,
    }  # fmt: skip
    listed = client.get("/carrier-accounts")
    assert listed.json()["default_carrier"] == "easypost"
    assert API_KEY not in listed.text and SECRET not in listed.text
    ((_, stored_key, stored_secret),) = stored_credentials(uow)
    assert stored_key.startswith("sealed:v1:") and API_KEY not in stored_key
    assert stored_secret.startswith("sealed:v1:") and SECRET not in stored_secret

    kept = client.put("/carrier-accounts/easypost", json={"service": ""})
    assert (kept.json()["service"], kept.json()["has_webhook_secret"]) == ("", True)

    off = client.patch("/carrier-accounts/easypost", json={"is_active": False})
    assert off.json()["is_active"] is False
    assert client.get("/carrier-accounts").json()["default_carrier"] == "builtin"
    assert client.patch("/carrier-accounts/easypost", json={"is_active": True}).json()["is_active"]

    assert client.delete("/carrier-accounts/easypost").status_code == 204
    assert client.get("/carrier-accounts").json()["items"] == []
    gone = client.delete("/carrier-accounts/easypost")
    assert (gone.status_code, gone.json()["code"]) == (404, "not_found")


def test_bad_accounts_are_refused_naming_the_field(client):
    unknown = client.put("/carrier-accounts/pigeon", json={"api_key": API_KEY})
    without_key = client.put("/carrier-accounts/easypost", json={"service": "Priority"})
    spaced = client.put("/carrier-accounts/easypost", json={"api_key": "two words"})

    assert (unknown.status_code, unknown.json()["field"]) == (422, "carrier")
    assert (without_key.status_code, without_key.json()["field"]) == (422, "api_key")
    assert (spaced.status_code, spaced.json()["field"]) == (422, "api_key")
    assert "two words" not in spaced.text
    assert client.get("/carrier-accounts").json()["items"] == []


def test_another_stores_account_is_not_seen(client, other_client):
    assert client.put("/carrier-accounts/easypost", json={"api_key": API_KEY}).status_code == 200

    assert other_client.get("/carrier-accounts").json()["items"] == []
    missing = other_client.patch("/carrier-accounts/easypost", json={"is_active": False})
    assert missing.status_code == 404
    assert client.get("/carrier-accounts").json()["items"][0]["is_active"] is True

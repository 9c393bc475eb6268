"""Settings → store profile and branding (owners and admins): shown as stored, saved whole,
refused field by field with nothing saved, the currency fixed, other roles refused, another
store untouched, and CSRF on the form."""

from __future__ import annotations

import re

import pytest

from retour.db.models import Store
from tests.backoffice.steps import BASE, csrf_of

STORE = f"{BASE}/settings/store"
NOT_CONFIGURING = ["agent", "warehouse", "analyst"]
PROFILE = ("name", "currency", "timezone", "locale", "return_deadline_days",
           "label_expiry_days", "auto_refund", "logo_url", "primary_color",
           "button_text_color", "reply_to")  # fmt: skip
AS_CREATED = ("Acme", "EUR", "UTC", "en", 30, 30, "off", "", "#1f2937", "#ffffff", "")
CHANGED = {
    "name": " Acme Paris ", "timezone": "Europe/Paris", "locale": "fr",
    "return_deadline_days": "21", "label_expiry_days": "14", "auto_refund": "on_inspection",
    "logo_url": "https://cdn.acme.test/logo.png", "primary_color": "#0B57D0",
    "button_text_color": "#FFFFFF", "reply_to": "help@acme.test",
}  # fmt: skip


def stored(uow, store_id: int) -> tuple:
    with uow:
        store = uow.session.get(Store, store_id)
        assert store is not None
        return tuple(getattr(store, name) for name in PROFILE)


def save(client, **fields: str):
    return client.post(STORE, data={"csrf": csrf_of(client, STORE), **CHANGED, **fields})


@pytest.mark.parametrize("role", ["owner", "admin"])
def test_owners_and_admins_see_the_store_as_stored(shop, role):
    client = shop.staff(role)
    assert f'href="{STORE}"' in client.get(f"{BASE}/settings").text
    page = client.get(STORE)
    assert page.status_code == 200
    assert 'id="name" name="name" maxlength="200" required value="Acme"' in page.text
    assert 'id="timezone" name="timezone" maxlength="64" required value="UTC"' in page.text
    assert '<option value="en" selected>English</option>' in page.text
    assert 'name="return_deadline_days" inputmode="numeric" required value="30"' in page.text
    assert '<option value="off" selected>Off: staff refund each return</option>' in page.text
    assert 'name="primary_color" maxlength="7" required value="#1f2937"' in page.text
    assert "<code>EUR</code>" in page.text
    assert 'name="currency"' not in page.text


@pytest.mark.parametrize("role", NOT_CONFIGURING)
def test_other_roles_may_neither_open_nor_save_the_store(shop, uow, role):
    client = shop.staff(role)
    assert f'href="{STORE}"' not in client.get(BASE).text
    assert client.get(STORE).status_code == 403
    refused = client.post(STORE, data={"csrf": csrf_of(client, BASE), **CHANGED})
    assert refused.status_code == 403
    assert f"the {role} role may not configure store. Nothing was changed." in refused.text
    assert stored(uow, shop.store_id) == AS_CREATED


def test_an_admin_saves_the_profile_deadlines_refunds_and_branding(shop, uow):
    client = shop.staff("admin")
    saved = save(client)
    assert saved.status_code == 303
    assert saved.headers["location"] == f"{STORE}?done=saved"
    assert stored(uow, shop.store_id) == (
        "Acme Paris", "EUR", "Europe/Paris", "fr", 21, 14, "on_inspection",
        "https://cdn.acme.test/logo.png", "#0b57d0", "#ffffff", "help@acme.test",
    )  # fmt: skip
    page = client.get(saved.headers["location"])
    assert "The store's settings are saved." in page.text
    assert '<option value="fr" selected>Français</option>' in page.text
    assert '<option value="on_inspection" selected>' in page.text
    assert '<img src="https://cdn.acme.test/logo.png"' in page.text
    assert stored(uow, shop.other_store_id) == ("Other", *AS_CREATED[1:])


def test_empty_logo_and_reply_to_clear_them(shop, uow):
    client = shop.staff("owner")
    assert save(client).status_code == 303
    assert save(client, logo_url="", reply_to=" ").status_code == 303
    assert stored(uow, shop.store_id)[7:] == ("", "#0b57d0", "#ffffff", "")


def test_a_posted_currency_is_ignored(shop, uow):
    assert save(shop.staff("owner"), currency="USD").status_code == 303
    assert stored(uow, shop.store_id)[1] == "EUR"


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"name": "  "}, "name", "a store name of 1 to 200 characters"),
        ({"timezone": "Mars/Olympus"}, "timezone",
         "unknown time zone &#39;Mars/Olympus&#39;: use a name like Europe/Paris"),
        ({"locale": "es"}, "locale", "choose one of en, fr, de"),
        ({"return_deadline_days": "0"}, "return_deadline_days",
         "a whole number of days from 1 to 365"),
        ({"return_deadline_days": "ten"}, "return_deadline_days",
         "a whole number of days from 1 to 365"),
        ({"label_expiry_days": "366"}, "label_expiry_days",
         "a whole number of days from 1 to 365"),
        ({"auto_refund": "always"}, "auto_refund",
         "choose one of off, on_approval, on_receipt, on_inspection"),
        ({"logo_url": "http://cdn.acme.test/logo.png"}, "logo_url",
         "an https:// address of at most 500 characters"),
        ({"primary_color": "blue"}, "primary_color",
         "&#39;blue&#39; is not a colour like #1f2937"),
        ({"primary_color": "#ffffff"}, "button_text_color",
         "button text on the primary colour has a contrast of 1.00:1; "
         "at least 4.5:1 keeps it readable (WCAG AA)"),
        ({"reply_to": "not an address"}, "reply_to", "not a usable e-mail address"),
    ],
)  # fmt: skip
def test_a_bad_field_is_refused_next_to_it_and_nothing_is_saved(shop, uow, fields, field, message):
    refused = save(shop.staff("owner"), **fields)
    assert refused.status_code == 400
    shown = re.search(rf'<p class="error" role="alert" id="{field}-error">([^<]*)</p>',
                      refused.text)  # fmt: skip
    assert shown is not None, refused.text
    assert shown.group(1).startswith(message)
    assert re.search(rf'name="{field}"[^>]*aria-describedby="{field}-error" aria-invalid="true"',
                     refused.text)  # fmt: skip
    assert 'value=" Acme Paris "' in refused.text or field == "name"  # what was typed is kept
    assert stored(uow, shop.store_id) == AS_CREATED


def test_a_refusal_after_the_branding_passed_saves_no_branding_either(shop, uow):
    """Branding and money are saved by separate services in one transaction."""
    refused = save(shop.staff("owner"), auto_refund="sometimes")
    assert refused.status_code == 400
    assert stored(uow, shop.store_id) == AS_CREATED


def test_the_store_form_without_csrf_is_refused_and_saves_nothing(shop, uow):
    client = shop.staff("owner")
    client.get(STORE)
    refused = client.post(STORE, data=CHANGED)
    assert refused.status_code == 400
    assert "This form has expired. Please try again." in refused.text
    assert stored(uow, shop.store_id) == AS_CREATED

"""Settings → carriers (owners and admins): an EasyPost account added, its key replaced,
switched off and on, the label cost saved; the key and the webhook secret in no page; a
refusal names its field and saves nothing; other roles and forms without CSRF refused."""

from __future__ import annotations

import logging
import re

import pytest
from sqlalchemy import select, text

from retour.db.models import CarrierAccountRow
from retour.security.sealed import Sealer
from retour.services.shipments import AccountChanges, list_carrier_accounts, set_carrier_account
from retour.services.store_settings import money_settings
from retour.settings import DEVELOPMENT_SECRET_KEY
from retour.shipping.easypost import easypost_factory
from retour.shipping.registry import Carriers
from tests.backoffice.steps import BASE, csrf_of

CARRIERS = f"{BASE}/settings/carriers"
API_KEY = "EZTK_page_secret_key_0123456789"
NEW_KEY = "EZAK_page_replaced_key_9876543210"
WEBHOOK_SECRET = "whsec_page_secret_abcdef"
SECRETS = (API_KEY, NEW_KEY, WEBHOOK_SECRET)


class Bodies:
    """Every response body a test saw, to look for secrets in all of them."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def keep(self, response):
        self.seen.append(response.text)
        return response

    def assert_no_secret(self) -> None:
        for body in self.seen:
            for secret in SECRETS:
                assert secret not in body


@pytest.fixture
def bodies() -> Bodies:
    return Bodies()


def post(client, bodies: Bodies, action: str, **fields: str):
    form = client.get(CARRIERS)
    bodies.keep(form)
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert csrf is not None
    return bodies.keep(client.post(action, data={"csrf": csrf.group(1), **fields}))


def stored(uow, store_id: int) -> list[tuple[str, str, str, str, bool]]:
    """The store's accounts, their credentials opened; the rows as stored hold no secret."""
    with uow:
        rows = uow.session.scalars(
            select(CarrierAccountRow).where(CarrierAccountRow.store_id == store_id)
        ).all()
        raw = str(uow.session.execute(text("SELECT * FROM carrier_accounts")).all())
    assert [secret for secret in SECRETS if secret in raw] == []
    sealer = Sealer(DEVELOPMENT_SECRET_KEY)
    return [(r.carrier, sealer.open(r.api_key), sealer.open(r.webhook_secret), r.service,
             r.is_active) for r in rows]  # fmt: skip


@pytest.fixture
def account(shop, bodies):
    fields = {"api_key": API_KEY, "webhook_secret": WEBHOOK_SECRET, "service": "GroundAdvantage"}
    added = post(shop.staff("owner"), bodies, f"{CARRIERS}/accounts", carrier="easypost", **fields)
    assert added.status_code == 303
    return added


def test_an_owner_adds_an_easypost_account_and_it_becomes_the_default(shop, uow, bodies, account):
    assert account.headers["location"] == f"{CARRIERS}?done=added#carrier-easypost"
    assert stored(uow, shop.store_id) == [
        ("easypost", API_KEY, WEBHOOK_SECRET, "GroundAdvantage", True)
    ]
    page = bodies.keep(shop.staff("admin").get(account.headers["location"]))
    assert page.status_code == 200
    assert "The account is added and on: the store&#39;s next labels are bought with it." in (
        page.text
    )
    assert '<strong id="default-carrier">EasyPost</strong>' in page.text
    assert re.findall(r'<section id="carrier-([a-z]+)"', page.text) == ["builtin", "easypost"]
    assert "<dt>API key</dt><dd>set</dd>" in page.text
    assert "<dt>Webhook secret</dt><dd>set</dd>" in page.text
    assert "<dt>Status</dt><dd>On</dd>" in page.text
    url = "http://127.0.0.1:8000/api/v1/carriers/easypost/webhooks"  # Settings.base_url's
    assert f'<code id="webhook-url-easypost">{url}</code>' in page.text
    assert 'id="edit-easypost-service" name="service" maxlength="64" value="GroundAdvantage"' in (
        page.text
    )
    assert 'type="password" id="edit-easypost-api_key" name="api_key"' in page.text
    assert "Add a carrier account" not in page.text  # one account per carrier
    assert stored(uow, shop.other_store_id) == []
    bodies.assert_no_secret()


def test_the_key_is_replaced_and_a_blank_secret_keeps_the_one_set(shop, uow, bodies, account):
    saved = post(shop.staff("owner"), bodies, f"{CARRIERS}/accounts/easypost", api_key=NEW_KEY,
                 webhook_secret="", service="")  # fmt: skip

    assert saved.status_code == 303
    assert saved.headers["location"] == f"{CARRIERS}?done=saved#carrier-easypost"
    assert stored(uow, shop.store_id) == [("easypost", NEW_KEY, WEBHOOK_SECRET, "", True)]
    page = bodies.keep(shop.staff("owner").get(saved.headers["location"]))
    assert "<dt>Service</dt><dd>the cheapest rate</dd>" in page.text
    bodies.assert_no_secret()


def test_a_key_with_spaces_is_refused_next_to_its_field_and_nothing_changes(
    shop, uow, bodies, account, caplog
):
    caplog.set_level(logging.DEBUG)

    refused = post(shop.staff("owner"), bodies, f"{CARRIERS}/accounts/easypost",
                   api_key=f"{NEW_KEY} x", service="Priority")  # fmt: skip

    assert refused.status_code == 400
    error = (
        '<p class="error" role="alert" id="easypost-error">at most 500 characters, no spaces</p>'
    )
    assert error in refused.text
    assert ('name="api_key" maxlength="500" autocomplete="off" aria-describedby="easypost-error"'
            ' aria-invalid="true"') in refused.text  # fmt: skip
    assert 'id="edit-easypost-service" name="service" maxlength="64" value="Priority"' in (
        refused.text
    )
    assert stored(uow, shop.store_id) == [
        ("easypost", API_KEY, WEBHOOK_SECRET, "GroundAdvantage", True)
    ]
    bodies.assert_no_secret()
    assert NEW_KEY not in caplog.text


def test_a_new_account_without_a_key_is_refused_and_none_is_made(shop, uow, bodies):
    refused = post(shop.staff("owner"), bodies, f"{CARRIERS}/accounts", carrier="easypost",
                   api_key="", webhook_secret=WEBHOOK_SECRET, service="Priority")  # fmt: skip

    assert refused.status_code == 400
    assert '<p class="error" role="alert" id="new-error">a new account needs its API key</p>' in (
        refused.text
    )
    assert 'id="new-service" name="service" maxlength="64" value="Priority"' in refused.text
    assert stored(uow, shop.store_id) == []
    bodies.assert_no_secret()


def test_off_hands_new_labels_to_the_builtin_carrier_and_on_takes_them_back(
    shop, uow, bodies, account
):
    client = shop.staff("owner")

    off = post(client, bodies, f"{CARRIERS}/accounts/easypost/off")

    assert off.headers["location"] == f"{CARRIERS}?done=off#carrier-easypost"
    assert [view.is_active for view in list_carrier_accounts(uow, shop.store_id)] == [False]
    page = bodies.keep(client.get(off.headers["location"]))
    assert '<strong id="default-carrier">Built-in carrier</strong>' in page.text
    assert "<dt>Status</dt><dd>Off: buys no new labels</dd>" in page.text
    assert "Switch EasyPost on</button>" in page.text

    on = post(client, bodies, f"{CARRIERS}/accounts/easypost/on")

    assert on.headers["location"] == f"{CARRIERS}?done=on#carrier-easypost"
    assert stored(uow, shop.store_id) == [
        ("easypost", API_KEY, WEBHOOK_SECRET, "GroundAdvantage", True)
    ]
    page = bodies.keep(client.get(on.headers["location"]))
    assert '<strong id="default-carrier">EasyPost</strong>' in page.text
    assert "Switch EasyPost off</button>" in page.text
    bodies.assert_no_secret()


def test_the_label_cost_is_saved_in_the_store_currency(shop, uow, bodies):
    saved = post(shop.staff("admin"), bodies, f"{CARRIERS}/labels", label_cost="4.50")

    assert saved.headers["location"] == f"{CARRIERS}?done=labels#labels"
    assert money_settings(uow, shop.store_id).label_cost == 450
    assert money_settings(uow, shop.other_store_id).label_cost == 0
    page = shop.staff("admin").get(saved.headers["location"])
    assert 'id="label_cost" name="label_cost" inputmode="decimal" required value="4.50"' in (
        page.text
    )
    assert "<dt>A label can be used for</dt><dd>30 days" in page.text


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("4.505", "Type the amount as a number like 12.00, in EUR."),
        ("-1", "must not be negative"),
        ("", "Type what a label costs, in EUR (0 for nothing)."),
    ],
)
def test_a_bad_label_cost_names_its_field_and_saves_nothing(shop, uow, bodies, typed, message):
    post(shop.staff("owner"), bodies, f"{CARRIERS}/labels", label_cost="2")

    refused = post(shop.staff("owner"), bodies, f"{CARRIERS}/labels", label_cost=typed)

    assert refused.status_code == 400
    assert f'<p class="error" role="alert" id="labels-error">{message}</p>' in refused.text
    assert (f'name="label_cost" inputmode="decimal" required value="{typed}"'
            ' aria-describedby="labels-error" aria-invalid="true"') in refused.text  # fmt: skip
    assert money_settings(uow, shop.store_id).label_cost == 200


@pytest.mark.parametrize("role", ["agent", "warehouse", "analyst"])
def test_other_roles_may_neither_open_nor_change_carriers(shop, uow, account, role):
    client = shop.staff(role)
    assert client.get(CARRIERS).status_code == 403
    csrf = csrf_of(client, BASE)
    for action, fields in [
        (f"{CARRIERS}/accounts", {"carrier": "easypost", "api_key": NEW_KEY}),
        (f"{CARRIERS}/accounts/easypost", {"api_key": NEW_KEY}),
        (f"{CARRIERS}/accounts/easypost/off", {}),
        (f"{CARRIERS}/labels", {"label_cost": "9"}),
    ]:
        refused = client.post(action, data={"csrf": csrf, **fields})
        assert refused.status_code == 403, action
        assert NEW_KEY not in refused.text
    assert stored(uow, shop.store_id) == [
        ("easypost", API_KEY, WEBHOOK_SECRET, "GroundAdvantage", True)
    ]
    assert money_settings(uow, shop.store_id).label_cost == 0
    index = client.get(f"{BASE}/settings")
    assert f'href="{CARRIERS}"' not in index.text


def test_a_form_without_its_csrf_token_is_refused_and_nothing_changes(shop, uow, account):
    client = shop.staff("owner")
    client.get(CARRIERS)

    refused = client.post(f"{CARRIERS}/accounts/easypost", data={"api_key": NEW_KEY})
    off = client.post(f"{CARRIERS}/accounts/easypost/off", data={"csrf": "forged"})

    assert (refused.status_code, off.status_code) == (400, 400)
    assert "This form has expired. Please try again." in refused.text
    assert NEW_KEY not in refused.text
    assert stored(uow, shop.store_id) == [
        ("easypost", API_KEY, WEBHOOK_SECRET, "GroundAdvantage", True)
    ]


def test_the_page_sends_a_csp_without_inline_scripts_or_styles(shop):
    page = shop.staff("owner").get(CARRIERS)

    policy = page.headers["content-security-policy"]
    assert "'unsafe-inline'" not in policy
    assert "<script>" not in page.text and "style=" not in page.text
    assert f'href="{CARRIERS}"' in shop.staff("owner").get(f"{BASE}/settings").text


def test_another_stores_account_is_not_found_from_this_store(shop, uow, bodies, backoffice_app):
    app, _ = backoffice_app
    changes = AccountChanges(api_key=API_KEY)
    set_carrier_account(uow, app.state.carriers, shop.other_store_id, "easypost", changes,
                        shop.clock.now())  # fmt: skip
    client = shop.staff("owner")

    off = post(client, bodies, f"{CARRIERS}/accounts/easypost/off")
    changed = post(client, bodies, f"{CARRIERS}/accounts/easypost", api_key=NEW_KEY)

    assert (off.status_code, changed.status_code) == (404, 404)
    assert stored(uow, shop.other_store_id) == [("easypost", API_KEY, "", "", True)]
    assert stored(uow, shop.store_id) == []
    bodies.assert_no_secret()


def test_a_key_sealed_with_another_secret_key_keeps_the_page_up_to_set_it_again(shop, uow, bodies):
    factories = {"easypost": easypost_factory("http://127.0.0.1:9")}
    before = Carriers(factories=factories, sealer=Sealer("o" * 40))
    changes = AccountChanges(api_key=API_KEY, webhook_secret=WEBHOOK_SECRET)
    set_carrier_account(uow, before, shop.store_id, "easypost", changes, shop.clock.now())
    client = shop.staff("owner")

    page = bodies.keep(client.get(CARRIERS))
    saved = post(client, bodies, f"{CARRIERS}/accounts/easypost", api_key=NEW_KEY,
                 webhook_secret=WEBHOOK_SECRET, service="")  # fmt: skip

    assert page.status_code == 200
    assert '<strong id="default-carrier">EasyPost</strong>' in page.text
    assert saved.status_code == 303
    assert stored(uow, shop.store_id) == [("easypost", NEW_KEY, WEBHOOK_SECRET, "", True)]
    bodies.assert_no_secret()

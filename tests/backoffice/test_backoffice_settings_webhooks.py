"""Settings → webhooks (owners and admins): listed, created with the signing secret shown once,
switched off and on, deleted; other roles refused with nothing changed, bad input named next
to its field, another store's webhooks a 404, and CSRF on every form."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from retour.db.models import WebhookSubscription
from retour.webhooks.subscriptions import UrlPolicy, create_subscription
from tests.backoffice.steps import BASE, csrf_of

HOOKS = f"{BASE}/settings/webhooks"
NOT_CONFIGURING = ["agent", "warehouse", "analyst"]
#: A public address written as an IP literal: checked without a DNS look-up.
URL = "https://93.184.215.14/hooks/retour"
SECRET = re.compile(r'id="new-secret" value="(whsec_[A-Za-z0-9+/=]+)"')


def post(client, action: str, **fields: str):
    return client.post(action, data={"csrf": csrf_of(client, HOOKS), **fields})


def hooks_table(uow) -> list[tuple[int, str, list[str], bool, str]]:
    with uow:
        rows = uow.session.scalars(select(WebhookSubscription).order_by(WebhookSubscription.id))
        return [
            (row.store_id, row.url, sorted(item.event_type for item in row.event_types),
             row.is_active, row.disabled_reason)
            for row in rows
        ]  # fmt: skip


def subscribe(uow, shop, store_id: int, url: str = URL) -> int:
    policy = UrlPolicy(allow_private=False)
    made = create_subscription(uow, store_id, url, ["*"], "", policy, shop.clock.now())
    return made.subscription.id


@pytest.mark.parametrize("role", ["owner", "admin"])
def test_owners_and_admins_see_the_store_webhooks_and_never_another_stores(shop, uow, role):
    subscribe(uow, shop, shop.store_id)
    subscribe(uow, shop, shop.other_store_id, "https://93.184.215.15/theirs")
    client = shop.staff(role)
    assert f'href="{HOOKS}"' in client.get(f"{BASE}/settings").text
    page = client.get(HOOKS)
    assert page.status_code == 200
    assert re.findall(r'<tr id="webhook-\d+">\s*<td><code>([^<]+)</code>', page.text) == [URL]
    assert "93.184.215.15" not in page.text
    assert "whsec_" not in page.text


@pytest.mark.parametrize("role", NOT_CONFIGURING)
def test_other_roles_may_neither_open_nor_change_webhooks(shop, uow, role):
    hook = subscribe(uow, shop, shop.store_id)
    before = hooks_table(uow)
    client = shop.staff(role)
    assert f'href="{HOOKS}"' not in client.get(BASE).text
    assert client.get(HOOKS).status_code == 403
    csrf = csrf_of(client, BASE)
    for action, fields in [
        (HOOKS, {"url": URL, "event-*": "yes"}),
        (f"{HOOKS}/{hook}/disable", {}),
        (f"{HOOKS}/{hook}/enable", {}),
        (f"{HOOKS}/{hook}/delete", {"confirm": "yes"}),
    ]:
        refused = client.post(action, data={"csrf": csrf, **fields})
        assert refused.status_code == 403, action
        assert f"the {role} role may not configure store. Nothing was changed." in refused.text
    assert hooks_table(uow) == before


def test_an_admin_creates_a_webhook_and_sees_its_secret_once(shop, uow):
    client = shop.staff("admin")
    created = post(client, HOOKS, url=f" {URL} ", description="ERP",
                   **{"event-return.approved": "yes", "event-refund.succeeded": "yes"})  # fmt: skip
    assert created.status_code == 200, created.text
    found = SECRET.search(created.text)
    assert found is not None, created.text
    assert hooks_table(uow) == [
        (shop.store_id, URL, ["refund.succeeded", "return.approved"], True, ""),
    ]
    with uow:
        assert uow.session.scalars(select(WebhookSubscription.secret)).one() == found.group(1)
    for path in (HOOKS, f"{BASE}/settings"):
        assert found.group(1) not in client.get(path).text, path
    listed = client.get(HOOKS).text
    assert "<code>refund.succeeded</code>, <code>return.approved</code>" in listed
    assert '<span class="muted">ERP</span>' in listed


def test_every_event_is_one_box(shop, uow):
    created = post(shop.staff("owner"), HOOKS, url=URL,
                   **{"event-*": "yes", "event-return.approved": "yes"})  # fmt: skip
    assert created.status_code == 200
    assert hooks_table(uow) == [(shop.store_id, URL, ["*"], True, "")]


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"url": "", "event-*": "yes"}, "url",
         "must be an http:// or https:// URL (https is recommended)"),
        ({"url": "ftp://93.184.215.14/x", "event-*": "yes"}, "url",
         "must be an http:// or https:// URL (https is recommended)"),
        ({"url": "https://127.0.0.1/hooks", "event-*": "yes"}, "url",
         "127.0.0.1 is a private or reserved address; webhooks may only call public addresses"),
        ({"url": URL}, "event_types", "name at least one event type, or * for all"),
        ({"url": URL, "event-return.teleported": "yes"}, "event_types",
         "unknown event type &#39;return.teleported&#39;"),
        ({"url": URL, "event-*": "yes", "description": "x" * 201}, "description",
         "at most 200 characters"),
    ],
)  # fmt: skip
def test_a_bad_webhook_is_refused_next_to_its_field_and_nothing_is_saved(
    shop, uow, fields, field, message
):
    refused = post(shop.staff("owner"), HOOKS, **fields)
    assert refused.status_code == 400
    shown = re.search(r'<p class="error" role="alert" id="new-error">([^<]*)</p>', refused.text)
    assert shown is not None, refused.text
    assert shown.group(1).startswith(message)
    assert re.search(rf'(name="{field}"|<fieldset)[^>]*aria-describedby="new-error" '
                     'aria-invalid="true"', refused.text)  # fmt: skip
    assert "whsec_" not in refused.text
    assert hooks_table(uow) == []


def test_switching_a_webhook_off_and_on(shop, uow):
    hook = subscribe(uow, shop, shop.store_id)
    client = shop.staff("owner")
    off = post(client, f"{HOOKS}/{hook}/disable")
    assert off.status_code == 303
    assert off.headers["location"] == f"{HOOKS}?done=disabled#webhook-{hook}"
    reason = "disabled in the back office by owner@acme.test"
    assert hooks_table(uow) == [(shop.store_id, URL, ["*"], False, reason)]
    page = client.get(off.headers["location"])
    assert f"no: {reason}" in page.text
    assert f'action="{HOOKS}/{hook}/enable"' in page.text
    on = post(client, f"{HOOKS}/{hook}/enable")
    assert on.status_code == 303
    assert hooks_table(uow) == [(shop.store_id, URL, ["*"], True, "")]


def test_deleting_a_webhook_needs_the_box_ticked(shop, uow):
    hook = subscribe(uow, shop, shop.store_id)
    client = shop.staff("admin")
    unticked = post(client, f"{HOOKS}/{hook}/delete")
    assert unticked.status_code == 400
    assert "Tick the box to confirm that you want to delete this webhook." in unticked.text
    assert len(hooks_table(uow)) == 1
    deleted = post(client, f"{HOOKS}/{hook}/delete", confirm="yes")
    assert deleted.status_code == 303
    assert deleted.headers["location"] == f"{HOOKS}?done=deleted"
    assert hooks_table(uow) == []


def test_another_stores_webhook_is_a_404_and_unchanged(shop, uow):
    theirs = subscribe(uow, shop, shop.other_store_id)
    before = hooks_table(uow)
    client = shop.staff("owner")
    for action, fields in [
        (f"{HOOKS}/{theirs}/disable", {}),
        (f"{HOOKS}/{theirs}/enable", {}),
        (f"{HOOKS}/{theirs}/delete", {"confirm": "yes"}),
    ]:
        assert post(client, action, **fields).status_code == 404, action
    assert hooks_table(uow) == before


def test_webhook_forms_without_csrf_are_refused_and_change_nothing(shop, uow):
    hook = subscribe(uow, shop, shop.store_id)
    before = hooks_table(uow)
    client = shop.staff("owner")
    client.get(HOOKS)
    for action, fields in [
        (HOOKS, {"url": URL, "event-*": "yes"}),
        (f"{HOOKS}/{hook}/disable", {}),
        (f"{HOOKS}/{hook}/delete", {"confirm": "yes"}),
    ]:
        refused = client.post(action, data=fields)
        assert refused.status_code == 400, action
        assert "This form has expired. Please try again." in refused.text
    assert hooks_table(uow) == before

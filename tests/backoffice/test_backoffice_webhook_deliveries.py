"""Settings → webhooks → deliveries (owners and admins): a subscription's deliveries listed
newest first with a status filter and older pages, one delivery with its attempts, sent
again one by one or all the dead and cancelled ones, a test event sent to a real receiver on
loopback; other roles refused with nothing changed, another store's a 404."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from retour.db.models import Delivery, DeliveryAttempt, Event, WebhookSubscription
from retour.services.context import FixedClock
from retour.web.app import create_app
from retour.web.backoffice import settings_webhook_delivery_routes
from retour.webhooks.subscriptions import UrlPolicy, create_subscription
from tests.backoffice.steps import BASE, csrf_of
from tests.conftest import START
from tests.support.webhook_receiver import WebhookReceiver

HOOKS = f"{BASE}/settings/webhooks"
NOT_CONFIGURING = ["agent", "warehouse", "analyst"]
URL = "https://93.184.215.14/hooks/retour"
ROW = re.compile(
    r'<tr id="delivery-(\d+)">\s*<td><a [^>]+><code>([^<]+)</code></a></td>\s*'
    r"<td><time [^>]+>[^<]+</time></td>\s*<td>([^<]+)</td>\s*<td>(\d+)</td>\s*<td>([^<]*)</td>"
)
#: Webhook deliveries only: the shop's requested return queued e-mails too.
WEBHOOKS = select(Delivery).where(Delivery.channel == "webhook")


@pytest.fixture(scope="module")
def backoffice_app(settings, engine):
    """The suite's back office, with private targets allowed: the receiver is on loopback."""
    allowing = settings.model_copy(
        update={"webhooks_allow_private": True, "webhook_timeout_seconds": 2.0}
    )
    clock = FixedClock(START)
    return create_app(allowing, clock=clock), clock


def subscribe(uow, shop, store_id: int, url: str = URL) -> int:
    policy = UrlPolicy(allow_private=True)
    made = create_subscription(uow, store_id, url, ["*"], "", policy, shop.clock.now())
    return made.subscription.id


def add_delivery(uow, shop, hook: int, kind: str, status: str, attempts: int = 0,
                 code: int | None = None, error: str = "", minutes: int = 0) -> int:  # fmt: skip
    """A delivery as the outbox leaves it, `minutes` after START."""
    at = START + timedelta(minutes=minutes)
    with uow:
        event = Event(store_id=shop_store(uow, hook), name=kind, actor="system", occurred_at=at,
                      payload={})  # fmt: skip
        uow.session.add(event)
        uow.session.flush()
        row = Delivery(
            store_id=event.store_id, event_id=event.id, channel="webhook", kind=kind,
            recipient=URL, subscription_id=hook, status=status, attempts=attempts,
            next_attempt_at=at + timedelta(minutes=5), last_error=error, last_status_code=code,
            created_at=at,
        )  # fmt: skip
        uow.session.add(row)
        uow.session.flush()
        for number in range(attempts):
            uow.session.add(
                DeliveryAttempt(
                    delivery_id=row.id, store_id=event.store_id,
                    attempted_at=at + timedelta(seconds=number), duration_ms=12 + number,
                    is_success=False, status_code=code, error=error,
                    response_excerpt=f"answer {number + 1}",
                )
            )  # fmt: skip
        uow.commit()
        return row.id


def shop_store(uow, hook: int) -> int:
    return uow.session.get_one(WebhookSubscription, hook).store_id


def deliveries_table(uow) -> list[tuple[int, str, int, bool]]:
    with uow:
        rows = uow.session.scalars(WEBHOOKS.order_by(Delivery.id))
        return [(row.id, row.status, row.attempts, row.next_attempt_at == row.created_at)
                for row in rows]  # fmt: skip


def statuses_of(uow) -> dict[int, str]:
    """The webhook deliveries' statuses (the shop's return also queued e-mails)."""
    return {row.id: row.status for row in uow.session.scalars(WEBHOOKS)}


def rows_of(html: str) -> list[tuple[int, str, str, int, str]]:
    return [(int(a), b, c, int(d), e) for a, b, c, d, e in ROW.findall(html)]


@pytest.fixture
def hook(shop, uow) -> int:
    return subscribe(uow, shop, shop.store_id)


@pytest.fixture
def three_deliveries(shop, uow, hook) -> list[int]:
    """Oldest first: a delivered one, a dead one after three 500s, one cancelled."""
    return [
        add_delivery(uow, shop, hook, "return.requested", "delivered", 1, 200, minutes=1),
        add_delivery(uow, shop, hook, "return.approved", "dead", 3, 500, "HTTP 500", minutes=2),
        add_delivery(
            uow,
            shop,
            hook,
            "return.received",
            "cancelled",
            0,
            None,
            "disabled in the back office by owner@acme.test",
            minutes=3,
        ),
    ]


def test_the_webhooks_page_links_each_subscription_to_its_deliveries(shop, hook):
    page = shop.staff("admin").get(HOOKS)
    assert f'href="{HOOKS}/{hook}/deliveries"' in page.text


def test_an_empty_list_says_what_a_delivery_is(shop, hook):
    page = shop.staff("owner").get(f"{HOOKS}/{hook}/deliveries")
    assert page.status_code == 200
    assert "No deliveries yet. A delivery is one event sent to this webhook" in page.text
    assert rows_of(page.text) == []


def test_deliveries_are_listed_newest_first_and_filtered_by_status(shop, hook, three_deliveries):
    delivered, dead, cancelled = three_deliveries
    client = shop.staff("owner")
    page = client.get(f"{HOOKS}/{hook}/deliveries")
    assert rows_of(page.text) == [
        (cancelled, "return.received", "cancelled", 0,
         "disabled in the back office by owner@acme.test"),
        (dead, "return.approved", "dead", 3, "500: HTTP 500"),
        (delivered, "return.requested", "delivered", 1, "200"),
    ]  # fmt: skip
    only_dead = client.get(f"{HOOKS}/{hook}/deliveries?status=dead")
    assert rows_of(only_dead.text) == [(dead, "return.approved", "dead", 3, "500: HTTP 500")]
    assert '<option value="dead" selected>' in only_dead.text
    none = client.get(f"{HOOKS}/{hook}/deliveries?status=pending")
    assert rows_of(none.text) == []
    assert "No pending deliveries." in none.text


def test_older_deliveries_are_a_page_away(shop, hook, three_deliveries, monkeypatch):
    monkeypatch.setattr(settings_webhook_delivery_routes, "PAGE_SIZE", 2)
    client = shop.staff("owner")
    first = client.get(f"{HOOKS}/{hook}/deliveries")
    assert [row[0] for row in rows_of(first.text)] == three_deliveries[:0:-1]
    older = re.search(r'<a rel="next" href="([^"]+)">Older</a>', first.text)
    assert older is not None
    second = client.get(older.group(1).replace("&amp;", "&"))
    assert [row[0] for row in rows_of(second.text)] == [three_deliveries[0]]
    assert 'rel="next"' not in second.text


def test_a_delivery_shows_every_attempt(shop, uow, hook, three_deliveries):
    dead = three_deliveries[1]
    page = shop.staff("admin").get(f"{HOOKS}/{hook}/deliveries/{dead}")
    assert page.status_code == 200
    assert '<dd id="delivery-status">dead</dd>' in page.text
    cells = re.findall(
        r'<tr id="attempt-\d+">\s*<td><time [^>]+>[^<]+</time></td>\s*<td>([^<]+)</td>\s*'
        r"<td>([^<]+)</td>\s*<td>([^<]*)</td>\s*<td><pre>([^<]*)</pre></td>",
        page.text,
    )
    assert cells == [
        ("12 ms", "500", "HTTP 500", "answer 1"),
        ("13 ms", "500", "HTTP 500", "answer 2"),
        ("14 ms", "500", "HTTP 500", "answer 3"),
    ]


def test_send_again_puts_the_delivery_back_in_the_queue(shop, uow, hook, three_deliveries):
    delivered, dead, cancelled = three_deliveries
    shop.clock.current = START + timedelta(hours=2)
    client = shop.staff("owner")
    detail = f"{HOOKS}/{hook}/deliveries/{dead}"
    sent = client.post(f"{detail}/replay", data={"csrf": csrf_of(client, detail)})
    assert sent.status_code == 303
    assert sent.headers["location"] == f"{detail}?done=replayed"
    with uow:
        row = uow.session.get_one(Delivery, dead)
        assert (row.status, row.attempts, row.locked_by, row.recipient) == ("pending", 0, "", URL)
        assert row.next_attempt_at.replace(tzinfo=None) == shop.clock.now().replace(tzinfo=None)
        statuses = statuses_of(uow)
    assert statuses == {delivered: "delivered", dead: "pending", cancelled: "cancelled"}
    shown = client.get(sent.headers["location"])
    assert "The delivery will be sent again shortly, with the same webhook-id." in shown.text
    assert '<dd id="delivery-status">pending</dd>' in shown.text


def test_send_again_every_dead_or_cancelled_delivery(shop, uow, hook, three_deliveries):
    delivered, dead, cancelled = three_deliveries
    client = shop.staff("admin")
    page = f"{HOOKS}/{hook}/deliveries"
    sent = client.post(f"{page}/replay", data={"csrf": csrf_of(client, page)})
    assert sent.status_code == 303
    assert sent.headers["location"] == f"{page}?replayed=2"
    with uow:
        statuses = statuses_of(uow)
    assert statuses == {delivered: "delivered", dead: "pending", cancelled: "pending"}
    shown = client.get(sent.headers["location"])
    assert "2 dead or cancelled deliveries will be sent again shortly." in shown.text


def test_a_disabled_webhook_refuses_to_send_again_with_nothing_changed(
    shop, uow, hook, three_deliveries
):
    client = shop.staff("owner")
    client.post(f"{HOOKS}/{hook}/disable", data={"csrf": csrf_of(client, HOOKS)})
    before = deliveries_table(uow)
    page = f"{HOOKS}/{hook}/deliveries"
    for action, target in [(f"{page}/replay", page),
                           (f"{page}/{three_deliveries[1]}/replay", page)]:  # fmt: skip
        refused = client.post(action, data={"csrf": csrf_of(client, target)})
        assert refused.status_code == 400, action
        assert f"webhook {hook} is disabled" in refused.text
    assert deliveries_table(uow) == before


def test_a_test_event_is_sent_recorded_and_never_sent_again(shop, uow):
    with WebhookReceiver() as receiver:
        hook = subscribe(uow, shop, shop.store_id, receiver.url("/hook"))
        client = shop.staff("owner")
        page = f"{HOOKS}/{hook}/deliveries"
        sent = client.post(f"{page}/test", data={"csrf": csrf_of(client, page)})
        assert sent.status_code == 303
        assert sent.headers["location"] == f"{page}?done=tested"
        assert [got.path for got in receiver.received] == ["/hook"]
    with uow:
        row = uow.session.scalars(WEBHOOKS).one()
        assert (row.kind, row.status, row.attempts, row.last_status_code) == (
            "webhook.test", "delivered", 1, 200,
        )  # fmt: skip
        attempts = uow.session.scalars(select(DeliveryAttempt.status_code)).all()
    assert attempts == [200]
    shown = client.get(sent.headers["location"])
    assert "The test event was sent; its delivery is at the top of the list." in shown.text
    assert rows_of(shown.text) == [(row.id, "webhook.test", "delivered", 1, "200")]
    detail = f"{page}/{row.id}"
    again = client.post(f"{detail}/replay", data={"csrf": csrf_of(client, detail)})
    assert again.headers["location"] == f"{detail}?done=not-replayed"
    assert deliveries_table(uow) == [(row.id, "delivered", 1, True)]
    assert "A test event is never sent again" in client.get(again.headers["location"]).text


@pytest.mark.parametrize("role", NOT_CONFIGURING)
def test_other_roles_may_neither_see_nor_send_deliveries(shop, uow, hook, three_deliveries, role):
    before = deliveries_table(uow)
    client = shop.staff(role)
    page = f"{HOOKS}/{hook}/deliveries"
    detail = f"{page}/{three_deliveries[1]}"
    assert client.get(page).status_code == 403
    assert client.get(detail).status_code == 403
    csrf = csrf_of(client, BASE)
    for action in (f"{page}/replay", f"{page}/test", f"{detail}/replay"):
        refused = client.post(action, data={"csrf": csrf})
        assert refused.status_code == 403, action
        assert f"the {role} role may not configure store. Nothing was changed." in refused.text
    assert deliveries_table(uow) == before


def test_another_stores_webhook_and_delivery_are_not_found(shop, uow, hook, three_deliveries):
    theirs = subscribe(uow, shop, shop.other_store_id, "https://93.184.215.15/theirs")
    their_delivery = add_delivery(uow, shop, theirs, "return.approved", "dead", 1, 500)
    before = deliveries_table(uow)
    client = shop.staff("owner")
    csrf = csrf_of(client, f"{HOOKS}/{hook}/deliveries")
    assert client.get(f"{HOOKS}/{theirs}/deliveries").status_code == 404
    assert client.get(f"{HOOKS}/{theirs}/deliveries/{their_delivery}").status_code == 404
    # Their delivery under my webhook's address is not mine either.
    assert client.get(f"{HOOKS}/{hook}/deliveries/{their_delivery}").status_code == 404
    for action in (f"{HOOKS}/{theirs}/deliveries/replay", f"{HOOKS}/{theirs}/deliveries/test",
                   f"{HOOKS}/{theirs}/deliveries/{their_delivery}/replay",
                   f"{HOOKS}/{hook}/deliveries/{their_delivery}/replay"):  # fmt: skip
        assert client.post(action, data={"csrf": csrf}).status_code == 404, action
    assert deliveries_table(uow) == before

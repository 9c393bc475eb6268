"""Subscriptions as services against a real database: the URL and event-type checks, changes
that reach pending deliveries, deletion, automatic disabling, replay and the test-send."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from retour.db.models import Delivery, DeliveryAttempt, Event, WebhookSubscription
from retour.db.unit_of_work import UnitOfWork
from retour.domain.errors import InvalidRequest
from retour.domain.events import DomainEvent
from retour.domain.notifications import SHOPPER_EMAILS, STAFF_EMAILS
from retour.domain.retries import WEBHOOK_SCHEDULE
from retour.services.context import Actor
from retour.services.errors import NotFound
from retour.services.outbox.senders import SendResult
from retour.services.outbox.worker import Worker, WorkerSettings
from retour.services.stores import create_staff_user
from retour.webhooks import deliveries, subscriptions
from retour.webhooks.deliveries import SubscriptionDisabled
from retour.webhooks.disabling import DEAD_IN_A_ROW
from retour.webhooks.event_types import EVENT_TYPES
from retour.webhooks.probe import send_test_event
from retour.webhooks.sender import WebhookSender
from retour.webhooks.subscriptions import SubscriptionChanges, UrlPolicy
from tests.factories import make_store
from tests.support.webhook_receiver import WebhookReceiver, verified

ALLOW_LOOPBACK = UrlPolicy(allow_private=True)
PUBLIC_ONLY = UrlPolicy(allow_private=False, resolve=lambda host, port: ["93.184.216.34"])


class Mailbox:
    def __init__(self):
        self.jobs = []

    def send(self, job):
        self.jobs.append(job)
        return SendResult(True)


@pytest.fixture
def store_id(uow, clock):
    return make_store(uow, clock)


@pytest.fixture
def receiver():
    with WebhookReceiver() as running:
        yield running


@pytest.fixture
def sender():
    webhook_sender = WebhookSender(timeout_seconds=5, allow_private=True)
    yield webhook_sender
    webhook_sender.close()


@pytest.fixture
def mailbox():
    return Mailbox()


@pytest.fixture
def worker(session_factory, clock, sender, mailbox):
    return Worker(
        lambda: UnitOfWork(session_factory),
        {"webhook": sender, "email": mailbox},
        clock,
        WorkerSettings(threads=2),
        name="w",
        uniform=lambda low, high: 1.0,
    )


def create(uow, store_id, clock, url, event_types=("*",), policy=ALLOW_LOOPBACK):
    return subscriptions.create_subscription(
        uow, store_id, url, list(event_types), "", policy, clock.now()
    )


def emit(uow, store_id, clock, name="order.updated", count=1):
    with uow:
        uow.events.append(
            [DomainEvent(name, {"n": n}) for n in range(count)],
            store_id=store_id,
            actor="system",
            occurred_at=clock.now(),
        )
        uow.commit()


def statuses(uow, subscription_id):
    with uow:
        return list(
            uow.session.scalars(
                select(Delivery.status)
                .where(Delivery.subscription_id == subscription_id)
                .order_by(Delivery.id)
            )
        )


def count(uow, model):
    with uow:
        return uow.session.scalar(select(func.count()).select_from(model))


# -- creating ---------------------------------------------------------------------------------


def test_a_subscription_is_created_with_a_standard_webhooks_secret_shown_once(uow, store_id, clock):
    created = create(
        uow, store_id, clock, "https://hooks.example/in", ["return.approved", "return.requested"],
        policy=PUBLIC_ONLY,
    )  # fmt: skip

    assert created.secret.startswith("whsec_")
    assert len(base64.b64decode(created.secret.removeprefix("whsec_"))) == 24
    found = subscriptions.get_subscription(uow, store_id, created.subscription.id)
    assert found == created.subscription
    assert not hasattr(found, "secret")
    assert (found.url, found.event_types, found.is_active) == (
        "https://hooks.example/in",
        ["return.approved", "return.requested"],
        True,
    )
    another = create(uow, store_id, clock, "https://hooks.example/in", policy=PUBLIC_ONLY)
    assert another.secret != created.secret


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://127.0.0.1:8080/hook", "127.0.0.1 is a private or reserved address"),
        ("http://10.0.0.7/hook", "10.0.0.7 is a private or reserved address"),
        ("http://192.168.1.1/hook", "192.168.1.1 is a private or reserved address"),
        ("http://169.254.169.254/latest/meta-data", "169.254.169.254 is a private or reserved"),
        ("http://[::1]/hook", "::1 is a private or reserved address"),
        ("http://[::ffff:10.0.0.1]/hook", "::ffff:10.0.0.1 is a private or reserved address"),
        ("http://[fd00::1]/hook", "fd00::1 is a private or reserved address"),
        ("http://0.0.0.0/hook", "0.0.0.0 is a private or reserved address"),
        ("http://224.0.0.1/hook", "224.0.0.1 is a private or reserved address"),
        ("http://localhost/hook", "host localhost resolves to a private or reserved address"),
        ("ftp://hooks.example/in", "must be an http:// or https:// URL"),
        ("hooks.example/in", "must be an http:// or https:// URL"),
        ("https://no-such-host.invalid/in", "host no-such-host.invalid does not resolve"),
    ],
)
def test_a_url_that_is_not_a_public_http_target_is_refused_and_nothing_is_saved(
    uow, store_id, clock, url, message
):
    policy = UrlPolicy(allow_private=False)

    with pytest.raises(InvalidRequest) as refused:
        create(uow, store_id, clock, url, policy=policy)

    assert refused.value.field == "url"
    assert message in refused.value.detail
    assert count(uow, WebhookSubscription) == 0


def test_a_public_address_is_accepted_and_private_ones_when_the_operator_allows_them(
    uow, store_id, clock
):
    public = create(uow, store_id, clock, "http://93.184.216.34/in", policy=UrlPolicy(False))
    loopback = create(uow, store_id, clock, "http://127.0.0.1:9/in", policy=ALLOW_LOOPBACK)

    assert public.subscription.url == "http://93.184.216.34/in"
    assert loopback.subscription.url == "http://127.0.0.1:9/in"


def test_event_types_must_be_known_and_star_means_all(uow, store_id, clock):
    with pytest.raises(InvalidRequest) as unknown:
        create(uow, store_id, clock, "http://127.0.0.1/x", ["return.approved", "return.eaten"])
    with pytest.raises(InvalidRequest) as empty:
        create(uow, store_id, clock, "http://127.0.0.1/x", [])
    star = create(uow, store_id, clock, "http://127.0.0.1/x", ["return.approved", "*"])

    assert (unknown.value.field, unknown.value.detail) == (
        "event_types[1]",
        "unknown event type 'return.eaten' (see GET /api/v1/webhooks/event-types)",
    )
    assert empty.value.field == "event_types"
    assert star.subscription.event_types == ["*"]


def test_every_event_the_notifications_know_can_be_subscribed_to():
    assert set(SHOPPER_EMAILS) | set(STAFF_EMAILS) <= set(EVENT_TYPES)


# -- changing and deleting --------------------------------------------------------------------


def test_a_new_url_takes_the_pending_deliveries_with_it(uow, store_id, clock):
    sub = create(uow, store_id, clock, "http://127.0.0.1:1/old").subscription
    emit(uow, store_id, clock)

    changed = subscriptions.update_subscription(
        uow, store_id, sub.id,
        SubscriptionChanges(url="http://127.0.0.1:1/new", event_types=["order.updated"],
                            description="ERP"),
        ALLOW_LOOPBACK, clock.now(),
    )  # fmt: skip

    assert (changed.url, changed.event_types, changed.description) == (
        "http://127.0.0.1:1/new",
        ["order.updated"],
        "ERP",
    )
    with uow:
        assert uow.session.scalars(select(Delivery.recipient)).all() == ["http://127.0.0.1:1/new"]


def test_a_refused_change_changes_nothing(uow, store_id, clock):
    sub = create(uow, store_id, clock, "http://127.0.0.1:1/old").subscription

    with pytest.raises(InvalidRequest):
        subscriptions.update_subscription(
            uow, store_id, sub.id,
            SubscriptionChanges(url="http://10.0.0.1/", description="new"),
            UrlPolicy(allow_private=False), clock.now(),
        )  # fmt: skip

    assert subscriptions.get_subscription(uow, store_id, sub.id) == sub


def test_switching_off_cancels_pending_deliveries_and_switching_on_clears_the_reason(
    uow, store_id, clock
):
    sub = create(uow, store_id, clock, "http://127.0.0.1:1/x").subscription
    emit(uow, store_id, clock)

    off = subscriptions.update_subscription(
        uow, store_id, sub.id, SubscriptionChanges(is_active=False), ALLOW_LOOPBACK, clock.now()
    )
    emit(uow, store_id, clock)  # no delivery for a subscription that is off
    on = subscriptions.update_subscription(
        uow, store_id, sub.id, SubscriptionChanges(is_active=True), ALLOW_LOOPBACK, clock.now()
    )

    assert (off.is_active, off.disabled_at, off.disabled_reason) == (
        False,
        clock.now(),
        "disabled through the API",
    )
    assert (on.is_active, on.disabled_at, on.disabled_reason) == (True, None, "")
    assert statuses(uow, sub.id) == ["cancelled"]


def test_deleting_removes_deliveries_and_attempts_but_not_events(
    uow, store_id, clock, receiver, worker
):
    sub = create(uow, store_id, clock, receiver.url()).subscription
    emit(uow, store_id, clock, count=3)
    worker.run_once()

    subscriptions.delete_subscription(uow, store_id, sub.id)

    assert (count(uow, Delivery), count(uow, DeliveryAttempt), count(uow, Event)) == (0, 0, 3)
    with pytest.raises(NotFound):
        subscriptions.get_subscription(uow, store_id, sub.id)


def test_another_stores_subscription_is_not_found(uow, store_id, clock):
    other = make_store(uow, clock, slug="other")
    sub = create(uow, other, clock, "http://127.0.0.1:1/x").subscription

    with pytest.raises(NotFound):
        subscriptions.delete_subscription(uow, store_id, sub.id)
    assert subscriptions.list_subscriptions(uow, store_id) == []
    assert subscriptions.get_subscription(uow, other, sub.id) == sub


def test_rotating_the_secret_signs_the_next_attempt_with_the_new_one(
    uow, store_id, clock, receiver, worker
):
    created = create(uow, store_id, clock, receiver.url())
    rotated = subscriptions.rotate_secret(uow, store_id, created.subscription.id, clock.now())
    emit(uow, store_id, clock)

    worker.run_once()

    assert rotated.secret != created.secret
    (request,) = receiver.received
    assert verified(request, rotated.secret)["type"] == "order.updated"


# -- disabling --------------------------------------------------------------------------------


def test_a_subscription_failing_for_three_days_is_disabled_and_the_store_is_told(
    uow, store_id, clock, receiver, worker, mailbox
):
    create_staff_user(
        uow, store_slug="acme", email="ann@acme.test", password="a-long-password",
        role="owner", now=clock.now(),
    )  # fmt: skip
    failing = create(uow, store_id, clock, receiver.url("/down")).subscription
    watcher = create(uow, store_id, clock, receiver.url("/watch"), ["webhook.disabled"])
    receiver.answer("/down", *[500] * (len(WEBHOOK_SCHEDULE) + 1))
    emit(uow, store_id, clock)

    for _ in range(len(WEBHOOK_SCHEDULE) + 1):
        assert worker.run_once() == 1
        clock.current += timedelta(days=1)
    clock.current -= timedelta(days=1)
    worker.run_once()  # the e-mail and the watcher's webhook

    found = subscriptions.get_subscription(uow, store_id, failing.id)
    assert (found.is_active, found.disabled_at) == (False, clock.now())
    assert found.disabled_reason == "no successful delivery since it was created 10.0 days ago"
    assert [job.kind for job in mailbox.jobs] == ["staff_webhook_disabled"]
    assert mailbox.jobs[0].recipient == "ann@acme.test"
    (told,) = [r for r in receiver.received if r.path == "/watch"]
    body = verified(told, watcher.secret)
    assert body["type"] == "webhook.disabled"
    assert {k: body["data"][k] for k in ("webhook_id", "url", "reason")} == {
        "webhook_id": failing.id,
        "url": receiver.url("/down"),
        "reason": found.disabled_reason,
    }
    emit(uow, store_id, clock)
    assert statuses(uow, failing.id) == ["dead"]  # nothing new for a disabled subscription


def test_a_subscription_whose_last_deliveries_all_died_is_disabled(
    uow, store_id, clock, receiver, worker
):
    sub = create(uow, store_id, clock, receiver.url("/gone")).subscription
    receiver.answer("/gone", *[410] * (DEAD_IN_A_ROW - 1))
    emit(uow, store_id, clock, count=DEAD_IN_A_ROW - 1)
    worker.run_once()
    still_on = subscriptions.get_subscription(uow, store_id, sub.id).is_active

    receiver.answer("/gone", 410)
    emit(uow, store_id, clock)
    worker.run_once()

    assert still_on is True
    found = subscriptions.get_subscription(uow, store_id, sub.id)
    assert (found.is_active, found.disabled_reason) == (
        False,
        f"its last {DEAD_IN_A_ROW} deliveries all failed",
    )
    with uow:
        names = uow.session.scalars(select(Event.name).order_by(Event.id)).all()
    assert names[-1] == "webhook.disabled"


def test_one_dead_delivery_among_successes_disables_nothing(uow, store_id, clock, receiver, worker):
    sub = create(uow, store_id, clock, receiver.url("/flaky")).subscription
    emit(uow, store_id, clock, count=3)
    worker.run_once()
    receiver.answer("/flaky", 410)
    clock.current += timedelta(days=2)
    emit(uow, store_id, clock)

    worker.run_once()

    assert statuses(uow, sub.id) == ["delivered"] * 3 + ["dead"]
    assert subscriptions.get_subscription(uow, store_id, sub.id).is_active


# -- replay -----------------------------------------------------------------------------------


def test_replaying_one_delivery_sends_it_again_with_the_same_webhook_id_to_the_current_url(
    uow, store_id, clock, receiver, worker
):
    sub = create(uow, store_id, clock, receiver.url("/old")).subscription
    receiver.answer("/old", 410)
    emit(uow, store_id, clock)
    worker.run_once()
    (dead_id,) = [d.id for d in deliveries.list_deliveries(uow, store_id, sub.id, None, 10).items]
    subscriptions.update_subscription(
        uow, store_id, sub.id, SubscriptionChanges(url=receiver.url("/new")), ALLOW_LOOPBACK,
        clock.now(),
    )  # fmt: skip

    queued = deliveries.replay_delivery(uow, store_id, sub.id, dead_id, clock.now())
    worker.run_once()

    assert (queued.status, queued.attempts, queued.next_attempt_at) == ("pending", 0, clock.now())
    old, new = receiver.received
    assert (old.path, new.path) == ("/old", "/new")
    assert old.webhook_id == new.webhook_id == f"msg_{dead_id}"
    detail = deliveries.get_delivery(uow, store_id, sub.id, dead_id)
    assert detail.delivery.status == "delivered"
    assert [(a.status_code, a.is_success) for a in detail.attempts] == [(410, False), (200, True)]


def test_bulk_replay_sends_dead_and_cancelled_deliveries_since_a_time(
    uow, store_id, clock, receiver, worker, sender
):
    sub = create(uow, store_id, clock, receiver.url("/hook")).subscription
    receiver.answer("/hook", 410)
    emit(uow, store_id, clock)  # dies before `since`
    worker.run_once()
    clock.current += timedelta(hours=1)
    since = clock.now()
    receiver.answer("/hook", 410, 410)
    emit(uow, store_id, clock, count=2)
    worker.run_once()
    receiver.answer("/hook", 500)
    send_test_event(uow, store_id, sub.id, sender, Actor("staff", "ann"), clock)  # not replayed

    replayed = deliveries.replay_deliveries(uow, store_id, sub.id, since, clock.now())
    worker.run_once()

    assert replayed == 2
    assert statuses(uow, sub.id) == ["dead", "delivered", "delivered", "dead"]


def test_replaying_to_a_disabled_subscription_is_refused(uow, store_id, clock):
    sub = create(uow, store_id, clock, "http://127.0.0.1:1/x").subscription
    subscriptions.update_subscription(
        uow, store_id, sub.id, SubscriptionChanges(is_active=False), ALLOW_LOOPBACK, clock.now()
    )

    with pytest.raises(SubscriptionDisabled):
        deliveries.replay_deliveries(uow, store_id, sub.id, None, clock.now())


# -- test-send --------------------------------------------------------------------------------


def test_the_test_send_delivers_now_to_that_subscription_only_and_records_the_attempt(
    uow, store_id, clock, receiver, sender
):
    created = create(uow, store_id, clock, receiver.url("/one"))
    create(uow, store_id, clock, receiver.url("/other"))
    receiver.respond_with("/one", b'{"thanks": true}')

    result = send_test_event(
        uow, store_id, created.subscription.id, sender, Actor("staff", "ann"), clock
    )

    (request,) = receiver.received
    body = verified(request, created.secret)
    assert (request.path, body["type"], body["data"]["webhook_id"]) == (
        "/one",
        "webhook.test",
        created.subscription.id,
    )
    assert (result.is_success, result.status_code, result.response_excerpt, result.error) == (
        True,
        200,
        '{"thanks": true}',
        "",
    )
    assert request.webhook_id == f"msg_{result.delivery_id}"
    detail = deliveries.get_delivery(uow, store_id, created.subscription.id, result.delivery_id)
    assert (detail.delivery.event_type, detail.delivery.status, len(detail.attempts)) == (
        "webhook.test",
        "delivered",
        1,
    )


def test_a_failing_test_send_reports_the_failure_and_is_not_retried(
    uow, store_id, clock, receiver, sender, worker
):
    sub = create(uow, store_id, clock, receiver.url("/down")).subscription
    receiver.answer("/down", 503)

    result = send_test_event(uow, store_id, sub.id, sender, Actor("staff", "ann"), clock)
    clock.current += timedelta(days=1)

    assert (result.is_success, result.status_code, result.error) == (False, 503, "HTTP 503")
    assert worker.run_once() == 0
    assert statuses(uow, sub.id) == ["dead"]


def test_the_cli_replays_dead_deliveries_to_the_current_url_but_not_to_disabled_ones(
    uow, store_id, clock, receiver, worker, settings, monkeypatch
):
    from typer.testing import CliRunner

    from retour.cli import app
    from retour.settings import get_settings

    moved = create(uow, store_id, clock, receiver.url("/old")).subscription
    switched_off = create(uow, store_id, clock, receiver.url("/off")).subscription
    receiver.answer("/old", 410)
    receiver.answer("/off", 410)
    emit(uow, store_id, clock)
    worker.run_once()
    for sub, changes in (
        (moved, SubscriptionChanges(url=receiver.url("/new"))),
        (switched_off, SubscriptionChanges(is_active=False)),
    ):
        subscriptions.update_subscription(
            uow, store_id, sub.id, changes, ALLOW_LOOPBACK, clock.now()
        )
    monkeypatch.setenv("RETOUR_DATABASE_URL", settings.effective_database_url)
    monkeypatch.setenv("RETOUR_DATA_DIR", str(settings.data_dir))
    get_settings.cache_clear()

    result = CliRunner().invoke(app, ["outbox", "replay", "--store", "acme"])
    get_settings.cache_clear()
    clock.current = datetime.now(UTC) + timedelta(seconds=1)  # the CLI queues for "now"
    worker.run_once()

    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "1 deliveries queued again"
    paths = [r.path for r in receiver.received]
    assert (sorted(paths[:2]), paths[2:]) == (["/off", "/old"], ["/new"])
    assert (statuses(uow, moved.id), statuses(uow, switched_off.id)) == (["delivered"], ["dead"])


def test_a_queued_delivery_of_a_subscription_disabled_meanwhile_is_not_sent(
    uow, store_id, clock, receiver, worker
):
    sub = create(uow, store_id, clock, receiver.url("/hook")).subscription
    emit(uow, store_id, clock)
    with uow:  # as if switched off between the claim's read and the send
        uow.session.get(WebhookSubscription, sub.id).is_active = False
        uow.commit()

    worker.run_once()

    assert receiver.received == []
    with uow:
        row = uow.session.scalars(select(Delivery)).one()
    assert (row.status, row.last_error) == ("dead", "the subscription is disabled")

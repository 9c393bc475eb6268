"""The daily digest's "Unusual returns": the anomaly alerts of the seven days up to yesterday
in the store's calendar, in the payload and in the e-mail staff receive."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from retour.db.models import Event, Store
from retour.db.unit_of_work import UnitOfWork
from retour.notifications import digest_anomalies
from retour.notifications.digest import DigestOutcome, queue_daily_digests
from retour.notifications.sender import email_sender_from_settings
from retour.services.outbox.worker import Worker, WorkerSettings
from retour.services.reports import rollups
from retour.services.stores import create_staff_user
from tests.support.report_rows import Asked, Item, ReportRows

OWNER = "owner@maison.example"
#: 08:30 on 10 June in Paris: the digest of 10 June looks at 3 … 9 June, its baseline at the
#: 90 days before (5 March … 2 June).
MORNING = datetime(2026, 6, 10, 6, 30, tzinfo=UTC)
BASELINE_DAY = datetime(2026, 4, 15, 10, tzinfo=UTC)
WEEK_DAY = datetime(2026, 6, 5, 10, tzinfo=UTC)
QUEUE = "http://127.0.0.1:8000/backoffice/returns"
FOOTER = (f"Back office: {QUEUE}", "", "--", "A notification from Retour for the team of Maison.")


@pytest.fixture
def worker(settings, session_factory, smtp, clock) -> Worker:
    mail_settings = settings.model_copy(
        update={"smtp_host": smtp.host, "smtp_port": smtp.port, "smtp_security": "none"}
    )
    sender = email_sender_from_settings(mail_settings, session_factory, clock)
    return Worker(lambda: UnitOfWork(session_factory), {"email": sender}, clock, WorkerSettings())


@pytest.fixture
def shop(uow, clock) -> ReportRows:
    """A Paris store whose owner gets the digest; nothing waits for review, no refund failed,
    no parcel is overdue."""
    rows = ReportRows.for_store(uow, clock.now(), "Europe/Paris", slug="maison")
    create_staff_user(
        uow, store_slug="maison", email=OWNER, password="correct horse battery",
        role="owner", now=clock.now(),
    )  # fmt: skip
    clock.current = MORNING
    return rows


def sold_and_returned(rows: ReportRows, sku: str, baseline: int, week: int, reason: str) -> None:
    """300 units of `sku` sold in the baseline and 100 in the week, with `baseline` and `week`
    units of them returned for `reason`: the week's expected returns are `baseline` ÷ 3."""
    for placed_at, units, returned in ((BASELINE_DAY, 300, baseline), (WEEK_DAY, 100, week)):
        order = rows.order(placed_at, [Item(sku, units, 4900)])
        for index in range(returned):
            rows.return_(order, placed_at + timedelta(minutes=index), [Asked(0, 1, reason)])


def payload(uow) -> dict:
    with uow:
        return uow.session.scalars(
            select(Event.payload).where(Event.name == "staff.digest_queued")
        ).one()


def test_a_sku_coming_back_unusually_often_is_in_the_digest_with_a_link_to_its_returns(
    uow, shop, smtp, worker
):
    sold_and_returned(shop, "LINEN-M", baseline=6, week=12, reason="too_small")
    # 00:30 on 10 June in Paris: today's, not the week's.
    late = shop.order(datetime(2026, 6, 9, 22, 30, tzinfo=UTC), [Item("LINEN-M", 5, 4900)])
    for _ in range(5):
        shop.return_(late, datetime(2026, 6, 9, 22, 30, tzinfo=UTC), [Asked(0, 1, "too_small")])

    outcome = queue_daily_digests(shop.uow, MORNING)
    worker.run_once()

    assert outcome == [DigestOutcome("maison", "queued", 1)]
    assert payload(uow)["unusual_returns"] == {
        "count": 1,
        "from": "2026-06-03",
        "to": "2026-06-09",
        "baseline_days": 90,
        "anomalies": [
            {
                "sku": "LINEN-M",
                "title": "LINEN-M title",
                "reason_code": "too_small",
                "reason_label": "Too small",
                "returns": 12,
                "expected_returns": 2.0,
                "ratio": 6.0,
            }
        ],
    }
    [mail] = smtp.to(OWNER)
    assert mail.subject == "Returns digest for June 10, 2026: 0 to review"
    assert mail.text.splitlines() == [
        "Returns digest, June 10, 2026",
        "",
        "Waiting for review: 0",
        "",
        "Failed refunds: 0",
        "",
        "Overdue parcels: 0",
        "",
        "Unusual returns, June 3, 2026 to June 9, 2026: 1",
        "Products coming back for one reason far more often than their own history predicts.",
        '- LINEN-M, LINEN-M title, "Too small": 6.0× its 90-day rate, 12 returns',
        f"  {QUEUE}?q=LINEN-M&reason=too_small&from=2026-06-03&to=2026-06-09",
        "",
        *FOOTER,
    ]


def test_the_digest_lists_the_strongest_anomalies_and_counts_them_all(
    uow, shop, smtp, worker, monkeypatch
):
    monkeypatch.setattr(digest_anomalies, "LISTED_ANOMALIES", 1)
    sold_and_returned(shop, "LINEN-M", baseline=6, week=10, reason="too_small")
    sold_and_returned(shop, "CHINO-32", baseline=3, week=9, reason="damaged")

    queue_daily_digests(shop.uow, MORNING)
    worker.run_once()

    section = payload(uow)["unusual_returns"]
    assert (section["count"], [item["sku"] for item in section["anomalies"]]) == (2, ["CHINO-32"])
    [mail] = smtp.to(OWNER)
    lines = mail.text.splitlines()
    start = lines.index("Unusual returns, June 3, 2026 to June 9, 2026: 2")
    assert lines[start + 2 : start + 5] == [
        '- CHINO-32, CHINO-32 title, "Arrived damaged": 9.0× its 90-day rate, 9 returns',
        f"  {QUEUE}?q=CHINO-32&reason=damaged&from=2026-06-03&to=2026-06-09",
        "- … and 1 more",
    ]


def test_the_digest_queues_when_the_report_folds_its_rollups_first(uow, shop, monkeypatch):
    # The fold commits in a transaction of its own: under the store's lock (SQLite's writer
    # lock) it would wait for the digest's own transaction and fail.
    monkeypatch.setattr(rollups, "FOLD_AFTER", 0)
    sold_and_returned(shop, "LINEN-M", baseline=6, week=12, reason="too_small")

    assert queue_daily_digests(shop.uow, MORNING) == [DigestOutcome("maison", "queued", 1)]
    assert payload(uow)["unusual_returns"]["count"] == 1


def test_the_section_is_written_in_the_stores_language(uow, shop, smtp, worker):
    with uow:
        store = uow.session.get(Store, shop.store_id)
        assert store is not None
        store.locale = "fr"
        uow.commit()
    sold_and_returned(shop, "LINEN-M", baseline=6, week=12, reason="too_small")

    queue_daily_digests(shop.uow, MORNING)
    worker.run_once()

    [mail] = smtp.to(OWNER)
    lines = mail.text.splitlines()
    start = lines.index("Retours inhabituels du 3 juin 2026 au 9 juin 2026\u00a0: 1")
    assert lines[start + 1 : start + 4] == [
        "Des produits renvoyés pour un même motif bien plus souvent que leur historique ne le "
        "laisse prévoir.",
        "- LINEN-M, LINEN-M title, «\u00a0Too small\u00a0»\u00a0: 6,0× son taux des 90 jours "
        "précédents, 12 retours",
        f"  {QUEUE}?q=LINEN-M&reason=too_small&from=2026-06-03&to=2026-06-09",
    ]


def test_without_anomalies_the_section_is_empty_and_alone_it_is_nothing_to_report(
    uow, shop, smtp, worker
):
    # Twice the baseline's rate, but few enough for chance.
    sold_and_returned(shop, "LINEN-M", baseline=9, week=6, reason="too_small")

    quiet = queue_daily_digests(shop.uow, MORNING)
    asked = queue_daily_digests(shop.uow, MORNING, send_empty=True)
    worker.run_once()

    assert (quiet, asked) == (
        [DigestOutcome("maison", "nothing_to_report")],
        [DigestOutcome("maison", "queued", 1)],
    )
    assert payload(uow)["unusual_returns"] == {
        "count": 0,
        "from": "2026-06-03",
        "to": "2026-06-09",
        "baseline_days": 90,
        "anomalies": [],
    }
    [mail] = smtp.to(OWNER)
    assert mail.text.splitlines() == [
        "Returns digest, June 10, 2026",
        "",
        "Nothing is waiting for you today.",
        "",
        "Waiting for review: 0",
        "",
        "Failed refunds: 0",
        "",
        "Overdue parcels: 0",
        "",
        *FOOTER,
    ]

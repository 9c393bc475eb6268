"""The staff's daily digest: what waits for them today, and the SKU × reason pairs that came
back unusually often over the week to yesterday, queued as e-mails for the worker.

`retour worker` (and the worker inside `retour serve`) queues it by itself each morning,
store time (`queue_due_digests`: from 08:00 until noon, as soon as there is something to
report); `retour notifications digest` queues it at once, e.g. from cron. Running either again
the same day queues nothing more. A digest is an event (`staff.digest_queued`, with today's
figures as its payload) and one delivery per staff member, written in one transaction under
the store's row lock, so two runs at once cannot both queue one. It is not fanned out to
webhooks: it is a message to staff, not a change integrations need to hear about.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select, update

from retour.db.models import Delivery, Event, NotificationSetting, RefundRow, ReturnRow, Store
from retour.db.repositories.outbox_fanout import STAFF_FANOUT
from retour.db.unit_of_work import UnitOfWork
from retour.notifications.digest_anomalies import unusual_returns
from retour.notifications.formatting import zone

DIGEST_EVENT = "staff.digest_queued"
DIGEST_KIND = "staff_daily_digest"
#: Returns and refunds listed per section; the counts are always complete.
LISTED = 20
_AWAITING_PARCEL = ("approved", "in_transit")
#: Store-local hours in which workers queue the digest by themselves: a morning e-mail.
MORNING = range(8, 12)


@dataclass(frozen=True)
class DigestOutcome:
    store_slug: str
    #: queued, already_queued (today), switched_off, nothing_to_report or no_recipients
    #: (no active owner, admin or agent).
    result: str
    recipients: int = 0


def queue_daily_digests(
    uow: UnitOfWork, now: datetime, store_slug: str | None = None, send_empty: bool = False
) -> list[DigestOutcome]:
    """Queue today's digest (in each store's timezone) for every store, or one."""
    with uow:
        statement = select(Store.id, Store.slug).order_by(Store.id)
        if store_slug is not None:
            statement = statement.where(Store.slug == store_slug)
        stores = uow.session.execute(statement).all()
    return [_queue_one(uow, store_id, slug, now, send_empty) for store_id, slug in stores]


def queue_due_digests(uow: UnitOfWork, now: datetime) -> list[DigestOutcome]:
    """What workers run every few minutes: today's digest for the stores where it is morning
    (MORNING, store time) and none was queued today."""
    with uow:
        stores = uow.session.execute(
            select(Store.id, Store.slug, Store.timezone).order_by(Store.id)
        ).all()
    return [
        _queue_one(uow, store_id, slug, now, send_empty=False)
        for store_id, slug, timezone in stores
        if now.astimezone(zone(timezone)).hour in MORNING
    ]


def _queue_one(
    uow: UnitOfWork, store_id: int, slug: str, now: datetime, send_empty: bool
) -> DigestOutcome:
    with uow:  # reads only, so workers' runs every few minutes stay cheap once it is queued
        today, skip = _today_and_skip(uow, store_id, now)
    if skip is not None:
        return DigestOutcome(slug, skip)
    # Before the store's lock, which on SQLite is the writer lock: the report may fold
    # rollups in a transaction of its own, which would wait behind it.
    unusual = unusual_returns(uow, store_id, today)
    with uow:
        session = uow.session
        _lock_store(uow, store_id)
        _, skip = _today_and_skip(uow, store_id, now)  # another run may have queued it meanwhile
        if skip is not None:
            return DigestOutcome(slug, skip)
        figures = {**_figures(uow, store_id, now), "unusual_returns": unusual}
        if not send_empty and not any(section["count"] for section in figures.values()):
            return DigestOutcome(slug, "nothing_to_report")
        event = Event(
            store_id=store_id,
            name=DIGEST_EVENT,
            actor="system",
            occurred_at=now,
            payload={"date": today.isoformat(), **figures},
        )
        session.add(event)
        session.flush()
        session.connection().execute(
            STAFF_FANOUT,
            {"store_id": store_id, "event_id": event.id, "now": now, "kind": DIGEST_KIND},
        )
        recipients = _count(
            uow, select(func.count()).select_from(Delivery).where(Delivery.event_id == event.id)
        )
        if recipients == 0:
            return DigestOutcome(slug, "no_recipients")  # leaving the block rolls back
        uow.commit()
        return DigestOutcome(slug, "queued", recipients)


def _figures(uow: UnitOfWork, store_id: int, now: datetime) -> dict[str, dict[str, Any]]:
    session = uow.session
    waiting = (ReturnRow.store_id == store_id, ReturnRow.status == "requested")
    overdue = (
        ReturnRow.store_id == store_id,
        ReturnRow.status.in_(_AWAITING_PARCEL),
        ReturnRow.expires_at < now,
    )
    failed = (RefundRow.store_id == store_id, RefundRow.status == "failed")
    review_rows = session.execute(
        select(ReturnRow.number, ReturnRow.status, ReturnRow.customer_email, ReturnRow.created_at)
        .where(*waiting)
        .order_by(ReturnRow.created_at, ReturnRow.id)
        .limit(LISTED)
    ).all()
    overdue_rows = session.execute(
        select(ReturnRow.number, ReturnRow.status, ReturnRow.customer_email, ReturnRow.expires_at)
        .where(*overdue)
        .order_by(ReturnRow.expires_at, ReturnRow.id)
        .limit(LISTED)
    ).all()
    refund_rows = session.execute(
        select(ReturnRow.number, RefundRow.amount, RefundRow.currency, RefundRow.failure_message)
        .join(ReturnRow, ReturnRow.id == RefundRow.return_id)
        .where(*failed)
        .order_by(RefundRow.id)
        .limit(LISTED)
    ).all()
    return {
        "review": {
            "count": _count(uow, select(func.count()).select_from(ReturnRow).where(*waiting)),
            "returns": [_listed(row) for row in review_rows],
        },
        "overdue": {
            "count": _count(uow, select(func.count()).select_from(ReturnRow).where(*overdue)),
            "returns": [_listed(row) for row in overdue_rows],
        },
        "failed_refunds": {
            "count": _count(uow, select(func.count()).select_from(RefundRow).where(*failed)),
            "refunds": [
                {
                    "number": number,
                    "amount": amount,
                    "currency": currency,
                    "failure_message": message[:300],
                }
                for number, amount, currency, message in refund_rows
            ],
        },
    }


def _listed(row: Any) -> dict[str, Any]:
    number, status, email, moment = row
    return {
        "number": number,
        "status": status,
        "customer_email": email,
        "date": moment.isoformat() if moment else None,
    }


def _count(uow: UnitOfWork, statement: Any) -> int:
    return int(uow.session.execute(statement).scalar_one())


def _today_and_skip(uow: UnitOfWork, store_id: int, now: datetime) -> tuple[date, str | None]:
    """Today in the store's calendar, and why its digest is not to be queued (None: it is)."""
    session = uow.session
    store = session.get(Store, store_id)
    assert store is not None
    tz = zone(store.timezone)
    today = now.astimezone(tz).date()
    last = session.execute(
        select(Event.occurred_at)
        .where(Event.store_id == store_id, Event.name == DIGEST_EVENT)
        .order_by(Event.id.desc())
        .limit(1)
    ).scalar()
    if last is not None and last.astimezone(tz).date() == today:
        return today, "already_queued"
    if _switched_off(uow, store_id):
        return today, "switched_off"
    return today, None


def _switched_off(uow: UnitOfWork, store_id: int) -> bool:
    enabled = uow.session.execute(
        select(NotificationSetting.is_enabled).where(
            NotificationSetting.store_id == store_id, NotificationSetting.kind == DIGEST_KIND
        )
    ).scalar()
    return enabled is False


def _lock_store(uow: UnitOfWork, store_id: int) -> None:
    """Hold the store's row until commit, so concurrent runs for one store take turns."""
    session = uow.session
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(Store.id).where(Store.id == store_id).with_for_update())
    else:  # SQLite: a no-op write takes the database's writer lock
        session.execute(
            update(Store)
            .where(Store.id == store_id)
            .values(id=Store.id)
            .execution_options(synchronize_session=False)
        )

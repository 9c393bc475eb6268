"""The back office's home: what needs action now, and today's activity."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from retour.db.models import Event, ReturnRow
from retour.db.unit_of_work import UnitOfWork
from retour.domain.staff import Permission, StaffMember, ensure_permitted
from retour.services.backoffice.queue import attention_counts

RECENT_EVENTS = 15


@dataclass(frozen=True)
class Activity:
    number: str
    name: str
    actor: str
    occurred_at: datetime


@dataclass(frozen=True)
class Home:
    attention: dict[str, int]
    #: Events of the store since midnight, store time, by name.
    today: dict[str, int]
    recent: list[Activity]


def home(uow: UnitOfWork, staff: StaffMember, now: datetime) -> Home:
    ensure_permitted(staff, Permission.VIEW_RETURNS)
    midnight = datetime.combine(now.astimezone(ZoneInfo(staff.timezone)).date(), time.min)
    since = midnight.replace(tzinfo=ZoneInfo(staff.timezone))
    with uow:
        today = uow.session.execute(
            select(Event.name, func.count())
            .where(Event.store_id == staff.store_id, Event.occurred_at >= since)
            .group_by(Event.name)
            .order_by(Event.name)
        )
        recent = uow.session.execute(
            select(ReturnRow.number, Event.name, Event.actor, Event.occurred_at)
            .join(ReturnRow, ReturnRow.id == Event.return_id)
            .where(Event.store_id == staff.store_id)
            .order_by(Event.id.desc())
            .limit(RECENT_EVENTS)
        )
        found = Home(
            attention_counts(uow, staff.store_id, now),
            {name: count for name, count in today},
            [Activity(*row) for row in recent],
        )
        uow.commit()  # the status tallies may have been folded
        return found

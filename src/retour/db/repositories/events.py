"""The event stream: one row per thing that happened, written in the use case's transaction."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import cast

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from retour.db.models import Event
from retour.db.repositories.outbox_fanout import StoredEvent, fan_out
from retour.domain.events import DomainEvent

EVENTS = cast(Table, Event.__table__)
INSERT_EVENTS = insert(EVENTS).returning(EVENTS.c.id, sort_by_parameter_order=True)


class EventRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def append(
        self,
        events: Iterable[DomainEvent],
        *,
        store_id: int,
        actor: str,
        occurred_at: datetime,
        return_id: int | None = None,
        order_id: int | None = None,
    ) -> None:
        events_list = list(events)
        rows = [
            {
                "store_id": store_id,
                "name": event.name,
                "actor": actor,
                "occurred_at": occurred_at,
                "return_id": return_id,
                "order_id": order_id,
                "payload": event.payload,
            }
            for event in events_list
        ]
        if not rows:
            return
        # The events are the outbox: their deliveries are created in this same transaction.
        ids = self.session.connection().execute(INSERT_EVENTS, rows).scalars().all()
        stored = [
            StoredEvent(event_id, store_id, event.name, return_id)
            for event_id, event in zip(ids, events_list, strict=True)
        ]
        fan_out(self.session.connection(), stored, occurred_at)

"""The store's events, for integrations that poll instead of receiving webhooks."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from retour.web.api.deps import Api
from retour.web.api.schemas import EventPublic
from retour.web.api.webhook_schemas import EventPage
from retour.webhooks.feed import list_events

router = APIRouter(prefix="/events", tags=["events"])


@router.get("", response_model=EventPage)
def list_events_route(
    api: Api,
    event_type: Annotated[
        str | None,
        Query(alias="type", max_length=100, description="`return.approved`, or `return.*`"),
    ] = None,
    return_id: int | None = None,
    after: Annotated[int | None, Query(ge=0, description="only events with a higher id")] = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 100,
) -> EventPage:
    """Oldest first. Poll with `after=<the last id you saw>`; events show here 5 s after
    they happen (so that none committed late is ever skipped)."""
    page = list_events(
        api.uow(), api.store_id, api.clock.now(), cursor, limit, event_type, return_id, after
    )
    return EventPage(
        items=[EventPublic.model_validate(event) for event in page.items],
        next_cursor=page.next_cursor,
    )

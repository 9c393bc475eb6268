"""What a webhook carries: `{type, timestamp, data}`, and the id receivers deduplicate on."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from retour.db.repositories.outbox import Job


def message_id(delivery_id: int) -> str:
    """`webhook-id`: one per delivery, the same on every retry and replay of it."""
    return f"msg_{delivery_id}"


def iso_timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def event_data(job: Job) -> dict[str, Any]:
    """The event's payload with the ids of what it is about."""
    return {
        **job.event_payload,
        "event_id": job.event_id,
        "return_id": job.return_id,
        "order_id": job.order_id,
    }


def webhook_body(job: Job, resources: dict[str, Any] | None = None) -> bytes:
    """The exact bytes sent and signed (compact JSON, UTF-8); `resources` are the public
    forms of what the event is about (`return`, `order`), added to `data`."""
    document = {
        "type": job.event_name,
        "timestamp": iso_timestamp(job.occurred_at),
        "data": {**event_data(job), **(resources or {})},
    }
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()

"""The public form (as the API shows it) of what a webhook is about: the return, or else the
order. Read when the delivery is sent, so a retry carries the resource as it is then."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from retour.db.repositories.orders import OrderRepository
from retour.db.repositories.outbox import Job
from retour.db.repositories.returns import ReturnRepository
from retour.web.api.schemas import OrderPublic, ReturnPublic

#: Reads a job's resources: `{"return": {...}}`, `{"order": {...}}` or `{}`.
ResourceLoader = Callable[[Job], dict[str, Any]]


def database_resources(new_session: Callable[[], Session]) -> ResourceLoader:
    def load(job: Job) -> dict[str, Any]:
        if job.return_id is None and job.order_id is None:
            return {}
        with new_session() as session:
            if job.return_id is not None:
                ret = ReturnRepository(session).view(job.store_id, job.return_id)
                if ret is not None:
                    return {"return": ReturnPublic.from_domain(ret).model_dump(mode="json")}
            if job.order_id is not None:
                order = OrderRepository(session).get_row(job.store_id, job.order_id)
                if order is not None:
                    return {"order": OrderPublic.model_validate(order).model_dump(mode="json")}
        return {}

    return load


def no_resources(job: Job) -> dict[str, Any]:
    return {}

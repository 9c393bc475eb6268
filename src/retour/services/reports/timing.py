"""How long returns take: to the refund (from the request, from the parcel's receipt) and in
each stage, as medians and 90th percentiles ranked by the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Integer, literal, select, union_all
from sqlalchemy.sql.selectable import Select, Subquery

from retour.db.models import RefundRow, ReturnFact
from retour.db.unit_of_work import UnitOfWork
from retour.domain.reports.periods import Cohort
from retour.services.reports.scope import Scope, open_scope, return_fact_in_scope
from retour.services.reports.sql import Spans, percentile_hours, seconds_between

#: Each stage: its name and the milestones (columns of `_milestones`) it runs between.
STAGES = (
    ("requested_to_approved", "requested_at", "approved_at"),
    ("approved_to_received", "approved_at", "received_at"),
    ("received_to_inspected", "received_at", "inspected_at"),
    ("inspected_to_completed", "inspected_at", "completed_at"),
    ("requested_to_completed", "requested_at", "completed_at"),
)


#: Time to refund's two spans, in the order of their groups.
REFUND_SPANS = ("from_request", "from_receipt")
MILESTONE_COLUMNS = (
    "return_id", "requested_at", "approved_at", "received_at", "inspected_at", "completed_at",
)  # fmt: skip


@dataclass(frozen=True)
class Duration:
    """Hours a step took over `count` returns or refunds (None when there were none)."""

    name: str
    count: int
    median_hours: float | None
    p90_hours: float | None


def time_to_refund(
    uow: UnitOfWork, store_id: int, first_day: date, last_day: date, cohort: Cohort
) -> list[Duration]:
    """Succeeded refunds of the returns in scope: hours from the request, and from the first
    receipt (refunds paid before the parcel arrived are left out of the latter)."""
    with uow:
        scope = open_scope(uow, store_id, first_day, last_day, cohort)
        milestones = _milestones(scope)
        refunds = (
            select(
                RefundRow.succeeded_at,
                milestones.c.requested_at,
                milestones.c.received_at,
            )
            .join(milestones, milestones.c.return_id == RefundRow.return_id)
            .where(RefundRow.store_id == store_id, RefundRow.status == "succeeded")
            .subquery()
        )
        spans = union_all(
            select(
                literal(0, Integer).label("group"),
                seconds_between(refunds.c.requested_at, refunds.c.succeeded_at).label("seconds"),
            ),
            select(
                literal(1, Integer).label("group"),
                seconds_between(refunds.c.received_at, refunds.c.succeeded_at).label("seconds"),
            ).where(refunds.c.received_at <= refunds.c.succeeded_at),
        ).subquery()
        found = percentile_hours(uow.session, spans)
    return [_duration(name, found.get(group)) for group, name in enumerate(REFUND_SPANS)]


def stage_times(
    uow: UnitOfWork, store_id: int, first_day: date, last_day: date, cohort: Cohort
) -> list[Duration]:
    """Hours between the milestones of the returns in scope, stage by stage (each stage over
    the returns that reached its end)."""
    with uow:
        scope = open_scope(uow, store_id, first_day, last_day, cohort)
        milestones = _milestones(scope)
        parts: list[Select[int, float]] = [
            select(
                literal(group, Integer).label("group"),
                seconds_between(milestones.c[start], milestones.c[end]).label("seconds"),
            ).where(milestones.c[start].is_not(None), milestones.c[end].is_not(None))
            for group, (_, start, end) in enumerate(STAGES)
        ]
        found = percentile_hours(uow.session, union_all(*parts).subquery())
    return [_duration(name, found.get(group)) for group, (name, _, _) in enumerate(STAGES)]


def _milestones(scope: Scope) -> Subquery:
    """One row per return in scope: when it was requested and first reached each milestone
    (the return's fact row: migration 0014 keeps the first event of each milestone)."""
    fact = ReturnFact
    return (
        select(*(getattr(fact, column) for column in MILESTONE_COLUMNS))
        .where(return_fact_in_scope(scope, counted_only=False))
        .subquery()
    )


def _duration(name: str, spans: Spans | None) -> Duration:
    if spans is None:
        return Duration(name, 0, None, None)
    return Duration(name, spans.count, spans.hours.get(50), spans.hours.get(90))

"""The database keeps a running count of returns per store and status (triggers of migration
0009): every way a return is written moves it, and folding the tallies keeps the sums."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, insert, select, text, update

from retour.db.models import ReturnRow, ReturnStatusTally
from retour.services import returns as use_cases
from retour.services.backoffice import tallies
from retour.services.backoffice.tallies import fold_tallies, status_counts
from tests.factories import STAFF, import_sample_order, make_store
from tests.integration.test_lifecycle import request

ZERO = {
    "requested": 0, "needs_info": 0, "approved": 0, "rejected": 0, "in_transit": 0,
    "partially_received": 0, "received": 0, "inspected": 0, "completed": 0, "cancelled": 0,
    "expired": 0,
}  # fmt: skip


def counts(uow, store_id: int) -> dict[str, int]:
    with uow:
        found = status_counts(uow, store_id)
        uow.commit()
    return {status: count for status, count in found.items() if count}


def counted_by_hand(uow, store_id: int) -> dict[str, int]:
    with uow:
        rows = uow.session.execute(
            select(ReturnRow.status, func.count())
            .where(ReturnRow.store_id == store_id)
            .group_by(ReturnRow.status)
        )
        return dict(rows.all())


def test_requests_reviews_and_cancellations_move_the_counts(uow, clock):
    store_id = make_store(uow, clock)
    other = make_store(uow, clock, slug="other")
    order = import_sample_order(uow, store_id, clock).order
    first = request(uow, store_id, order, clock, quantities=(1, 0))
    second = request(uow, store_id, order, clock, quantities=(1, 0))
    request(uow, other, import_sample_order(uow, other, clock).order, clock)
    assert counts(uow, store_id) == {"requested": 2}

    use_cases.approve_return(uow, store_id, first.id, STAFF, clock.now())
    assert counts(uow, store_id) == {"requested": 1, "approved": 1}
    use_cases.cancel_return(uow, store_id, first.id, STAFF, clock.now())
    use_cases.reject_return(uow, store_id, second.id, STAFF, clock.now(), "worn")
    assert counts(uow, store_id) == {"cancelled": 1, "rejected": 1}
    assert counts(uow, other) == {"requested": 1}
    with uow:
        assert status_counts(uow, store_id) == ZERO | {"cancelled": 1, "rejected": 1}


def test_writes_outside_the_services_are_counted_too(uow, clock):
    """A bulk load, a raw update and a delete, as a migration or an operator might write."""
    store_id = make_store(uow, clock)
    order = import_sample_order(uow, store_id, clock).order
    kept = request(uow, store_id, order, clock, quantities=(1, 0))
    table = ReturnRow.__table__
    with uow:
        row = dict(uow.session.execute(select(table).where(table.c.id == kept.id)).one()._mapping)
        copies = [row | {"id": kept.id + n, "number": f"R-9{n}"} for n in (1, 2, 3)]
        uow.session.execute(insert(table), copies)
        uow.session.execute(
            update(ReturnRow).where(ReturnRow.id == kept.id).values(status="completed")
        )
        uow.session.execute(delete(ReturnRow).where(ReturnRow.id == kept.id + 3))
        uow.session.execute(  # a status written again unchanged moves nothing
            update(ReturnRow).where(ReturnRow.id == kept.id).values(status="completed")
        )
        uow.commit()
    assert counts(uow, store_id) == {"requested": 2, "completed": 1}
    assert counts(uow, store_id) == counted_by_hand(uow, store_id)


def test_folding_keeps_the_sums_in_one_row_per_status(uow, clock, monkeypatch):
    store_id = make_store(uow, clock)
    order = import_sample_order(uow, store_id, clock).order
    made = [request(uow, store_id, order, clock, quantities=(1, 0)) for _ in range(2)]
    use_cases.approve_return(uow, store_id, made[0].id, STAFF, clock.now())
    with uow:
        rows = uow.session.scalar(select(func.count()).select_from(ReturnStatusTally))
    assert rows == 4  # +1 requested, +1 requested, −1 requested, +1 approved

    monkeypatch.setattr(tallies, "FOLD_AFTER", 1)
    assert counts(uow, store_id) == {"requested": 1, "approved": 1}
    with uow:
        folded = uow.session.execute(
            select(ReturnStatusTally.status, ReturnStatusTally.change).order_by(
                ReturnStatusTally.status
            )
        ).all()
    assert folded == [("approved", 1), ("requested", 1)]

    use_cases.approve_return(uow, store_id, made[1].id, STAFF, clock.now())
    with uow:
        fold_tallies(uow, store_id)
        uow.commit()
        folded = uow.session.execute(select(ReturnStatusTally.status, ReturnStatusTally.change))
        assert folded.all() == [("approved", 2)]  # a status summing to zero keeps no row
    assert counts(uow, store_id) == {"approved": 2}


@pytest.mark.postgres_only
def test_a_fold_is_skipped_while_another_holds_the_store_s_fold_lock(uow, clock, engine):
    store_id = make_store(uow, clock)
    order = import_sample_order(uow, store_id, clock).order
    for _ in range(2):
        request(uow, store_id, order, clock, quantities=(1, 0))
    with engine.connect() as other:  # another page, folding right now
        other.execute(
            text("SELECT pg_advisory_xact_lock(:key, :store)"),
            {"key": tallies.FOLD_LOCK, "store": store_id},
        )
        with uow:
            fold_tallies(uow, store_id)
            uow.commit()
        other.rollback()
    with uow:
        rows = uow.session.scalar(select(func.count()).select_from(ReturnStatusTally))
    assert rows == 2  # left as they were
    with uow:
        fold_tallies(uow, store_id)
        uow.commit()
        folded = uow.session.execute(select(ReturnStatusTally.status, ReturnStatusTally.change))
        assert folded.all() == [("requested", 2)]

"""How a simulation reads history: a customer's record at a moment (CustomerRecord) is what
`customer_history` gives, and chunks read ahead by another thread arrive in order, carry the
reader's failure over, and stop the reader when judging stops."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retour.db.repositories.policy_facts import CustomerOrder, CustomerReturn
from retour.services.policy.inputs import customer_history
from retour.services.policy.simulation import _read_ahead
from retour.services.policy.simulation_history import CustomerRecord

START = datetime(2026, 1, 1, tzinfo=UTC)
# Few distinct instants, so that orders, returns and the moment asked about often coincide.
MOMENTS = st.integers(0, 6).map(lambda days: START + timedelta(days=days))
ORDERS = st.lists(
    st.builds(CustomerOrder, st.integers(1, 50), MOMENTS, st.integers(0, 4)), max_size=8
)


@st.composite
def returns(draw: st.DrawFn) -> list[CustomerReturn]:
    ids = draw(st.lists(st.integers(1, 30), unique=True, max_size=8))
    return [
        CustomerReturn(
            return_id,
            draw(st.integers(1, 50)),
            draw(MOMENTS),
            draw(st.integers(0, 3)),
            draw(st.one_of(st.none(), st.integers(0, 30))),
        )
        for return_id in ids
    ]


@settings(max_examples=300, deadline=None)
@given(ORDERS, returns(), MOMENTS, st.integers(0, 31))
def test_a_customer_s_record_at_a_moment_is_what_customer_history_gives(
    orders, past_returns, moment, judged_id
):
    record = CustomerRecord(orders, past_returns)

    assert record.as_of(moment, judged_id) == customer_history(
        orders, past_returns, as_of=moment, exclude_return_id=judged_id
    )


def test_a_customer_without_orders_or_returns_has_an_empty_record():
    history = CustomerRecord([], []).as_of(START, 1)

    assert (history.orders_count, history.items_bought, history.items_returned) == (0, 0, 0)
    assert history.returns == ()


def test_chunks_read_ahead_arrive_in_order():
    assert list(_read_ahead(iter(["first", "second", "third"]))) == [
        "first",
        "second",
        "third",
    ]


def test_a_failure_of_the_reader_is_raised_where_the_chunks_are_judged():
    def chunks() -> Iterator[Any]:
        yield "first"
        raise RuntimeError("the database went away")

    judged = []
    with pytest.raises(RuntimeError, match="the database went away"):
        for chunk in _read_ahead(chunks()):
            judged.append(chunk)

    assert judged == ["first"]


def test_when_judging_stops_the_reader_stops_and_reads_no_further():
    read: list[int] = []

    def chunks() -> Iterator[Any]:
        for number in range(100):
            read.append(number)
            yield number

    with pytest.raises(ValueError):
        for _chunk in _read_ahead(chunks()):
            raise ValueError("a bad return")

    # The one judged, the one waiting, and at most the one the reader held when told to stop.
    assert read[:2] == [0, 1]
    assert len(read) <= 3
    assert not [t for t in threading.enumerate() if t.name == "policy-simulation-reader"]


@pytest.mark.parametrize("chunks", [2, 3])
def test_when_judging_stops_at_the_last_chunks_the_reader_ends_too(chunks):
    with pytest.raises(ValueError):
        for _chunk in _read_ahead(iter(range(chunks))):
            raise ValueError("a bad return")

    assert not [t for t in threading.enumerate() if t.name == "policy-simulation-reader"]

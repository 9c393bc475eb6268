from hypothesis import given
from hypothesis import strategies as st

from retour.domain.money import allocate, currency_precision


def test_currency_precision_comes_from_cldr():
    assert [currency_precision(c) for c in ("JPY", "USD", "EUR", "KWD")] == [0, 2, 2, 3]


def test_allocate_gives_leftover_units_to_largest_remainders():
    assert allocate(100, [1, 1, 1]) == [34, 33, 33]
    assert allocate(1000, [3000, 1000]) == [750, 250]
    assert allocate(5, [0, 0]) == [5, 0]
    assert allocate(-100, [1, 1, 1]) == [-34, -33, -33]


@given(
    st.integers(min_value=-(10**9), max_value=10**9),
    st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=20),
)
def test_allocated_parts_always_add_up_to_the_whole(total, weights):
    parts = allocate(total, weights)
    assert sum(parts) == total
    assert len(parts) == len(weights)

"""The risk score: weighted yes/no signals, listed with their reasons, at most 100."""

from __future__ import annotations

from datetime import timedelta

import pytest

from retour.domain.policy import CustomerHistory, PastReturn
from retour.domain.policy.results import RiskSignalCode as S
from tests.unit.policy_builders import NOW, ask, item, order, policy, run

SHIRT_M = item(1, "SHIRT-M", product_id="shirt")
SHIRT_L = item(2, "SHIRT-L", product_id="shirt")
SHIRT_XL = item(3, "SHIRT-XL", product_id="shirt")
COAT = item(4, "COAT", product_id="coat", unit_price=50000, tax=10000)  # 600.00 paid
REGULAR = CustomerHistory(orders_count=6, items_bought=20, items_returned=2)


def history(**fields) -> CustomerHistory:
    values = {"orders_count": 6, "items_bought": 20, "items_returned": 2}
    values.update(fields)
    return CustomerHistory(**values)


def signals(evaluation) -> list[tuple[str, int]]:
    return [(signal.code.value, signal.weight) for signal in evaluation.risk.signals]


@pytest.mark.parametrize(
    ("the_order", "lines", "the_history", "fired"),
    [
        pytest.param(order(SHIRT_M), [ask(1)], REGULAR, [], id="none"),
        pytest.param(
            order(SHIRT_M, store_return_rate_bp=1500),
            [ask(1)],
            history(items_returned=6),
            [(S.SERIAL_RETURNER, 30)],
            id="serial-returner",
        ),
        pytest.param(
            order(SHIRT_M, store_return_rate_bp=1500),
            [ask(1)],
            history(items_returned=5),
            [],
            id="rate-just-under-twice",
        ),
        pytest.param(
            order(SHIRT_M, store_return_rate_bp=1500),
            [ask(1)],
            history(items_bought=4, items_returned=4),
            [],
            id="too-few-items-to-judge",
        ),
        pytest.param(
            order(SHIRT_M), [ask(1)], history(items_returned=15), [], id="store-rate-unknown"
        ),
        pytest.param(order(COAT), [ask(4)], REGULAR, [(S.HIGH_VALUE, 20)], id="high-value"),
        pytest.param(
            order(SHIRT_M, SHIRT_L, SHIRT_XL),
            [ask(1), ask(2), ask(3)],
            REGULAR,
            [(S.BRACKETING, 15)],
            id="bracketing",
        ),
        pytest.param(
            order(SHIRT_M, SHIRT_L, SHIRT_XL),
            [ask(1)],
            REGULAR,
            [],
            id="one-size-back",
        ),
        pytest.param(
            order(COAT),
            [ask(4)],
            history(orders_count=1),
            [(S.HIGH_VALUE, 20), (S.NEW_CUSTOMER, 20)],
            id="new-customer-high-value",
        ),
        pytest.param(
            order(SHIRT_M, return_country="de"),
            [ask(1)],
            REGULAR,
            [(S.ADDRESS_MISMATCH, 15)],
            id="address-mismatch",
        ),
        pytest.param(order(SHIRT_M, return_country="fr"), [ask(1)], REGULAR, [], id="same-country"),
        pytest.param(
            order(SHIRT_M),
            [ask(1)],
            history(returns=tuple(PastReturn(NOW - timedelta(days=days)) for days in (1, 3, 6))),
            [(S.VELOCITY, 20)],
            id="velocity",
        ),
        pytest.param(
            order(SHIRT_M),
            [ask(1)],
            history(returns=tuple(PastReturn(NOW - timedelta(days=days)) for days in (1, 3, 8))),
            [],
            id="slow",
        ),
    ],
)
def test_each_signal_fires_on_its_own(the_order, lines, the_history, fired):
    evaluation = run(policy(), the_order, lines, the_history)

    assert signals(evaluation) == [(code.value, weight) for code, weight in fired]
    assert evaluation.risk.score == sum(weight for _, weight in fired)


def _late(days_left: int, earlier_late: int) -> tuple:
    delivered_at = NOW - timedelta(days=30 - days_left)
    the_history = history(
        returns=tuple(
            PastReturn(NOW - timedelta(days=90 + n), days_left_in_window=1)
            for n in range(earlier_late)
        )
    )
    return order(item(1, delivered_at=delivered_at)), the_history


@pytest.mark.parametrize(
    ("days_left", "earlier_late", "fires"),
    [
        pytest.param(3, 2, True, id="late-again"),
        pytest.param(0, 2, True, id="last-day"),
        pytest.param(4, 2, False, id="not-late"),
        pytest.param(2, 1, False, id="first-time-late"),
    ],
)
def test_returns_near_the_window_end_count_when_the_customer_makes_a_habit_of_it(
    days_left, earlier_late, fires
):
    the_order, the_history = _late(days_left, earlier_late)

    evaluation = run(policy(), the_order, [ask(1)], the_history)

    assert signals(evaluation) == ([(S.NEAR_WINDOW_END.value, 10)] if fires else [])


def test_signals_explain_themselves():
    the_order = order(SHIRT_M, SHIRT_L, COAT, store_return_rate_bp=1000, return_country="BE")
    the_history = history(
        orders_count=1,
        items_returned=9,
        returns=tuple(PastReturn(NOW - timedelta(days=days)) for days in (1, 2, 3)),
    )

    evaluation = run(policy(), the_order, [ask(1), ask(2), ask(4)], the_history)

    assert [signal.message for signal in evaluation.risk.signals] == [
        "Returns 45% of the items bought, against 10% for the store",
        "Return worth 717.60 EUR",
        "2 variants of one product returned together",
        "New customer returning 717.60 EUR",
        "Sent back from BE, the order went to FR",
        "3 returns in the last 7 days",
    ]
    assert evaluation.risk.signals[0].params == {"customer_rate_bp": 4500, "store_rate_bp": 1000}
    # 30 + 20 + 15 + 20 + 15 + 20 = 120, capped.
    assert evaluation.risk.score == 100


def test_weights_and_thresholds_come_from_the_policy_and_zero_turns_a_signal_off():
    the_policy = policy(
        risk={
            "high_value": {"weight": 40, "at_least": 5000},
            "address_mismatch": {"weight": 0},
        }
    )

    evaluation = run(the_policy, order(SHIRT_M, return_country="BE"), [ask(1)], REGULAR)

    assert signals(evaluation) == [(S.HIGH_VALUE.value, 40)]
    assert evaluation.risk.score == 40


def test_risk_looks_at_every_requested_item_even_ineligible_ones():
    the_policy = policy(final_sale=[{"id": "final", "skus": ["SHIRT-L"]}])

    evaluation = run(the_policy, order(SHIRT_M, SHIRT_L), [ask(1), ask(2)], REGULAR)

    assert signals(evaluation) == [(S.BRACKETING.value, 15)]

"""Fees and incentives under the policy, and the settings handed to the refund calculator."""

from __future__ import annotations

import pytest

from retour.domain.lines import Resolution
from retour.domain.policy import parse_policy
from retour.domain.refund_quote import (
    FeeCode,
    FeeSettings,
    QuoteMethod,
    QuoteRequest,
    UnitsToRefund,
    quote_refund,
)
from tests.unit.policy_builders import ask, docs_json_blocks, item, order, policy, run

COLLECTION_FEES = [
    {"id": "shoes", "match": {"collections": ["shoes"]}, "restocking": {"percent": 15}},
    {"id": "bulky", "match": {"tags": ["bulky"]}, "restocking": {"fixed_per_unit": 800}},
]
SHIRT = item(1, "SHIRT-M")  # 49.00 + 9.80 tax
SHOES = item(2, "TRAINER-40", unit_price=12000, tax=2400, collections=frozenset({"shoes"}))
SOFA = item(3, "SOFA", quantity=2, unit_price=30000, tax=6000, tags=frozenset({"bulky"}))
TEN_PERCENT = {"restocking": {"percent": 10}}


@pytest.mark.parametrize(
    ("items", "lines", "per_line", "total"),
    [
        pytest.param((SHIRT,), [ask(1)], [(490, "default")], 490, id="default-percent"),
        pytest.param((SHOES,), [ask(2)], [(1800, "shoes")], 1800, id="collection-percent"),
        pytest.param((SOFA,), [ask(3, quantity=2)], [(1600, "bulky")], 1600, id="fixed-per-unit"),
        pytest.param(
            (SHIRT,), [ask(1, is_merchant_fault=True)], [(0, "default")], 0, id="merchant-fault"
        ),
        pytest.param(
            (SHIRT, SHOES, SOFA),
            [ask(1), ask(2), ask(3, quantity=1)],
            [(490, "default"), (1800, "shoes"), (800, "bulky")],
            3090,
            id="mixed",
        ),
    ],
)
def test_restocking_fees_are_set_per_item(items, lines, per_line, total):
    evaluation = run(policy(default=TEN_PERCENT, overrides=COLLECTION_FEES), order(*items), lines)

    assert [(line.fees.restocking, line.fees.rule_id) for line in evaluation.lines] == per_line
    assert evaluation.fees.restocking == total


def test_a_shared_rate_is_taken_once_and_spread_so_lines_add_up():
    # 3 × 10.01 at 10 %: 1.001 each, 3.003 in all → 3.00, spread 1.00 + 1.00 + 1.00.
    cheap = [item(index, f"SOCK-{index}", unit_price=1001, tax=0) for index in (1, 2, 3)]

    evaluation = run(policy(default=TEN_PERCENT), order(*cheap), [ask(1), ask(2), ask(3)])

    assert [line.fees.restocking for line in evaluation.lines] == [100, 100, 100]
    assert evaluation.fees.restocking == 300


def _calculator_fees(evaluation, the_order, lines, method=QuoteMethod.ORIGINAL_PAYMENT):
    """What the refund calculator charges for the same units with the evaluation's settings."""
    items = {item.order_line_id: item for item in the_order.items}
    quote = quote_refund(
        QuoteRequest(
            currency="EUR",
            order_lines=[items[line.order_line_id].paid for line in lines],
            units=[
                UnitsToRefund(index, line.order_line_id, line.quantity, line.is_merchant_fault)
                for index, line in enumerate(lines)
            ],
            fees=evaluation.fees.settings,
            uses_merchant_shipping=True,
        )
    )
    return {fee.code: fee.amount for fee in quote.method(method).fees if not fee.waived}, quote


def test_one_rate_is_handed_to_the_calculator_as_its_rate_and_it_charges_the_same():
    the_order = order(SHIRT, item(2, "TROUSERS-32", unit_price=5900, tax=1180))
    lines = [ask(1), ask(2)]

    evaluation = run(policy(default=TEN_PERCENT), the_order, lines)
    charged, _ = _calculator_fees(evaluation, the_order, lines)

    assert evaluation.fees.settings == FeeSettings(restocking_fee_bp=1000)
    assert charged == {FeeCode.RESTOCKING: 1080}
    assert evaluation.fees.restocking == 1080


def test_several_rates_are_handed_to_the_calculator_as_one_fixed_fee():
    the_order = order(SHIRT, SHOES, SOFA)
    lines = [ask(1), ask(2), ask(3, quantity=1)]

    evaluation = run(
        policy(default=TEN_PERCENT, overrides=COLLECTION_FEES, fees={"restocking_per_return": 200}),
        the_order,
        lines,
    )
    charged, _ = _calculator_fees(evaluation, the_order, lines)

    assert evaluation.fees.settings.restocking_fee_bp == 0
    assert evaluation.fees.settings.restocking_fee_fixed == 200 + 3090
    assert charged == {FeeCode.RESTOCKING_FIXED: 3290}
    assert evaluation.fees.restocking_per_return == 200


def test_merchant_fault_lines_pay_no_restocking_and_the_return_no_shipping():
    the_policy = policy(default=TEN_PERCENT, fees={"return_shipping": {"fixed": 495}})
    the_order = order(SHIRT, SHOES)
    lines = [ask(1, reason="damaged", is_merchant_fault=True), ask(2)]

    evaluation = run(the_policy, the_order, lines)
    charged, _ = _calculator_fees(evaluation, the_order, lines)

    assert [line.fees.restocking for line in evaluation.lines] == [0, 1200]
    assert evaluation.lines[0].fees.is_waived_for_merchant_fault
    assert evaluation.fees.return_shipping == 0
    assert evaluation.fees.is_waived_for_merchant_fault
    assert charged == {FeeCode.RESTOCKING: 1200}


@pytest.mark.parametrize(
    ("return_shipping", "label_quote", "shown", "settings"),
    [
        pytest.param({"fixed": 495}, 720, 495, (495, 0), id="fixed"),
        pytest.param({"label_cost": True}, 720, 720, (0, 720), id="label-cost"),
        pytest.param({"label_cost": True}, None, 0, (0, 0), id="label-cost-unknown"),
    ],
)
def test_return_shipping_is_fixed_or_the_label_s_cost(
    return_shipping, label_quote, shown, settings
):
    the_policy = policy(fees={"return_shipping": {"id": "shipping", **return_shipping}})

    evaluation = run(the_policy, order(label_cost=label_quote))

    assert evaluation.fees.return_shipping == shown
    assert evaluation.fees.return_shipping_rule_id == "shipping"
    fee_settings = evaluation.fees.settings
    assert (fee_settings.return_shipping_fee, fee_settings.label_cost) == settings


@pytest.mark.parametrize(
    ("waived_for", "store_credit", "exchange"),
    [
        pytest.param(None, False, True, id="default-exchange"),
        pytest.param([], False, False, id="none"),
        pytest.param(["store_credit", "exchange"], True, True, id="both"),
    ],
)
def test_waivers_for_store_credit_and_exchange_reach_the_calculator(
    waived_for, store_credit, exchange
):
    fees = {"return_shipping": {"fixed": 495}}
    if waived_for is not None:
        fees["waived_for"] = waived_for
    the_order = order(SHIRT)

    evaluation = run(policy(default=TEN_PERCENT, fees=fees), the_order, [ask(1)])
    by_store_credit, _ = _calculator_fees(evaluation, the_order, [ask(1)], QuoteMethod.STORE_CREDIT)

    assert evaluation.fees.settings.waive_fees_for_store_credit is store_credit
    assert evaluation.fees.settings.waive_fees_for_exchange is exchange
    assert set(evaluation.fees.waived_for) == set(
        waived_for if waived_for is not None else ["exchange"]
    )
    assert by_store_credit == (
        {} if store_credit else {FeeCode.RESTOCKING: 490, FeeCode.RETURN_SHIPPING: 495}
    )


@pytest.mark.parametrize(
    ("bonus", "expected"),
    [
        pytest.param({"percent": 5}, 294, id="percent"),
        pytest.param({"fixed": 300}, 300, id="fixed"),
        pytest.param({"percent": 5, "fixed": 300}, 594, id="both"),
        pytest.param({"percent": 5, "fixed": 300, "cap": 500}, 500, id="capped"),
    ],
)
def test_the_store_credit_bonus_is_what_the_calculator_adds(bonus, expected):
    the_order = order(SHIRT)

    evaluation = run(policy(fees={"store_credit_bonus": bonus}), the_order, [ask(1)])
    _, quote = _calculator_fees(evaluation, the_order, [ask(1)], QuoteMethod.STORE_CREDIT)

    assert evaluation.fees.store_credit_bonus == expected
    assert quote.method(QuoteMethod.STORE_CREDIT).bonus == expected


def test_fees_count_eligible_lines_only():
    the_policy = policy(default=TEN_PERCENT, final_sale=[{"id": "hygiene", "tags": ["underwear"]}])
    the_order = order(SHIRT, item(2, "BRIEFS", tags=frozenset({"underwear"})))

    evaluation = run(the_policy, the_order, [ask(1), ask(2)])

    assert evaluation.lines[1].fees is None
    assert evaluation.fees.restocking == 490


def test_the_docs_worked_example_of_fees():
    complete = parse_policy(next(block for block in docs_json_blocks() if "timezone" in block))
    the_order = order(SHIRT, SHOES)

    evaluation = run(complete, the_order, [ask(1), ask(2, reason="changed_mind")])

    assert [(line.fees.restocking, line.fees.rule_id) for line in evaluation.lines] == [
        (490, "default"),
        (1800, "shoes"),
    ]
    assert evaluation.fees.return_shipping == 495
    assert evaluation.fees.store_credit_bonus == 1014
    assert evaluation.fees.waived_for == (Resolution.STORE_CREDIT, Resolution.EXCHANGE)
    assert evaluation.fees.settings == FeeSettings(
        restocking_fee_bp=0,
        restocking_fee_fixed=2290,
        return_shipping_fee=495,
        store_credit_bonus_bp=500,
        store_credit_bonus_cap=2000,
        waive_fees_for_store_credit=True,
        waive_fees_for_exchange=True,
    )

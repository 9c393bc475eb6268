"""Keep-item offers: cheap items, or returns that cost more than reselling would bring."""

from __future__ import annotations

import pytest

from retour.domain.lines import Grade, Resolution, ReturnMethod
from retour.domain.policy import parse_policy
from retour.domain.policy.results import KeepItemBasis
from tests.unit.policy_builders import ask, docs_json_blocks, item, order, policy, run

MUG = item(1, "MUG", unit_price=2000, tax=400)  # 24.00 paid
SOCKS = item(2, "SOCKS", unit_price=800, tax=160, collections=frozenset({"socks"}))  # 9.60
SHIRT = item(3, "SHIRT-M")  # 58.80
UNECONOMIC = {
    "when_uneconomic": True,
    "handling_cost_per_unit": 250,
    "label_cost": 695,
    "expected_grade": "B",
    "expected_grade_by_reason": {"damaged": "D"},
    "recovery_percent": {"A": 90, "B": 60, "C": 25, "D": 0},
    "recovery_percent_by_collection": {"socks": {"B": 0}, "hosiery": {"B": 10}},
}


@pytest.mark.parametrize(
    ("items", "lines", "offered"),
    [
        pytest.param((SOCKS,), [ask(2)], True, id="one-cheap-item"),
        pytest.param((SOCKS, MUG), [ask(2), ask(1)], False, id="one-item-not-cheap"),
        pytest.param((MUG,), [ask(1)], False, id="at-threshold-is-not-below"),
    ],
)
def test_items_below_the_value_threshold_may_be_kept(items, lines, offered):
    the_policy = policy(keep_item={"below_value": 2400})

    evaluation = run(the_policy, order(*items), lines)

    assert (evaluation.keep_item is not None) is offered
    for line in evaluation.lines:
        assert (Resolution.KEEP_ITEM in line.resolutions) is offered
        assert (ReturnMethod.KEEP_ITEM in line.return_methods) is offered
    if offered:
        assert evaluation.keep_item.basis is KeepItemBasis.BELOW_VALUE
        assert evaluation.keep_item.message == (
            "Keep the items, no need to send them back: each is worth less than 24.00 EUR"
        )


@pytest.mark.parametrize(
    ("items", "lines", "label_quote", "recovery", "cost", "offered"),
    [
        # 24.00 at grade B (60 %) = 14.40 to recover; 6.95 + 2.50 = 9.45 to send back.
        pytest.param((MUG,), [ask(1)], None, 1440, 945, False, id="worth-sending-back"),
        # A dearer label quote from the carrier tips it.
        pytest.param((MUG,), [ask(1)], 1300, 1440, 1550, True, id="carrier-quote"),
        # Damaged: expected back at grade D, 0 % recovered.
        pytest.param((MUG,), [ask(1, reason="damaged")], None, 0, 945, True, id="damaged"),
        # Socks recover nothing at grade B, whatever the general rate.
        pytest.param((SOCKS,), [ask(2)], None, 0, 945, True, id="collection-rate"),
        pytest.param(
            (MUG, SHIRT), [ask(1), ask(3)], None, 1440 + 3528, 1195, False, id="whole-return"
        ),
    ],
)
def test_a_return_that_costs_at_least_what_it_recovers_may_be_kept(
    items, lines, label_quote, recovery, cost, offered
):
    evaluation = run(policy(keep_item=UNECONOMIC), order(*items, label_cost=label_quote), lines)

    assessments = [line.keep_item for line in evaluation.lines]
    assert sum(assessment.expected_recovery for assessment in assessments) == recovery
    assert (evaluation.keep_item is not None) is offered
    if offered:
        assert evaluation.keep_item.basis is KeepItemBasis.UNECONOMIC
        assert (evaluation.keep_item.return_cost, evaluation.keep_item.expected_recovery) == (
            cost,
            recovery,
        )
        assert evaluation.keep_item.rule_id == "keep_item"


def test_an_item_in_several_collections_takes_the_lowest_rate():
    both = item(1, "SOCKS", unit_price=800, tax=160, collections=frozenset({"hosiery", "socks"}))
    hosiery = item(1, "TIGHTS", unit_price=800, tax=160, collections=frozenset({"hosiery"}))

    in_both = run(policy(keep_item=UNECONOMIC), order(both)).lines[0].keep_item
    in_hosiery = run(policy(keep_item=UNECONOMIC), order(hosiery)).lines[0].keep_item

    assert (in_both.expected_grade, in_both.recovery_bp, in_both.expected_recovery) == (
        Grade.B,
        0,
        0,
    )
    assert (in_hosiery.recovery_bp, in_hosiery.expected_recovery) == (1000, 96)


def test_no_offer_when_an_eligible_item_does_not_allow_keeping_it():
    the_policy = policy(
        keep_item={"below_value": 5000},
        overrides=[{"id": "no-keep", "match": {"skus": ["MUG"]}, "resolutions": ["refund"]}],
    )

    evaluation = run(the_policy, order(MUG, SOCKS), [ask(1), ask(2)])

    assert evaluation.keep_item is None
    assert [line.resolutions for line in evaluation.lines] == [
        (Resolution.REFUND,),
        (Resolution.REFUND, Resolution.STORE_CREDIT, Resolution.EXCHANGE),
    ]


def test_ineligible_items_neither_block_nor_count_towards_an_offer():
    the_policy = policy(
        keep_item={"below_value": 1000}, final_sale=[{"id": "final", "skus": ["SHIRT-M"]}]
    )

    evaluation = run(the_policy, order(SOCKS, SHIRT), [ask(2), ask(3)])

    assert evaluation.keep_item is not None
    assert evaluation.lines[1].keep_item is None
    assert evaluation.lines[1].return_methods == ()


def test_the_docs_damaged_mug():
    complete = parse_policy(next(block for block in docs_json_blocks() if "timezone" in block))

    evaluation = run(complete, order(MUG), [ask(1, reason="damaged", photo_count=1)])

    assert evaluation.keep_item is not None
    assert (evaluation.keep_item.return_cost, evaluation.keep_item.expected_recovery) == (945, 0)
    assert evaluation.keep_item.message == (
        "Keep the items, no need to send them back: sending them back costs 9.45 EUR and "
        "reselling them would bring 0.00 EUR"
    )
    assert evaluation.lines[0].resolutions == (Resolution.REFUND, Resolution.KEEP_ITEM)
    assert ReturnMethod.KEEP_ITEM in evaluation.lines[0].return_methods

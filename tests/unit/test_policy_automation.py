"""Automation: ordered rules decide approve, review or reject; the first that matches wins."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from retour.domain.policy import CustomerHistory, Outcome, PastReturn
from tests.unit.policy_builders import NOW, ask, item, order, policy, run

SHIRT = item(1, "SHIRT-M", tags=frozenset({"linen"}), collections=frozenset({"shirts"}))
BOOTS = item(2, "BOOT-42", unit_price=20000, tax=4000, collections=frozenset({"shoes"}))
USUAL = CustomerHistory(orders_count=4, items_bought=10, items_returned=2)


def decided(when: dict[str, Any], *, the_order=None, lines=None, history=None) -> str:
    """The rule that decided: "match" when `when` held, else the default."""
    the_policy = policy(
        automation={
            "default": "review",
            "rules": [{"id": "match", "decision": "approve", "when": when}],
        }
    )
    evaluation = run(
        the_policy, the_order or order(SHIRT, BOOTS), lines or [ask(1)], history or USUAL
    )
    return evaluation.decision.rule_id


def _returns(*days_ago: int) -> CustomerHistory:
    return CustomerHistory(
        orders_count=5,
        items_bought=20,
        items_returned=len(days_ago),
        returns=tuple(PastReturn(NOW - timedelta(days=days)) for days in days_ago),
    )


# The order: shirt 58.80 + boots 240.00 = 298.80.
@pytest.mark.parametrize(
    ("when", "context", "holds"),
    [
        pytest.param({}, {}, True, id="no-conditions"),
        pytest.param(
            {"order_value": {"at_least": 29880}}, {}, True, id="order-value-at-least-inclusive"
        ),
        pytest.param(
            {"order_value": {"below": 29880}}, {}, False, id="order-value-below-exclusive"
        ),
        pytest.param({"return_value": {"below": 5881}}, {}, True, id="return-value"),
        pytest.param({"return_value": {"below": 5880}}, {}, False, id="return-value-exclusive"),
        pytest.param(
            {"item_value": {"at_least": 20000}},
            {"lines": [ask(1), ask(2)]},
            True,
            id="item-value-highest",
        ),
        pytest.param({"item_value": {"at_least": 20000}}, {}, False, id="item-value-cheap"),
        pytest.param({"reasons": ["too_small", "too_large"]}, {}, True, id="reason"),
        pytest.param({"reasons": ["damaged"]}, {}, False, id="other-reason"),
        pytest.param(
            {"merchant_fault": True},
            {"lines": [ask(1, reason="damaged", is_merchant_fault=True)]},
            True,
            id="merchant-fault",
        ),
        pytest.param({"merchant_fault": True}, {}, False, id="not-merchant-fault"),
        pytest.param({"merchant_fault": False}, {}, True, id="merchant-fault-false"),
        pytest.param({"items": {"tags": ["linen"]}}, {}, True, id="tag"),
        pytest.param(
            {"items": {"collections": ["shoes"]}}, {}, False, id="collection-not-returned"
        ),
        pytest.param(
            {"items": {"skus": ["BOOT-42"]}}, {"lines": [ask(1), ask(2)]}, True, id="sku-any-item"
        ),
        pytest.param(
            {"customer_returns": {"days": 30, "at_least": 2}},
            {"history": _returns(3, 29)},
            True,
            id="recent-returns",
        ),
        pytest.param(
            {"customer_returns": {"days": 30, "at_least": 2}},
            {"history": _returns(3, 31)},
            False,
            id="old-return",
        ),
        pytest.param(
            {"customer_returns": {"days": 30, "below": 1}},
            {"history": _returns()},
            True,
            id="no-returns",
        ),
        pytest.param({"customer_return_rate": {"at_least": 20}}, {}, True, id="return-rate"),
        pytest.param({"customer_return_rate": {"below": 20}}, {}, False, id="return-rate-below"),
        pytest.param({"emails": ["SAM@example.com "]}, {}, True, id="email-case"),
        pytest.param({"emails": ["other@example.com"]}, {}, False, id="other-email"),
        pytest.param(
            {"addresses": ["1 Rue de la Paix  75002 PARIS"]}, {}, True, id="address-normalised"
        ),
        pytest.param(
            {"risk_score": {"at_least": 15}},
            {"lines": [ask(1)], "the_order": order(SHIRT, return_country="BE")},
            True,
            id="risk",
        ),
        pytest.param({"risk_score": {"at_least": 15}}, {}, False, id="low-risk"),
        pytest.param({"gift": True}, {"the_order": order(SHIRT, is_gift=True)}, True, id="gift"),
        pytest.param({"gift": True}, {}, False, id="not-gift"),
        pytest.param(
            {"reasons": ["too_small"], "order_value": {"at_least": 100000}},
            {},
            False,
            id="all-must-hold",
        ),
    ],
)
def test_each_condition(when, context, holds):
    assert decided(when, **context) == ("match" if holds else "automation_default")


RULES = [
    {
        "id": "blocked",
        "decision": "reject",
        "when": {"emails": ["fraud@example.com"]},
        "message": "Returns for this account are handled by customer service",
    },
    {"id": "big", "decision": "review", "when": {"return_value": {"at_least": 20000}}},
    {"id": "small", "decision": "approve", "when": {"return_value": {"below": 20000}}},
]


@pytest.mark.parametrize(
    ("email", "lines", "outcome", "rule_id", "message"),
    [
        pytest.param(
            "fraud@example.com",
            [ask(1)],
            Outcome.REJECT,
            "blocked",
            "Returns for this account are handled by customer service",
            id="first-match-wins",
        ),
        pytest.param(
            "sam@example.com",
            [ask(1), ask(2)],
            Outcome.REVIEW,
            "big",
            "Sent to a person for review: the return's value is at least 200.00 EUR",
            id="second",
        ),
        pytest.param(
            "sam@example.com",
            [ask(1)],
            Outcome.APPROVE,
            "small",
            "Approved automatically: the return's value is below 200.00 EUR",
            id="third",
        ),
    ],
)
def test_rules_are_tried_in_order_and_the_decision_names_its_rule(
    email, lines, outcome, rule_id, message
):
    the_policy = policy(automation={"rules": RULES})

    evaluation = run(the_policy, order(SHIRT, BOOTS, customer_email=email), lines)

    assert (evaluation.decision.outcome, evaluation.decision.rule_id) == (outcome, rule_id)
    assert evaluation.decision.message == message


@pytest.mark.parametrize("default", ["approve", "review", "reject"])
def test_the_default_decides_when_no_rule_matches(default):
    the_policy = policy(
        automation={
            "default": default,
            "rules": [{"id": "never", "decision": "reject", "when": {"gift": True}}],
        }
    )

    decision = run(the_policy).decision

    assert (decision.outcome, decision.rule_id) == (default, "automation_default")


def test_without_automation_every_request_goes_to_review():
    decision = run(policy()).decision

    assert (decision.outcome, decision.rule_id) == (Outcome.REVIEW, "automation_default")
    assert decision.message == "Sent to a person for review: no automatic rule applied"


def test_a_request_with_nothing_eligible_is_rejected_by_the_built_in_rule():
    the_policy = policy(
        final_sale=[{"id": "final", "skus": ["SHIRT-M"]}],
        automation={
            "default": "approve",
            "rules": [{"id": "all", "decision": "approve", "when": {}}],
        },
    )

    decision = run(the_policy, order(SHIRT)).decision

    assert (decision.outcome, decision.rule_id) == (Outcome.REJECT, "retour.nothing_eligible")
    assert decision.message == "Rejected: no item can be returned"


def test_rules_look_at_eligible_items_only():
    the_policy = policy(
        final_sale=[{"id": "final", "skus": ["BOOT-42"]}],
        automation={
            "rules": [
                {"id": "small", "decision": "approve", "when": {"return_value": {"below": 10000}}}
            ]
        },
    )

    decision = run(the_policy, order(SHIRT, BOOTS), [ask(1), ask(2)]).decision

    assert decision.rule_id == "small"


def test_generated_sentences_join_every_condition():
    when = {
        "order_value": {"at_least": 1000, "below": 50000},
        "reasons": ["too_small", "too_large"],
        "customer_return_rate": {"below": 40},
        "customer_returns": {"days": 30, "below": 3},
        "gift": False,
    }
    the_policy = policy(
        automation={"rules": [{"id": "usual", "decision": "approve", "when": when}]}
    )

    decision = run(the_policy, order(SHIRT)).decision

    assert decision.message == (
        "Approved automatically: the order value is at least 10.00 EUR and below 500.00 EUR "
        "and the reason is too_large or too_small and the customer made fewer than 3 returns "
        "in the last 30 days and the customer's return rate is below 40% and the order is not "
        "a gift"
    )

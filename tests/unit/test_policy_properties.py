"""Properties of the policy engine over generated policies, orders, requests and histories."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from retour.domain.lines import Resolution
from retour.domain.policy import (
    CandidateLine,
    CustomerHistory,
    OrderContext,
    OrderedItem,
    PastReturn,
    evaluate,
    parse_policy,
    policy_problems,
)
from retour.domain.policy.explain import finding_text
from tests.unit.policy_builders import document

SKUS = ("SHIRT-M", "SHIRT-L", "BOOT-42", "MUG", "SOCKS", "RING")
TAGS = ("sale", "clearance", "underwear", "linen")
COLLECTIONS = ("shoes", "shirts", "socks", "home")
REASONS = ("too_small", "too_large", "damaged", "defective", "changed_mind", "other")
RESOLUTIONS = [resolution.value for resolution in Resolution]
METHODS = ["prepaid_label", "qr_drop_off", "ship_yourself", "in_store"]
# Around both of Paris's daylight-saving changes in 2026.
NOWS = st.sampled_from(
    [
        datetime(2026, 3, 29, 0, 30, tzinfo=UTC),
        datetime(2026, 3, 29, 22, 0, tzinfo=UTC),
        datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
        datetime(2026, 10, 25, 23, 0, tzinfo=UTC),
        datetime(2026, 6, 15, 12, 0, tzinfo=UTC),
    ]
)


def _subset(values: tuple[str, ...] | list[str]) -> st.SearchStrategy[list[str]]:
    return st.lists(st.sampled_from(values), min_size=1, max_size=3, unique=True)


OVERRIDES = st.lists(
    st.fixed_dictionaries(
        {
            "match": st.one_of(
                st.fixed_dictionaries({"skus": _subset(SKUS)}),
                st.fixed_dictionaries({"tags": _subset(TAGS)}),
                st.fixed_dictionaries({"collections": _subset(COLLECTIONS)}),
            )
        },
        optional={
            "window_days": st.integers(0, 90),
            "resolutions": _subset(RESOLUTIONS),
            "return_methods": _subset(METHODS),
            "restocking": st.one_of(
                st.fixed_dictionaries({"percent": st.integers(0, 30)}),
                st.fixed_dictionaries({"fixed_per_unit": st.integers(0, 900)}),
            ),
        },
    ).filter(lambda override: len(override) > 1),
    max_size=4,
)
CONDITIONS = st.fixed_dictionaries(
    {},
    optional={
        "order_value": st.fixed_dictionaries({"at_least": st.integers(0, 50_000)}),
        "return_value": st.fixed_dictionaries({"below": st.integers(1, 50_000)}),
        "reasons": _subset(REASONS),
        "merchant_fault": st.booleans(),
        "items": st.fixed_dictionaries({"tags": _subset(TAGS)}),
        "customer_returns": st.fixed_dictionaries(
            {"days": st.integers(1, 60), "at_least": st.integers(0, 4)}
        ),
        "customer_return_rate": st.fixed_dictionaries({"below": st.integers(1, 100)}),
        "risk_score": st.fixed_dictionaries({"at_least": st.integers(0, 100)}),
        "gift": st.booleans(),
        "emails": st.just(["sam@example.com"]),
    },
)


@st.composite
def policies(draw: st.DrawFn) -> dict[str, Any]:
    overrides = [
        dict(override, id=f"override-{index}") for index, override in enumerate(draw(OVERRIDES))
    ]
    sections: dict[str, Any] = {
        "default": {
            "window_days": draw(st.integers(0, 90)),
            "transit_days": draw(st.integers(0, 7)),
            "restocking": {"percent": draw(st.integers(0, 20))},
        },
        "automation": {
            "default": draw(st.sampled_from(["approve", "review", "reject"])),
            "rules": [
                {
                    "id": f"auto-{index}",
                    "decision": draw(st.sampled_from(["approve", "review", "reject"])),
                    "when": when,
                }
                for index, when in enumerate(draw(st.lists(CONDITIONS, min_size=1, max_size=4)))
            ],
        },
    }
    if overrides:
        sections["overrides"] = overrides
    optional = {
        "extensions": [
            {
                "id": "ext",
                "ordered_from": "2026-01-01",
                "ordered_until": "2026-12-31",
                "window_days": 45,
            }
        ],
        "final_sale": [{"id": "hygiene", "tags": ["underwear"]}, {"id": "ring", "skus": ["RING"]}],
        "discounts": [
            {"id": "half", "min_percent": 50, "action": "store_credit_only"},
            {"id": "outlet", "min_percent": 70, "action": "exclude"},
        ],
        "gift_orders": {"resolutions": ["store_credit"]},
        "limits": {
            "returns_per_customer": {"max_returns": 3, "days": 30},
            "units_per_line": {"max_units": 2},
        },
        "reasons": [
            {
                "id": "photo",
                "codes": ["damaged"],
                "photo_required": True,
                "resolutions": ["refund", "keep_item"],
            },
            {
                "id": "comment",
                "codes": ["other"],
                "comment_required": True,
                "return_methods": ["in_store"],
            },
        ],
        "fees": {
            "restocking_per_return": 150,
            "return_shipping": {"label_cost": True},
            "waived_for": ["store_credit"],
            "store_credit_bonus": {"percent": 5, "cap": 1000},
        },
        "keep_item": {
            "below_value": 1500,
            "when_uneconomic": True,
            "handling_cost_per_unit": 250,
            "label_cost": 695,
            "expected_grade_by_reason": {"damaged": "D"},
        },
        "risk": {"high_value": {"weight": 40, "at_least": 10_000}},
    }
    for key, value in optional.items():
        if draw(st.booleans()):
            sections[key] = value
    return document(**sections)


def _mostly(value: Any, other: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """`value` four times in five, else something from `other`."""
    return st.one_of(st.just(value), st.just(value), st.just(value), st.just(value), other)


@st.composite
def requests(
    draw: st.DrawFn,
) -> tuple[OrderContext, list[CandidateLine], CustomerHistory, datetime]:
    now = draw(NOWS)
    placed_at = now - timedelta(days=draw(st.integers(0, 50)), minutes=draw(st.integers(0, 1440)))
    items = []
    for index in range(1, draw(st.integers(1, 20)) + 1):
        quantity = draw(st.integers(1, 3))
        fulfilled = draw(_mostly(quantity, st.integers(0, quantity)))
        unit_price = draw(st.integers(100, 60_000))
        shipped_at = draw(st.one_of(st.none(), st.just(placed_at + timedelta(days=1))))
        delivered_at = draw(
            st.one_of(
                st.none(),
                st.integers(0, 10).map(
                    lambda days, start=placed_at: start + timedelta(days=days, hours=7)
                ),
            )
        )
        items.append(
            OrderedItem(
                order_line_id=index,
                sku=draw(st.sampled_from(SKUS)),
                title="item",
                quantity=quantity,
                fulfilled_quantity=fulfilled,
                unit_price=unit_price,
                line_discount=draw(_mostly(0, st.integers(0, unit_price * quantity))),
                tax=draw(st.integers(0, 2000)),
                compare_at_price=draw(_mostly(None, st.just(unit_price * 2))),
                product_id=draw(st.sampled_from(["p1", "p2", None])),
                tags=frozenset(draw(st.lists(st.sampled_from(TAGS), max_size=2))),
                collections=frozenset(draw(st.lists(st.sampled_from(COLLECTIONS), max_size=2))),
                is_final_sale=draw(_mostly(False, st.just(True))),
                returned_quantity=draw(_mostly(0, st.integers(0, fulfilled))),
                shipped_at=shipped_at,
                delivered_at=delivered_at,
            )
        )
    order = OrderContext(
        order_id=1,
        currency="EUR",
        placed_at=placed_at,
        items=tuple(items),
        customer_email=draw(st.sampled_from(["sam@example.com", "kim@example.com"])),
        shipping_country="FR",
        return_country=draw(st.sampled_from([None, "FR", "BE"])),
        is_gift=draw(_mostly(False, st.just(True))),
        label_cost=draw(st.one_of(st.none(), st.integers(0, 1500))),
        store_return_rate_bp=draw(st.one_of(st.none(), st.integers(0, 3000))),
    )
    # Mostly distinct lines of the order; sometimes one it does not have, or one twice.
    line_ids = draw(st.permutations(range(1, len(items) + 1)))[: draw(st.integers(1, len(items)))]
    line_ids += draw(_mostly([], st.sampled_from([[len(items) + 1], [line_ids[0]]])))
    candidates = [
        CandidateLine(
            order_line_id=line_id,
            quantity=draw(_mostly(1, st.integers(1, 3))),
            reason_code=draw(st.sampled_from(REASONS)),
            is_merchant_fault=draw(st.booleans()),
            comment=draw(st.sampled_from(["", "it broke"])),
            photo_count=draw(st.integers(0, 1)),
        )
        for line_id in line_ids
    ]
    history = CustomerHistory(
        orders_count=draw(st.integers(0, 10)),
        items_bought=draw(st.integers(0, 40)),
        items_returned=draw(st.integers(0, 40)),
        returns=tuple(
            PastReturn(
                now - timedelta(days=days),
                days_left_in_window=draw(st.one_of(st.none(), st.integers(0, 30))),
            )
            for days in draw(st.lists(st.integers(0, 60), max_size=4))
        ),
    )
    return order, candidates, history, now


@settings(max_examples=150, deadline=None)
@given(policies(), requests())
def test_evaluation_is_deterministic_and_every_refusal_names_a_rule_of_the_policy(data, request):
    order, candidates, history, now = request
    the_policy = parse_policy(data)

    first = evaluate(the_policy, order, candidates, history, now)
    again = evaluate(parse_policy(data), order, list(candidates), history, now)

    assert first == again
    rule_ids = the_policy.rule_ids
    today = now.astimezone(the_policy.timezone).date()
    assert first.decision.rule_id in rule_ids
    for line in first.lines:
        assert line.is_eligible is (not line.refusals)
        for found in (*line.refusals, *line.notes):
            assert found.rule_id in rule_ids
            assert found.message == finding_text(found.code, found.params, today) != ""
        if line.is_eligible:
            assert set(line.resolutions) - {Resolution.KEEP_ITEM}
            assert line.return_methods
            assert line.fees is not None
        else:
            assert (line.resolutions, line.return_methods, line.fees) == ((), (), None)
    if first.keep_item is not None:
        assert first.keep_item.rule_id in rule_ids
    assert first.fees.restocking == sum(line.fees.restocking for line in first.eligible_lines)
    assert 0 <= first.risk.score <= 100
    assert first.risk.score == min(100, sum(signal.weight for signal in first.risk.signals))
    assert all(signal.weight > 0 for signal in first.risk.signals)


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-5, 5000)
    | st.floats(allow_nan=False)
    | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(
    st.fixed_dictionaries(
        {},
        optional={
            key: JSON
            for key in (
                "timezone",
                "currency",
                "default",
                "overrides",
                "fees",
                "automation",
                "keep_item",
                "risk",
                "limits",
            )
        },
    )
)
def test_any_json_gets_a_list_of_pointed_problems_never_a_crash(data):
    problems = policy_problems(data)

    for pointer, message in problems:
        assert pointer == "" or pointer.startswith("/")
        assert message

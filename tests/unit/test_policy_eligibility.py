"""Eligibility: overrides by specificity, exclusions, restrictions, limits, reason conditions."""

from __future__ import annotations

from datetime import timedelta

import pytest

from retour.domain.errors import InvalidRequest
from retour.domain.lines import Resolution, ReturnMethod
from retour.domain.policy import CustomerHistory, PastReturn, evaluate
from retour.domain.policy.eligibility import discount_basis_points, item_terms
from tests.unit.policy_builders import (
    NOW,
    ask,
    at_paris,
    codes,
    item,
    messages,
    order,
    policy,
    run,
)

R = Resolution
M = ReturnMethod
OVERRIDES = [
    {
        "id": "shoes",
        "match": {"collections": ["shoes"]},
        "window_days": 60,
        "restocking": {"percent": 15},
    },
    {
        "id": "clearance",
        "match": {"tags": ["clearance"]},
        "window_days": 14,
        "resolutions": ["store_credit"],
    },
    {"id": "clearance-again", "match": {"tags": ["clearance"]}, "window_days": 7},
    {"id": "sale", "match": {"tags": ["sale"]}, "return_methods": ["ship_yourself"]},
    {"id": "boots-42", "match": {"skus": ["BOOT-42"]}, "window_days": 90},
    {"id": "outdoor", "match": {"collections": ["outdoor"]}, "window_days": 45},
]


@pytest.mark.parametrize(
    ("sku", "tags", "collections", "expected"),
    [
        pytest.param(
            "SHIRT-M", set(), set(), ("default", "default", "default", "default"), id="default"
        ),
        pytest.param(
            "TRAINER-40",
            set(),
            {"shoes"},
            ("shoes", "default", "default", "shoes"),
            id="collection",
        ),
        pytest.param(
            "TRAINER-40",
            {"clearance"},
            {"shoes"},
            ("clearance", "clearance", "default", "shoes"),
            id="tag-beats-collection",
        ),
        pytest.param(
            "BOOT-42",
            {"clearance"},
            {"shoes"},
            ("boots-42", "clearance", "default", "shoes"),
            id="sku-beats-tag",
        ),
        pytest.param(
            "TRAINER-40",
            {"sale", "clearance"},
            {"shoes"},
            ("clearance", "clearance", "sale", "shoes"),
            id="two-tags-each-setting-its-own",
        ),
        pytest.param(
            "TENT-2",
            set(),
            {"outdoor", "shoes"},
            ("shoes", "default", "default", "shoes"),
            id="first-listed-among-equals",
        ),
    ],
)
def test_each_setting_comes_from_the_most_specific_rule_that_sets_it(
    sku, tags, collections, expected
):
    the_item = item(sku=sku, tags=frozenset(tags), collections=frozenset(collections))

    terms = item_terms(policy(overrides=OVERRIDES), the_item)

    assert (
        terms.window_rule,
        terms.resolutions_rule,
        terms.return_methods_rule,
        terms.restocking_rule,
    ) == expected


def test_an_override_s_settings_show_in_the_evaluation():
    the_item = item(
        sku="TRAINER-40", tags=frozenset({"clearance", "sale"}), collections=frozenset({"shoes"})
    )

    line = run(policy(overrides=OVERRIDES), order(the_item)).lines[0]

    assert line.window.rule_id == "clearance"
    assert line.window.last_day == line.window.starts_on + timedelta(days=14)
    assert line.resolutions == (R.STORE_CREDIT,)
    assert line.return_methods == (M.SHIP_YOURSELF,)
    assert (line.fees.rule_id, line.fees.percent_bp) == ("shoes", 1500)


FINAL_SALE = [
    {"id": "hygiene", "tags": ["underwear"]},
    {"id": "engraved", "skus": ["RING-ENGRAVED"]},
    {"id": "food", "collections": ["pantry"]},
]


@pytest.mark.parametrize(
    ("fields", "refusal"),
    [
        pytest.param({"tags": frozenset({"underwear"})}, ("final_sale", "hygiene"), id="tag"),
        pytest.param({"sku": "RING-ENGRAVED"}, ("final_sale", "engraved"), id="sku"),
        pytest.param(
            {"collections": frozenset({"pantry"})}, ("final_sale", "food"), id="collection"
        ),
        pytest.param(
            {"is_final_sale": True}, ("final_sale", "retour.product_final_sale"), id="product-flag"
        ),
    ],
)
def test_final_sale_items_are_refused_naming_the_rule(fields, refusal):
    evaluation = run(policy(final_sale=FINAL_SALE), order(item(**fields)))

    assert codes(evaluation) == [refusal]
    assert messages(evaluation)[0] == "Final sale"
    assert evaluation.lines[0].resolutions == ()


DISCOUNTS = [
    {"id": "deep-sale", "min_percent": 50, "action": "store_credit_only"},
    {"id": "outlet", "min_percent": 70, "action": "exclude"},
]


@pytest.mark.parametrize(
    ("fields", "discount_bp", "refusals", "resolutions"),
    [
        pytest.param({}, 0, [], (R.REFUND, R.STORE_CREDIT, R.EXCHANGE), id="full-price"),
        pytest.param(
            {"line_discount": 2449},
            4997,
            [],
            (R.REFUND, R.STORE_CREDIT, R.EXCHANGE),
            id="just-under-half",
        ),
        pytest.param({"line_discount": 2450}, 5000, [], (R.STORE_CREDIT,), id="exactly-half"),
        pytest.param(
            {"unit_price": 2000, "compare_at_price": 4000},
            5000,
            [],
            (R.STORE_CREDIT,),
            id="compare-at-price",
        ),
        pytest.param(
            {"line_discount": 1000, "order_discount": 1450},
            5000,
            [],
            (R.STORE_CREDIT,),
            id="order-discount-counts",
        ),
        pytest.param(
            {"unit_price": 1470, "compare_at_price": 4900},
            7000,
            [("discount_excluded", "outlet")],
            (),
            id="outlet",
        ),
    ],
)
def test_discounted_items_are_store_credit_only_or_excluded(
    fields, discount_bp, refusals, resolutions
):
    the_item = item(**fields)

    evaluation = run(policy(discounts=DISCOUNTS), order(the_item))

    assert discount_basis_points(the_item) == discount_bp
    assert codes(evaluation) == refusals
    assert evaluation.lines[0].resolutions == resolutions


def test_discount_sentences_name_the_threshold():
    store_credit = run(policy(discounts=DISCOUNTS), order(item(line_discount=2450)))
    excluded = run(policy(discounts=DISCOUNTS), order(item(unit_price=100, compare_at_price=4900)))

    assert messages(store_credit) == [
        "Bought at 50% off or more: store credit only",
        "Return by 4 April",
    ]
    assert messages(excluded)[0] == "Items bought at 70% off or more cannot be returned"
    assert excluded.lines[0].refusals[0].params == {"min_discount_bp": 7000}


@pytest.mark.parametrize(
    ("gift_orders", "resolutions"),
    [
        pytest.param({}, (R.STORE_CREDIT,), id="default-store-credit"),
        pytest.param(
            {"resolutions": ["store_credit", "exchange"]}, (R.STORE_CREDIT, R.EXCHANGE), id="listed"
        ),
    ],
)
def test_gift_orders_get_only_the_gift_resolutions(gift_orders, resolutions):
    gift = run(policy(gift_orders=gift_orders), order(is_gift=True))
    not_gift = run(policy(gift_orders=gift_orders), order(is_gift=False))

    assert gift.lines[0].is_eligible
    assert gift.lines[0].resolutions == resolutions
    assert gift.lines[0].notes[-1].rule_id == "gift_orders"
    assert not_gift.lines[0].resolutions == (R.REFUND, R.STORE_CREDIT, R.EXCHANGE)


def test_a_gift_order_says_what_it_gets():
    evaluation = run(
        policy(gift_orders={"resolutions": ["store_credit", "exchange"]}), order(is_gift=True)
    )

    assert messages(evaluation)[-1] == "Gift order: store credit or exchange only"
    assert evaluation.lines[0].notes[-1].params == {"resolutions": "store_credit,exchange"}


def _history(*days_ago: int) -> CustomerHistory:
    return CustomerHistory(
        orders_count=4,
        items_bought=12,
        items_returned=len(days_ago),
        returns=tuple(PastReturn(NOW - timedelta(days=days)) for days in days_ago),
    )


@pytest.mark.parametrize(
    ("days_ago", "is_refused"),
    [
        pytest.param((), False, id="first"),
        pytest.param((5, 20), False, id="third-of-three"),
        pytest.param((5, 20, 29), True, id="fourth"),
        pytest.param((5, 20, 30), False, id="one-left-the-period"),
    ],
)
def test_returns_per_customer_are_limited_over_a_period(days_ago, is_refused):
    the_policy = policy(limits={"returns_per_customer": {"max_returns": 3, "days": 30}})

    evaluation = run(
        the_policy, order(item(1), item(2, "TROUSERS-32")), [ask(1), ask(2)], _history(*days_ago)
    )

    expected = [("customer_limit", "returns_per_customer")] if is_refused else []
    assert codes(evaluation, 0) == codes(evaluation, 1) == expected
    if is_refused:
        assert messages(evaluation)[0] == "Limit reached: at most 3 returns in 30 days"


@pytest.mark.parametrize(
    ("quantity", "returned", "asked", "refusals"),
    [
        pytest.param(3, 0, 2, [], id="within"),
        pytest.param(3, 1, 1, [], id="with-earlier-returns"),
        pytest.param(3, 1, 2, [("units_per_line", "two-at-most")], id="over-with-earlier"),
        pytest.param(
            3,
            2,
            2,
            [
                ("quantity_unavailable", "retour.available_quantity"),
                ("units_per_line", "two-at-most"),
            ],
            id="over-both",
        ),
    ],
)
def test_units_per_line_count_every_return_of_the_line(quantity, returned, asked, refusals):
    the_policy = policy(limits={"units_per_line": {"id": "two-at-most", "max_units": 2}})
    the_item = item(quantity=quantity, returned_quantity=returned)

    evaluation = run(the_policy, order(the_item), [ask(quantity=asked)])

    assert codes(evaluation) == refusals


def test_units_not_fulfilled_or_already_held_cannot_be_returned():
    the_order = order(item(quantity=3, fulfilled_quantity=2, returned_quantity=1))

    evaluation = run(policy(), the_order, [ask(quantity=2)])

    assert codes(evaluation) == [("quantity_unavailable", "retour.available_quantity")]
    assert messages(evaluation)[0] == "Only 1 unit of this item can be returned"


REASONS = [
    {
        "id": "show-the-damage",
        "codes": ["damaged", "wrong_item"],
        "photo_required": True,
        "resolutions": ["refund", "replacement", "keep_item"],
    },
    {"id": "tell-us-more", "codes": ["defective", "other"], "comment_required": True},
    {"id": "in-store-only", "codes": ["in_store_purchase"], "return_methods": ["in_store"]},
]


@pytest.mark.parametrize(
    ("candidate", "refusals", "resolutions", "methods"),
    [
        pytest.param(
            ask(reason="damaged"),
            [("photo_required", "show-the-damage")],
            (),
            (),
            id="photo-missing",
        ),
        pytest.param(
            ask(reason="damaged", photo_count=1),
            [],
            (R.REFUND,),
            (M.PREPAID_LABEL, M.QR_DROP_OFF, M.SHIP_YOURSELF),
            id="photo-given",
        ),
        pytest.param(
            ask(reason="other", comment="   "),
            [("comment_required", "tell-us-more")],
            (),
            (),
            id="blank-comment",
        ),
        pytest.param(
            ask(reason="other", comment="The zip broke"),
            [],
            (R.REFUND, R.STORE_CREDIT, R.EXCHANGE),
            (M.PREPAID_LABEL, M.QR_DROP_OFF, M.SHIP_YOURSELF),
            id="comment-given",
        ),
        pytest.param(
            ask(reason="in_store_purchase"),
            [("no_return_method", "in-store-only")],
            (),
            (),
            id="methods-narrowed-to-nothing",
        ),
        pytest.param(
            ask(reason="too_small"),
            [],
            (R.REFUND, R.STORE_CREDIT, R.EXCHANGE),
            (M.PREPAID_LABEL, M.QR_DROP_OFF, M.SHIP_YOURSELF),
            id="no-rule-for-reason",
        ),
    ],
)
def test_reason_rules_require_photos_or_comments_and_narrow_the_terms(
    candidate, refusals, resolutions, methods
):
    evaluation = run(policy(reasons=REASONS), order(), [candidate])

    assert codes(evaluation) == refusals
    assert evaluation.lines[0].resolutions == resolutions
    assert evaluation.lines[0].return_methods == methods


def test_reason_sentences_are_plain():
    evaluation = run(
        policy(reasons=REASONS),
        order(item(1), item(2, "TROUSERS-32")),
        [ask(1, reason="damaged"), ask(2, reason="defective")],
    )

    assert messages(evaluation, 0) == [
        "Add a photo for this reason",
        "Return by 4 April",
        "For this reason: refund only",
    ]
    assert messages(evaluation, 1)[0] == "Add a comment for this reason"


def test_restrictions_that_leave_no_resolution_refuse_naming_the_last_one():
    the_policy = policy(
        discounts=[{"id": "deep-sale", "min_percent": 50, "action": "store_credit_only"}],
        gift_orders={"resolutions": ["exchange"]},
    )

    evaluation = run(the_policy, order(item(line_discount=2450), is_gift=True))

    assert codes(evaluation) == [("no_resolution", "gift_orders")]
    assert (
        messages(evaluation)[0] == "No refund, store credit or exchange is available for this item"
    )


def test_keeping_the_item_alone_is_no_resolution():
    the_policy = policy(
        overrides=[{"id": "keep-only", "match": {"tags": ["cheap"]}, "resolutions": ["keep_item"]}]
    )

    evaluation = run(the_policy, order(item(tags=frozenset({"cheap"}))))

    assert codes(evaluation) == [("no_resolution", "keep-only")]


def test_every_reason_is_given_at_once_in_a_fixed_order():
    the_policy = policy(
        final_sale=[{"id": "hygiene", "tags": ["underwear"]}],
        limits={"units_per_line": {"max_units": 1}},
        reasons=REASONS,
    )
    the_item = item(
        quantity=2, tags=frozenset({"underwear"}), delivered_at=at_paris(2026, 1, 2, 10)
    )

    evaluation = run(the_policy, order(the_item), [ask(quantity=2, reason="damaged")])

    assert codes(evaluation) == [
        ("units_per_line", "units_per_line"),
        ("final_sale", "hygiene"),
        ("window_ended", "default"),
        ("photo_required", "show-the-damage"),
    ]
    assert evaluation.is_eligible is False


def test_lines_outside_the_order_or_asked_twice_are_refused_and_others_still_judged():
    evaluation = run(policy(), order(item(1)), [ask(1), ask(99), ask(1)])

    assert [line.is_eligible for line in evaluation.lines] == [True, False, False]
    assert codes(evaluation, 1) == [("unknown_line", "retour.order_line")]
    assert codes(evaluation, 2) == [("duplicate_line", "retour.order_line")]
    assert messages(evaluation, 1) == ["This item is not in the order"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        pytest.param({"now": NOW.replace(tzinfo=None)}, "now", id="naive-now"),
        pytest.param(
            {"order": order(placed_at=NOW.replace(tzinfo=None))}, "placed_at", id="naive-order-date"
        ),
        pytest.param(
            {"order": order(item(delivered_at=NOW.replace(tzinfo=None)))},
            "items[1].delivered_at",
            id="naive-item-date",
        ),
        pytest.param({"order": order(currency="USD")}, "currency", id="other-currency"),
        pytest.param({"lines": [ask(quantity=0)]}, "lines[0].quantity", id="no-units"),
    ],
)
def test_bad_input_is_an_invalid_request_not_a_refusal(change, field):
    arguments = {"order": order(), "lines": [ask()], "now": NOW}
    arguments.update(change)

    with pytest.raises(InvalidRequest) as raised:
        evaluate(
            policy(), arguments["order"], arguments["lines"], CustomerHistory(), arguments["now"]
        )

    assert raised.value.field == field

"""The policy document: parsing into values, every problem with its JSON pointer, the schema."""

from __future__ import annotations

import json
import re
from typing import Any

import jsonschema
import pytest

from retour.domain.lines import Grade, Resolution, ReturnMethod
from retour.domain.policy import (
    Catalogue,
    InvalidPolicy,
    explain,
    parse_policy,
    policy_problems,
    unknown_references,
)
from retour.domain.policy.collector import OBJECT_KEYS
from retour.domain.policy.document import BUILTIN_RULES, Restocking
from tests.unit.policy_builders import (
    DOCS_FILE,
    SCHEMA_FILE,
    ask,
    docs_json_blocks,
    docs_policies,
    document,
    item,
    order,
    run,
)

REFUND_METHODS = "refund, store_credit, exchange, replacement, keep_item"


def test_a_minimal_policy_gets_the_documented_defaults():
    parsed = parse_policy(document())

    assert parsed.timezone.key == "Europe/Paris"
    assert parsed.currency == "EUR"
    assert parsed.defaults.id == "default"
    assert parsed.defaults.window_days == 30
    assert parsed.defaults.transit_days == 5
    assert parsed.defaults.resolutions == {
        Resolution.REFUND,
        Resolution.STORE_CREDIT,
        Resolution.EXCHANGE,
        Resolution.KEEP_ITEM,
    }
    assert parsed.defaults.return_methods == {
        ReturnMethod.PREPAID_LABEL,
        ReturnMethod.QR_DROP_OFF,
        ReturnMethod.SHIP_YOURSELF,
    }
    assert parsed.defaults.restocking == Restocking()
    assert parsed.fees.waived_for == {Resolution.EXCHANGE}
    assert parsed.keep_item is None
    assert parsed.automation.rules == ()
    assert parsed.automation.default == "review"
    assert (
        parsed.rule_ids
        == {"default", "automation_default", "restocking_per_return"} | BUILTIN_RULES
    )


def test_percentages_become_basis_points_and_grades_fill_in_from_the_defaults():
    parsed = parse_policy(
        document(
            default={"restocking": {"percent": 12.5}},
            discounts=[{"id": "half", "min_percent": 49.99, "action": "exclude"}],
            keep_item={
                "below_value": 1000,
                "recovery_percent": {"B": 55},
                "recovery_percent_by_collection": {"socks": {"A": 0}},
                "expected_grade_by_reason": {"damaged": "D"},
            },
        )
    )

    assert parsed.defaults.restocking == Restocking(percent_bp=1250)
    assert parsed.discounts[0].min_discount_bp == 4999
    assert parsed.keep_item is not None
    assert parsed.keep_item.recovery_bp == {Grade.A: 9000, Grade.B: 5500, Grade.C: 2500, Grade.D: 0}
    assert parsed.keep_item.recovery_bp_by_collection == {"socks": {Grade.A: 0}}
    assert parsed.keep_item.expected_grade_by_reason == {"damaged": Grade.D}


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        pytest.param([], [("", "must be an object")], id="not-an-object"),
        pytest.param(
            {},
            [
                ("/currency", "is required"),
                ("/timezone", "is required"),
                ("/default", "is required"),
            ],
            id="required-sections",
        ),
        pytest.param(
            document(windows=30), [("/windows", "is not a known property")], id="unknown-property"
        ),
        pytest.param(
            document(timezone="Mars/Olympus"),
            [("/timezone", "'Mars/Olympus' is not an IANA time zone, e.g. Europe/Paris")],
            id="timezone",
        ),
        pytest.param(
            document(currency="eur"),
            [("/currency", "must be an ISO 4217 code in capitals, e.g. EUR")],
            id="currency",
        ),
        pytest.param(
            document(default={"window_days": "30"}),
            [("/default/window_days", "must be an integer")],
            id="days-as-text",
        ),
        pytest.param(
            document(default={"window_days": True}),
            [("/default/window_days", "must be an integer")],
            id="days-as-boolean",
        ),
        pytest.param(
            document(default={"window_days": 4000}),
            [("/default/window_days", "must be between 0 and 3650")],
            id="days-too-many",
        ),
        pytest.param(
            document(default={"restocking": {"percent": 12.345}}),
            [
                (
                    "/default/restocking/percent",
                    "must be a percentage from 0 to 100 with at most two decimals",
                )
            ],
            id="percent-three-decimals",
        ),
        pytest.param(
            document(default={"restocking": {"percent": 10, "fixed_per_unit": 100}}),
            [("/default/restocking", "must set exactly one of percent or fixed_per_unit")],
            id="restocking-both",
        ),
        pytest.param(
            document(default={"resolutions": ["refund", "cash"]}),
            [("/default/resolutions/1", f"must be one of {REFUND_METHODS}")],
            id="unknown-resolution",
        ),
        pytest.param(
            document(default={"return_methods": ["keep_item"]}),
            [
                (
                    "/default/return_methods",
                    "keep_item is not a way to send items back: list it under resolutions and "
                    "set up the keep_item section",
                )
            ],
            id="keep-item-as-method",
        ),
        pytest.param(
            document(default={"resolutions": []}),
            [("/default/resolutions", "must not be empty")],
            id="empty-list",
        ),
        pytest.param(
            document(overrides=[{"match": {"tags": ["a"], "collections": ["b"]}}]),
            [
                ("/overrides/0/id", "is required"),
                ("/overrides/0/match", "must name exactly one of skus, tags or collections"),
                (
                    "/overrides/0",
                    "must set window_days, resolutions, return_methods or restocking",
                ),
            ],
            id="override",
        ),
        pytest.param(
            document(
                final_sale=[{"id": "a", "tags": ["x"]}],
                discounts=[{"id": "a", "min_percent": 50, "action": "exclude"}],
            ),
            [("/discounts/0/id", "'a' is already the id of /final_sale/0/id")],
            id="duplicate-id",
        ),
        pytest.param(
            document(final_sale=[{"id": "retour.mine", "tags": ["x"]}]),
            [("/final_sale/0/id", "must not start with 'retour.' (kept for built-in rules)")],
            id="reserved-id",
        ),
        pytest.param(
            document(final_sale=[{"id": "has space", "tags": ["x"]}]),
            [
                (
                    "/final_sale/0/id",
                    "must be 1–64 letters, digits or _ . : - starting with a letter or digit",
                )
            ],
            id="id-characters",
        ),
        pytest.param(
            document(final_sale=[{"id": "nothing"}]),
            [("/final_sale/0", "must list skus, tags or collections")],
            id="final-sale-empty",
        ),
        pytest.param(
            document(
                extensions=[
                    {
                        "id": "xmas",
                        "ordered_from": "2026-12-24",
                        "ordered_until": "2026-12-01",
                        "window_days": 60,
                    }
                ]
            ),
            [("/extensions/0/ordered_until", "must not be before ordered_from")],
            id="extension-dates",
        ),
        pytest.param(
            document(
                extensions=[
                    {
                        "id": "xmas",
                        "ordered_from": "2026-12-01",
                        "ordered_until": "2026-12-24",
                        "window_days": 60,
                        "returns_until": "2027-01-31",
                    }
                ]
            ),
            [("/extensions/0", "must set exactly one of window_days or returns_until")],
            id="extension-window",
        ),
        pytest.param(
            document(
                extensions=[
                    {
                        "id": "x",
                        "ordered_from": "1 Dec",
                        "ordered_until": "2026-12-31",
                        "window_days": 5,
                    }
                ]
            ),
            [("/extensions/0/ordered_from", "must be a date written YYYY-MM-DD")],
            id="date-format",
        ),
        pytest.param(
            document(discounts=[{"id": "d", "min_percent": 50, "action": "refund_only"}]),
            [("/discounts/0/action", "must be one of exclude, store_credit_only")],
            id="discount-action",
        ),
        pytest.param(
            document(limits={"returns_per_customer": {"max_returns": 0}}),
            [
                ("/limits/returns_per_customer/max_returns", "must be between 1 and 1000000000000"),
                ("/limits/returns_per_customer/days", "is required"),
            ],
            id="limits",
        ),
        pytest.param(
            document(reasons=[{"id": "r", "codes": ["damaged"]}]),
            [
                (
                    "/reasons/0",
                    "must set photo_required, comment_required, resolutions or return_methods",
                )
            ],
            id="reason-without-terms",
        ),
        pytest.param(
            document(
                fees={"waived_for": ["refund"], "return_shipping": {"fixed": 5, "label_cost": True}}
            ),
            [
                ("/fees/waived_for", "may only list store_credit and exchange"),
                ("/fees/return_shipping", "must set exactly one of fixed or label_cost"),
            ],
            id="fees",
        ),
        pytest.param(
            document(fees={"return_shipping": {"label_cost": False}}),
            [
                (
                    "/fees/return_shipping/label_cost",
                    "must be true when present (leave it out to charge a fixed fee)",
                )
            ],
            id="label-cost-false",
        ),
        pytest.param(
            document(keep_item={"handling_cost_per_unit": 100}),
            [("/keep_item", "must set below_value, when_uneconomic: true, or both")],
            id="keep-item-without-trigger",
        ),
        pytest.param(
            document(
                keep_item={
                    "when_uneconomic": True,
                    "recovery_percent_by_collection": {"a/b~c": {"E": 10}},
                    "expected_grade_by_reason": {"damaged": "F"},
                }
            ),
            [
                ("/keep_item/expected_grade_by_reason/damaged", "must be one of A, B, C, D"),
                ("/keep_item/recovery_percent_by_collection/a~1b~0c/E", "is not a known property"),
            ],
            id="pointer-escaping",
        ),
        pytest.param(
            document(
                automation={"default": "maybe", "rules": [{"id": "r", "decision": "approve"}]}
            ),
            [
                ("/automation/rules/0/when", "is required"),
                ("/automation/default", "must be one of approve, review, reject"),
            ],
            id="automation",
        ),
        pytest.param(
            document(
                automation={
                    "rules": [
                        {
                            "id": "r",
                            "decision": "approve",
                            "when": {"order_value": {"at_least": 500, "below": 100}},
                        }
                    ]
                }
            ),
            [("/automation/rules/0/when/order_value/below", "must be greater than at_least")],
            id="range-reversed",
        ),
        pytest.param(
            document(
                automation={
                    "rules": [{"id": "r", "decision": "approve", "when": {"risk_score": {}}}]
                }
            ),
            [("/automation/rules/0/when/risk_score", "must set at_least, below or both")],
            id="range-empty",
        ),
        pytest.param(
            document(risk={"velocity": {"weight": 101, "days": 0}}),
            [
                ("/risk/velocity/weight", "must be between 0 and 100"),
                ("/risk/velocity/days", "must be between 1 and 1000000000000"),
            ],
            id="risk",
        ),
    ],
)
def test_every_problem_is_reported_with_its_json_pointer(data: Any, errors: list[tuple[str, str]]):
    with pytest.raises(InvalidPolicy) as raised:
        parse_policy(data)

    assert list(raised.value.errors) == errors
    assert policy_problems(data) == errors


def test_an_invalid_policy_is_a_domain_error_with_a_stable_code_and_the_errors_as_data():
    invalid = InvalidPolicy([("/currency", "is required")])

    assert invalid.code == "invalid_policy"
    assert invalid.extra == {"errors": [{"pointer": "/currency", "message": "is required"}]}


def test_a_valid_policy_has_no_problems():
    assert policy_problems(document()) == []


def test_unknown_skus_tags_collections_and_reasons_are_warnings_with_their_pointers():
    parsed = parse_policy(
        document(
            overrides=[{"id": "shoes", "match": {"collections": ["shoes"]}, "window_days": 60}],
            final_sale=[{"id": "hygiene", "tags": ["underwear"], "skus": ["OLD-1"]}],
            reasons=[{"id": "photos", "codes": ["damaged", "scratched"], "photo_required": True}],
        )
    )
    catalogue = Catalogue(
        skus=frozenset({"SHIRT-M"}),
        tags=frozenset({"underwear"}),
        collections=frozenset(),
        reasons=frozenset({"damaged"}),
    )

    assert unknown_references(parsed, catalogue) == [
        ("/overrides/0/match/collections/0", "no product or reason uses the collection 'shoes'"),
        ("/final_sale/0/skus/0", "no product or reason uses the sku 'OLD-1'"),
        ("/reasons/0/codes/1", "no product or reason uses the reason 'scratched'"),
    ]


def test_every_json_example_of_the_docs_is_a_valid_policy():
    examples = docs_policies()

    assert len(examples) >= 6
    for example in examples:
        assert policy_problems(example) == [], example


def test_the_docs_complete_example_uses_every_section_of_the_policy():
    complete = next(block for block in docs_json_blocks() if "timezone" in block)

    assert set(complete) == OBJECT_KEYS["policy"]


def _schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return schema


def test_the_schema_names_exactly_the_properties_the_parser_accepts():
    schema = _schema()
    accepted = {"policy": set(schema["properties"])}
    accepted |= {
        name: set(definition["properties"])
        for name, definition in schema["$defs"].items()
        if definition.get("type") == "object" and "properties" in definition
    }

    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert accepted == {name: set(keys) for name, keys in OBJECT_KEYS.items()}
    assert all(
        definition.get("additionalProperties") is False
        for name, definition in schema["$defs"].items()
        if name in OBJECT_KEYS
    )


# The schema cannot say these; the parser checks them (docs/policy.md, "Validation").
_PARSER_ONLY = {
    "timezone",
    "duplicate-id",
    "percent-three-decimals",
    "extension-dates",
    "range-reversed",
}


def test_the_schema_accepts_the_docs_examples_and_refuses_what_it_can_express():
    validator = jsonschema.Draft202012Validator(_schema())
    validator.check_schema(_schema())

    for example in docs_policies():
        assert list(validator.iter_errors(example)) == [], example
    cases = test_every_problem_is_reported_with_its_json_pointer.pytestmark[0].args[1]
    for case in cases:
        schema_errors = list(validator.iter_errors(case.values[0]))
        assert bool(schema_errors) is (case.id not in _PARSER_ONLY), case.id


def test_the_docs_explain_sample_is_what_explain_prints():
    complete = parse_policy(next(block for block in docs_json_blocks() if "timezone" in block))
    the_order = order(
        item(11, "SHIRT-M"),
        item(12, "BRIEFS-M", unit_price=1900, tax=380, tags=frozenset({"underwear"})),
    )
    sample = re.search(r"```text\n(Approved automatically.*?)```", DOCS_FILE.read_text(), re.DOTALL)

    evaluation = run(complete, the_order, [ask(11), ask(12)])

    assert sample is not None
    assert explain(evaluation) + "\n" == sample.group(1)

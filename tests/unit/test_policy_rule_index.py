"""The policy's rules arranged for evaluation (RuleIndex), requests prepared once for several
policies, and findings whose sentence is written when read: each gives what the plain
definitions give."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from retour.domain.policy import (
    FindingCode,
    OrderedItem,
    evaluate,
    evaluate_prepared,
    parse_policy,
    prepare_request,
)
from retour.domain.policy.document import PRODUCT_FINAL_SALE_RULE, Policy
from retour.domain.policy.explain import finding_text
from retour.domain.policy.rule_index import ItemTerms
from retour.domain.policy.window import end_of_day
from retour.services.policy.snapshot import evaluation_json
from tests.unit.policy_builders import NOW, ask, item, order, policy, run
from tests.unit.test_policy_properties import COLLECTIONS, SKUS, TAGS, policies, requests

MATCHES = st.one_of(
    st.fixed_dictionaries({"skus": st.lists(st.sampled_from(SKUS), min_size=1, max_size=3)}),
    st.fixed_dictionaries({"tags": st.lists(st.sampled_from(TAGS), min_size=1, max_size=3)}),
    st.fixed_dictionaries(
        {"collections": st.lists(st.sampled_from(COLLECTIONS), min_size=1, max_size=3)}
    ),
)
SETTINGS = st.fixed_dictionaries(
    {},
    optional={
        "window_days": st.integers(0, 90),
        "resolutions": st.just(["store_credit"]),
        "return_methods": st.just(["in_store"]),
        "restocking": st.just({"fixed_per_unit": 300}),
    },
).filter(bool)
ITEMS = st.builds(
    lambda sku, tags, collections, final: item(
        sku=sku, tags=frozenset(tags), collections=frozenset(collections), is_final_sale=final
    ),
    st.sampled_from(SKUS),
    st.lists(st.sampled_from(TAGS), max_size=3),
    st.lists(st.sampled_from(COLLECTIONS), max_size=3),
    st.booleans(),
)


def scanned_terms(the_policy: Policy, the_item: OrderedItem) -> ItemTerms:
    """Every override tested in turn, most specific last, first listed last among equals."""
    defaults = the_policy.defaults
    values = [defaults.window_days, defaults.id, defaults.resolutions, defaults.id]
    values += [defaults.return_methods, defaults.id, defaults.restocking, defaults.id]
    matching = [
        override
        for override in the_policy.overrides
        if override.match.matches(the_item.sku, the_item.tags, the_item.collections)
    ]
    matching.reverse()
    matching.sort(key=lambda override: override.specificity)
    for override in matching:
        settings_ = override.settings
        for position, value in enumerate(
            (
                settings_.window_days,
                settings_.resolutions,
                settings_.return_methods,
                settings_.restocking,
            )
        ):
            if value is not None:
                values[2 * position : 2 * position + 2] = [value, override.id]
    return ItemTerms(*values)


def scanned_final_sale(the_policy: Policy, the_item: OrderedItem) -> str | None:
    if the_item.is_final_sale:
        return PRODUCT_FINAL_SALE_RULE
    for rule in the_policy.final_sale:
        if rule.match.matches(the_item.sku, the_item.tags, the_item.collections):
            return rule.id
    return None


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(MATCHES, SETTINGS), max_size=6),
    st.lists(MATCHES, max_size=4),
    st.lists(ITEMS, min_size=1, max_size=5),
)
def test_looked_up_rules_are_the_rules_a_scan_of_the_policy_finds(overrides, final_sale, items):
    sections = {
        "overrides": [
            {"id": f"override-{index}", "match": match, **values}
            for index, (match, values) in enumerate(overrides)
        ],
        "final_sale": [{"id": f"final-{index}", **match} for index, match in enumerate(final_sale)],
    }
    the_policy = policy(**{name: rules for name, rules in sections.items() if rules})

    for the_item in items:
        terms = the_policy.rules.item_terms(the_item.sku, the_item.tags, the_item.collections)
        assert terms == scanned_terms(the_policy, the_item)
        assert the_policy.rules.final_sale_rule(the_item) == scanned_final_sale(
            the_policy, the_item
        )


def test_reason_rules_are_looked_up_by_code_in_the_policy_s_order():
    the_policy = policy(
        reasons=[
            {"id": "photo", "codes": ["damaged", "defective"], "photo_required": True},
            {"id": "comment", "codes": ["other"], "comment_required": True},
            {"id": "credit", "codes": ["damaged"], "resolutions": ["store_credit"]},
        ]
    )

    assert [rule.id for rule in the_policy.rules.reason_rules("damaged")] == ["photo", "credit"]
    assert [rule.id for rule in the_policy.rules.reason_rules("other")] == ["comment"]
    assert the_policy.rules.reason_rules("too_small") == ()


def test_a_remembered_end_of_day_is_the_end_of_that_day_in_the_store_s_timezone():
    the_policy = policy()
    paris = ZoneInfo("Europe/Paris")
    # Around the spring change (29 March 2026) and the autumn one (25 October 2026).
    days = [date(2026, 3, 28) + timedelta(days=n) for n in range(3)]
    days += [date(2026, 10, 24) + timedelta(days=n) for n in range(3)]

    for day in days * 2:
        assert the_policy.rules.end_of_day(day) == end_of_day(day, paris)
    assert the_policy.rules.end_of_day(date(2026, 3, 29)) == datetime(
        2026, 3, 29, 22, 0, tzinfo=UTC
    )


@settings(max_examples=100, deadline=None)
@given(policies(), policies(), requests())
def test_a_request_prepared_once_is_judged_by_each_policy_as_evaluate_judges_it(
    first, second, request
):
    the_order, candidates, history, now = request
    policy_a, policy_b = parse_policy(first), parse_policy(second)

    prepared = prepare_request(the_order, candidates, history, now)

    assert evaluate_prepared(policy_a, prepared) == evaluate(
        policy_a, the_order, candidates, history, now
    )
    assert evaluate_prepared(policy_b, prepared) == evaluate(
        policy_b, the_order, candidates, history, now
    )
    assert evaluate_prepared(policy_a, prepared) == evaluate(
        policy_a, the_order, candidates, history, now
    )


def test_a_finding_writes_its_sentence_when_read_and_the_snapshot_shows_it():
    the_policy = policy(default={"window_days": 30})
    far = NOW + timedelta(days=300)

    evaluation = run(the_policy, order(item(delivered_at=far - timedelta(days=5))), now=far)
    [note] = evaluation.lines[0].notes

    assert (note.code, note.rule_id, note.params) == (
        FindingCode.WINDOW_OPEN,
        "default",
        {"last_day": "2027-01-29"},
    )
    assert (
        note.message == "Return by 29 January" == finding_text(note.code, note.params, note.today)
    )
    assert evaluation_json(evaluation)["lines"][0]["notes"] == [
        {
            "code": "window_open",
            "rule_id": "default",
            "params": {"last_day": "2027-01-29"},
            "message": "Return by 29 January",
        }
    ]


def test_the_year_of_a_finding_s_day_is_written_when_it_is_not_the_store_s_year():
    evaluation = run(policy(), order(item(delivered_at=datetime(2026, 12, 20, tzinfo=UTC))),
                     [ask()], now=datetime(2026, 12, 28, tzinfo=UTC))  # fmt: skip

    assert evaluation.lines[0].notes[0].message == "Return by 19 January 2027"

"""Creating a return under the store's live policy (both engines): refusals name each line
and rule and change nothing, the decision is carried out at once, the policy's word is kept
with the return and on its timeline, staff may override; a store without a policy is as
before."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event, func, select

from retour.db.models import Event, ReturnRow, Store
from retour.domain.errors import QuantityExceeded
from retour.domain.inputs import LineRequest
from retour.domain.lines import Resolution, ReturnMethod
from retour.domain.statuses import ReturnStatus
from retour.services import returns as use_cases
from retour.services.context import Actor
from retour.services.policy.admission import NotEligible
from retour.services.policy.inputs import CurrencyMismatch, forget_store_return_rates
from retour.services.policy.versions import save_policy
from tests.factories import STAFF, import_sample_order, make_store

SMALL_ONES = {
    "timezone": "UTC",
    "currency": "EUR",
    "default": {"window_days": 30},
    "automation": {
        "default": "review",
        "rules": [
            {"id": "small", "decision": "approve", "when": {"return_value": {"below": 10000}}}
        ],
    },
}


@pytest.fixture(autouse=True)
def _fresh_store_rates():
    forget_store_return_rates()


@pytest.fixture
def store_id(uow, clock):
    return make_store(uow, clock)


@pytest.fixture
def order(uow, store_id, clock):
    """Two linen shirts M (line 0) and one L (line 1), 49.00 € + 9.80 € tax each, delivered
    on 23 February 2026, seven days before the clock's 2 March."""
    return import_sample_order(uow, store_id, clock).order


def with_policy(uow, store_id, clock, document: dict[str, Any]) -> None:
    save_policy(uow, store_id, document, "", Actor("staff", "owner@acme.test"), clock.now())


def policy(**changes: Any) -> dict[str, Any]:
    return {**SMALL_ONES, **changes}


def ask(uow, store_id, order, clock, quantities=(1, 0), **options: Any):
    lines = [
        LineRequest(line.id, quantity, "too_small")
        for line, quantity in zip(order.lines, quantities, strict=True)
        if quantity
    ]
    request = use_cases.ReturnRequest(order.id, lines, **options)
    return use_cases.request_return(uow, store_id, request, STAFF, clock.now())


def timeline(uow, return_id: int) -> list[tuple[str, str]]:
    with uow:
        rows = uow.session.execute(
            select(Event.name, Event.actor).where(Event.return_id == return_id).order_by(Event.id)
        )
        return [(name, actor) for name, actor in rows]


def requested_payload(uow, return_id: int) -> dict[str, Any]:
    with uow:
        return uow.session.scalars(
            select(Event.payload).where(
                Event.return_id == return_id, Event.name == "return.requested"
            )
        ).one()


def nothing_created(uow) -> bool:
    with uow:
        returns = uow.session.scalar(select(func.count()).select_from(ReturnRow))
        events = uow.session.scalar(
            select(func.count()).select_from(Event).where(Event.name.like("return.%"))
        )
    return (returns, events) == (0, 0)


def test_a_store_without_a_policy_pays_one_look_up_and_stores_no_decision(
    uow, store_id, order, clock, engine
):
    statements: list[str] = []

    def count(_connection, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        ret = ask(uow, store_id, order, clock)
    finally:
        event.remove(engine, "before_cursor_execute", count)

    assert ret.status is ReturnStatus.REQUESTED
    assert (ret.policy_version, ret.policy_decision, ret.risk_score) == (None, None, None)
    assert len([s for s in statements if "policy_versions" in s]) == 1
    assert "policy" not in requested_payload(uow, ret.id)
    with uow:
        stored = uow.returns.view(store_id, ret.id)
    assert stored is not None
    assert (stored.policy_version, stored.policy_decision, stored.window_days_left) == (
        None,
        None,
        None,
    )


def test_an_approve_decision_approves_it_at_once_as_the_rule_and_keeps_the_policys_word(
    uow, store_id, order, clock
):
    with_policy(uow, store_id, clock, SMALL_ONES)

    ret = ask(uow, store_id, order, clock)

    assert (ret.status, ret.approved_at) == (ReturnStatus.APPROVED, clock.now())
    assert (ret.policy_version, ret.risk_score, ret.window_days_left) == (1, 0, 23)
    assert timeline(uow, ret.id) == [
        ("return.requested", "staff:ann@acme.test"),
        ("return.approved", "policy:small"),
    ]
    assert requested_payload(uow, ret.id)["policy"] == {
        "version": 1,
        "decision": "approve",
        "rule_id": "small",
        "risk_score": 0,
    }
    with uow:
        stored = uow.returns.view(store_id, ret.id)
    assert stored is not None
    snapshot = stored.policy_decision
    assert snapshot is not None
    assert snapshot["decision"] == {
        "outcome": "approve",
        "rule_id": "small",
        "message": "Approved automatically: the return's value is below 100.00 EUR",
    }
    assert snapshot["override"] is None
    assert snapshot["evaluation"]["lines"][0]["window"]["last_day"] == "2026-03-25"
    assert snapshot["evaluation"]["risk"] == {"score": 0, "signals": []}


def test_an_automatic_approval_pays_an_automatic_refund_in_the_same_transaction(
    uow, store_id, order, clock
):
    with uow:
        uow.session.get(Store, store_id).auto_refund = "on_approval"
        uow.commit()
    with_policy(uow, store_id, clock, SMALL_ONES)

    ret = ask(uow, store_id, order, clock, resolution=Resolution.STORE_CREDIT)

    assert (ret.status, ret.refund_status) == (ReturnStatus.APPROVED, "refunded")
    assert [name for name, _actor in timeline(uow, ret.id)] == [
        "return.requested",
        "return.approved",
        "store_credit.issued",
        "refund.succeeded",
    ]


def test_a_review_decision_leaves_it_requested(uow, store_id, order, clock):
    with_policy(uow, store_id, clock, SMALL_ONES)

    ret = ask(uow, store_id, order, clock, quantities=(2, 1))

    assert ret.status is ReturnStatus.REQUESTED
    assert ret.policy_decision is not None
    assert ret.policy_decision["decision"]["rule_id"] == "automation_default"
    assert timeline(uow, ret.id) == [("return.requested", "staff:ann@acme.test")]


def test_a_reject_decision_rejects_it_with_the_rules_message(uow, store_id, order, clock):
    blocked = {"id": "blocked", "decision": "reject", "when": {"emails": ["shopper@example.com"]},
               "message": "Returns for this account go through customer service"}  # fmt: skip
    with_policy(uow, store_id, clock, policy(automation={"rules": [blocked]}))

    ret = ask(uow, store_id, order, clock)

    assert (ret.status, ret.staff_message) == (
        ReturnStatus.REJECTED,
        "Returns for this account go through customer service",
    )
    assert timeline(uow, ret.id)[-1] == ("return.rejected", "policy:blocked")


def test_ineligible_lines_are_refused_naming_each_line_and_rule_and_nothing_is_created(
    uow, store_id, order, clock
):
    with_policy(uow, store_id, clock, policy(default={"window_days": 5}))

    with pytest.raises(NotEligible) as refused:
        ask(uow, store_id, order, clock, quantities=(1, 1))

    (tee, shirt_l) = (line.id for line in order.lines)
    assert refused.value.field == "lines[0]"
    assert refused.value.detail == (
        "line 0: Return window ended on 28 February [default]; "
        "line 1: Return window ended on 28 February [default]"
    )
    assert refused.value.extra["refusals"] == [
        {"line": 0, "order_line_id": tee, "code": "window_ended", "rule_id": "default",
         "message": "Return window ended on 28 February", "params": {"last_day": "2026-02-28"}},
        {"line": 1, "order_line_id": shirt_l, "code": "window_ended", "rule_id": "default",
         "message": "Return window ended on 28 February", "params": {"last_day": "2026-02-28"}},
    ]  # fmt: skip
    assert nothing_created(uow)


def test_a_resolution_or_method_the_line_does_not_allow_is_refused_naming_the_rule(
    uow, store_id, order, clock
):
    shirts = {"id": "shirts", "match": {"collections": ["Shirts"]},
              "resolutions": ["store_credit", "exchange"]}  # fmt: skip
    with_policy(uow, store_id, clock, policy(
        default={"window_days": 30, "return_methods": ["prepaid_label"]}, overrides=[shirts],
    ))  # fmt: skip

    with pytest.raises(NotEligible) as refused:
        ask(uow, store_id, order, clock, return_method=ReturnMethod.SHIP_YOURSELF)

    assert [(r["code"], r["rule_id"], r["message"], r["params"])
            for r in refused.value.extra["refusals"]] == [
        ("resolution_not_allowed", "shirts",
         "Refund is not available for this item (only store credit, exchange)",
         {"resolution": "refund", "resolutions": "store_credit,exchange"}),
        ("return_method_not_allowed", "default",
         "Ship yourself is not available for this item (only prepaid label)",
         {"return_method": "ship_yourself", "return_methods": "prepaid_label"}),
    ]  # fmt: skip
    assert nothing_created(uow)
    allowed = ask(
        uow, store_id, order, clock,
        resolution=Resolution.STORE_CREDIT, return_method=ReturnMethod.PREPAID_LABEL,
    )  # fmt: skip
    assert allowed.status is ReturnStatus.APPROVED


def test_staff_override_creates_it_waiting_for_staff_with_the_reason_on_the_timeline(
    uow, store_id, order, clock
):
    with_policy(uow, store_id, clock, policy(default={"window_days": 5}))

    ret = ask(uow, store_id, order, clock, policy_override="goodwill: the parcel was late")

    assert ret.status is ReturnStatus.REQUESTED
    override = {
        "reason": "goodwill: the parcel was late",
        "refusals": [{"line": 0, "order_line_id": order.lines[0].id, "code": "window_ended",
                      "rule_id": "default", "message": "Return window ended on 28 February",
                      "params": {"last_day": "2026-02-28"}}],
    }  # fmt: skip
    assert ret.policy_decision is not None
    assert ret.policy_decision["decision"] == {
        "outcome": "review",
        "rule_id": "retour.staff_override",
        "message": "Waiting for staff: the policy was overridden (goodwill: the parcel was late)",
    }
    assert ret.policy_decision["override"] == override
    assert requested_payload(uow, ret.id)["policy"]["override"] == override
    assert timeline(uow, ret.id) == [("return.requested", "staff:ann@acme.test")]


def test_an_order_in_another_currency_is_refused_unless_staff_override(uow, store_id, order, clock):
    with_policy(uow, store_id, clock, policy(currency="USD"))

    with pytest.raises(CurrencyMismatch):
        ask(uow, store_id, order, clock)
    assert nothing_created(uow)

    ret = ask(uow, store_id, order, clock, policy_override="USD policy, EUR order")
    assert ret.status is ReturnStatus.REQUESTED
    assert ret.policy_decision is not None
    assert ret.policy_decision["evaluation"] is None
    assert [r["code"] for r in ret.policy_decision["override"]["refusals"]] == ["currency_mismatch"]
    assert ret.risk_score is None


def test_an_override_never_gives_back_units_that_are_not_there(uow, store_id, order, clock):
    with_policy(uow, store_id, clock, SMALL_ONES)

    with pytest.raises(QuantityExceeded) as refused:
        ask(uow, store_id, order, clock, quantities=(3, 0), policy_override="goodwill")

    assert (refused.value.field, refused.value.maximum) == ("lines[0].quantity", 2)
    assert nothing_created(uow)


def restocking_fee(quote) -> int:
    from retour.domain.refund_quote import FeeCode, QuoteMethod

    fees = quote.method(QuoteMethod.ORIGINAL_PAYMENT).fees
    return sum(fee.amount for fee in fees if fee.code is FeeCode.RESTOCKING)


def test_the_refund_quote_charges_the_fees_of_the_policy_the_return_was_decided_under(
    uow, store_id, order, clock
):
    from retour.services.refunds.quoting import quote_return_refund

    before = ask(uow, store_id, order, clock)  # no policy yet: the store's settings (no fee)
    use_cases.approve_return(uow, store_id, before.id, STAFF, clock.now())
    with_policy(
        uow, store_id, clock, policy(default={"window_days": 30, "restocking": {"percent": 10}})
    )

    under_policy = ask(uow, store_id, order, clock)  # approved by the policy's `small` rule

    assert under_policy.status is ReturnStatus.APPROVED
    assert restocking_fee(quote_return_refund(uow, store_id, under_policy.id)) == 490
    assert restocking_fee(quote_return_refund(uow, store_id, before.id)) == 0


def test_a_policy_charging_the_labels_cost_charges_the_stores_label_cost_on_its_labels(
    uow, store_id, order, clock
):
    from retour.domain.refund_quote import FeeCode, QuoteMethod
    from retour.services.refunds.quoting import quote_return_refund
    from retour.services.store_settings import update_money_settings

    update_money_settings(uow, store_id, {"label_cost": 450})
    with_policy(uow, store_id, clock, policy(fees={"return_shipping": {"label_cost": True}}))

    labelled = ask(uow, store_id, order, clock, return_method=ReturnMethod.PREPAID_LABEL)
    own_parcel = ask(uow, store_id, order, clock, return_method=ReturnMethod.SHIP_YOURSELF)

    def label_fee(ret) -> int:
        fees = quote_return_refund(uow, store_id, ret.id).method(QuoteMethod.ORIGINAL_PAYMENT).fees
        return sum(fee.amount for fee in fees if fee.code is FeeCode.LABEL)

    assert (labelled.status, own_parcel.status) == (ReturnStatus.APPROVED, ReturnStatus.APPROVED)
    assert (label_fee(labelled), label_fee(own_parcel)) == (450, 0)

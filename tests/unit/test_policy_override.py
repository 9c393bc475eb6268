"""Staff override of a return's refund terms: kept with the decision, refused without a reason
or once refunded in full, and read by the refund calculator (fees marked waived by staff)."""

from __future__ import annotations

import pytest

from retour.domain.errors import IllegalTransition, InvalidRequest
from retour.domain.policy_override import TermsOverride, fee_codes, override_of
from retour.domain.refund_quote import Fee, FeeCode, QuoteMethod, quote_refund
from retour.domain.statuses import ReturnStatus
from tests.unit.builders import NOW, in_status
from tests.unit.test_refund_quote import STORE_FEES, one_shirt

LABEL_WAIVED = TermsOverride(frozenset({FeeCode.LABEL}), reason="  our label came late ")


def test_an_override_is_kept_with_the_decision_and_on_the_timeline():
    ret = in_status(ReturnStatus.RECEIVED)
    ret.policy_decision = {"decision": {"outcome": "review"}}

    ret.override_policy(NOW, LABEL_WAIVED)

    assert ret.policy_decision == {
        "decision": {"outcome": "review"},
        "terms_override": {
            "waived_fees": ["label_cost"],
            "refund_original_shipping": False,
            "reason": "our label came late",
        },
    }
    assert override_of(ret.policy_decision) == TermsOverride(
        frozenset({FeeCode.LABEL}), reason="our label came late"
    )
    assert [(event.name, event.payload) for event in ret.events] == [
        (
            "return.policy_overridden",
            {
                "number": ret.number,
                "status": "received",
                "waived_fees": ["label_cost"],
                "refund_original_shipping": False,
                "reason": "our label came late",
            },
        )
    ]
    assert ret.updated_at == NOW


def test_the_same_terms_again_change_nothing_and_new_terms_replace_the_old():
    ret = in_status(ReturnStatus.APPROVED)
    ret.override_policy(NOW, LABEL_WAIVED)
    ret.events.clear()

    ret.override_policy(NOW, TermsOverride(frozenset({FeeCode.LABEL}), reason="asked twice"))
    assert ret.events == []
    assert override_of(ret.policy_decision).reason == "our label came late"

    ret.override_policy(NOW, TermsOverride(refund_original_shipping=True, reason="goodwill"))
    assert override_of(ret.policy_decision) == TermsOverride(
        frozenset(), refund_original_shipping=True, reason="goodwill"
    )
    ret.override_policy(NOW, TermsOverride(reason="back to the policy"))
    assert override_of(ret.policy_decision) == TermsOverride(reason="back to the policy")
    assert [event.payload["reason"] for event in ret.events] == ["goodwill", "back to the policy"]


def test_a_reason_is_required_and_an_empty_first_override_is_refused():
    ret = in_status(ReturnStatus.APPROVED)
    with pytest.raises(InvalidRequest, match="reason must not be empty") as no_reason:
        ret.override_policy(NOW, TermsOverride(frozenset({FeeCode.LABEL}), reason="  "))
    assert no_reason.value.extra["field"] == "reason"

    with pytest.raises(InvalidRequest, match="nothing to override") as nothing:
        ret.override_policy(NOW, TermsOverride(reason="why not"))
    assert nothing.value.extra["field"] == "waive_fees"
    assert ret.policy_decision is None
    assert ret.events == []


def test_a_closed_return_or_one_refunded_in_full_keeps_its_terms():
    with pytest.raises(IllegalTransition, match="that is completed"):
        in_status(ReturnStatus.COMPLETED).override_policy(NOW, LABEL_WAIVED)
    refunded = in_status(ReturnStatus.INSPECTED)
    refunded.refund_status = "refunded"
    with pytest.raises(
        IllegalTransition, match="cannot override the refund terms of a return that is refunded"
    ):
        refunded.override_policy(NOW, LABEL_WAIVED)
    assert refunded.policy_decision is None


def test_unknown_fee_codes_are_named_by_position():
    assert fee_codes(["label_cost", " restocking_fee "]) == {FeeCode.LABEL, FeeCode.RESTOCKING}
    with pytest.raises(InvalidRequest, match="no fee 'postage'") as refused:
        fee_codes(["label_cost", "postage"])
    assert refused.value.extra["field"] == "waive_fees.1"


def test_fees_waived_by_staff_are_shown_waived_and_not_charged():
    waived = frozenset({FeeCode.RESTOCKING, FeeCode.RETURN_SHIPPING})
    quote = quote_refund(one_shirt(STORE_FEES, uses_merchant_shipping=True, waived_by_staff=waived))

    refund = quote.method(QuoteMethod.ORIGINAL_PAYMENT)
    assert refund.fees == (
        Fee(FeeCode.RESTOCKING, 490, waived=True, note="waived by staff"),
        Fee(FeeCode.RESTOCKING_FIXED, 200),
        Fee(FeeCode.RETURN_SHIPPING, 500, waived=True, note="waived by staff"),
    )
    assert (refund.fees_charged, refund.paid_amount) == (200, 5680)


def test_a_merchant_fault_waiver_keeps_its_own_note():
    quote = quote_refund(
        one_shirt(
            STORE_FEES,
            uses_merchant_shipping=True,
            merchant_fault=True,
            waived_by_staff=frozenset({FeeCode.RETURN_SHIPPING}),
        )
    )
    assert quote.method(QuoteMethod.ORIGINAL_PAYMENT).fees == (
        Fee(FeeCode.RETURN_SHIPPING, 500, waived=True, note="merchant-fault reason"),
    )

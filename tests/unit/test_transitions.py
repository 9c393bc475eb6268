"""The transition table, exhaustively: every status × every action."""

from __future__ import annotations

import pytest

from retour.domain.errors import IllegalTransition
from retour.domain.inputs import Receipt
from retour.domain.lines import ReturnMethod
from retour.domain.policy_override import TermsOverride
from retour.domain.refund_quote import FeeCode
from retour.domain.statuses import ReturnAction, ReturnStatus
from tests.unit.builders import NOW, in_status, verdict

S, A = ReturnStatus, ReturnAction

#: Written out by hand, independently of the code's table: status → action → status after.
EXPECTED: dict[ReturnStatus, dict[ReturnAction, ReturnStatus]] = {
    S.REQUESTED: {
        A.APPROVE: S.APPROVED,
        A.REJECT: S.REJECTED,
        A.REQUEST_INFO: S.NEEDS_INFO,
        A.CANCEL: S.CANCELLED,
        A.CHANGE_LOCATION: S.REQUESTED,
        A.OVERRIDE_POLICY: S.REQUESTED,
    },
    S.NEEDS_INFO: {
        A.APPROVE: S.APPROVED,
        A.REJECT: S.REJECTED,
        A.ANSWER_INFO: S.REQUESTED,
        A.CANCEL: S.CANCELLED,
        A.CHANGE_LOCATION: S.NEEDS_INFO,
        A.OVERRIDE_POLICY: S.NEEDS_INFO,
    },
    S.APPROVED: {
        A.CANCEL: S.CANCELLED,
        A.MARK_IN_TRANSIT: S.IN_TRANSIT,
        A.RECEIVE: S.PARTIALLY_RECEIVED,
        A.EXPIRE: S.EXPIRED,
        A.EDIT_QUANTITIES: S.APPROVED,
        A.CHANGE_LOCATION: S.APPROVED,
        A.OVERRIDE_POLICY: S.APPROVED,
    },
    S.IN_TRANSIT: {
        A.CANCEL: S.CANCELLED,
        A.RECEIVE: S.PARTIALLY_RECEIVED,
        A.EDIT_QUANTITIES: S.IN_TRANSIT,
        A.OVERRIDE_POLICY: S.IN_TRANSIT,
    },
    S.PARTIALLY_RECEIVED: {
        A.RECEIVE: S.RECEIVED,
        A.INSPECT: S.PARTIALLY_RECEIVED,
        # Line 1 has 1 of 2 units; line 2, none of its units yet, is lowered to 1.
        A.EDIT_QUANTITIES: S.PARTIALLY_RECEIVED,
        A.OVERRIDE_POLICY: S.PARTIALLY_RECEIVED,
    },
    S.RECEIVED: {A.INSPECT: S.RECEIVED, A.OVERRIDE_POLICY: S.RECEIVED},
    S.INSPECTED: {A.COMPLETE: S.COMPLETED, A.OVERRIDE_POLICY: S.INSPECTED},
    S.REJECTED: {},
    S.COMPLETED: {},
    S.CANCELLED: {},
    S.EXPIRED: {},
}


def perform(ret, action: ReturnAction) -> None:
    """Call `action` with valid arguments for a return built by `in_status`."""
    if action is A.APPROVE:
        ret.approve(NOW, deadline_days=30)
    elif action is A.REJECT:
        ret.reject(NOW, "outside the window")
    elif action is A.REQUEST_INFO:
        ret.request_info(NOW, "which colour?")
    elif action is A.ANSWER_INFO:
        ret.answer_info(NOW, "blue")
    elif action is A.CANCEL:
        ret.cancel(NOW, "changed my mind")
    elif action is A.MARK_IN_TRANSIT:
        ret.mark_in_transit(NOW, "TRK1", "colissimo")
    elif action is A.RECEIVE:
        line_id = 1 if ret.lines[0].awaiting_receipt_quantity else 2
        quantity = 1 if ret.status is not S.PARTIALLY_RECEIVED else None
        pending = {line.id: line.awaiting_receipt_quantity for line in ret.lines}
        receipts = (
            [Receipt(line_id, quantity)]
            if quantity
            else [Receipt(i, q) for i, q in pending.items() if q]
        )
        ret.receive(NOW, receipts)
    elif action is A.INSPECT:
        ret.inspect(NOW, [verdict(1, 1)])
    elif action is A.COMPLETE:
        ret.complete(NOW)
    elif action is A.EXPIRE:
        ret.expire(NOW)
    elif action is A.EDIT_QUANTITIES:
        ret.edit_quantities(NOW, {2: 1}, "the shopper keeps one")
    elif action is A.CHANGE_LOCATION:
        ret.change_location(NOW, "returns", "uk-hub", "the Berlin hub is full")
    elif action is A.OVERRIDE_POLICY:
        ret.override_policy(NOW, TermsOverride(frozenset({FeeCode.LABEL}), reason="late label"))


def test_the_expected_table_covers_every_status():
    assert set(EXPECTED) == set(ReturnStatus)


@pytest.mark.parametrize("status", list(ReturnStatus))
@pytest.mark.parametrize("action", list(ReturnAction))
def test_every_status_and_action(status, action):
    ret = in_status(status)
    target = EXPECTED[status].get(action)
    assert ret.can(action) is (target is not None)
    if target is None:
        before = (
            ret.status,
            [(line.approved_quantity, line.received_quantity) for line in ret.lines],
        )
        with pytest.raises(IllegalTransition) as refused:
            perform(ret, action)
        assert refused.value.action == action.value
        assert ret.status is status
        assert before[1] == [(line.approved_quantity, line.received_quantity) for line in ret.lines]
        assert ret.events == []
    else:
        perform(ret, action)
        assert ret.status is target
        assert len(ret.events) == 1


def test_illegal_transition_names_the_current_status():
    ret = in_status(S.COMPLETED)
    with pytest.raises(IllegalTransition, match="cannot approve a return that is completed"):
        ret.approve(NOW, deadline_days=30)


def test_inspecting_every_received_unit_makes_the_return_inspected():
    ret = in_status(S.RECEIVED)
    ret.inspect(NOW, [verdict(1, 2), verdict(2, 2)])
    assert ret.status is S.INSPECTED


def test_a_keep_item_return_completes_straight_from_approved():
    ret = in_status(S.APPROVED, ReturnMethod.KEEP_ITEM)
    assert ret.can_complete()
    ret.complete(NOW)
    assert ret.status is S.COMPLETED
    assert ret.events[-1].payload["lines"][0]["kept"] == 2


def test_a_keep_item_return_cannot_be_received():
    ret = in_status(S.APPROVED, ReturnMethod.KEEP_ITEM)
    with pytest.raises(IllegalTransition):
        ret.receive(NOW, [Receipt(1, 1)])


def test_expiring_before_the_deadline_is_refused():
    ret = in_status(S.REQUESTED)
    ret.approve(NOW, deadline_days=30)
    with pytest.raises(IllegalTransition, match="not yet due"):
        ret.expire(NOW)
    assert ret.status is S.APPROVED


def test_a_keep_item_return_has_no_deadline_and_never_expires():
    ret = in_status(S.REQUESTED, ReturnMethod.KEEP_ITEM)
    ret.approve(NOW, deadline_days=30)
    assert ret.expires_at is None
    assert not ret.is_overdue(NOW)
    with pytest.raises(IllegalTransition, match="a keep-item return"):
        ret.expire(NOW)
    assert ret.status is S.APPROVED

"""Return statuses, actions and the one table of which action is allowed from which status."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from retour.domain.errors import IllegalTransition


class ReturnStatus(StrEnum):
    REQUESTED = "requested"
    NEEDS_INFO = "needs_info"
    APPROVED = "approved"
    REJECTED = "rejected"
    IN_TRANSIT = "in_transit"
    PARTIALLY_RECEIVED = "partially_received"
    RECEIVED = "received"
    INSPECTED = "inspected"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


class ReturnAction(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    REQUEST_INFO = "request_info"
    ANSWER_INFO = "answer_info"
    CANCEL = "cancel"
    MARK_IN_TRANSIT = "mark_in_transit"
    RECEIVE = "receive"
    INSPECT = "inspect"
    COMPLETE = "complete"
    EXPIRE = "expire"
    EDIT_QUANTITIES = "edit_quantities"
    CHANGE_LOCATION = "change_location"
    OVERRIDE_POLICY = "override_policy"


S = ReturnStatus
A = ReturnAction

#: Statuses a return never leaves.
FINAL_STATUSES: frozenset[ReturnStatus] = frozenset(
    {S.REJECTED, S.COMPLETED, S.CANCELLED, S.EXPIRED}
)

#: The transition table: each action and the statuses it may start from. Where an action can
#: lead to more than one status (receive, inspect), the aggregate picks the target.
ALLOWED_FROM: Mapping[ReturnAction, frozenset[ReturnStatus]] = {
    A.APPROVE: frozenset({S.REQUESTED, S.NEEDS_INFO}),
    A.REJECT: frozenset({S.REQUESTED, S.NEEDS_INFO}),
    # Only before approval: after it, partially approved units may already belong to
    # another return, and going back to `requested` would claim them again.
    A.REQUEST_INFO: frozenset({S.REQUESTED}),
    A.ANSWER_INFO: frozenset({S.NEEDS_INFO}),
    # Only before anything is received.
    A.CANCEL: frozenset({S.REQUESTED, S.NEEDS_INFO, S.APPROVED, S.IN_TRANSIT}),
    A.MARK_IN_TRANSIT: frozenset({S.APPROVED}),
    A.RECEIVE: frozenset({S.APPROVED, S.IN_TRANSIT, S.PARTIALLY_RECEIVED}),
    A.INSPECT: frozenset({S.PARTIALLY_RECEIVED, S.RECEIVED}),
    # From approved only for keep-item returns, where nothing is shipped back.
    A.COMPLETE: frozenset({S.INSPECTED, S.APPROVED}),
    A.EXPIRE: frozenset({S.APPROVED}),
    # After approval, while units are still awaited (the aggregate also needs a line none of
    # whose units arrived). Before approval, approving sets the quantities.
    A.EDIT_QUANTITIES: frozenset({S.APPROVED, S.IN_TRANSIT, S.PARTIALLY_RECEIVED}),
    # Until the parcel is on its way (a label addressed to the old location is the service's
    # to check: void it first).
    A.CHANGE_LOCATION: frozenset({S.REQUESTED, S.NEEDS_INFO, S.APPROVED}),
    # The refund terms (fees, original shipping), until the return is closed.
    A.OVERRIDE_POLICY: frozenset(set(ReturnStatus) - FINAL_STATUSES),
}

#: Statuses in which a return no longer holds any of the order's quantities.
RELEASED_STATUSES: frozenset[ReturnStatus] = frozenset({S.REJECTED, S.CANCELLED, S.EXPIRED})


def is_allowed(status: ReturnStatus, action: ReturnAction) -> bool:
    return status in ALLOWED_FROM[action]


def ensure_allowed(status: ReturnStatus, action: ReturnAction) -> None:
    if not is_allowed(status, action):
        raise IllegalTransition(action.value, status.value)

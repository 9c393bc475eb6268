"""Domain errors: one type per failure, each with a stable code the API exposes."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every business-rule failure."""

    code = "domain_error"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


#: Actions whose name does not read as a verb phrase before "a return".
_VERBS = {
    "edit_quantities": "edit the quantities of",
    "change_location": "change the return location of",
    "override_policy": "override the refund terms of",
}


class IllegalTransition(DomainError):
    """An action that the return's current status does not allow."""

    code = "illegal_transition"

    def __init__(self, action: str, current_status: str) -> None:
        verb = _VERBS.get(action, action.replace("_", " "))
        super().__init__(
            f"cannot {verb} a return that is {current_status}",
            action=action,
            current_status=current_status,
        )
        self.action = action
        self.current_status = current_status


class InvalidRequest(DomainError):
    """Input that breaks a business rule; `field` names the offending input."""

    code = "invalid_request"

    def __init__(self, detail: str, field: str, **extra: Any) -> None:
        super().__init__(detail, field=field, **extra)
        self.field = field


class QuantityExceeded(InvalidRequest):
    """A quantity above what the rule allows; `maximum` is the most that is allowed."""

    code = "quantity_exceeded"

    def __init__(self, detail: str, field: str, maximum: int) -> None:
        super().__init__(detail, field=field, maximum=maximum)
        self.maximum = maximum


class InvariantViolation(DomainError):
    """The aggregate would end in a state that must never exist (a bug, not bad input)."""

    code = "invariant_violation"

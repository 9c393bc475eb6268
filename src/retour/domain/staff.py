"""Who on the staff may do what: roles, permissions, and the lockout rule for sign-in.

Pure rules; the back office's services ask `ensure_permitted` before every use case, so a
role is refused in the service layer whatever the page shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from retour.domain.errors import DomainError


class Role(StrEnum):
    OWNER = "owner"
    ADMIN = "admin"
    AGENT = "agent"
    WAREHOUSE = "warehouse"
    ANALYST = "analyst"


class Permission(StrEnum):
    VIEW_RETURNS = "view_returns"
    #: Approve, reject, ask for information, cancel, override the policy, edit quantities.
    REVIEW_RETURNS = "review_returns"
    #: Mark in transit, receive, inspect and grade, record unmatched parcels.
    HANDLE_PARCELS = "handle_parcels"
    #: Refund, store credit, exchanges, completing a return.
    MOVE_MONEY = "move_money"
    ADD_NOTES = "add_notes"
    VIEW_REPORTS = "view_reports"
    CONFIGURE_STORE = "configure_store"
    MANAGE_STAFF = "manage_staff"


P = Permission
PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.OWNER: frozenset(Permission),
    Role.ADMIN: frozenset(Permission) - {P.MANAGE_STAFF},
    Role.AGENT: frozenset(
        {P.VIEW_RETURNS, P.REVIEW_RETURNS, P.HANDLE_PARCELS, P.MOVE_MONEY, P.ADD_NOTES}
    ),
    Role.WAREHOUSE: frozenset({P.VIEW_RETURNS, P.HANDLE_PARCELS, P.ADD_NOTES}),
    Role.ANALYST: frozenset({P.VIEW_RETURNS, P.VIEW_REPORTS}),
}


class NotPermitted(DomainError):
    """The staff member's role does not allow this; nothing was done."""

    code = "not_permitted"

    def __init__(self, role: str, permission: Permission) -> None:
        super().__init__(
            f"the {role} role may not {permission.value.replace('_', ' ')}",
            role=role,
            permission=permission.value,
        )


@dataclass(frozen=True)
class StaffMember:
    """A signed-in staff member, as every back-office use case receives them."""

    user_id: int
    store_id: int
    store_slug: str
    email: str
    name: str
    role: Role
    #: The store's timezone: pages show its local times.
    timezone: str = "UTC"

    def may(self, permission: Permission) -> bool:
        return permission in PERMISSIONS[self.role]

    @property
    def actor_name(self) -> str:
        """How the timeline names them: `staff:ann@example.com`."""
        return self.email


def ensure_permitted(staff: StaffMember, permission: Permission) -> None:
    if not staff.may(permission):
        raise NotPermitted(staff.role.value, permission)


#: Wrong passwords in a row before the account locks, and for how long it stays locked.
MAX_FAILED_SIGN_INS = 5
LOCKOUT = timedelta(minutes=15)


def locked_until_after_failure(failed_in_a_row: int, now: datetime) -> datetime | None:
    """When the account unlocks after this many failures in a row; None: not locked."""
    return now + LOCKOUT if failed_in_a_row >= MAX_FAILED_SIGN_INS else None


def is_locked(locked_until: datetime | None, now: datetime) -> bool:
    return locked_until is not None and locked_until > now


#: The shortest password an account may have (set by an owner or through a reset).
MIN_PASSWORD_LENGTH = 10


def password_problem(password: str) -> str | None:
    """Why this cannot be a password, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"passwords need at least {MIN_PASSWORD_LENGTH} characters"
    return None

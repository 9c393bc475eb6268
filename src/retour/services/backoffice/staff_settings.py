"""Settings → users and roles: the store's staff listed, added, given another role,
deactivated and reactivated. Owners only (MANAGE_STAFF).

A store always keeps one active owner: the last one can be neither demoted nor deactivated.
Deactivating someone ends their open sessions, so their next page asks them to sign in (which
a deactivated account cannot).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update

from retour.db.models import StaffSession, StaffUser
from retour.db.unit_of_work import UnitOfWork
from retour.domain.errors import InvalidRequest
from retour.domain.staff import Permission, Role, StaffMember, ensure_permitted, password_problem
from retour.services.backoffice.audit import audit_entry, audited
from retour.services.errors import NotFound
from retour.services.stores import create_staff_user

MAX_NAME_LENGTH = 200


@dataclass(frozen=True)
class StaffRow:
    id: int
    email: str
    name: str
    role: Role
    is_active: bool
    created_at: datetime
    last_login_at: datetime | None


@dataclass(frozen=True)
class NewStaffUser:
    """The add-a-user form as typed; a blank password means "they choose it through a reset"."""

    email: str
    name: str
    role: str
    password: str = ""
    confirmation: str = ""


def list_staff(uow: UnitOfWork, staff: StaffMember) -> list[StaffRow]:
    """The store's staff, active first, then by e-mail."""
    ensure_permitted(staff, Permission.MANAGE_STAFF)
    with uow:
        users = uow.session.scalars(
            select(StaffUser)
            .where(StaffUser.store_id == staff.store_id)
            .order_by(StaffUser.is_active.desc(), StaffUser.email)
        )
        return [_row(user) for user in users]


def add_staff_user(uow: UnitOfWork, staff: StaffMember, form: NewStaffUser, now: datetime) -> int:
    """A new account in the staff member's store; its id."""
    ensure_permitted(staff, Permission.MANAGE_STAFF)
    role = _role(form.role)
    name = form.name.strip()
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidRequest(f"names have at most {MAX_NAME_LENGTH} characters", field="name")
    password = form.password
    if password or form.confirmation:
        weak = password_problem(password)
        if weak is not None:
            raise InvalidRequest(weak, field="password")
        if password != form.confirmation:
            raise InvalidRequest("The two passwords are not the same.", field="confirmation")
    else:
        # Nobody knows this one: the new colleague sets theirs through a password reset.
        password = secrets.token_urlsafe(32)
    email = form.email.strip().lower()
    return audited(
        uow, staff, "staff", "added", email,
        lambda: create_staff_user(
            uow, store_slug=staff.store_slug, email=email, password=password,
            role=role.value, now=now, name=name,
        ),
        {"role": role.value, "name": name}, now,
    )  # fmt: skip


def change_role(uow: UnitOfWork, staff: StaffMember, user_id: int, role: str) -> StaffRow:
    """Give a colleague another role; the store's last active owner stays an owner."""
    ensure_permitted(staff, Permission.MANAGE_STAFF)
    wanted = _role(role)
    with audit_entry(uow, staff, "staff", "role_changed") as entry:
        user = _user(uow, staff, user_id)
        if wanted is not Role.OWNER:
            _keep_an_owner(uow, staff, user, "role", "give the last active owner another role")
        entry.subject, entry.details = user.email, {"from": user.role, "to": wanted.value}
        user.role = wanted.value
        uow.commit()
        return _row(user)


def deactivate_staff_user(
    uow: UnitOfWork, staff: StaffMember, user_id: int, now: datetime
) -> StaffRow:
    """Close the account and end its open sessions; the store's last active owner stays."""
    ensure_permitted(staff, Permission.MANAGE_STAFF)
    with audit_entry(uow, staff, "staff", "deactivated", now=now) as entry:
        user = _user(uow, staff, user_id)
        _keep_an_owner(uow, staff, user, "active", "deactivate the last active owner")
        entry.subject = user.email
        user.is_active = False
        uow.session.execute(
            update(StaffSession)
            .where(StaffSession.staff_user_id == user.id, StaffSession.ended_at.is_(None))
            .values(ended_at=now)
        )
        uow.commit()
        return _row(user)


def reactivate_staff_user(uow: UnitOfWork, staff: StaffMember, user_id: int) -> StaffRow:
    """Open a deactivated account again; they sign in with the password they had."""
    ensure_permitted(staff, Permission.MANAGE_STAFF)
    with audit_entry(uow, staff, "staff", "reactivated") as entry:
        user = _user(uow, staff, user_id)
        entry.subject = user.email
        user.is_active = True
        uow.commit()
        return _row(user)


def _keep_an_owner(
    uow: UnitOfWork, staff: StaffMember, user: StaffUser, field: str, what: str
) -> None:
    """Refuse to take away the store's last active owner.

    The active owners' rows are locked (PostgreSQL) so that two owners demoting each other at
    the same moment cannot both succeed."""
    if user.role != Role.OWNER.value or not user.is_active:
        return
    owners = uow.session.scalars(
        select(StaffUser.id)
        .where(
            StaffUser.store_id == staff.store_id,
            StaffUser.role == Role.OWNER.value,
            StaffUser.is_active.is_(True),
        )
        .with_for_update()
    ).all()
    if set(owners) <= {user.id}:
        raise InvalidRequest(
            f"You cannot {what}: {user.email} is the only active owner of this store. "
            "Make another colleague an owner first.",
            field=field,
            user_id=user.id,
        )


def _user(uow: UnitOfWork, staff: StaffMember, user_id: int) -> StaffUser:
    """A colleague in the staff member's own store; another store's account is not found."""
    user = uow.session.scalars(
        select(StaffUser).where(StaffUser.id == user_id, StaffUser.store_id == staff.store_id)
    ).one_or_none()
    if user is None:
        raise NotFound("staff user", user_id)
    return user


def _role(text: str) -> Role:
    try:
        return Role(text.strip())
    except ValueError:
        allowed = ", ".join(role.value for role in Role)
        raise InvalidRequest(f"role must be one of {allowed}", field="role") from None


def _row(user: StaffUser) -> StaffRow:
    return StaffRow(
        user.id, user.email, user.name, Role(user.role), user.is_active, user.created_at,
        user.last_login_at,
    )  # fmt: skip

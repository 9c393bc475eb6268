"""A forgotten password: a one-hour link by e-mail, then a new password.

Only the SHA-256 of a link's token is stored. Asking never says whether the address has an
account. Setting the new password uses the link up, unlocks the account and ends every open
session of it (whoever knew the old password is signed out).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from sqlalchemy import func, select, update

from retour.db.models import StaffPasswordReset, StaffSession, StaffUser, Store
from retour.db.unit_of_work import UnitOfWork
from retour.domain.errors import InvalidRequest
from retour.domain.staff import password_problem
from retour.services.staff.signing_in import hash_token

RESET_LIFETIME = timedelta(hours=1)
#: A second link for the same account within this time is not sent (no mail-bombing).
RESEND_AFTER = timedelta(minutes=1)
LINK_UNUSABLE = "This link has expired or was already used. Ask for a new one."


@dataclass(frozen=True)
class ResetLetter:
    """What the e-mail needs; `token` goes in the link and is never stored."""

    recipient: str
    name: str
    store_slug: str
    store_name: str
    token: str
    expires_at: datetime


def request_password_reset(uow: UnitOfWork, email: str, now: datetime) -> list[ResetLetter]:
    """A link for each active account with this e-mail (one per store); none if it has none.

    A new link replaces the account's earlier ones.
    """
    email = email.strip().lower()
    if not email:
        raise InvalidRequest("Enter your e-mail address.", field="email")
    letters: list[ResetLetter] = []
    with uow:
        accounts = uow.session.execute(
            select(StaffUser, Store)
            .join(Store, Store.id == StaffUser.store_id)
            .where(func.lower(StaffUser.email) == email, StaffUser.is_active.is_(True))
            .order_by(StaffUser.id)
        ).all()
        for user, store in accounts:
            if _asked_just_now(uow, user.id, now):
                continue
            _use_up_links(uow, user.id, now)
            token = secrets.token_urlsafe(32)
            uow.session.add(
                StaffPasswordReset(
                    staff_user_id=user.id,
                    token_hash=hash_token(token),
                    created_at=now,
                    expires_at=now + RESET_LIFETIME,
                )
            )
            letters.append(
                ResetLetter(
                    user.email, user.name, store.slug, store.name, token, now + RESET_LIFETIME
                )
            )
        uow.commit()
    return letters


def reset_link_is_usable(uow: UnitOfWork, token: str, now: datetime) -> bool:
    with uow:
        return _open_link(uow, token, now) is not None


def reset_password(
    uow: UnitOfWork, token: str, password: str, confirmation: str, now: datetime
) -> str:
    """Sets the password of the link's account; returns the account's e-mail."""
    weak = password_problem(password)
    if weak is not None:
        raise InvalidRequest(weak, field="password")
    if confirmation != password:
        raise InvalidRequest("The two passwords are not the same.", field="confirmation")
    with uow:
        link = _open_link(uow, token, now)
        if link is None:
            raise InvalidRequest(LINK_UNUSABLE, field="token")
        user = uow.session.get(StaffUser, link.staff_user_id)
        if user is None or not user.is_active:
            raise InvalidRequest(LINK_UNUSABLE, field="token")
        user.password_hash = PasswordHasher().hash(password)
        user.failed_logins = 0
        user.locked_until = None
        _use_up_links(uow, user.id, now)
        uow.session.execute(
            update(StaffSession)
            .where(StaffSession.staff_user_id == user.id, StaffSession.ended_at.is_(None))
            .values(ended_at=now)
        )
        uow.commit()
        return user.email


def _open_link(uow: UnitOfWork, token: str, now: datetime) -> StaffPasswordReset | None:
    if not token:
        return None
    link = uow.session.scalars(
        select(StaffPasswordReset).where(StaffPasswordReset.token_hash == hash_token(token))
    ).first()
    if link is None or link.used_at is not None or link.expires_at <= now:
        return None
    return link


def _asked_just_now(uow: UnitOfWork, user_id: int, now: datetime) -> bool:
    latest = uow.session.scalar(
        select(func.max(StaffPasswordReset.created_at)).where(
            StaffPasswordReset.staff_user_id == user_id
        )
    )
    return latest is not None and now - latest < RESEND_AFTER


def _use_up_links(uow: UnitOfWork, user_id: int, now: datetime) -> None:
    uow.session.execute(
        update(StaffPasswordReset)
        .where(StaffPasswordReset.staff_user_id == user_id, StaffPasswordReset.used_at.is_(None))
        .values(used_at=now)
    )

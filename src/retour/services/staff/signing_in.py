"""Sign in with e-mail and password, stay signed in with a session cookie, sign out.

Only a hash of the session token is stored. Wrong passwords in a row lock the account for a
while (domain/staff.py); every refusal reads the same, whether the e-mail exists or not.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select, update

from retour.db.models import StaffSession, StaffUser, Store
from retour.db.unit_of_work import UnitOfWork
from retour.domain.errors import DomainError, InvalidRequest
from retour.domain.staff import Role, StaffMember, is_locked, locked_until_after_failure

SESSION_LIFETIME = timedelta(hours=12)
#: How often a session's last-seen time is written (not on every page).
SEEN_EVERY = timedelta(minutes=5)
WRONG_CREDENTIALS = "That e-mail and password do not match an account."
_hasher = PasswordHasher()
#: Verified against when the e-mail is unknown, so that both refusals take as long.
_DUMMY_HASH = _hasher.hash("not a password anyone has")


class AccountLocked(DomainError):
    """Too many wrong passwords in a row; signing in is refused until `until`."""

    code = "account_locked"

    def __init__(self, until: datetime, now: datetime) -> None:
        minutes = max(1, round((until - now).total_seconds() / 60))
        super().__init__(
            f"Too many wrong passwords. This account is locked; try again in {minutes} minutes.",
            field="password",
            retry_after=int((until - now).total_seconds()),
        )


@dataclass(frozen=True)
class SignedIn:
    #: Goes in the cookie; never stored.
    token: str
    staff: StaffMember
    expires_at: datetime


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def sign_in(
    uow: UnitOfWork, email: str, password: str, now: datetime, store_slug: str = ""
) -> SignedIn:
    """A new session for the account with this e-mail and password.

    The same e-mail may have an account in several stores; then `store_slug` says which,
    and without it the first store (by id) whose password matches is taken.
    """
    email = email.strip().lower()
    if not email:
        raise InvalidRequest("Enter your e-mail address.", field="email")
    if not password:
        raise InvalidRequest("Enter your password.", field="password")
    with uow:
        candidates = _accounts(uow, email, store_slug)
        if not candidates:
            _verify(_DUMMY_HASH, password)
            raise InvalidRequest(WRONG_CREDENTIALS, field="password")
        for user, store in candidates:
            if is_locked(user.locked_until, now):
                raise AccountLocked(user.locked_until or now, now)
            if _verify(user.password_hash, password):
                return _open_session(uow, user, store, now)
        for user, _store in candidates:
            user.failed_logins += 1
            user.locked_until = locked_until_after_failure(user.failed_logins, now)
        uow.commit()
    raise InvalidRequest(WRONG_CREDENTIALS, field="password")


def staff_of_session(uow: UnitOfWork, token: str | None, now: datetime) -> StaffMember | None:
    """Who the cookie's session belongs to, if it is open, unexpired and its account active."""
    if not token:
        return None
    statement = (
        select(StaffSession, StaffUser, Store.slug, Store.timezone)
        .join(StaffUser, StaffUser.id == StaffSession.staff_user_id)
        .join(Store, Store.id == StaffUser.store_id)
        .where(StaffSession.token_hash == hash_token(token))
    )
    with uow:
        found = uow.session.execute(statement).first()
        if found is None:
            return None
        session, user, slug, timezone = found
        if session.ended_at is not None or session.expires_at <= now or not user.is_active:
            return None
        if now - session.last_seen_at >= SEEN_EVERY:
            session.last_seen_at = now
            uow.commit()
        return _member(user, slug, timezone)


def sign_out(uow: UnitOfWork, token: str | None, now: datetime) -> None:
    if not token:
        return
    with uow:
        uow.session.execute(
            update(StaffSession)
            .where(StaffSession.token_hash == hash_token(token), StaffSession.ended_at.is_(None))
            .values(ended_at=now)
        )
        uow.commit()


def _accounts(uow: UnitOfWork, email: str, store_slug: str) -> list[tuple[StaffUser, Store]]:
    statement = (
        select(StaffUser, Store)
        .join(Store, Store.id == StaffUser.store_id)
        .where(func.lower(StaffUser.email) == email, StaffUser.is_active.is_(True))
        .order_by(StaffUser.id)
    )
    if store_slug:
        statement = statement.where(Store.slug == store_slug)
    return [(user, store) for user, store in uow.session.execute(statement)]


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _open_session(uow: UnitOfWork, user: StaffUser, store: Store, now: datetime) -> SignedIn:
    token = secrets.token_urlsafe(32)
    expires_at = now + SESSION_LIFETIME
    uow.session.add(
        StaffSession(
            staff_user_id=user.id,
            token_hash=hash_token(token),
            created_at=now,
            last_seen_at=now,
            expires_at=expires_at,
        )
    )
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    uow.commit()
    return SignedIn(token, _member(user, store.slug, store.timezone), expires_at)


def _member(user: StaffUser, slug: str, timezone: str) -> StaffMember:
    return StaffMember(
        user.id, user.store_id, slug, user.email, user.name, Role(user.role), timezone
    )

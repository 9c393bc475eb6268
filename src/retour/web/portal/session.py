"""The portal's signed session (one order, short-lived) and its CSRF tokens."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from datetime import datetime, timedelta

from retour.services.portal.lookup import PortalAccess

SESSION_COOKIE = "retour_portal"
CSRF_COOKIE = "retour_csrf"
SESSION_LIFETIME = timedelta(minutes=30)


class PortalSigner:
    """Signs what the portal hands the browser with the installation's secret key."""

    def __init__(self, secret_key: str) -> None:
        self._key = hashlib.sha256(b"retour-portal:" + secret_key.encode()).digest()

    def session(self, access: PortalAccess, now: datetime) -> str:
        expires = int((now + SESSION_LIFETIME).timestamp())
        payload = json.dumps(
            [access.store_id, access.order_id, expires, int(access.is_gift)]
        ).encode()
        body = base64.urlsafe_b64encode(payload).decode().rstrip("=")
        return f"{body}.{self._sign(body)}"

    def access(self, cookie: str | None, store_id: int, now: datetime) -> PortalAccess | None:
        """The session's order if the cookie is genuine, unexpired and for this store."""
        if not cookie or cookie.count(".") != 1:
            return None
        body, signature = cookie.split(".")
        if not hmac.compare_digest(signature, self._sign(body)):
            return None
        try:
            store, order, expires, is_gift = json.loads(
                base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
            )
        except (ValueError, TypeError):
            return None
        if store != store_id or expires < now.timestamp():
            return None
        return PortalAccess(int(store), int(order), bool(is_gift))

    def _sign(self, body: str) -> str:
        return hmac.new(self._key, body.encode(), hashlib.sha256).hexdigest()


def new_csrf_token() -> str:
    return secrets.token_urlsafe(24)


def csrf_matches(cookie: str | None, field: str | None) -> bool:
    """Double submit: the form's token must be the one in the browser's cookie."""
    return bool(cookie) and bool(field) and hmac.compare_digest(str(cookie), str(field))

"""The senders a worker uses, built from the settings."""

from __future__ import annotations

from retour.services.outbox.senders import Sender
from retour.settings import Settings


def senders_from_settings(settings: Settings) -> dict[str, Sender]:
    """`email`: SMTP when configured, else `.eml` files under the data dir; `webhook`: HTTP."""
    from retour.db.engine import create_db_engine, create_session_factory
    from retour.notifications.sender import email_sender_from_settings
    from retour.webhooks.sender import webhook_sender_from_settings

    session_factory = create_session_factory(create_db_engine(settings))
    return {
        "email": email_sender_from_settings(settings, session_factory),
        "webhook": webhook_sender_from_settings(settings, session_factory),
    }

"""The senders and chores a worker uses, built from the settings."""

from __future__ import annotations

from collections.abc import Callable

from retour.db.unit_of_work import UnitOfWork
from retour.services.context import Clock
from retour.services.outbox.chores import Chore
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


def chores_from_settings(
    new_uow: Callable[[], UnitOfWork], clock: Clock, settings: Settings
) -> tuple[Chore, ...]:
    """The store's periodic chores (services/outbox/chores.py), or none with
    `RETOUR_WORKER_CHORES=false` (cron runs the commands instead)."""
    if not settings.worker_chores:
        return ()
    from retour.payments.registry import providers_from_settings
    from retour.services.outbox.chores import store_chores
    from retour.shipping.registry import carriers_from_settings

    return store_chores(
        new_uow,
        clock,
        providers_from_settings(settings),
        settings.data_dir,
        carriers_from_settings(settings),
    )

"""Carrier accounts' credentials as the database holds them, read and written with SQL."""

from __future__ import annotations

from sqlalchemy import text

from retour.db.unit_of_work import UnitOfWork


def stored_credentials(uow: UnitOfWork) -> list[tuple[int, str, str]]:
    """(store id, api_key, webhook_secret) of every account, oldest first."""
    query = "SELECT store_id, api_key, webhook_secret FROM carrier_accounts ORDER BY id"
    with uow:
        return [(row[0], row[1], row[2]) for row in uow.session.execute(text(query))]


def store_plain(uow: UnitOfWork, store_id: int, api_key: str, webhook_secret: str) -> None:
    """The store's account as a version before sealing stored it."""
    with uow:
        uow.session.execute(
            text(
                "UPDATE carrier_accounts SET api_key = :key, webhook_secret = :secret "
                "WHERE store_id = :store"
            ),
            {"key": api_key, "secret": webhook_secret, "store": store_id},
        )
        uow.commit()

"""Stores' carrier accounts, and the carriers' webhook deliveries already taken in."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from retour.db.models import CarrierAccountRow, CarrierWebhookRow


class CarrierAccountRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def for_store(self, store_id: int) -> list[CarrierAccountRow]:
        """Oldest first: the first is the store's default carrier."""
        statement = (
            select(CarrierAccountRow)
            .where(CarrierAccountRow.store_id == store_id)
            .order_by(CarrierAccountRow.id)
        )
        return list(self.session.scalars(statement))

    def get(self, store_id: int, carrier: str) -> CarrierAccountRow | None:
        statement = select(CarrierAccountRow).where(
            CarrierAccountRow.store_id == store_id, CarrierAccountRow.carrier == carrier
        )
        return self.session.scalars(statement).one_or_none()

    def with_carrier(self, carrier: str) -> list[CarrierAccountRow]:
        """Every store's account with the carrier: a webhook is the store's whose secret
        verifies it (the carrier's webhook URL is one for the installation)."""
        statement = (
            select(CarrierAccountRow)
            .where(CarrierAccountRow.carrier == carrier, CarrierAccountRow.webhook_secret != "")
            .order_by(CarrierAccountRow.id)
        )
        return list(self.session.scalars(statement))

    def every_for_update(self) -> list[CarrierAccountRow]:
        """Every store's accounts, locked: for sealing their credentials in one go."""
        statement = select(CarrierAccountRow).order_by(CarrierAccountRow.id).with_for_update()
        return list(self.session.scalars(statement))

    def add(self, account: CarrierAccountRow) -> None:
        self.session.add(account)
        self.session.flush()

    def delete(self, account: CarrierAccountRow) -> None:
        self.session.delete(account)
        self.session.flush()

    def claim_delivery(self, store_id: int, carrier: str, delivery_id: str, now: datetime) -> bool:
        """Record the delivery as taken in; False when it was before (a replay). Two copies
        at the same moment: the second's flush fails on the unique constraint."""
        statement = select(CarrierWebhookRow.id).where(
            CarrierWebhookRow.store_id == store_id,
            CarrierWebhookRow.carrier == carrier,
            CarrierWebhookRow.delivery_id == delivery_id,
        )
        if self.session.scalars(statement).first() is not None:
            return False
        self.session.add(
            CarrierWebhookRow(
                store_id=store_id, carrier=carrier, delivery_id=delivery_id, received_at=now
            )
        )
        self.session.flush()
        return True

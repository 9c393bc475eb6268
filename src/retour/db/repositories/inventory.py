"""Stock: every change is a movement row, and the level row moves with it atomically."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from retour.db.models import InventoryLocation, InventoryMovement, StockLevel

DEFAULT_LOCATION = select(InventoryLocation.id).where(
    InventoryLocation.store_id == bindparam("store_id"), InventoryLocation.is_default.is_(True)
)


class InventoryRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def default_location_id(self, store_id: int) -> int:
        parameters = {"store_id": store_id}
        return int(self.session.connection().execute(DEFAULT_LOCATION, parameters).scalar_one())

    def move(
        self,
        *,
        store_id: int,
        variant_id: int,
        location_id: int,
        bucket: str,
        quantity: int,
        cause: str,
        occurred_at: datetime,
        return_id: int | None = None,
        return_line_id: int | None = None,
        note: str = "",
    ) -> None:
        self.session.add(
            InventoryMovement(
                store_id=store_id,
                variant_id=variant_id,
                location_id=location_id,
                bucket=bucket,
                quantity=quantity,
                cause=cause,
                return_id=return_id,
                return_line_id=return_line_id,
                note=note,
                occurred_at=occurred_at,
            )
        )
        insert = (
            postgresql_insert
            if self.session.get_bind().dialect.name == "postgresql"
            else sqlite_insert
        )
        statement = insert(StockLevel).values(
            store_id=store_id,
            variant_id=variant_id,
            location_id=location_id,
            bucket=bucket,
            quantity=quantity,
        )
        statement = statement.on_conflict_do_update(
            index_elements=["variant_id", "location_id", "bucket"],
            set_={"quantity": StockLevel.quantity + statement.excluded.quantity},
        )
        self.session.execute(statement)

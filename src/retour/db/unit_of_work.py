"""The unit of work: one transaction, its repositories, and commit or rollback as one."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from retour.db.repositories.carrier_accounts import CarrierAccountRepository
from retour.db.repositories.events import EventRepository
from retour.db.repositories.inventory import InventoryRepository
from retour.db.repositories.locations import LocationRepository
from retour.db.repositories.orders import OrderRepository
from retour.db.repositories.outbox import OutboxRepository
from retour.db.repositories.policies import PolicyRepository
from retour.db.repositories.refunds import RefundRepository
from retour.db.repositories.returns import ReturnRepository
from retour.db.repositories.shipments import ShipmentRepository
from retour.db.repositories.stores import StoreRepository
from retour.services.errors import ConcurrentModification


class UnitOfWork:
    """`with uow:` opens a transaction; nested `with` blocks join it and their commit waits.

    Nesting lets a wrapper (idempotency) run a use case and record its response in the same
    transaction: the use case commits as usual, and only the outermost commit is real.
    Losing a race with another transaction surfaces as `ConcurrentModification`.
    """

    session: Session
    returns: ReturnRepository
    orders: OrderRepository
    inventory: InventoryRepository
    locations: LocationRepository
    events: EventRepository
    stores: StoreRepository
    refunds: RefundRepository
    outbox: OutboxRepository
    policies: PolicyRepository
    shipments: ShipmentRepository
    carrier_accounts: CarrierAccountRepository

    def __init__(self, session_factory: sessionmaker[Session] | Callable[[], Session]) -> None:
        self._session_factory = session_factory
        self._depth = 0

    def __enter__(self) -> UnitOfWork:
        if self._depth == 0:
            self.session = self._session_factory()
            self.returns = ReturnRepository(self.session)
            self.orders = OrderRepository(self.session)
            self.inventory = InventoryRepository(self.session)
            self.locations = LocationRepository(self.session)
            self.events = EventRepository(self.session)
            self.stores = StoreRepository(self.session)
            self.refunds = RefundRepository(self.session)
            self.outbox = OutboxRepository(self.session)
            self.policies = PolicyRepository(self.session)
            self.shipments = ShipmentRepository(self.session)
            self.carrier_accounts = CarrierAccountRepository(self.session)
        self._depth += 1
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._depth -= 1
        if self._depth == 0:
            # close() rolls back whatever was not committed and detaches, without expiring,
            # the objects read, so callers can still render them.
            self.session.close()
        if exc is not None and lost_a_race(exc):
            raise ConcurrentModification() from exc

    def commit(self) -> None:
        self.session.flush()
        if self._depth == 1:
            self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()

    def separate(self) -> UnitOfWork:
        """A unit of work of its own, for what must commit whatever this one does (a report
        that only reads folding the tallies it reads)."""
        return UnitOfWork(self._session_factory)


def lost_a_race(error: BaseException) -> bool:
    """A stale version, a unique key taken meanwhile, or SQLite's writer lock."""
    if isinstance(error, StaleDataError):
        return True
    if isinstance(error, IntegrityError):
        sqlstate = getattr(error.orig, "sqlstate", None)
        return sqlstate == "23505" or "UNIQUE constraint failed" in str(error.orig)
    return isinstance(error, OperationalError) and "database is locked" in str(error.orig)

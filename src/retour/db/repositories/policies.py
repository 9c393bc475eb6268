"""Policy versions: the live one (a store's highest version), history, and saving a new one."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Text, bindparam, cast, func, select
from sqlalchemy.orm import Session

from retour.db.models import PolicyVersion, Product, ReturnReason, Variant
from retour.db.repositories.policy_facts import PolicyFactsRepository
from retour.db.repositories.policy_history import PolicyHistoryRepository
from retour.domain.policy import Catalogue
from retour.domain.policy.document import Reference, ReferenceKind

#: The return-creation path asks this of every request: one probe of the (store_id, version)
#: index, no row for a store without a policy. The document comes as its JSON text, the key
#: under which its parsed form is cached.
LIVE_DOCUMENT = (
    select(PolicyVersion.version, cast(PolicyVersion.document, Text))
    .where(PolicyVersion.store_id == bindparam("store_id"))
    .order_by(PolicyVersion.version.desc())
    .limit(1)
)


class PolicyRepository:
    def __init__(self, session: Session) -> None:
        self.session = session
        #: The engine's inputs: orders, customers' records, the store's return rate.
        self.facts = PolicyFactsRepository(session)
        #: Historical returns, a chunk at a time, for simulations.
        self.history = PolicyHistoryRepository(session)

    def live_document_text(self, store_id: int) -> tuple[int, str] | None:
        """(version, document as JSON text) of the live policy; None without one."""
        row = self.session.connection().execute(LIVE_DOCUMENT, {"store_id": store_id}).first()
        return (row[0], row[1]) if row is not None else None

    def live(self, store_id: int) -> PolicyVersion | None:
        statement = (
            select(PolicyVersion)
            .where(PolicyVersion.store_id == store_id)
            .order_by(PolicyVersion.version.desc())
            .limit(1)
        )
        return self.session.scalars(statement).first()

    def version(self, store_id: int, version: int) -> PolicyVersion | None:
        statement = select(PolicyVersion).where(
            PolicyVersion.store_id == store_id, PolicyVersion.version == version
        )
        return self.session.scalars(statement).one_or_none()

    def page(self, store_id: int, below_id: int | None, limit: int) -> list[PolicyVersion]:
        """Newest first, `limit` versions with a row id below `below_id` (keyset pagination)."""
        statement = select(PolicyVersion).where(PolicyVersion.store_id == store_id)
        if below_id is not None:
            statement = statement.where(PolicyVersion.id < below_id)
        statement = statement.order_by(PolicyVersion.id.desc()).limit(limit)
        return list(self.session.scalars(statement))

    def add(self, store_id: int, document: dict[str, Any], note: str, **fields: Any) -> int:
        """Save the document as the store's next version (two writers at once: one loses on
        the unique (store, version) key, which the unit of work reports as a race)."""
        statement = select(func.coalesce(func.max(PolicyVersion.version), 0)).where(
            PolicyVersion.store_id == store_id
        )
        version = self.session.scalars(statement).one() + 1
        row = PolicyVersion(
            store_id=store_id, version=version, document=document, note=note, **fields
        )
        self.session.add(row)
        self.session.flush()
        return version

    def catalogue(self, store_id: int, references: Iterable[Reference]) -> Catalogue:
        """The names among `references` that the store's products and reasons carry."""
        wanted: dict[ReferenceKind, set[str]] = {kind: set() for kind in ReferenceKind}
        for reference in references:
            wanted[reference.kind].add(reference.value)
        skus = wanted[ReferenceKind.SKU]
        collections = wanted[ReferenceKind.COLLECTION]
        reasons = wanted[ReferenceKind.REASON]
        known_tags: set[str] = set()
        if wanted[ReferenceKind.TAG]:
            # Tags are a JSON list per product, which neither engine indexes portably: read
            # them all (a policy is saved rarely).
            rows = self.session.execute(select(Product.tags).where(Product.store_id == store_id))
            for (tags,) in rows:
                known_tags.update(tags or ())
        return Catalogue(
            skus=frozenset(self._present(Variant.sku, Variant.store_id, store_id, skus)),
            tags=frozenset(known_tags & wanted[ReferenceKind.TAG]),
            collections=frozenset(
                self._present(Product.collection, Product.store_id, store_id, collections)
            ),
            reasons=frozenset(
                self._present(ReturnReason.code, ReturnReason.store_id, store_id, reasons)
            ),
        )

    def _present(self, column: Any, store_column: Any, store_id: int, names: set[str]) -> set[str]:
        if not names:
            return set()
        statement = select(column).where(store_column == store_id, column.in_(names)).distinct()
        return set(self.session.scalars(statement))

"""One line each on the demo store's refunds, exchanges and store credit, for `retour seed`."""

from __future__ import annotations

from sqlalchemy import func, select

from retour.db.models import RefundRow, ReplacementOrderRow, StoreCreditAccount, StoreCreditEntry
from retour.db.unit_of_work import UnitOfWork
from retour.domain.exchanges import ReplacementStatus


def money_lines(uow: UnitOfWork, store_id: int) -> list[str]:
    with uow:
        refunds = uow.session.execute(
            select(RefundRow.method, func.count(), func.sum(RefundRow.amount))
            .where(RefundRow.store_id == store_id, RefundRow.status == "succeeded")
            .group_by(RefundRow.method)
            .order_by(RefundRow.method)
        ).all()
        exchanges: dict[str, int] = {
            status: count
            for status, count in uow.session.execute(
                select(ReplacementOrderRow.status, func.count())
                .where(ReplacementOrderRow.store_id == store_id)
                .group_by(ReplacementOrderRow.status)
            )
        }
        accounts = uow.session.scalars(
            select(func.count()).where(StoreCreditAccount.store_id == store_id)
        ).one()
        entries: dict[str, int] = {
            kind: amount
            for kind, amount in uow.session.execute(
                select(StoreCreditEntry.kind, func.sum(StoreCreditEntry.amount))
                .where(StoreCreditEntry.store_id == store_id)
                .group_by(StoreCreditEntry.kind)
            )
        }
    by_method = ", ".join(
        f"{method} {count} ({_euros(amount)})" for method, count, amount in refunds
    )
    by_status = ", ".join(
        f"{status.value} {exchanges.get(status.value, 0)}" for status in ReplacementStatus
    )
    kinds = ", ".join(
        f"{kind} {_euros(entries.get(kind, 0))}" for kind in ("issue", "redeem", "expire")
    )
    balance = _euros(sum(entries.values()))
    return [
        f"refunds: {sum(count for _, count, _ in refunds)} ({by_method})",
        f"exchanges: {sum(exchanges.values())} ({by_status})",
        f"store credit: {accounts} accounts ({kinds}), balance {balance}",
    ]


def _euros(cents: int) -> str:
    """The demo store's currency, `123456` → `1234.56 EUR`."""
    units, rest = divmod(abs(cents), 100)
    return f"{'-' if cents < 0 else ''}{units}.{rest:02d} EUR"

"""The hand-computed dataset of the report tests (figures worked out in the tests).

Store in Europe/Paris (UTC+1 in February 2026); the period is February 2026, local time:
2026-01-31 23:00 UTC up to 2026-02-28 23:00 UTC.

Orders                                   placed (UTC)        in February (Paris)?
  O1 EUR  LINEN-M ×2 @49.00, CHINO-32 ×1 @80.00 −10.00   01-31 23:30   yes (00:30 on the 1st)
  O2 EUR  LINEN-L ×1 @49.00                              02-10 12:00   yes
  O3 USD  LINEN-M ×1 @49.00                              02-28 22:30   yes (23:30 on the 28th)
  O4 EUR  LINEN-M ×3 @49.00                              02-28 23:30   no  (March 1st)
  O5 EUR  CHINO-32 ×2 @80.00                             01-15 10:00   no

Returns          order  requested (UTC)  status     customer  policy              risk
  R1             O1     02-05 10:00      completed  a         approve             15
  R2             O2     03-01 09:00      requested  a         review              55
  R3 (USD)       O3     02-28 23:10      approved   b         none (no policy)    —
  R4             O5     02-20 08:00      received   b         review, overridden  100
  R5             O1     02-06 10:00      rejected   c         reject              80
  R6             O4     03-02 10:00      approved   c         approve             20
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from retour.db.unit_of_work import UnitOfWork
from tests.support.report_rows import Asked, Item, ReportRows


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def decided(outcome: str, override: str = "") -> dict[str, Any]:
    return {
        "decision": {"outcome": outcome, "rule_id": "rule", "message": ""},
        "override": {"reason": override, "refusals": []} if override else None,
        "evaluation": None,
    }


@dataclass(frozen=True)
class Dataset:
    rows: ReportRows
    returns: dict[str, int]

    @property
    def store_id(self) -> int:
        return self.rows.store_id


def build_dataset(uow: UnitOfWork) -> Dataset:
    rows = ReportRows.for_store(uow, at(1, 1, 0), timezone="Europe/Paris")
    rows.product("linen-shirt", "Shirts", ["LINEN-M", "LINEN-L"])
    rows.product("chino", "Trousers", ["CHINO-32"])
    o1 = rows.order(
        at(1, 31, 23, 30),
        [Item("LINEN-M", 2, 4900), Item("CHINO-32", 1, 8000, discount=1000)],
        email="a@x.test",
    )
    o2 = rows.order(at(2, 10, 12), [Item("LINEN-L", 1, 4900)], email="a@x.test")
    o3 = rows.order(at(2, 28, 22, 30), [Item("LINEN-M", 1, 4900)], "USD", "b@x.test")
    o4 = rows.order(at(2, 28, 23, 30), [Item("LINEN-M", 3, 4900)], email="c@x.test")
    o5 = rows.order(at(1, 15, 10), [Item("CHINO-32", 2, 8000)], email="b@x.test")

    r1, (r1_linen, r1_chino) = rows.return_(
        o1,
        at(2, 5, 10),
        [Asked(0, 1, "too_small", "refund"), Asked(1, 1, "defective", "store_credit")],
        status="completed",
        email="a@x.test",
        decision=decided("approve"),
        risk_score=15,
    )
    r2, _ = rows.return_(
        o2,
        at(3, 1, 9),
        [Asked(0, 1, "too_small", "exchange")],
        status="requested",
        email="a@x.test",
        decision=decided("review"),
        risk_score=55,
    )
    r3, _ = rows.return_(
        o3,
        at(2, 28, 23, 10),
        [Asked(0, 1, "too_large", "refund")],
        status="approved",
        email="b@x.test",
        currency="USD",
    )
    r4, (r4_chino,) = rows.return_(
        o5,
        at(2, 20, 8),
        [Asked(0, 2, "too_small", "refund")],
        status="received",
        email="b@x.test",
        decision=decided("review", override="VIP"),
        risk_score=100,
    )
    r5, _ = rows.return_(
        o1,
        at(2, 6, 10),
        [Asked(0, 1, "too_small", "refund")],
        status="rejected",
        email="c@x.test",
        decision=decided("reject"),
        risk_score=80,
    )
    r6, _ = rows.return_(
        o4,
        at(3, 2, 10),
        [Asked(0, 3, "too_small", "refund")],
        email="c@x.test",
        decision=decided("approve"),
        risk_score=20,
    )

    rows.event(r1, "return.approved", at(2, 5, 12))
    rows.event(r1, "return.received", at(2, 10, 10))
    rows.event(r1, "return.received", at(2, 11, 10))
    rows.event(r1, "return.inspected", at(2, 10, 16))
    rows.event(r1, "return.completed", at(2, 12, 10))
    rows.event(r4, "return.approved", at(2, 20, 9))
    rows.event(r4, "return.received", at(2, 21, 8))

    rows.inspection(r1_linen, 1, "restock", at(2, 10, 16))
    rows.inspection(r1_chino, 1, "dispose", at(2, 10, 16))
    rows.inspection(r4_chino, 1, "restock", at(2, 21, 9))
    rows.inspection(r4_chino, 1, "return_to_vendor", at(2, 21, 9), accepted=False)

    rows.refund(r1, at(2, 11, 10), 4500, fees=400)
    rows.refund(r1, at(2, 12, 10), 7000, method="store_credit", bonus=500)
    rows.refund(r4, at(2, 20, 12), 15700, fees=300, status="failed")
    rows.refund(r4, at(2, 20, 20), 15700, fees=300, method="manual")
    rows.refund(r3, at(3, 3, 10), 4650, fees=250, currency="USD")

    rows.label(r1, at(2, 5, 12), 650)
    rows.label(r4, at(2, 20, 9), 650)
    rows.label(r4, at(2, 20, 9), 650, voided=True)
    rows.label(r4, at(2, 20, 9), 650, label_status="failed")
    rows.label(r3, at(3, 1, 9), 800, currency="USD")
    return Dataset(rows, {"R1": r1, "R2": r2, "R3": r3, "R4": r4, "R5": r5, "R6": r6})

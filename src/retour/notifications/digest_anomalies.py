"""The digest's "Unusual returns": the anomaly alerts of the week up to yesterday (store
calendar), as the payload section the digest event keeps. Read-only."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from retour.db.unit_of_work import UnitOfWork
from retour.notifications.facts import load_reasons, reason_label
from retour.services.reports.anomalies import find_return_anomalies

#: Days the digest looks back on, up to and including the day before the digest's.
WINDOW_DAYS = 7
#: Anomalies listed, strongest first; the count is always complete.
LISTED_ANOMALIES = 10


def unusual_returns(uow: UnitOfWork, store_id: int, today: date) -> dict[str, Any]:
    """The anomalies of the `WINDOW_DAYS` days before `today`, as plain JSON values.

    Call it outside any transaction that writes: the report may fold rollups in a transaction
    of its own, which on SQLite would wait behind one holding the writer lock."""
    last_day = today - timedelta(days=1)
    first_day = last_day - timedelta(days=WINDOW_DAYS - 1)
    report = find_return_anomalies(uow, store_id, first_day, last_day)
    with uow:
        reasons = load_reasons(uow.session, store_id)
    return {
        "count": len(report.anomalies),
        "from": first_day.isoformat(),
        "to": last_day.isoformat(),
        "baseline_days": (report.baseline_to - report.baseline_from).days + 1,
        "anomalies": [
            {
                "sku": anomaly.sku,
                "title": anomaly.title,
                "reason_code": anomaly.reason_code,
                "reason_label": reason_label(reasons, anomaly.reason_code),
                "returns": anomaly.returns,
                "expected_returns": anomaly.expected_returns,
                "ratio": anomaly.ratio,
            }
            for anomaly in report.anomalies[:LISTED_ANOMALIES]
        ],
    }

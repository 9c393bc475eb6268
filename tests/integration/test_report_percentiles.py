"""The reports' percentiles are nearest ranks on both engines: PostgreSQL's percentile_disc
(fractions in floating point) and SQLite's window ranking agree with domain/reports/
statistics.py for every count of spans up to 500."""

from __future__ import annotations

from sqlalchemy import Float, Integer, column, text

from retour.domain.reports.statistics import nearest_rank
from retour.services.reports.sql import Spans, percentile_hours

LARGEST = 500
#: Group n holds the hours 1…n, shuffled (7919 is prime, so i·7919 mod n runs through 0…n-1).
SPANS = text(
    "WITH RECURSIVE counting(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM counting"
    f" WHERE i < {LARGEST})"
    ' SELECT n.i AS "group", ((k.i * 7919) % n.i + 1) * 3600.0 AS seconds'
    " FROM counting n JOIN counting k ON k.i <= n.i"
).columns(column("group", Integer), column("seconds", Float))


def test_every_count_of_spans_gets_its_nearest_ranks(uow):
    with uow:
        found = percentile_hours(uow.session, SPANS.subquery(), (50, 90, 99))

    expected = {
        n: Spans(n, {p: float(nearest_rank(n, p)) for p in (50, 90, 99)})
        for n in range(1, LARGEST + 1)
    }
    assert found == expected

"""The ceiling: the same rows a create-return writes, by plain psycopg 3 with 8 connections.

One transaction per return: read the order with its lines, insert one `returns` row, two
`return_lines` rows and one `events` row, commit. With `as_retour` the order is read
`FOR UPDATE` and the return's id (from which its RMA number derives) is taken from the
sequence first, as Retour does.
"""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import psycopg
from psycopg.types.json import Json

import cpu
from database import BenchDatabase, Tenant
from stats import LoadResult, from_latencies

READ_ORDER = """SELECT o.customer_email, o.currency, l.id, l.variant_id, l.sku, l.title
FROM orders o JOIN order_lines l ON l.order_id = o.id
WHERE o.id = %s AND o.store_id = %s ORDER BY l.id"""
LOCK_ORDER = READ_ORDER + " FOR UPDATE OF o"
NEXT_ID = "SELECT nextval(pg_get_serial_sequence('returns', 'id'))"
INSERT_RETURN_WITH_ID = """INSERT INTO returns (id, store_id, order_id, number, customer_email,
    currency, status, resolution, return_method, location_id, customer_note, staff_message,
    tracking_number, carrier, created_at, updated_at, version)
VALUES (%s, %s, %s, %s, %s, %s, 'requested', 'refund', 'ship_yourself', %s, '', '', '', '', %s,
    %s, 1)
RETURNING id"""
INSERT_RETURN = """INSERT INTO returns (store_id, order_id, number, customer_email, currency,
    status, resolution, return_method, location_id, customer_note, staff_message,
    tracking_number, carrier, created_at, updated_at, version)
VALUES (%s, %s, %s, %s, %s, 'requested', 'refund', 'ship_yourself', %s, '', '', '', '', %s, %s, 1)
RETURNING id"""
_LINE_VALUES = "(%s, %s, %s, %s, %s, %s, %s, '', 'refund', %s, 0, 0, 0, false)"
INSERT_LINES = f"""INSERT INTO return_lines (return_id, store_id, order_line_id, variant_id, sku,
    title, reason_code, reason_note, resolution, requested_quantity, approved_quantity,
    received_quantity, wrong_item_quantity, is_unexpected)
VALUES {_LINE_VALUES}, {_LINE_VALUES}"""
INSERT_EVENT = """INSERT INTO events (store_id, name, actor, occurred_at, return_id, order_id,
    payload)
VALUES (%s, 'return.requested', 'api_key:bench', %s, %s, %s, %s)"""
REASONS = ("too_small", "changed_mind")


@dataclass(frozen=True)
class Plan:
    database: BenchDatabase
    tenant: Tenant
    #: Orders to read, cycled (the ceiling checks no quantities, so reuse is harmless).
    orders: range
    as_retour: bool
    label: str


def write_one(conn: psycopg.Connection[Any], plan: Plan, order_id: int, number: str) -> None:
    store_id = plan.tenant.store_id
    now = datetime.now(UTC)
    lines = conn.execute(LOCK_ORDER if plan.as_retour else READ_ORDER, (order_id, store_id))
    lines = lines.fetchall()
    email, currency = lines[0][0], lines[0][1]
    location = plan.tenant.location_id
    if plan.as_retour:
        reserved = conn.execute(NEXT_ID).fetchone()
        assert reserved is not None
        number = f"R-{100000 + reserved[0]}"
        returned = conn.execute(
            INSERT_RETURN_WITH_ID,
            (reserved[0], store_id, order_id, number, email, currency, location, now, now),
        ).fetchone()
    else:
        returned = conn.execute(
            INSERT_RETURN, (store_id, order_id, number, email, currency, location, now, now)
        ).fetchone()
    assert returned is not None
    return_id = returned[0]
    values: list[Any] = []
    for (_, _, line_id, variant_id, sku, title), reason in zip(lines, REASONS, strict=True):
        values += [return_id, store_id, line_id, variant_id, sku, title, reason, 1]
    conn.execute(INSERT_LINES, values)
    payload = {
        "number": number,
        "status": "requested",
        "lines": [
            {"line_id": line[2], "sku": line[4], "quantity": 1, "reason": reason}
            for line, reason in zip(lines, REASONS, strict=True)
        ],
    }
    conn.execute(INSERT_EVENT, (store_id, now, return_id, order_id, Json(payload)))
    conn.commit()


def run(plan: Plan, connections: int, warmup: float, seconds: float) -> LoadResult:
    """Closed loop: each thread writes returns back to back; only post-warm-up ones count."""
    counter = itertools.count()
    started = time.perf_counter()
    measure_from = started + warmup
    stop_at = measure_from + seconds
    latencies: list[float] = []
    failures: list[str] = []
    backends: list[int] = []

    def worker(tid: int) -> None:
        with psycopg.connect(plan.database.dsn) as conn:
            backends.append(conn.info.backend_pid)
            for sequence in itertools.count():
                begin = time.perf_counter()
                if begin >= stop_at:
                    return
                index = next(counter)
                order_id = plan.orders[index % len(plan.orders)]
                try:
                    write_one(conn, plan, order_id, f"{plan.label}-{tid}-{sequence}")
                except psycopg.Error as error:
                    conn.rollback()
                    failures.append(f"{type(error).__name__}: {error}")
                    continue
                if begin >= measure_from:
                    latencies.append(time.perf_counter() - begin)

    threads = [threading.Thread(target=worker, args=(tid,)) for tid in range(connections)]
    for thread in threads:
        thread.start()
    time.sleep(max(0.0, measure_from - time.perf_counter()))
    before = cpu.snapshot({"postgres": backends})
    time.sleep(max(0.0, stop_at - time.perf_counter()))
    after = cpu.snapshot({"postgres": backends})
    for thread in threads:
        thread.join()
    result = from_latencies(
        name=f"ceiling{' as Retour (lock, id-derived number)' if plan.as_retour else ''}",
        tool="psycopg 3, threads",
        connections=connections,
        seconds=seconds,
        latencies_s=latencies,
        errors=len(failures),
        error_sample=failures[0] if failures else "",
    )
    return replace(result, cpu=cpu.usage(before, after, result.requests))

"""The HTTP scenarios against one running server: create returns, read returns."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import psycopg

import cpu
import wrk
from database import BenchDatabase, Tenant
from seed import Dataset
from server import Server, process_tree
from stats import LoadResult
from waits import WaitSampler


@dataclass(frozen=True)
class Load:
    connections: int
    warmup: float
    seconds: float


@dataclass
class ApiRun:
    """Create-return runs take orders in id order; `next_order` is the first one unused."""

    database: BenchDatabase
    tenant: Tenant
    data: Dataset
    server: Server
    next_order: int = 0

    def __post_init__(self) -> None:
        self.next_order = self.data.first_free_order

    def create_returns(self, name: str, seconds: float, connections: int) -> LoadResult:
        first = self.next_order
        result = self._metered(
            lambda: wrk.run(
                name,
                f"{self.server.base_url}/api/v1/returns",
                "create_return.lua",
                [self.tenant.api_key, str(first), "1"],
                connections=connections,
                seconds=seconds,
            )
        )
        self.next_order = self._first_unused_order()
        if self.next_order > self.data.last_order:
            raise RuntimeError("the create benchmark ran out of orders: raise --create-orders")
        return result

    def rows_since(self, first_order: int) -> int:
        with psycopg.connect(self.database.dsn) as conn:
            row = conn.execute(
                "SELECT count(*) FROM returns WHERE order_id >= %s", (first_order,)
            ).fetchone()
        return int(row[0]) if row else 0

    def get_returns(self, name: str, seconds: float, connections: int) -> LoadResult:
        return self._metered(
            lambda: wrk.run(
                name,
                self.server.base_url,
                "get_return.lua",
                [self.tenant.api_key, "1", str(self.data.returns)],
                connections=connections,
                seconds=seconds,
            )
        )

    def _metered(self, load: Callable[[], LoadResult]) -> LoadResult:
        """Attach the CPU the server and its PostgreSQL backends spent per request."""
        groups = {"server": process_tree(self.server.pid), "postgres": self._backend_pids()}
        with WaitSampler(self.database) as sampler:
            before = cpu.snapshot(groups)
            result = load()
            after = cpu.snapshot(groups)
        return replace(
            result, cpu=cpu.usage(before, after, result.requests), backends=sampler.averages()
        )

    def _backend_pids(self) -> list[int]:
        with psycopg.connect(self.database.dsn) as conn:
            rows = conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                (self.database.name,),
            ).fetchall()
        return [row[0] for row in rows]

    def _first_unused_order(self) -> int:
        time.sleep(0.5)  # let requests still in flight when wrk stopped commit
        with psycopg.connect(self.database.dsn) as conn:
            row = conn.execute(
                "SELECT max(order_id) FROM returns WHERE order_id >= %s",
                (self.data.first_free_order,),
            ).fetchone()
        used = row[0] if row and row[0] is not None else self.data.first_free_order - 1
        return int(used) + 1

"""A year of orders and returns for the benchmarks: the scale store of `retour seed demo --orders`.

The rows are src/retour/demo/scale.py's (deterministic, PostgreSQL COPY or SQLite batched
inserts), in a store with the slug `bench`; this module keeps the benchmarks' `seed` and `NOW`.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine

from retour.demo.scale import seed_scale_store
from retour.demo.scale_catalog import NOW

__all__ = ["NOW", "seed"]


def seed(engine: Engine, orders: int, progress: Callable[[int], None]) -> tuple[int, int]:
    """The store's id and how many return lines it got; `progress(orders done)` per batch."""
    loaded = seed_scale_store(engine, orders, progress, slug="bench", name="Bench")
    return loaded.store_id, loaded.return_lines

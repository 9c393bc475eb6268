"""How long `retour seed demo --orders N` takes: the scale store on a fresh database.

.venv/bin/python bench/scale_seed.py --engine postgresql --orders 1000000
.venv/bin/python bench/scale_seed.py --engine sqlite --orders 100000

PostgreSQL: `retour_bench_scale` on 127.0.0.1, dropped, recreated and migrated (bench/database.py);
SQLite: a file in a temporary directory. The timed part is what the command does after the
migrations (src/retour/demo/scale.py: COPY on PostgreSQL, batched inserts on SQLite, then the
sequences and ANALYZE). Each run replaces its engine's entry in results/scale_seed.json. Target
(issue 9): a million orders in ≤ 5 minutes on PostgreSQL.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

import machine
from database import recreate
from retour.db.engine import create_db_engine
from retour.db.migrate import upgrade
from retour.db.models import ReturnRow, ReturnStatusTally
from retour.demo.scale import seed_scale_store
from retour.settings import Settings

RESULTS = Path(__file__).resolve().parent / "results" / "scale_seed.json"
TARGET_SECONDS = 300


def run(engine_name: str, orders: int, workdir: Path) -> dict[str, Any]:
    if engine_name == "postgresql":
        url = recreate("retour_bench_scale").url
    else:
        url = f"sqlite:///{workdir / 'scale.db'}"
    engine = create_db_engine(Settings(database_url=url, data_dir=workdir))
    upgrade(engine)
    busy = machine.busy_pct()
    loaded = seed_scale_store(
        engine, orders, lambda done: print(f"  {done} orders", end="\r", flush=True)
    )
    with engine.connect() as connection:
        returns = connection.scalar(select(func.count()).select_from(ReturnRow))
        tallied = connection.scalar(select(func.sum(ReturnStatusTally.change)))
    engine.dispose()
    print(f"  {engine_name}: {loaded.orders} orders in {loaded.seconds:.1f} s")
    return {
        "orders": loaded.orders, "order_lines": loaded.order_lines, "returns": loaded.returns,
        "return_lines": loaded.return_lines, "returns_per_order": round(loaded.returns / orders, 4),
        "seconds": round(loaded.seconds, 1),
        "orders_per_second": round(loaded.orders / loaded.seconds),
        "returns_counted": returns, "returns_tallied": tallied,
        "method": "COPY" if engine_name == "postgresql" else "batched INSERT",
        "machine_busy_pct_before": busy,
        "target_seconds": TARGET_SECONDS if engine_name == "postgresql" else None,
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=("postgresql", "sqlite"), required=True)
    parser.add_argument("--orders", type=int, required=True)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        result = run(args.engine, args.orders, Path(workdir))
    document = json.loads(RESULTS.read_text()) if RESULTS.exists() else {"runs": {}}
    document["machine"] = machine.facts()
    document["runs"][args.engine] = result
    RESULTS.write_text(json.dumps(document, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

"""The policy engine in-process: `evaluate` on a 20-line order under a policy using every section.

.venv/bin/python bench/policy_evaluate.py              # about 10 seconds
.venv/bin/python bench/policy_evaluate.py --runs 50000 --lines 50

Target (policy issue): p99 ≤ 2 ms for a 20-line order. The order's lines are spread over
collections and tags that hit the overrides, a discount tier, a reason rule and the keep-item
cost model; every line is eligible, so each evaluation runs every stage (eligibility, fees,
keep-item, risk with all seven signals, and automation rules that only the last one matches).
Timed with time.perf_counter_ns after a warm-up, the cyclic garbage collector left on as in the
server; no database, no HTTP. The thread's CPU time per call is shown too: on a shared machine
the wall-clock tail includes time the process waited for a core, the CPU time does not.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import sys
import time
from datetime import UTC, datetime, timedelta

from retour.domain.policy import (
    CandidateLine,
    CustomerHistory,
    OrderContext,
    OrderedItem,
    PastReturn,
    evaluate,
    parse_policy,
)
from stats import percentile

TARGET_P99_MS = 2.0
NOW = datetime(2026, 3, 27, 16, 0, tzinfo=UTC)
POLICY = {
    "timezone": "Europe/Paris",
    "currency": "EUR",
    "default": {"window_days": 30, "transit_days": 3, "restocking": {"percent": 10}},
    "overrides": [
        {
            "id": "shoes",
            "match": {"collections": ["shoes"]},
            "window_days": 60,
            "restocking": {"percent": 15},
        },
        {"id": "bags", "match": {"collections": ["bags"]}, "restocking": {"fixed_per_unit": 300}},
        {
            "id": "clearance",
            "match": {"tags": ["clearance"]},
            "window_days": 14,
            "resolutions": ["store_credit", "exchange", "keep_item"],
        },
        {"id": "new-in", "match": {"tags": ["new-in"]}, "window_days": 45},
        {"id": "gift-card", "match": {"skus": ["GIFT-50"]}, "resolutions": ["refund"]},
        {"id": "boots-42", "match": {"skus": ["BOOT-42"]}, "window_days": 90},
    ],
    "extensions": [
        {
            "id": "spring",
            "ordered_from": "2026-03-01",
            "ordered_until": "2026-03-31",
            "window_days": 40,
        },
        {
            "id": "holidays",
            "ordered_from": "2026-11-15",
            "ordered_until": "2026-12-24",
            "returns_until": "2027-01-31",
        },
    ],
    "final_sale": [
        {"id": "hygiene", "tags": ["underwear"]},
        {"id": "engraved", "skus": ["RING-E"]},
    ],
    "discounts": [
        {"id": "deep-sale", "min_percent": 50, "action": "store_credit_only"},
        {"id": "outlet", "min_percent": 80, "action": "exclude"},
    ],
    "gift_orders": {"resolutions": ["store_credit", "exchange"]},
    "limits": {
        "returns_per_customer": {"max_returns": 10, "days": 90},
        "units_per_line": {"max_units": 5},
    },
    "reasons": [
        {
            "id": "show-the-damage",
            "codes": ["damaged"],
            "photo_required": True,
            "resolutions": ["refund", "store_credit", "replacement", "keep_item"],
        },
        {"id": "tell-us-more", "codes": ["defective", "other"], "comment_required": True},
    ],
    "fees": {
        "restocking_per_return": 100,
        "return_shipping": {"fixed": 495},
        "waived_for": ["exchange"],
        "store_credit_bonus": {"percent": 5, "cap": 2000},
    },
    "keep_item": {
        "below_value": 1000,
        "when_uneconomic": True,
        "handling_cost_per_unit": 250,
        "label_cost": 695,
        "expected_grade_by_reason": {"damaged": "D"},
        "recovery_percent_by_collection": {"socks": {"A": 10, "B": 0}},
    },
    "automation": {
        "default": "review",
        "rules": [
            {
                "id": "blocked",
                "decision": "reject",
                "when": {"emails": ["fraud@example.com", "chargeback@example.com"]},
            },
            {"id": "risky", "decision": "review", "when": {"risk_score": {"at_least": 90}}},
            {
                "id": "habitual",
                "decision": "review",
                "when": {"customer_returns": {"days": 30, "at_least": 6}},
            },
            {"id": "huge", "decision": "review", "when": {"order_value": {"at_least": 500000}}},
            {
                "id": "usual",
                "decision": "approve",
                "when": {"return_value": {"below": 1000000}, "customer_return_rate": {"below": 60}},
            },
        ],
    },
}
COLLECTIONS = [
    frozenset({"shirts"}),
    frozenset({"shoes"}),
    frozenset({"bags"}),
    frozenset({"socks"}),
    frozenset({"shirts", "new"}),
]
TAGS = [
    frozenset(),
    frozenset({"new-in"}),
    frozenset({"linen", "summer"}),
    frozenset({"clearance"}),
]
REASONS = ["too_small", "too_large", "changed_mind", "damaged", "defective"]


def build_request(lines: int) -> tuple[OrderContext, list[CandidateLine], CustomerHistory]:
    placed_at = NOW - timedelta(days=12)
    items = tuple(
        OrderedItem(
            order_line_id=index,
            sku=f"SKU-{index:03d}",
            title=f"Item {index}",
            quantity=2,
            fulfilled_quantity=2,
            unit_price=1500 + 700 * index,
            line_discount=(index % 3) * 300,
            order_discount=100,
            tax=(1500 + 700 * index) * 2 // 5,
            compare_at_price=(1500 + 700 * index) * 3 if index % 7 == 0 else None,
            product_id=f"product-{index // 3}",
            tags=TAGS[index % len(TAGS)],
            collections=COLLECTIONS[index % len(COLLECTIONS)],
            shipped_at=placed_at + timedelta(days=1),
            delivered_at=placed_at + timedelta(days=3) if index % 4 else None,
        )
        for index in range(1, lines + 1)
    )
    order = OrderContext(
        order_id=1,
        currency="EUR",
        placed_at=placed_at,
        items=items,
        customer_email="sam@example.com",
        shipping_address="1 rue de la Paix, 75002 Paris",
        shipping_country="FR",
        shipping_paid=495,
        return_country="BE",
        label_cost=720,
        store_return_rate_bp=1800,
    )
    candidates = [
        CandidateLine(
            order_line_id=index,
            quantity=1 + index % 2,
            reason_code=REASONS[index % len(REASONS)],
            is_merchant_fault=REASONS[index % len(REASONS)] in ("damaged", "defective"),
            comment="The seam opened",
            photo_count=1,
        )
        for index in range(1, lines + 1)
    ]
    history = CustomerHistory(
        orders_count=9,
        items_bought=40,
        items_returned=14,
        returns=tuple(
            PastReturn(NOW - timedelta(days=days), days_left_in_window=days % 5)
            for days in (2, 9, 17, 33, 41, 60)
        ),
    )
    return order, candidates, history


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10_000, help="timed evaluations")
    parser.add_argument("--lines", type=int, default=20, help="lines in the order and request")
    parser.add_argument("--warmup", type=int, default=500, help="untimed evaluations first")
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    policy = parse_policy(POLICY)
    order, candidates, history = build_request(args.lines)
    evaluation = evaluate(policy, order, candidates, history, NOW)
    eligible = len(evaluation.eligible_lines)
    if eligible != args.lines:
        print(f"expected every line eligible, got {eligible} of {args.lines}", file=sys.stderr)
        return 1
    for _ in range(args.warmup):
        evaluate(policy, order, candidates, history, NOW)

    timings_ms: list[float] = []
    cpu_ms: list[float] = []
    collections_before = sum(stat["collections"] for stat in gc.get_stats())
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    for _ in range(args.runs):
        start = time.perf_counter_ns()
        cpu_start = time.thread_time_ns()
        evaluate(policy, order, candidates, history, NOW)
        cpu_ms.append((time.thread_time_ns() - cpu_start) / 1e6)
        timings_ms.append((time.perf_counter_ns() - start) / 1e6)
    wall = time.perf_counter() - started
    collections = sum(stat["collections"] for stat in gc.get_stats()) - collections_before
    timings_ms.sort()
    cpu_ms.sort()

    p99 = percentile(timings_ms, 0.99)
    print(
        f"policy evaluate: {args.lines} lines, {args.runs} runs, Python {platform.python_version()}"
    )
    print(
        f"  decision {evaluation.decision.outcome} [{evaluation.decision.rule_id}], "
        f"risk {evaluation.risk.score} ({len(evaluation.risk.signals)} signals), "
        f"keep-item {'offered' if evaluation.keep_item else 'not offered'}"
    )
    print(
        f"  p50 {percentile(timings_ms, 0.50):.3f} ms  p90 {percentile(timings_ms, 0.90):.3f} ms  "
        f"p99 {p99:.3f} ms  max {timings_ms[-1]:.3f} ms  "
        f"({args.runs / wall:,.0f}/s, {collections} GC collections)"
    )
    # CPU time of this thread only: what the evaluation costs when the machine is shared.
    print(
        f"  CPU time: p50 {percentile(cpu_ms, 0.50):.3f} ms  p99 {percentile(cpu_ms, 0.99):.3f} ms"
        f"  (load average {load_before:.2f} before, {os.getloadavg()[0]:.2f} after,"
        f" {os.cpu_count()} CPUs)"
    )
    met = "met" if p99 <= TARGET_P99_MS else "NOT met"
    print(f"  target p99 ≤ {TARGET_P99_MS} ms: {met}")
    return 0 if p99 <= TARGET_P99_MS else 2


if __name__ == "__main__":
    sys.exit(main())

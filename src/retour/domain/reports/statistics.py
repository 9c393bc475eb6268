"""Ranks, rates and the Poisson tail: the figures reports are made of."""

from __future__ import annotations

import math


def nearest_rank(count: int, percent: int) -> int:
    """The 1-based rank of the `percent`-th percentile of `count` ordered values
    (nearest-rank method: ⌈percent/100 · count⌉, at least 1)."""
    if count < 1:
        raise ValueError("no values to rank")
    if not 0 < percent <= 100:
        raise ValueError("percent must be in 1..100")
    return max(1, -(-percent * count // 100))


def ratio(part: int, whole: int) -> float | None:
    """`part / whole` rounded to 4 decimals; None when there is no whole to divide by."""
    if whole == 0:
        return None
    return round(part / whole, 4)


def poisson_upper_tail(observed: int, expected: float) -> float:
    """P(X ≥ observed) for X ~ Poisson(expected): how surprising `observed` events are."""
    if observed <= 0:
        return 1.0
    if expected <= 0:
        return 0.0
    # 1 − P(X ≤ observed − 1), the terms summed in log space so large counts do not overflow.
    log_term = -expected
    log_terms = [log_term]
    for k in range(1, observed):
        log_term += math.log(expected) - math.log(k)
        log_terms.append(log_term)
    peak = max(log_terms)
    lower = math.exp(peak) * sum(math.exp(term - peak) for term in log_terms)
    if lower < 0.5:
        return 1.0 - lower
    # Far in the tail 1 − lower loses every digit: sum the upper terms directly instead.
    return _upper_terms(observed, expected)


def _upper_terms(observed: int, expected: float) -> float:
    log_term = -expected + observed * math.log(expected) - math.lgamma(observed + 1)
    total = 0.0
    k = observed
    while True:
        term = math.exp(log_term)
        total += term
        if term <= total * 1e-16 and k > expected:
            return min(total, 1.0)
        k += 1
        log_term += math.log(expected) - math.log(k)

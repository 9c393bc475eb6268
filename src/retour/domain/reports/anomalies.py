"""The anomaly test: is a SKU coming back for one reason far more often than it used to?

The baseline is the SKU × reason's own history. Its rate (units returned for the reason per
unit sold) predicts how many units the current period should bring back given what it sold;
the period is flagged only when it brought back at least `min_returns`, at least `min_ratio`
times the prediction, and so many that a Poisson count with the predicted mean would reach it
with probability below `significance`. Small counts therefore never alarm on their own.
"""

from __future__ import annotations

from dataclasses import dataclass

from retour.domain.reports.statistics import poisson_upper_tail

#: Stand-in for a baseline of zero returns, so a reason never seen before can still be
#: judged (half a unit: "fewer than one").
ZERO_BASELINE_RETURNS = 0.5


@dataclass(frozen=True)
class AnomalyRules:
    min_returns: int = 5
    min_ratio: float = 2.0
    significance: float = 0.001


@dataclass(frozen=True)
class SkuReasonHistory:
    """Returns for one reason and units sold of one SKU, in the period and in its baseline."""

    sku: str
    title: str
    reason_code: str
    returns: int
    sold: int
    baseline_returns: int
    baseline_sold: int
    days: int
    baseline_days: int


@dataclass(frozen=True)
class Anomaly:
    sku: str
    title: str
    reason_code: str
    returns: int
    expected_returns: float
    ratio: float
    p_value: float
    baseline_returns: int


def expected_returns(history: SkuReasonHistory) -> float:
    """What the baseline predicts for the period: per unit sold when both windows sold
    something, else per day."""
    baseline = max(float(history.baseline_returns), ZERO_BASELINE_RETURNS)
    if history.sold > 0 and history.baseline_sold > 0:
        return baseline * history.sold / history.baseline_sold
    return baseline * history.days / history.baseline_days


def judge(history: SkuReasonHistory, rules: AnomalyRules) -> Anomaly | None:
    """The anomaly `history` shows, or None when it is within what its baseline explains."""
    if history.returns < rules.min_returns:
        return None
    expected = expected_returns(history)
    ratio = history.returns / expected
    if ratio < rules.min_ratio:
        return None
    p_value = poisson_upper_tail(history.returns, expected)
    if p_value >= rules.significance:
        return None
    return Anomaly(
        sku=history.sku,
        title=history.title,
        reason_code=history.reason_code,
        returns=history.returns,
        expected_returns=round(expected, 2),
        ratio=round(ratio, 2),
        p_value=p_value,
        baseline_returns=history.baseline_returns,
    )


def find_anomalies(histories: list[SkuReasonHistory], rules: AnomalyRules) -> list[Anomaly]:
    """The anomalies among `histories`, strongest (smallest p-value) first."""
    found = [anomaly for history in histories if (anomaly := judge(history, rules))]
    return sorted(found, key=lambda anomaly: (anomaly.p_value, -anomaly.returns, anomaly.sku))

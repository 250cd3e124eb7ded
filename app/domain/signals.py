"""Systemic-problem signals (M7.1): is this week's count of appeals of one
district on one topic out of line with its own recent past?

Pure statistics, stdlib only. A week is an ISO week, Monday to Sunday. The
baseline of a week is the counts of the ``baseline_weeks`` weeks before it
(the weeks the register had no data yet are left out, never counted as 0).

**The test.** Counts of appeals are overdispersed: a topic has quiet and
busy weeks beyond what a Poisson count allows (a burst of one estate's
heating complaints, a holiday week). A plain Poisson test against the mean
then fires too often on the series whose variance is larger than their
mean. So the week's count is tested against a *negative binomial* whose
mean is the baseline mean and whose variance is ``φ·μ·(1 + 1/K)``:

- ``φ`` (dispersion) is the baseline's variance over its mean, never below 1
  (a series that looks *under*dispersed is treated as Poisson) and never
  above ``MAX_DISPERSION`` (one wild week in eight must not hide everything);
- ``(1 + 1/K)`` adds the uncertainty of a mean estimated from K weeks (the
  predictive variance; Farrington et al. 1996 widen their threshold the same
  way).

A week is a **signal** when its count reaches ``min_count`` and the upper-tail
probability ``P(X ≥ count)`` is below ``alpha``. ``docs/performance.md``
measures the detection rate and the false alarms per month on simulated
Poisson and overdispersed series.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

BASELINE_WEEKS = 8
"""K: the trailing weeks the baseline is the mean of."""
MIN_BASELINE_WEEKS = 4
"""Fewer weeks of history than this: no baseline, no signal."""
MIN_COUNT = 5
"""A week with fewer appeals is never a signal, however rare the topic."""
ALPHA = 0.001
"""The upper-tail probability below which a count is a signal."""
MAX_DISPERSION = 10.0
PRIOR_COUNT = 0.5
"""Added to the baseline's sum for the test's mean, so that a topic never
seen in the district has a small positive expected count (not zero)."""


def week_start(day: date) -> date:
    """The Monday of ``day``'s ISO week."""
    return day - timedelta(days=day.weekday())


def last_full_week(today: date) -> date:
    """The Monday of the last ISO week that is over by ``today``."""
    return week_start(today) - timedelta(days=7)


def week_end(monday: date) -> date:
    return monday + timedelta(days=6)


def baseline_weeks(monday: date, weeks: int = BASELINE_WEEKS) -> list[date]:
    """The Mondays of the ``weeks`` weeks before ``monday``, oldest first."""
    return [monday - timedelta(days=7 * i) for i in range(weeks, 0, -1)]


# --- distributions -----------------------------------------------------------
def poisson_upper_tail(k: int, mu: float) -> float:
    """P(X ≥ k) for X ~ Poisson(mu)."""
    if k <= 0:
        return 1.0
    if mu <= 0:
        return 0.0

    def pmf(i: int) -> float:
        return math.exp(i * math.log(mu) - mu - math.lgamma(i + 1))

    return _upper_tail(k, mu, pmf)


def negbin_upper_tail(k: int, mu: float, dispersion: float) -> float:
    """P(X ≥ k) for a negative binomial of mean ``mu`` and variance
    ``dispersion · mu`` (``dispersion`` ≤ 1: the Poisson)."""
    if dispersion <= 1.0 + 1e-9:
        return poisson_upper_tail(k, mu)
    if k <= 0:
        return 1.0
    if mu <= 0:
        return 0.0
    r = mu / (dispersion - 1.0)  # size
    log_p, log_q = math.log(r / (r + mu)), math.log(mu / (r + mu))
    base = math.lgamma(r)

    def pmf(i: int) -> float:
        return math.exp(math.lgamma(i + r) - base - math.lgamma(i + 1) + r * log_p + i * log_q)

    return _upper_tail(k, mu, pmf)


def _upper_tail(k: int, mean: float, pmf) -> float:
    """Σ_{i ≥ k} pmf(i): summed upwards from k when k is beyond the mean
    (accurate for tiny tails), else 1 − Σ_{i < k}."""
    if k <= mean:
        return max(0.0, min(1.0, 1.0 - math.fsum(pmf(i) for i in range(k))))
    total, i = 0.0, k
    while True:
        term = pmf(i)
        total += term
        if term < 1e-17 * max(total, 1e-300) or i > k + 100000:
            break
        i += 1
    return min(1.0, total)


# --- the test ------------------------------------------------------------------
@dataclass(frozen=True)
class Signal:
    """The verdict on one week's count."""

    count: int
    expected: float
    """The baseline mean (appeals per week)."""
    dispersion: float
    p_value: float
    is_signal: bool


def assess(count: int, baseline: list[int], *, min_count: int = MIN_COUNT, alpha: float = ALPHA,
           min_weeks: int = MIN_BASELINE_WEEKS) -> Signal | None:
    """M7.1: the verdict on ``count`` (this week) against ``baseline`` (the
    counts of the trailing weeks that have data); None when there is no
    baseline to judge by (fewer than ``min_weeks`` weeks)."""
    weeks = len(baseline)
    if weeks < max(1, min_weeks):
        return None
    mean = sum(baseline) / weeks
    mu = (sum(baseline) + PRIOR_COUNT) / weeks
    if weeks > 1:
        variance = sum((x - mean) ** 2 for x in baseline) / (weeks - 1)
        dispersion = min(MAX_DISPERSION, max(1.0, variance / mu))
    else:
        dispersion = 1.0
    predictive = dispersion * (1.0 + 1.0 / weeks)  # φ(1 + 1/K): the baseline mean is itself estimated
    p = negbin_upper_tail(count, mu, predictive)
    return Signal(count=count, expected=round(mean, 2), dispersion=round(dispersion, 2), p_value=p,
                  is_signal=count >= min_count and p < alpha)


def per_100k(count: int, population: int | None) -> float | None:
    """Appeals per 100,000 residents (None without a population)."""
    if not population:
        return None
    return round(count * 100000 / population, 2)

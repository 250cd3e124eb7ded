"""M7.1: systemic-problem signals — the pure statistics (app/domain/signals.py)."""
import math
from datetime import date

import pytest

from app.domain import signals
from app.domain.signals import assess, negbin_upper_tail, poisson_upper_tail


def test_M7_1_a_week_is_the_iso_week_monday_to_sunday():
    assert signals.week_start(date(2026, 12, 6)) == date(2026, 11, 30)  # a Sunday
    assert signals.week_start(date(2026, 11, 30)) == date(2026, 11, 30)  # a Monday
    assert signals.week_end(date(2026, 11, 30)) == date(2026, 12, 6)
    assert signals.last_full_week(date(2026, 11, 30)) == date(2026, 11, 23)  # on Monday: the week just over
    assert signals.last_full_week(date(2026, 12, 6)) == date(2026, 11, 23)  # on Sunday the week is not over
    assert signals.baseline_weeks(date(2026, 11, 30), 3) == [date(2026, 11, 9), date(2026, 11, 16), date(2026, 11, 23)]


def test_M7_1_tails_match_closed_forms():
    # Poisson(1): P(X >= 5) = 1 - e^-1 (1 + 1 + 1/2 + 1/6 + 1/24)
    assert poisson_upper_tail(5, 1.0) == pytest.approx(1 - math.exp(-1) * (1 + 1 + 0.5 + 1 / 6 + 1 / 24), rel=1e-9)
    # a negative binomial of mean 1 and variance 2 is the geometric of p = 1/2: P(X >= k) = 2^-k
    for k in (1, 5, 20, 60):
        assert negbin_upper_tail(k, 1.0, 2.0) == pytest.approx(0.5 ** k, rel=1e-9)
    assert poisson_upper_tail(0, 3.0) == 1.0 and negbin_upper_tail(0, 3.0, 4.0) == 1.0
    # far tails are summed, not 1 - cdf: still accurate at 1e-30
    assert poisson_upper_tail(40, 2.0) == pytest.approx(math.exp(40 * math.log(2) - 2 - math.lgamma(41)), rel=0.1)
    assert poisson_upper_tail(40, 2.0) > 0


def test_M7_1_a_spike_is_flagged():
    s = assess(12, [1, 2, 0, 1, 3, 1, 2, 1])
    assert s is not None and s.is_signal and s.count == 12
    assert s.expected == pytest.approx(11 / 8, abs=0.01) and s.p_value < 1e-5


def test_M7_1_a_normal_week_is_not_flagged():
    assert not assess(3, [1, 2, 0, 1, 3, 1, 2, 1]).is_signal
    assert not assess(14, [10, 12, 9, 11, 10, 13, 8, 11]).is_signal
    s = assess(20, [10, 12, 9, 11, 10, 13, 8, 11])  # +90 %: unusual (p < 1 %) but not beyond the alert's bar
    assert 1e-3 < s.p_value < 0.05 and not s.is_signal


def test_M7_1_below_the_minimum_count_nothing_however_rare():
    s = assess(4, [0] * 8)
    assert s.p_value < 1e-3 and not s.is_signal  # rare, but four appeals are not a systemic problem
    assert assess(5, [0] * 8).is_signal
    assert not assess(5, [0] * 8, min_count=6).is_signal


def test_M7_1_no_baseline_nothing():
    assert assess(50, []) is None
    assert assess(50, [0, 1, 0]) is None  # fewer weeks of history than MIN_BASELINE_WEEKS
    assert assess(50, [0, 1, 0, 1]) is not None


def test_M7_1_an_overdispersed_baseline_needs_a_bigger_count():
    """The same mean, a bursty past: the week that would alert against a
    steady baseline does not against a bursty one (negative binomial)."""
    steady, bursty = [5, 4, 6, 5, 5, 4, 6, 5], [1, 12, 0, 9, 2, 11, 1, 4]
    assert sum(steady) == sum(bursty)
    a, b = assess(16, steady), assess(16, bursty)
    assert a.is_signal and not b.is_signal
    assert b.dispersion > 3 and a.dispersion == 1.0
    assert b.p_value > a.p_value * 100


def test_M7_1_per_capita_is_per_100000_residents():
    assert signals.per_100k(9, 40000) == 22.5
    assert signals.per_100k(9, None) is None and signals.per_100k(9, 0) is None

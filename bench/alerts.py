"""M7.1: how well the systemic-problem test (``app/domain/signals.py``)
finds spikes, and how often it cries wolf, on simulated weekly counts.

    python -m bench.alerts              # the figures of docs/performance.md
    python -m bench.alerts --seeds 2    # quicker

**The region.** Ten districts (their populations from the demo's district
file) × 55 topics = 550 weekly series over 24 months (104 ISO weeks), with
``--per-year`` appeals a year over the region (20,000 by default, about what
a region of 700,000 people files), shared by population and by a Zipf-like
popularity of topics: the busiest series has ~14 appeals a week, the median
~0.2. Two kinds of data: **Poisson** counts, and **overdispersed** ones — each
week's mean multiplied by a Gamma(4, 1/4) factor, variance μ + μ²/4, the
bursty weeks real registers have. No alert is possible in the first 8 weeks
(no baseline), so the false alarms are counted over the other 96 weeks and
given per month (52/12 weeks) **over the whole region**.

**The spikes.** For the detection rate, a series of weekly mean μ has one week
raised to ×2, ×3, +5 or +10 appeals (a Poisson draw of the raised mean), after
8 ordinary weeks; the rate is the share of such weeks that alert, per baseline
level μ. The same is reported for a plain Poisson test (the baseline mean
taken as exact, no dispersion), to show what the negative binomial costs and
saves.

Pure Python and seeded: the same command gives the same figures.
"""
from __future__ import annotations

import argparse
import csv
import math
import random
import time
from pathlib import Path

from app.domain import signals

DISTRICTS_CSV = Path(__file__).resolve().parents[1] / "app" / "demo" / "zhetysu_districts.csv"
TOPICS = 55
WEEKS = 104
K = signals.BASELINE_WEEKS
SPIKES = {"x2": lambda mu: 2 * mu, "x3": lambda mu: 3 * mu, "+5": lambda mu: mu + 5, "+10": lambda mu: mu + 10}
LEVELS = (0.2, 0.5, 1.0, 2.0, 5.0, 10.0)
GAMMA_SHAPE = 4.0


def poisson(rnd: random.Random, mu: float) -> int:
    """A Poisson draw (inversion; fine for the means here, at most ~60)."""
    if mu <= 0:
        return 0
    u, k = rnd.random(), 0
    p = math.exp(-mu)
    cdf = p
    while u > cdf and k < 1000:
        k += 1
        p *= mu / k
        cdf += p
    return k


def draw(rnd: random.Random, mu: float, overdispersed: bool) -> int:
    if overdispersed:
        mu *= rnd.gammavariate(GAMMA_SHAPE, 1 / GAMMA_SHAPE)
    return poisson(rnd, mu)


def plain_poisson(count: int, baseline: list[int], min_count: int, alpha: float) -> bool:
    """The naive test the module does not use: Poisson around the bare baseline mean."""
    mu = (sum(baseline) + signals.PRIOR_COUNT) / len(baseline)
    return count >= min_count and signals.poisson_upper_tail(count, mu) < alpha


def negbin(count: int, baseline: list[int], min_count: int, alpha: float) -> bool:
    if count < min_count:
        return False
    s = signals.assess(count, baseline, min_count=min_count, alpha=alpha)
    return s is not None and s.is_signal


TESTS = {"negative binomial (used)": negbin, "plain Poisson": plain_poisson}


def region_means(per_year: float) -> list[float]:
    """The weekly mean of each district × topic series."""
    with DISTRICTS_CSV.open(encoding="utf-8") as fh:
        populations = [int(r["population_demo"]) for r in csv.DictReader(fh)]
    total = sum(populations)
    zipf = [1 / (i + 1) ** 0.8 for i in range(TOPICS)]
    z = sum(zipf)
    weekly = per_year / 52
    return [weekly * p / total * w / z for p in populations for w in zipf]


def false_alarms(means, overdispersed: bool, seed: int, min_count: int, alpha: float) -> dict[str, int]:
    """Alerts over the region's 96 testable weeks with no spike at all, per test."""
    rnd = random.Random(seed)
    alarms = dict.fromkeys(TESTS, 0)
    for mu in means:
        series = [draw(rnd, mu, overdispersed) for _ in range(WEEKS)]
        for w in range(K, WEEKS):
            count = series[w]
            if count < min_count:
                continue
            baseline = series[w - K:w]
            for name, test in TESTS.items():
                alarms[name] += test(count, baseline, min_count, alpha)
    return alarms


def detection(level: float, spike, overdispersed: bool, trials: int, seed: int, min_count: int,
              alpha: float) -> dict[str, float]:
    rnd = random.Random(seed)
    hits = dict.fromkeys(TESTS, 0)
    for _ in range(trials):
        baseline = [draw(rnd, level, overdispersed) for _ in range(K)]
        raised = spike(level)
        count = draw(rnd, raised, overdispersed) if overdispersed else poisson(rnd, raised)
        for name, test in TESTS.items():
            hits[name] += test(count, baseline, min_count, alpha)
    return {name: n / trials for name, n in hits.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--per-year", type=float, default=20000)
    ap.add_argument("--seeds", type=int, default=5, help="region runs per kind of data (false alarms)")
    ap.add_argument("--trials", type=int, default=4000, help="spiked weeks per spike size and level")
    ap.add_argument("--min-count", type=int, default=signals.MIN_COUNT)
    ap.add_argument("--alpha", type=float, default=signals.ALPHA)
    args = ap.parse_args()
    started = time.perf_counter()
    means = region_means(args.per_year)
    months = (WEEKS - K) * 12 / 52
    print(f"region: {len(means)} series, {args.per_year:.0f} appeals a year; weekly means "
          f"max {max(means):.1f}, median {sorted(means)[len(means) // 2]:.2f}; K={K}, "
          f"min count {args.min_count}, alpha {args.alpha}")
    print()
    print("False alarms per month over the whole region (no spike injected), mean of "
          f"{args.seeds} runs of {WEEKS - K} weeks:")
    print("| data | " + " | ".join(TESTS) + " |")
    print("|---|" + "---|" * len(TESTS))
    for over in (False, True):
        totals = dict.fromkeys(TESTS, 0)
        for seed in range(args.seeds):
            for name, n in false_alarms(means, over, 1000 + seed, args.min_count, args.alpha).items():
                totals[name] += n
        cells = [f"{totals[name] / args.seeds / months:.2f}" for name in TESTS]
        print(f"| {'overdispersed (Gamma-Poisson)' if over else 'Poisson'} | " + " | ".join(cells) + " |")
    for over in (False, True):
        print()
        print(f"Detection rate of one spiked week, {'overdispersed' if over else 'Poisson'} data, "
              f"{args.trials} trials per cell — negative binomial (plain Poisson):")
        print("| baseline μ / week | " + " | ".join(SPIKES) + " |")
        print("|---|" + "---|" * len(SPIKES))
        for i, level in enumerate(LEVELS):
            cells = []
            for j, (_name, spike) in enumerate(SPIKES.items()):
                rate = detection(level, spike, over, args.trials, 7 + 100 * i + j, args.min_count, args.alpha)
                used, naive = (rate[name] for name in TESTS)
                cells.append(f"{100 * used:.0f} % ({100 * naive:.0f} %)")
            print(f"| {level:g} | " + " | ".join(cells) + " |")
    print()
    print(f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()

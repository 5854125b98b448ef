"""False alerts and detection delay of the anomaly detector, on synthetic traffic.

A week of minutes of a steady, noisy site with a daily cycle (Poisson request counts
swinging between 0.2x and 1.8x of the mean over the day, 1% of requests answered 5xx,
log-normal latencies counted in the analytics store's buckets) goes through the same
conversions as the observability package's series (request rate, error rate, p95
latency) and the detector's own scoring and episode logic (``prodready.anomalies``,
with its default threshold and each series' minimum change).

- False alerts per simulated week, per series: episodes started on the steady week
  (target: at most 1 per series).
- Detection delay after the error rate steps up 5x (1% to 5%) at a time of day drawn at
  random, over ``--steps`` trials: minutes of data after the step until an episode starts
  (target: at most 3 minutes, as the median; the worst case is printed too).

The baseline, same data, same run: a classic z-score (mean and standard deviation of the
same window, same threshold and minimum change), the detector a robust one replaces.

    python benchmarks/anomaly_detection.py [--seed 1] [--steps 40] [--mean-rpm 120]
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import sys
from collections.abc import Callable, Sequence

import django
from django.conf import settings

settings.configure(USE_I18N=False)
django.setup()

from prodready.anomalies import score as scoring  # noqa: E402
from prodready.conf import conf  # noqa: E402
from prodready_observability.analytics import series as store_series  # noqa: E402
from prodready_observability.analytics.store import BOUNDS  # noqa: E402

WEEK = 7 * 24 * 60
DAY = 24 * 60
WINDOW = 60
ERROR_SHARE = 0.01
Counts = tuple[int, int, list[int]]
Scorer = Callable[..., scoring.Score]


def poisson(rng: random.Random, mean: float) -> int:
    if mean > 50:  # normal approximation: Knuth's loop is slow for large means
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def minute_counts(rng: random.Random, minute: int, mean_rpm: float, error_share: float) -> Counts:
    phase = 2 * math.pi * (minute % DAY) / DAY
    requests = poisson(rng, mean_rpm * (1 - 0.8 * math.cos(phase)))
    errors = sum(rng.random() < error_share for _ in range(requests))
    buckets = [0] * len(BOUNDS)
    for _ in range(requests):
        latency = rng.lognormvariate(math.log(0.08), 0.6)
        buckets[next(i for i, bound in enumerate(BOUNDS) if latency <= bound)] += 1
    return requests, errors, buckets


def classic(
    history: Sequence[float], value: float, *, threshold: float, min_change: float, direction: str
) -> scoring.Score:
    """The baseline: mean and standard deviation instead of median and MAD."""
    if len(history) < scoring.MIN_HISTORY:
        return scoring.Score(value, math.nan, 0.0, False)
    mean, spread = statistics.fmean(history), statistics.pstdev(history)
    departure = value - mean
    z = departure / spread if spread else math.copysign(math.inf, departure) if departure else 0
    unusual = {"up": z >= threshold, "down": z <= -threshold}.get(direction, abs(z) >= threshold)
    return scoring.Score(
        value, mean, z, unusual and abs(departure) >= min_change and departure != 0
    )


Points = Callable[[list[Counts]], list[float | None]]


def _dense(points: list[tuple[int, float]], length: int) -> list[float | None]:
    values: list[float | None] = [None] * length
    for minute, value in points:
        values[minute] = value
    return values


# The observability package's own conversions from the store's per-minute counts.
SERIES: dict[str, tuple[Points, float, str]] = {
    "request rate": (
        lambda week: [float(counts[0]) for counts in week],
        store_series.REQUEST_RATE_MIN_CHANGE,
        "both",
    ),
    "error rate": (
        lambda week: _dense(
            store_series.error_rate_points(dict(enumerate(week)), 0, len(week)), len(week)
        ),
        store_series.ERROR_RATE_MIN_CHANGE,
        "up",
    ),
    "p95 latency": (
        lambda week: _dense(store_series.p95_points(dict(enumerate(week))), len(week)),
        store_series.P95_MIN_CHANGE,
        "up",
    ),
}


def episodes(
    values: list[float | None], min_change: float, direction: str, scorer: Scorer
) -> list[int]:
    """The minutes at which episodes start, running the detector over ``values``."""
    state, started = scoring.State(), []
    for minute, value in enumerate(values):
        if value is None:
            continue
        history = [v for v in values[max(0, minute - WINDOW) : minute] if v is not None]
        found = scorer(
            history,
            value,
            threshold=conf.ANOMALY_THRESHOLD,
            min_change=min_change,
            direction=direction,
        )
        state, change = scoring.advance(
            state, found.anomalous, minute, confirm=2, calm=5, cooldown_minutes=30
        )
        if change == "started" and state.notified:  # an alert is a notification
            started.append(minute)
    return started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--steps", type=int, default=40, help="step-change trials")
    parser.add_argument("--mean-rpm", type=float, default=600.0, help="mean requests per minute")
    args = parser.parse_args()
    rng = random.Random(args.seed)

    week = [minute_counts(rng, minute, args.mean_rpm, ERROR_SHARE) for minute in range(WEEK)]
    print(
        f"A simulated week: {WEEK} minutes, {sum(c[0] for c in week):,} requests, "
        f"threshold {conf.ANOMALY_THRESHOLD} (robust z), window {WINDOW} min."
    )
    print("False alerts per week (target: at most 1 per series):")
    worst = 0
    for name, (values_of, min_change, direction) in SERIES.items():
        values = values_of(week)
        robust = len(episodes(values, min_change, direction, scoring.score))
        baseline = len(episodes(values, min_change, direction, classic))
        worst = max(worst, robust)
        ratio = f"{robust / baseline:.2f}x" if baseline else "n/a"
        print(f"  {name:13} robust {robust:3d}   classic z-score {baseline:3d}   ratio {ratio}")
    print(f"  worst series: {worst} -> {'met' if worst <= 1 else 'MISSED'}")

    delays: dict[str, list[float]] = {"robust": [], "classic": []}
    values_of, min_change, direction = SERIES["error rate"]
    for _ in range(args.steps):
        step = rng.randrange(DAY, 2 * DAY)
        lead = [minute_counts(rng, m, args.mean_rpm, ERROR_SHARE) for m in range(step - 90, step)]
        after = [
            minute_counts(rng, m, args.mean_rpm, 5 * ERROR_SHARE) for m in range(step, step + 30)
        ]
        values = values_of(lead + after)
        for kind, scorer in (("robust", scoring.score), ("classic", classic)):
            found = [
                m - 90 + 1 for m in episodes(values, min_change, direction, scorer) if m >= 90
            ]
            delays[kind].append(found[0] if found else math.inf)
    print(
        f"Detection delay after a 5x step in error rate, {args.steps} steps at random times "
        "of day (target: median at most 3 min):"
    )
    for kind, found in delays.items():
        missed = sum(math.isinf(d) for d in found)
        print(
            f"  {kind:8} median {statistics.median(found):.0f} min, "
            f"worst {max(found):.0f} min, not detected within 30 min: {missed}"
        )
    median_delay = statistics.median(delays["robust"])
    baseline = statistics.median(delays["classic"])
    ratio = (
        f"{median_delay / baseline:.2f}x" if math.isfinite(baseline) else "n/a (classic missed)"
    )
    print(
        f"  robust / classic median delay: {ratio} -> {'met' if median_delay <= 3 else 'MISSED'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

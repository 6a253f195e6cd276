"""Percentiles, summaries and the CPU noise probe."""

import math
import os
import statistics
import time


def nearest_rank(sorted_values: list[float], pct: float) -> float:
    """The nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return float("nan")
    rank = max(1, math.ceil(pct / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def latency_summary(seconds: list[float]) -> dict:
    s = sorted(seconds)
    ms = lambda v: round(v * 1000, 2)  # noqa: E731
    return {
        "n": len(s),
        "p50_ms": ms(nearest_rank(s, 50)),
        "p95_ms": ms(nearest_rank(s, 95)),
        "min_ms": ms(s[0]),
        "max_ms": ms(s[-1]),
        "mean_ms": ms(statistics.fmean(s)),
    }


def median(values: list[float]) -> float | None:
    return round(statistics.median(values), 2) if values else None


def _probe_work() -> int:
    # A fixed pure-Python loop: integer hashing, about 10-25 ms on this VM.
    h = 2166136261
    for i in range(150_000):
        h = ((h ^ (i & 0xFF)) * 16777619) & 0xFFFFFFFF
    return h


def cpu_probe(samples: int = 30, gap_s: float = 0.05) -> dict:
    """Time the fixed loop `samples` times. A wide p90/p10 means the CPU speed changed."""
    times = []
    for _ in range(samples):
        t0 = time.perf_counter()
        _probe_work()
        times.append(time.perf_counter() - t0)
        if gap_s:
            time.sleep(gap_s)
    s = sorted(times)
    ms = lambda v: round(v * 1000, 2)  # noqa: E731
    return {
        "samples": samples,
        "p10_ms": ms(nearest_rank(s, 10)),
        "median_ms": ms(nearest_rank(s, 50)),
        "p90_ms": ms(nearest_rank(s, 90)),
        "p90_over_p10": round(nearest_rank(s, 90) / nearest_rank(s, 10), 2),
        "loadavg": [round(x, 2) for x in os.getloadavg()],
    }


def quick_probe() -> float:
    """Median of 3 probe runs, in ms: the CPU's speed right before a measurement."""
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        _probe_work()
        times.append(time.perf_counter() - t0)
    return round(statistics.median(times) * 1000, 2)

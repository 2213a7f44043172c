"""Shared set-up for the parking benchmarks: Django on PostgreSQL, timing helpers."""

import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartcity.settings")


def setup_django() -> None:
    import django

    django.setup()
    from django.conf import settings

    if not settings.IS_POSTGRES:
        sys.exit("Run the parking benchmarks on PostgreSQL: DATABASE_URL=postgres://…")


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)

    def pick(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    return {"n": len(ordered), "p50": pick(0.50), "p95": pick(0.95), "p99": pick(0.99), "max": ordered[-1],
            "mean": statistics.fmean(ordered)}


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    """Wall-clock milliseconds per call; also prints this process's CPU time per call, which a busy shared
    machine inflates far less than the wall clock."""
    samples = []
    cpu_started = time.process_time()
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    print(f"  (CPU of this process: {(time.process_time() - cpu_started) / repeat * 1000:.3f} ms per call)")
    return samples


def report(name: str, samples_ms: list[float], target_p95_ms: float | None = None) -> None:
    p = percentiles(samples_ms)
    verdict = ""
    if target_p95_ms is not None:
        verdict = f"  target p95 ≤ {target_p95_ms:g} ms: {'met' if p['p95'] <= target_p95_ms else 'MISSED'}"
    print(f"{name}: n={p['n']} p50={p['p50']:.2f} ms p95={p['p95']:.2f} ms p99={p['p99']:.2f} ms "
          f"max={p['max']:.2f} ms{verdict}")

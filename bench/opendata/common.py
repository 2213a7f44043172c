"""Shared helpers for the open data benchmarks."""

import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def setup_django() -> None:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartcity.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    if "postgres" not in os.environ.get("DATABASE_URL", ""):
        sys.exit("Benchmarks run on PostgreSQL: set DATABASE_URL=postgres://…")
    import django

    django.setup()


def timed(fn: Callable[[], object], n: int, warmup: int = 5) -> list[float]:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def report(name: str, samples: list[float]) -> None:
    samples = sorted(samples)
    p = lambda q: samples[min(len(samples) - 1, int(q * len(samples)))]  # noqa: E731
    print(f"{name:<48} n={len(samples):<5} mean={statistics.mean(samples):7.1f} ms  p50={p(.5):7.1f}  "
          f"p95={p(.95):7.1f}  p99={p(.99):7.1f}  max={samples[-1]:7.1f}")

"""Shared helpers for the open data benchmarks."""

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_TICK_MS = 1000 / os.sysconf("SC_CLK_TCK")


def setup_django() -> None:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartcity.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    # One database connection for the whole run, so its backend's CPU time can be read per measurement.
    os.environ.setdefault("DATABASE_CONN_MAX_AGE", "86400")
    if "postgres" not in os.environ.get("DATABASE_URL", ""):
        sys.exit("Benchmarks run on PostgreSQL: set DATABASE_URL=postgres://…")
    import django

    django.setup()


class Samples(list):
    """Wall-clock milliseconds per call, plus the CPU milliseconds per call of this process and of its
    PostgreSQL backend: those do not depend on what else runs on the machine."""

    cpu_ms: float = 0.0
    # The backends of this process's connections: the request's and package_search's worker thread's (ADR 0074);
    # parallel query workers, if any, are not included.
    db_cpu_ms: float = 0.0


def _pid_cpu_ms(pid: int | None) -> float:
    if pid is None:
        return 0.0
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * _TICK_MS  # utime + stime


def _backend_cpu_ms() -> tuple[tuple, float]:
    """(pids, CPU ms) of this process's PostgreSQL backends (same machine: read from /proc)."""
    from django.db import connection

    from smartcity.opendata.search import WORKER

    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        pids = (cur.fetchone()[0], WORKER.backend_pid)
    return pids, sum(_pid_cpu_ms(pid) for pid in pids)


def timed(fn: Callable[[], object], n: int, warmup: int = 5) -> Samples:
    for _ in range(warmup):
        fn()
    samples = Samples()
    cpu0, db0 = time.process_time(), _backend_cpu_ms()
    for _ in range(n):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.cpu_ms = (time.process_time() - cpu0) * 1000 / n
    pids, db1 = _backend_cpu_ms()
    samples.db_cpu_ms = (db1 - db0[1]) / n if pids == db0[0] else float("nan")
    return samples


def report(name: str, samples: list[float]) -> None:
    cpu, db_cpu = getattr(samples, "cpu_ms", None), getattr(samples, "db_cpu_ms", None)
    samples = sorted(samples)
    p = lambda q: samples[min(len(samples) - 1, int(q * len(samples)))]  # noqa: E731
    line = (f"{name:<62} n={len(samples):<5} p50={p(.5):7.1f}  p95={p(.95):7.1f}  p99={p(.99):7.1f}  "
            f"max={samples[-1]:7.1f} ms")
    if cpu is not None:
        line += f"  cpu/op {cpu:6.1f} + db {db_cpu:6.1f} ms"
    print(line, flush=True)

"""gunicorn settings for production: stateless web processes behind a reverse proxy."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# One process per core plus one, four threads each (3 x 4 on the 2-core reference machine, the configuration of
# the portal load test in docs/performance.md). The GIL lets one thread per process run Python at a time, so
# more processes than cores only add memory and context switches; the threads overlap the ~20 % of a request
# spent waiting for PostgreSQL and Redis, and the extra process covers one that is collecting garbage.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
max_requests = 5000  # recycle workers to bound memory growth
max_requests_jitter = 500
accesslog = "-"
logger_class = "smartcity.core.accesslog.AccessLogger"  # one JSON line per request, with the request id
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")


def post_worker_init(worker) -> None:
    """Once the worker has imported Django and the project (~190,000 objects), move them out of the cyclic
    garbage collector's view: its full collections then scan only what requests allocate. Measured in-process
    over the load test's mix: GC time per request 1.0 → 0.65 ms (docs/performance.md, 2026-12-07 session 3)."""
    import gc

    gc.freeze()

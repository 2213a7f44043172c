"""Portal load test: gunicorn (deploy settings, gthread) on PostgreSQL, 50 logged-in users.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sc_bench python bench/portal/generate.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sc_bench python bench/portal/run.py [--rate 220] [--duration 60]

Citizens alternate between the catalogue search and Meine Anträge; caseworkers page and filter their
department's back-office queue. Each virtual user opens a connection per request, as nginx does to its
upstream (``--keepalive``: one persistent HTTP/1.1 connection per user). Without
``--rate`` each user sends the next request as soon as the previous answer is read (closed loop, no think
time): requests per second is then the server's saturation throughput, and the latency is queueing by
construction (mean = users / throughput). With ``--rate R`` the users pace themselves to R requests per
second in total (a request every users/R seconds each, at once if the answer came later), which measures
the latency at that load; the achieved rate falls below R when the server cannot keep up. Sessions are
written straight into the session store (the state after a completed login, with 2FA for staff), so login
rate limits don't interfere; each user also sends the CSRF cookie its browser got with its first page. Prints
p50/p95/p99 latency and requests per second per endpoint, the load average, and the CPU time gunicorn,
PostgreSQL and this load generator spent per request.
"""

import argparse
import asyncio
import os
import random
import runpy
import signal
import statistics
import string
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections import defaultdict
from importlib import import_module
from pathlib import Path

from common import BENCH_PREFIX, ROOT, setup_django

SEARCH_TERMS = ["hund", "hundesteuer", "parkausweis", "bewohnerparken", "geburtsurkunde", "urkunde", "ummelden",
                "meldebescheinigung", "personalausweis", "gewerbe", "strassenreinigung", "baum", "hnud", "wohngeld"]
QUEUE_QUERIES = ["", "?seite=2", "?seite=40", "?status=in_pruefung", "?mine=on", "?overdue=on&sort=frist",
                 "?q=Müller", "?closed=on"]


def make_sessions(citizens: int, staff: int) -> tuple[list[str], list[str]]:
    """Cookie headers of citizens who have cases, and of bench caseworkers with a verified OTP device: the
    session, and the CSRF cookie a browser holds from its first page (without it every page would create a
    new CSRF secret and send it in a ``Set-Cookie``, which browsers' later requests do not cause)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.utils.crypto import get_random_string
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from smartcity.accounts.models import User

    SessionStore = import_module(settings.SESSION_ENGINE).SessionStore  # noqa: N806 - a class

    def session_for(user: User, device: TOTPDevice | None = None) -> str:
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]  # the one that logs users in
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        if device is not None:
            store[DEVICE_ID_SESSION_KEY] = device.persistent_id
        store.create()
        csrf_secret = get_random_string(32, allowed_chars=string.ascii_letters + string.digits)
        return f"{settings.SESSION_COOKIE_NAME}={store.session_key}; {settings.CSRF_COOKIE_NAME}={csrf_secret}"

    people = list(User.objects.filter(username__startswith=f"{BENCH_PREFIX}buerger-", cases__isnull=False)
                  .distinct().order_by("?")[:citizens])
    devices = list(TOTPDevice.objects.filter(user__username__startswith=f"{BENCH_PREFIX}sb-", confirmed=True)
                   .select_related("user").order_by("user__username"))
    if not people or not devices:
        sys.exit("No bench data: run bench/portal/generate.py first.")
    return [session_for(u) for u in people], [session_for(d.user, d) for d in devices[:staff] or devices]


class Client:
    """A minimal HTTP/1.1 client: enough for GET with a cookie, light on the shared CPU. With ``keepalive`` one
    persistent connection per user; without, a new connection per request (``Connection: close``), as nginx
    proxies to its upstream by default (deploy/nginx.conf.example)."""

    def __init__(self, host: str, port: int, cookie: str, keepalive: bool = False):
        self.host, self.port, self.cookie, self.keepalive = host, port, cookie, keepalive
        self.close_header = "" if keepalive else "Connection: close\r\n"
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, path: str) -> int:
        for attempt in (1, 2):
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
            try:
                self.writer.write(f"GET {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
                                  f"Cookie: {self.cookie}\r\nAccept-Language: de\r\n"
                                  f"{self.close_header}\r\n".encode())
                await self.writer.drain()
                return await self._read_response()
            except (ConnectionError, asyncio.IncompleteReadError):
                # gunicorn recycles workers (max_requests) and closes idle keep-alives: reconnect once.
                self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    async def _read_response(self) -> int:
        assert self.reader is not None
        status_line = await self.reader.readuntil(b"\r\n")
        status = int(status_line.split()[1])
        headers = {}
        while (line := await self.reader.readuntil(b"\r\n")) != b"\r\n":
            key, _, value = line.decode("latin-1").partition(":")
            headers[key.strip().lower()] = value.strip()
        if headers.get("transfer-encoding") == "chunked":
            while size := int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16):
                await self.reader.readexactly(size + 2)
            await self.reader.readuntil(b"\r\n")
        else:
            await self.reader.readexactly(int(headers.get("content-length", "0")))
        if headers.get("connection", "").lower() == "close":
            self.close()
        return status

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def user_loop(client: Client, plan, results, errors, stop_at: float, measure_from: float, rnd,
                    interval: float) -> None:
    """One user. interval 0: the next request as soon as the answer is read (closed loop: the server's
    saturation throughput). interval > 0: constant pacing, a request every ``interval`` seconds from the start
    of the previous one (think time), or at once when the answer took longer; no catching up in bursts."""
    next_start = time.perf_counter() + rnd.uniform(0, interval)  # users do not start in lockstep
    while next_start < stop_at:
        await asyncio.sleep(max(0.0, next_start - time.perf_counter()))
        now = time.perf_counter()
        endpoint, path = plan(rnd)
        try:
            status = await client.get(path)
        except (OSError, asyncio.IncompleteReadError, ValueError):
            status = 599
            client.close()
        took = time.perf_counter() - now
        if now >= measure_from:
            results[endpoint].append(took)
            if status != 200:
                errors[endpoint][status] += 1
        next_start = max(now + interval, time.perf_counter())


def citizen_plan(urls):
    def plan(rnd):
        if rnd.random() < 0.5:
            return "catalogue search", f"{urls['catalogue']}?q={urllib.parse.quote(rnd.choice(SEARCH_TERMS))}"
        return "Meine Anträge", urls["portal"]
    return plan


def staff_plan(urls):
    def plan(rnd):
        return "back-office queue", urls["queue"] + rnd.choice(QUEUE_QUERIES).replace("Müller", "M%C3%BCller")
    return plan


async def drive(args, citizens: list[str], staff: list[str], urls, master: int) -> tuple[dict, dict, dict]:
    results: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    start = time.perf_counter()
    measure_from, stop_at = start + args.warmup, start + args.warmup + args.duration
    n_staff = round(args.users * args.staff_share)
    tasks = []
    for i in range(args.users):
        is_staff = i < n_staff
        cookie = staff[i % len(staff)] if is_staff else citizens[i % len(citizens)]
        plan = staff_plan(urls) if is_staff else citizen_plan(urls)
        client = Client("127.0.0.1", args.port, cookie, keepalive=args.keepalive)
        tasks.append(user_loop(client, plan, results, errors, stop_at, measure_from, random.Random(i),
                               args.users / args.rate if args.rate else 0.0))
    cpu: dict[str, float] = {}

    async def sample_cpu() -> None:
        # CPU time the server side spends per request does not depend on what else runs on the machine.
        await asyncio.sleep(max(0.0, measure_from - time.perf_counter()))
        web, db = CpuMeter(reaper=master), CpuMeter()
        client_start = time.process_time()
        while True:
            workers, backends = await asyncio.to_thread(server_pids, master)
            web.sample(workers)
            db.sample(backends)
            if time.perf_counter() >= stop_at:
                break
            await asyncio.sleep(min(1.0, max(0.0, stop_at - time.perf_counter())))
        cpu["web"], cpu["db"], cpu["client"] = web.spent, db.spent, time.process_time() - client_start

    await asyncio.gather(sample_cpu(), *tasks)
    return results, errors, cpu


CLK_TCK = os.sysconf("SC_CLK_TCK")


def _proc_times(pid: int) -> tuple[int, int] | None:
    """Clock ticks of one process: its own user + system CPU, and that of its children it has reaped."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None  # ended meanwhile
    return int(fields[11]) + int(fields[12]), int(fields[13]) + int(fields[14])  # utime+stime, cutime+cstime


class CpuMeter:
    """CPU seconds a changing set of processes spent since the first sample. gunicorn recycles its workers
    (max_requests), and their PostgreSQL backends end with them: a process first seen later counts from 0. The
    master reaps its workers, so a worker's whole life shows in the master's children's times once it has
    ended (``reaper``): only its CPU before the first sample is then taken off. An ended process without a
    reaper here (a backend) keeps its last sampled time, losing at most one interval."""

    def __init__(self, reaper: int | None = None) -> None:
        self.reaper = reaper
        self.first: dict[int, int] = {}
        self.last: dict[int, int] = {}
        self.alive: set[int] = set()

    def sample(self, pids: list[int]) -> None:
        initial, self.alive = not self.first, set()
        for pid in pids:
            times = _proc_times(pid)
            if times is None:
                continue
            self.alive.add(pid)
            self.last[pid] = times[0] + (times[1] if pid == self.reaper else 0)
            self.first.setdefault(pid, self.last[pid] if initial else 0)

    @property
    def spent(self) -> float:
        ticks = 0
        for pid, first in self.first.items():
            reaped = self.reaper is not None and pid != self.reaper and pid not in self.alive
            ticks += -first if reaped else self.last[pid] - first
        return ticks / CLK_TCK


def server_pids(master: int) -> tuple[list[int], list[int]]:
    """gunicorn master and workers; PostgreSQL backends serving this database (other than ours)."""
    from django.db import connection

    workers = [int(p) for p in Path(f"/proc/{master}/task/{master}/children").read_text().split()]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                       "AND pid <> pg_backend_pid()")
        backends = [row[0] for row in cursor.fetchall()]
    return [master, *workers], backends


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] * 1000 if len(values) > 1 else 0.0


def report(results, errors, cpu: dict[str, float], args) -> None:
    duration = args.duration
    mode = f"paced at {args.rate:.0f} req/s in total" if args.rate else "closed loop without think time"
    print(f"\n{args.users} users ({round(args.users * args.staff_share)} caseworkers), {mode}; {args.workers} "
          f"gunicorn workers x {args.threads} threads, {duration:.0f} s measured after {args.warmup:.0f} s warm-up; "
          f"load average {' / '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{'endpoint':<22}{'requests':>9}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}  errors")
    everything: list[float] = []
    for endpoint in sorted(results):
        values = results[endpoint]
        everything += values
        errs = ", ".join(f"{code}×{n}" for code, n in sorted(errors[endpoint].items())) or "-"
        print(f"{endpoint:<22}{len(values):>9}{len(values) / duration:>9.1f}{pct(values, 50):>9.1f}"
              f"{pct(values, 95):>9.1f}{pct(values, 99):>9.1f}  {errs}")
    print(f"{'all':<22}{len(everything):>9}{len(everything) / duration:>9.1f}{pct(everything, 50):>9.1f}"
          f"{pct(everything, 95):>9.1f}{pct(everything, 99):>9.1f}")
    total_errors = sum(sum(e.values()) for e in errors.values())
    rate_met = len(everything) / duration >= 200 and not total_errors
    if args.rate:
        verdict = "met" if rate_met and pct(everything, 95) < 150 else "NOT met"
        print(f"targets p95 < 150 ms and >= 200 req/s without errors: {verdict}")
    else:
        # Little's law: the mean latency is users / throughput, so only the throughput says something here.
        print(f"target >= 200 req/s without errors: {'met' if rate_met else 'NOT met'} (closed loop: the latency "
              "is queueing by construction; --rate measures the latency at a given load)")
    if everything and cpu:
        web_ms, db_ms, client_ms = (cpu[k] * 1000 / len(everything) for k in ("web", "db", "client"))
        cores = os.cpu_count() or 1
        print(f"CPU per request: gunicorn {web_ms:.1f} ms + PostgreSQL {db_ms:.1f} ms "
              f"(+ this load generator {client_ms:.1f} ms); ceiling on {cores} otherwise idle cores "
              f"≈ {cores * 1000 / (web_ms + db_ms):.0f} req/s for the server alone, "
              f"≈ {cores * 1000 / (web_ms + db_ms + client_ms):.0f} req/s sharing them with the load generator")


def start_gunicorn(args) -> subprocess.Popen:
    from django.conf import settings

    log_dir = ROOT / "bench" / "results"
    log_dir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "GUNICORN_BIND": f"127.0.0.1:{args.port}",
           "GUNICORN_WORKERS": str(args.workers), "GUNICORN_THREADS": str(args.threads),
           "DJANGO_DEBUG": "false", "LOG_LEVEL": "WARNING", "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
           "REDIS_URL": os.environ["REDIS_URL"]}
    gunicorn = Path(sys.executable).with_name("gunicorn")
    log = open(log_dir / "gunicorn.log", "w")  # noqa: SIM115 - lives as long as the server
    proc = subprocess.Popen([str(gunicorn), "-c", str(ROOT / "deploy" / "gunicorn.conf.py"), "smartcity.wsgi"],
                            env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{args.port}/healthz", timeout=2) as response:
                if response.status == 200:
                    print(f"gunicorn pid {proc.pid} up on port {args.port} ({settings.DATABASES['default']['NAME']})")
                    return proc
        except OSError:
            time.sleep(0.5)
        if proc.poll() is not None:
            break
    proc.terminate()
    sys.exit(f"gunicorn did not start; see {log_dir / 'gunicorn.log'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--staff-share", type=float, default=0.3, help="share of users who are caseworkers")
    parser.add_argument("--rate", type=float, default=0,
                        help="total requests/s the users aim at (constant pacing); 0 = no think time (saturation)")
    parser.add_argument("--keepalive", action="store_true",
                        help="one persistent connection per user instead of one per request (see Client)")
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--warmup", type=float, default=10)
    deploy = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))  # production defaults for this machine
    parser.add_argument("--workers", type=int, default=deploy["workers"])
    parser.add_argument("--threads", type=int, default=deploy["threads"])
    parser.add_argument("--port", type=int, default=8104)
    args = parser.parse_args()
    # Production shape: Redis for the cache and sessions, shared by this process (which writes the sessions).
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/4")
    setup_django()
    from django.urls import reverse

    urls = {"catalogue": reverse("catalogue:list"), "portal": reverse("portal:list"),
            "queue": reverse("backoffice:queue")}
    citizens, staff = make_sessions(args.users, args.users)
    proc = start_gunicorn(args)
    try:
        results, errors, cpu = asyncio.run(drive(args, citizens, staff, urls, proc.pid))
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # the server we started, and only it
        proc.wait(timeout=30)
    report(results, errors, cpu, args)


if __name__ == "__main__":
    main()

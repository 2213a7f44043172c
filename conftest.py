"""Shared pytest setup.

Tests that need a real service carry a marker (postgres, redis, mqtt, e2e). Without the service
they are skipped locally; with REQUIRE_SERVICES=1 (CI) a missing service is an error instead.
"""

import os
import shutil
import socket
from collections import Counter
from urllib.parse import urlparse

import pytest
from django.conf import settings

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def pytest_configure(config):
    """pytest-xdist workers share one Redis: give each worker its own database number, so one worker's
    cache.clear() (FLUSHDB) or rate-limit counters never reach into another worker's test. Runs after
    pytest-django loaded the settings and before any cache connection exists."""
    worker, url = os.environ.get("PYTEST_XDIST_WORKER", ""), getattr(settings, "REDIS_URL", "")
    if not (worker.startswith("gw") and url):
        return
    base, _, db = url.rpartition("/")
    own = f"{base}/{((int(db) if db.isdigit() else 0) + int(worker[2:])) % 16}"
    os.environ["REDIS_URL"] = settings.REDIS_URL = own
    for cache_settings in settings.CACHES.values():
        if cache_settings.get("LOCATION") == url:
            cache_settings["LOCATION"] = own


def _reachable(url: str, default_port: int) -> bool:
    parts = urlparse(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or default_port), timeout=0.5):
            return True
    except OSError:
        return False


def _service_missing(marker: str) -> str | None:
    if marker == "postgres" and not settings.IS_POSTGRES:
        return "needs DATABASE_URL=postgres://…"
    if marker == "redis" and not _reachable(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379"), 6379):
        return "needs Redis on REDIS_URL"
    if marker == "mqtt" and not _reachable(settings.MQTT_URL, 1883):
        return "needs an MQTT broker on MQTT_URL"
    if marker == "e2e" and not shutil.which(os.environ.get("CHROMIUM", "chromium")):
        return "needs Debian's chromium (apt-get install chromium)"
    return None


def pytest_collection_modifyitems(config, items):
    for item in items:
        for marker in ("postgres", "redis", "mqtt", "e2e"):
            if marker in item.keywords and (reason := _service_missing(marker)):
                # In CI a missing service must fail loudly; only the PostgreSQL-only tests skip on SQLite.
                if not REQUIRE_SERVICES or marker == "postgres":
                    item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(autouse=True)
def _isolated_state(settings, tmp_path):
    """Fresh cache, a private media folder and German as the active language for every test.

    Without resetting the language, a test that switches to English would leave later tests in the same
    worker running in English.
    """
    from django.core.cache import cache
    from django.utils import translation

    cache.clear()
    settings.MEDIA_ROOT = tmp_path / "media"
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()
    cache.clear()
    # package_search's worker thread (ADR 0074) has its own database connection: closed after every test that
    # started it, so the test database can be flushed and dropped.
    from smartcity.opendata.search import WORKER

    WORKER.shutdown()


def pytest_terminal_summary(terminalreporter):
    """Say loudly which test groups did not run for lack of a local service, so a green run is not misread."""
    skipped = Counter()
    for report in terminalreporter.stats.get("skipped", []):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else ""
        if reason.startswith("Skipped: needs "):
            skipped[reason.removeprefix("Skipped: ")] += 1
    if skipped:
        terminalreporter.section("Nicht ausgeführt – Dienst fehlt", yellow=True, bold=True)
        for reason, count in skipped.most_common():
            terminalreporter.write_line(f"{count:4d} Tests: {reason}")

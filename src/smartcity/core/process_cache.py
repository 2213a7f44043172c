"""Data read on nearly every request and changed a few times a year (zones, case types), kept per process.

A holder is keyed by a version token in the shared cache (Redis in production). A change bumps the token
(signal receivers in the owning app call ``invalidate``), so every web and worker process rebuilds on its
next read: one cache GET per read instead of database queries and parsing. The token is random, not a
counter: after a cache flush a counter would restart at a value that a stale process may still hold.

Without a shared cache (the embedded default's local-memory cache) the token is per process, which is right
for its single process; production settings require Redis (docs/deployment.md).

Objects handed out are shared by all requests of the process: read them, never change and save them.
"""

import threading
import uuid
from collections.abc import Callable
from typing import Generic, TypeVar

from django.core.cache import cache

T = TypeVar("T")


class ProcessCache(Generic[T]):
    def __init__(self, key: str, build: Callable[[], T]) -> None:
        self.key = key
        self._build = build
        self._lock = threading.Lock()
        self._held: tuple[str, T] | None = None

    def version(self) -> str:
        return cache.get_or_set(self.key, uuid.uuid4().hex, timeout=None)

    def get(self, version: str | None = None) -> T:
        """The data of ``version`` (a token the caller read from ``version()`` this request, to save a second
        read), or of the current version."""
        version = version or self.version()
        held = self._held
        if held is None or held[0] != version:
            with self._lock:
                held = self._held
                if held is None or held[0] != version:
                    held = self._held = (version, self._build())
        return held[1]

    def invalidate(self, *args, **kwargs) -> None:
        """Bump the token; usable directly as a signal receiver."""
        cache.set(self.key, uuid.uuid4().hex, timeout=None)

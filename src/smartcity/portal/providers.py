"""Applications that are not cases, in Meine Anträge.

Most services become a case (``cases``) and appear in Meine Anträge by themselves. Domain apps that decide
without a case — e.g. resident parking, whose standard applications are granted automatically — register a
provider here; the list page merges what the providers return. Providers only read (they run on every
page view), return the newest entries first and link to their own, access-checked detail page. A provider may
give an SQL test whether the user has any entries (most citizens have none): the page asks all of them, and its
own such tests, in one statement and calls only the providers that have entries.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection


@dataclass(frozen=True)
class Entry:
    title: str
    reference: str
    at: datetime  # submitted (or created) — the list is sorted by it
    status: str
    url: str
    action: str = ""  # what the citizen has to do now, e.g. "Bitte bezahlen"; empty when nothing


Provider = Callable[[Any], list[Entry]]
_providers: dict[str, tuple[Provider, str]] = {}
_statements: dict[tuple[str, ...], str] = {}
LIMIT = 50  # per provider; older entries stay reachable on the provider's own pages


def register(name: str, provider: Provider, *, exists: str = "") -> None:
    """Register (or replace, e.g. on autoreload) a provider under a unique name. ``exists``: an SQL expression
    (code, not input) that is true when the user whose primary key is its one ``%s`` has entries."""
    _providers[name] = (provider, exists)
    _statements.clear()


def present(user: Any, probes: dict[str, str]) -> set[str]:
    """The names, of ``probes`` (name → ``exists`` SQL as for ``register``) and of the providers with an
    ``exists`` test, whose test is true for ``user``: one statement, written once per process and set of names."""
    tests = {**{name: sql for name, (_, sql) in _providers.items() if sql}, **probes}
    names = tuple(tests)
    if not names:
        return set()
    sql = _statements.get(names)
    if sql is None:
        sql = _statements[names] = "SELECT " + ", ".join(f"({tests[name]})" for name in names)  # noqa: S608 - code
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk] * len(names))
        row = cursor.fetchone()
    return {name for name, value in zip(names, row, strict=True) if value}


def entries_for(user: Any, present: set[str] | None = None) -> list[Entry]:
    """The providers' entries for ``user``, newest first; with ``present`` (see ``present``) a provider with an
    ``exists`` test is only called when it is true."""
    entries = [entry for name, (provider, exists) in _providers.items()
               if present is None or not exists or name in present for entry in provider(user)[:LIMIT]]
    return sorted(entries, key=lambda e: e.at, reverse=True)

"""Applications that are not cases, in Meine Anträge.

Most services become a case (``cases``) and appear in Meine Anträge by themselves. Domain apps that decide
without a case — e.g. resident parking, whose standard applications are granted automatically — register a
provider here; the list page merges what the providers return. Providers only read (they run on every
page view), return the newest entries first and link to their own, access-checked detail page.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Entry:
    title: str
    reference: str
    at: datetime  # submitted (or created) — the list is sorted by it
    status: str
    url: str
    action: str = ""  # what the citizen has to do now, e.g. "Bitte bezahlen"; empty when nothing


Provider = Callable[[Any], list[Entry]]
_providers: dict[str, Provider] = {}
LIMIT = 50  # per provider; older entries stay reachable on the provider's own pages


def register(name: str, provider: Provider) -> None:
    """Register (or replace, e.g. on autoreload) a provider under a unique name."""
    _providers[name] = provider


def entries_for(user: Any) -> list[Entry]:
    entries = [entry for provider in _providers.values() for entry in provider(user)[:LIMIT]]
    return sorted(entries, key=lambda e: e.at, reverse=True)

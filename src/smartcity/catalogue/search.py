"""Catalogue search: PostgreSQL full-text (german) + pg_trgm, or the pure-Python matcher on SQLite.

Rule on both backends: every query word must occur in the service's normalised search text, as a word
prefix, inside a compound word, or as a small typo of a word. On PostgreSQL the database narrows the
candidates (to_tsvector('german') prefix match or pg_trgm word similarity, both index-backed); the shared
scorer (textsearch.score on name and text) then decides and ranks them (then online services first, then
by name), so both backends give the same results in the same order.

The catalogue changes only when it is edited, so what a search page shows is kept per *catalogue version*, a
random token in the shared cache that every save or delete of a service or Lebenslage, and every change of a
service's Lebenslagen, replaces (signals.py; core.process_cache): the ranking of a query in the shared cache
(entries of older versions are never read again and expire), the Lebenslagen and the services with their
Lebenslagen in each process (a few hundred rows, rebuilt on the first read of a new version). A request reads the
version once and passes it on (each read is a round trip to the shared cache).
"""

import hashlib
import json
from collections.abc import Mapping
from typing import NamedTuple

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When

from smartcity.core.process_cache import ProcessCache

from . import textsearch
from .models import Category, Service

# pg_trgm word similarity above which a query word counts as found (comparable to textsearch.FUZZY_RATIO).
TRIGRAM_THRESHOLD = 0.6
MAX_QUERY_WORDS = 8
VERSION_KEY = "catalogue:version"
CACHE_SECONDS = 3600  # only bounds the memory of abandoned versions; correctness comes from the version


class Catalogue(NamedTuple):
    """What the search page shows besides the ranking, per process. Shared by the process's requests: read
    it, never change or save it."""

    categories: list[Category]  # all Lebenslagen in display order (the search form's choices)
    services: dict[int, Service]  # every service by id, with its Lebenslagen


def _load() -> Catalogue:
    return Catalogue(list(Category.objects.all()), Service.objects.prefetch_related("categories").in_bulk())


_catalogue = ProcessCache(VERSION_KEY, _load)


def catalogue_version() -> str:
    return _catalogue.version()


def note_catalogue_change() -> None:
    """A new version now, so this transaction's own later reads see the change, and again after the commit: a
    request that read the version in between may have kept the old rows under it."""
    _catalogue.invalidate()
    transaction.on_commit(_catalogue.invalidate)


def categories(version: str) -> list[Category]:
    return _catalogue.get(version).categories


def _criteria(params: Mapping[str, str]) -> tuple[str, bool, list[str]]:
    online = str(params.get("online", "")).lower() in {"1", "true", "ja", "on"}
    return params.get("category") or "", online, textsearch.words(params.get("q", ""))[:MAX_QUERY_WORDS]


def _filtered(queryset: QuerySet[Service], category: str, online: bool) -> QuerySet[Service]:
    if category:
        queryset = queryset.filter(categories__slug=category)
    if online:
        queryset = queryset.filter(online=True)
    return queryset


def matching_ids(params: Mapping[str, str], version: str) -> list[int]:
    """Ids of the services matching Lebenslage, online-only and the text query, in result order (ranking for a
    text query, else by name); cached per catalogue version."""
    category, online, tokens = _criteria(params)
    raw = json.dumps([category, online, tokens], ensure_ascii=False)
    key = f"catalogue:search:{version}:{hashlib.sha256(raw.encode()).hexdigest()}"
    ids = cache.get(key)
    if ids is None:
        queryset = _filtered(Service.objects.all(), category, online)
        ids = ranked_ids(queryset, tokens) if tokens else list(queryset.values_list("pk", flat=True))
        cache.set(key, ids, CACHE_SECONDS)
    return ids


def services_in_order(ids: list[int], version: str) -> list[Service]:
    """The services of one result page, in this order, with their Lebenslagen (what the result list shows)."""
    services = _catalogue.get(version).services
    return [services[pk] for pk in ids if pk in services]


def filter_services(params: Mapping[str, str]) -> QuerySet[Service]:
    """For the API: the whole catalogue filtered by Lebenslage, online-only and the text query, in ranking
    order for a text query."""
    queryset = Service.objects.select_related("department").prefetch_related("categories", "form_definitions")
    category, online, tokens = _criteria(params)
    if not tokens:
        return _filtered(queryset, category, online)
    return _in_order(_filtered(queryset, category, online), matching_ids(params, catalogue_version()))


def search_services(queryset: QuerySet[Service], query: str) -> QuerySet[Service]:
    """``queryset`` narrowed to the services matching ``query``, best first (uncached)."""
    tokens = textsearch.words(query)[:MAX_QUERY_WORDS]
    if not tokens:
        return queryset
    return _in_order(queryset, ranked_ids(queryset, tokens))


def ranked_ids(queryset: QuerySet[Service], tokens: list[str]) -> list[int]:
    """Ids of the services of ``queryset`` that match all tokens, best first."""
    candidates = _postgres_candidates(queryset, tokens) if connection.vendor == "postgresql" else queryset
    query = " ".join(tokens)
    scored = []
    for pk, title, text, online, name in candidates.values_list("pk", "search_title", "search_text", "online",
                                                                "name_de"):
        text_score = textsearch.score(query, text)
        if text_score:
            scored.append((-(text_score + textsearch.score(query, title)), not online, name, pk))
    return [pk for *_, pk in sorted(scored)]


def _postgres_candidates(queryset: QuerySet[Service], tokens: list[str]) -> QuerySet[Service]:
    from django.contrib.postgres.search import SearchQuery, SearchVector, TrigramWordSimilarity

    queryset = queryset.annotate(_vector=SearchVector("search_text", config="german"))
    for i, token in enumerate(tokens):
        # Tokens are normalised to [a-z0-9]+, so the raw prefix query cannot be malformed.
        prefix = SearchQuery(f"{token}:*", search_type="raw", config="german")
        queryset = queryset.annotate(**{f"_sim{i}": TrigramWordSimilarity(Value(token), F("search_text"))}).filter(
            Q(_vector=prefix) | Q(**{f"_sim{i}__gte": TRIGRAM_THRESHOLD})
        )
    return queryset


def _in_order(queryset: QuerySet[Service], ids: list[int]) -> QuerySet[Service]:
    if not ids:
        return queryset.none()
    order = Case(*[When(pk=pk, then=Value(i)) for i, pk in enumerate(ids)], output_field=IntegerField())
    return queryset.filter(pk__in=ids).order_by(order)

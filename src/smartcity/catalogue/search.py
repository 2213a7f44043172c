"""Catalogue search: PostgreSQL full-text (german) + pg_trgm, or the pure-Python matcher on SQLite.

Rule on both backends: every query word must occur in the service's normalised search text, as a word
prefix, inside a compound word, or as a small typo of a word. On PostgreSQL the database narrows the
candidates (to_tsvector('german') prefix match or pg_trgm word similarity, both index-backed); the shared
scorer (textsearch.score on name and text) then decides and ranks them (then online services first, then
by name), so both backends give the same results in the same order.
"""

from collections.abc import Mapping

from django.db import connection
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When

from . import textsearch
from .models import Service

# pg_trgm word similarity above which a query word counts as found (comparable to textsearch.FUZZY_RATIO).
TRIGRAM_THRESHOLD = 0.6
MAX_QUERY_WORDS = 8


def filter_services(queryset: QuerySet[Service], params: Mapping[str, str]) -> QuerySet[Service]:
    """Shared by the pages and the API: Lebenslage, online-only and the text query."""
    queryset = queryset.select_related("department").prefetch_related("categories", "form_definitions")
    if category := params.get("category"):
        queryset = queryset.filter(categories__slug=category)
    if str(params.get("online", "")).lower() in {"1", "true", "ja", "on"}:
        queryset = queryset.filter(online=True)
    return search_services(queryset, params.get("q", ""))


def search_services(queryset: QuerySet[Service], query: str) -> QuerySet[Service]:
    tokens = textsearch.words(query)[:MAX_QUERY_WORDS]
    if not tokens:
        return queryset
    candidates = _postgres_candidates(queryset, tokens) if connection.vendor == "postgresql" else queryset
    return _ranked(queryset, candidates, tokens)


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


def _ranked(queryset: QuerySet[Service], candidates: QuerySet[Service], tokens: list[str]) -> QuerySet[Service]:
    query = " ".join(tokens)
    scored = []
    for pk, title, text, online, name in candidates.values_list("pk", "search_title", "search_text", "online",
                                                                "name_de"):
        text_score = textsearch.score(query, text)
        if text_score:
            scored.append((-(text_score + textsearch.score(query, title)), not online, name, pk))
    ids = [pk for *_, pk in sorted(scored)]
    if not ids:
        return queryset.none()
    order = Case(*[When(pk=pk, then=Value(i)) for i, pk in enumerate(ids)], output_field=IntegerField())
    return queryset.filter(pk__in=ids).order_by(order)

"""The demo catalogue answers the same way on SQLite (Python matcher) and PostgreSQL (FTS + pg_trgm)."""

import pytest

from smartcity.catalogue.models import Service
from smartcity.catalogue.search import search_services

EXPECTED_FIRST = [
    ("hund", "hund-anmelden-hundesteuer"),
    ("Hund anmelden", "hund-anmelden-hundesteuer"),
    ("hundesteuer", "hund-anmelden-hundesteuer"),
    ("hundsteuer", "hund-anmelden-hundesteuer"),
    ("Bewohnerparkausweis", "bewohnerparkausweis-beantragen"),
    ("Bewohnerparkausweiss", "bewohnerparkausweis-beantragen"),
    ("Anwohnerparken", "bewohnerparkausweis-beantragen"),
    ("Geburtsurkunde", "personenstandsurkunde-anfordern"),
    ("Personenstandsurkunde", "personenstandsurkunde-anfordern"),
    ("Fuehrungszeugnis", "fuehrungszeugnis-beantragen"),
    ("führungszeugnis", "fuehrungszeugnis-beantragen"),
    ("Führungszeugnis", "fuehrungszeugnis-beantragen"),
    ("Aussengastronomie", "aussengastronomie"),
    ("eheschliessung", "eheschliessung-anmelden"),
    ("Eheschließung", "eheschliessung-anmelden"),
    ("Wohngeld", "wohngeld"),
    ("dog", "hund-anmelden-hundesteuer"),
]


def _slugs(query: str) -> list[str]:
    return list(search_services(Service.objects.all(), query).values_list("slug", flat=True))


def _check_expected_first():
    for query, slug in EXPECTED_FIRST:
        slugs = _slugs(query)
        assert slugs and slugs[0] == slug, (query, slugs[:5])
    assert _slugs("xylophonbau") == []
    assert _slugs("") == list(Service.objects.values_list("slug", flat=True))
    hund = _slugs("hund")
    assert "hund-abmelden-hundesteuer" in hund and "grosser-hund-anzeigen" in hund
    assert "wohngeld" not in hund
    assert {"bewohnerparkausweis-beantragen", "parkausweis-schwerbehinderung"} <= set(_slugs("parkausweiss"))


def test_search_on_the_embedded_backend(demo_catalogue):
    _check_expected_first()


@pytest.mark.postgres
def test_search_on_postgresql(demo_catalogue):
    _check_expected_first()


def test_categories_are_searchable_after_change(demo_catalogue):
    service = Service.objects.get(slug="wohngeld")
    assert "soziales" in service.search_text or "sozial" in service.search_text
    service.categories.clear()
    service.refresh_from_db()
    assert "foerderung" not in service.search_text

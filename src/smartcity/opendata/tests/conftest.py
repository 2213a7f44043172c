import random

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from smartcity.accounts.twofactor import ensure_confirmed_device
from smartcity.opendata import services
from smartcity.opendata.models import ApiToken, Dataset, Group, Membership, Organization, Resource


@pytest.fixture
def orgs(db):
    services.ensure_themes()
    dus = Organization.objects.create(name="duesseldorf", title="Landeshauptstadt Düsseldorf",
                                      contributor_id="http://dcat-ap.de/def/contributors/openNRW",
                                      political_geocoding_uri="http://dcat-ap.de/def/politicalGeocoding/districtKey/05111",
                                      political_geocoding_level_uri="http://dcat-ap.de/def/politicalGeocoding/Level/municipality")
    koe = Organization.objects.create(name="koeln", title="Stadt Köln",
                                      contributor_id="http://dcat-ap.de/def/contributors/openNRW")
    return dus, koe


@pytest.fixture
def editor(orgs):
    user = get_user_model().objects.create_user("redaktion-dus", email="od@example.org", password="Test-Passwort-1")
    Membership.objects.create(user=user, organization=orgs[0], role="editor")
    ensure_confirmed_device(user)
    return user


@pytest.fixture
def token(editor) -> str:
    return ApiToken.issue(editor, "test")[1]


@pytest.fixture
def sysadmin_token(db) -> str:
    user = get_user_model().objects.create_superuser("root", email="root@example.org", password="Test-Passwort-1")
    return ApiToken.issue(user, "admin")[1]


def random_relations(rng, i: int, tags: list[str], formats: list[str]) -> dict:
    """Random resources (0–3, formats as given), tags (0–3) and themes (0–2) for make_dataset."""
    themes = sorted(Group.objects.values_list("name", flat=True))
    resources = [{"url": f"https://example.org/{i}/{n}.dat", "format": rng.choice(formats)}
                 for n in range(rng.randint(0, 3))]
    return {"resources": resources, "tags": [{"name": t} for t in rng.sample(tags, rng.randint(0, 3))],
            "groups": [{"name": g} for g in rng.sample(themes, rng.randint(0, 2))]}


def make_dataset(org, name, **extra):
    data = {"name": name, "title": extra.pop("title", name.replace("-", " ").title()), "owner_org": org.name,
            "notes": extra.pop("notes", "Beschreibung " + name), **extra}
    return services.create_dataset("system:test", data)


@pytest.fixture
def catalogue(orgs):
    dus, koe = orgs
    a = make_dataset(dus, "parkhaeuser", tags=[{"name": "Parken"}, {"name": "Verkehr"}], groups=[{"name": "tran"}],
                     resources=[{"url": "https://example.org/parkhaeuser.csv", "format": "CSV", "name": "CSV"}],
                     notes="Standorte und Kapazitäten der Parkhäuser in der Innenstadt")
    b = make_dataset(dus, "spielplaetze", tags=[{"name": "Freizeit"}], groups=[{"name": "soci"}],
                     resources=[{"url": "https://example.org/spielplaetze.json", "format": "JSON"}])
    c = make_dataset(koe, "baumkataster-koeln", tags=[{"name": "Umwelt"}, {"name": "Bäume"}],
                     groups=[{"name": "envi"}], license_id="http://dcat-ap.de/def/licenses/cc-by/4.0",
                     resources=[{"url": "https://example.org/baeume.csv", "format": "csv"}])
    return a, b, c


def forget_facet_code(field: str, value: str) -> None:
    """PostgreSQL: drop a pair from the dictionary that decodes facet codes (migration 0007), as if no
    FacetCount row had ever held it: a search that counts its code must fall back to the JSON statement."""
    with connection.cursor() as cur:
        cur.execute("DELETE FROM opendata_facetcode WHERE field = %s AND value = %s", [field, value])
        assert cur.rowcount == 1


SEARCH_TAGS = ["Parken", "Verkehr", "Umwelt", "Bäume", "Straße", "CSV"]
SEARCH_FORMATS = ["CSV", "json", "GeoJSON", "PDF", "xlsx"]


@pytest.fixture
def search_catalogue(orgs):
    """For the search path tests: 24 datasets; titles repeat (ties for sort by title), some share
    metadata_modified; formats in mixed case, deleted resources, drafts, private and deleted datasets."""
    rng = random.Random(5)
    owners = [*orgs, Organization.objects.create(name="neuss", title="Stadt Neuss")]
    datasets = []
    for i in range(24):
        datasets.append(make_dataset(
            owners[i % 3], f"daten-{i:02d}", title=f"Parkplätze {'ABC'[i % 3]}",
            notes=f"Daten über {rng.choice(SEARCH_TAGS)} und Parken" if i % 4 else "Nichts weiter",
            private=i % 7 == 0, state="draft" if i % 8 == 0 else "active",
            **random_relations(rng, i, SEARCH_TAGS, SEARCH_FORMATS)))
    for resource in Resource.objects.filter(dataset__in=datasets[:6], state="active")[:3]:
        services.delete_resource("system:test", resource)
    services.set_state("system:test", datasets[9], Dataset.State.DELETED)
    # Equal metadata_modified for a few datasets: the id decides their order.
    same = datasets[10].metadata_modified
    Dataset.objects.filter(pk__in=[d.pk for d in datasets[10:14]]).update(metadata_modified=same)
    return datasets

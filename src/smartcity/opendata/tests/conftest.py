import pytest
from django.contrib.auth import get_user_model

from smartcity.opendata import services
from smartcity.opendata.models import ApiToken, Group, Membership, Organization


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

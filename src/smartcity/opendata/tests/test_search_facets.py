"""package_search counts and facets – one statement over the denormalised facet columns, or the sums of
FacetCount rows for organisation/visibility filters – against a straightforward count over the related
tables, on whichever database the suite runs (SQLite or PostgreSQL)."""

import random
from collections import Counter
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection
from django.test import override_settings

from smartcity.opendata import permissions, search, services, vocab
from smartcity.opendata.models import Dataset, FacetCount, Group, Organization, Resource

from .conftest import make_dataset, random_relations

pytestmark = pytest.mark.django_db

TAGS = ["Parken", "Verkehr", "Umwelt", "Bäume", "Straße", "Lärm", "Schule", "Haushalt"]
FORMATS = ["CSV", "json", "GeoJSON", "PDF", "XLSX"]
LICENSES = list(vocab.LICENSES)[:4]
FIELDS = ["organization", "groups", "tags", "res_format", "license_id"]


@pytest.fixture
def random_catalogue(orgs):
    """30 datasets with random tags, themes, formats, licences and states, then edits of every kind."""
    rng = random.Random(11)
    third = Organization.objects.create(name="neuss", title="Stadt Neuss")
    owners = [*orgs, third]
    datasets = []
    for i in range(30):
        datasets.append(make_dataset(
            owners[i % 3], f"datensatz-{i:02d}", title=f"Datensatz {i} über {rng.choice(TAGS)}",
            license_id=rng.choice(LICENSES), private=i % 7 == 0, state="draft" if i % 9 == 0 else "active",
            **random_relations(rng, i, TAGS, FORMATS)))
    # Edits through the services: replace tags and themes, add and delete resources, withdraw and delete.
    services.update_dataset("system:test", datasets[1], {"tags": [{"name": "Neu"}], "groups": []}, partial=True)
    services.create_resource("system:test", datasets[2], {"url": "https://example.org/x.csv", "format": "CSV"})
    for resource in Resource.objects.filter(dataset__in=datasets[3:6], state="active"):
        services.delete_resource("system:test", resource)
    services.set_state("system:test", datasets[4], Dataset.State.DELETED)
    services.set_state("system:test", datasets[5], Dataset.State.DRAFT)
    return datasets


def expected(qs) -> tuple[int, dict[str, Counter]]:
    """Counts straight from the related tables, one dataset at a time."""
    facets = {name: Counter() for name in FIELDS}
    rows = list(qs.select_related("organization").prefetch_related("tags", "groups", "resources"))
    for ds in rows:
        facets["organization"][ds.organization.name] += 1
        facets["license_id"][ds.license_id] += 1
        facets["tags"].update(t.name for t in ds.tags.all())
        facets["groups"].update(g.name for g in ds.groups.all())
        facets["res_format"].update({r.format for r in ds.resources.all() if r.state == "active" and r.format})
    return len(rows), facets


QUERIES = [
    ("", []), ("datensatz", []), ("straße", []), ("", ["organization:koeln"]), ("", ["-organization:koeln"]),
    ("", ["tags:Parken"]), ("", ["res_format:CSV", "groups:tran OR groups:envi"]), ("", ["-tags:Parken"]),
    ("", ["metadata_modified:[2000-01-01T00:00:00Z TO *]"]), ("tags:Verkehr AND -res_format:PDF", []),
    ("", ["license_id:\"" + LICENSES[1] + "\""]), ("nichtsdergleichen", []),
]


@override_settings(OPENDATA_FACET_CACHE_SECONDS=0)
@pytest.mark.parametrize("include", [False, True])
def test_counts_and_facets_equal_a_straightforward_count(random_catalogue, include, editor):
    scope = permissions.visible_scope(editor, include_private=include, include_drafts=include)
    paths = set()
    for q, fq in QUERIES:
        result = search.search(scope, q=q, fq_list=fq, rows=5, facet_fields=FIELDS, facet_limit=-1)
        count, facets = expected(search.filtered(scope, q, fq))
        assert result.count == count, (q, fq)
        for name in FIELDS:
            got = {value: n for value, _label, n in result.facets[name]}
            assert got == dict(facets[name]), (q, fq, name)
            ranked = [n for _v, _l, n in result.facets[name]]
            assert ranked == sorted(ranked, reverse=True)
        where = scope & search.compile_filters(q, fq)[0]
        paths.add(search._by_bucket(where))
        if search._by_bucket(where):  # both ways of counting agree
            qs = Dataset.objects.filter(where)
            assert search.bucket_counts(where, FIELDS, -1, 1) == search.count_and_facets(qs, FIELDS, -1, 1)
    assert paths == {True, False}
    everything = search.search(scope, facet_fields=FIELDS)
    assert everything.count == Dataset.objects.filter(scope).count() >= 15


@override_settings(OPENDATA_FACET_CACHE_SECONDS=0)
def test_facet_labels_limit_and_mincount(random_catalogue):
    scope = permissions.visible_scope(None)
    result = search.search(scope, facet_fields=FIELDS, facet_limit=2, facet_mincount=2)
    _count, facets = expected(Dataset.objects.filter(scope))
    for name in FIELDS:
        want = sorted(((v, n) for v, n in facets[name].items() if n >= 2), key=lambda r: (-r[1], r[0]))[:2]
        assert [(v, n) for v, _label, n in result.facets[name]] == want
    org_labels = {v: label for v, label, _n in result.facets["organization"]}
    assert org_labels.get("koeln", "Stadt Köln") == "Stadt Köln"
    titles = dict(Group.objects.values_list("name", "title"))
    assert all(label == titles[v] for v, label, _n in result.facets["groups"])
    assert all(label == vocab.LICENSES[v].title for v, label, _n in result.facets["license_id"])
    assert search.search(scope, facet_fields=[]).facets == {}


def test_ranked_orders_by_count_then_value_and_organisations_by_name(orgs):
    """_ranked against the plain definition (sort key: count desc, then the value as CKAN names it), with many
    equal counts; organisations are named in another order than their ids."""
    extra = [Organization.objects.create(name=f"org-{c}", title=f"Org {c}") for c in "dcab"]
    rng = random.Random(5)
    raw = {"organization": {str(o.id): rng.choice([1, 2, 2, 3]) for o in [*orgs, *extra]},
           "groups": {g: rng.randint(1, 3) for g in Group.objects.values_list("name", flat=True)},
           "tags": {f"tag-{i:03d}": rng.randint(1, 4) for i in range(120)},
           "license_id": {lic: rng.randint(1, 2) for lic in LICENSES}}
    labels = search._facet_labels(raw)
    for limit in (-1, 0, 1, 3, 50):
        for mincount in (1, 2, 5):
            want = {name: sorted(((*labels[name][v], n) for v, n in counts.items() if n >= mincount),
                                 key=lambda r: (-r[2], r[0])) for name, counts in raw.items()}
            got = search._ranked(raw, limit, mincount)
            assert got == {name: items if limit < 0 else items[:limit] for name, items in want.items()}


def test_facet_columns_follow_the_related_rows(random_catalogue):
    for ds in Dataset.objects.prefetch_related("tags", "groups", "resources"):
        assert ds.facet_tags == sorted(t.name for t in ds.tags.all())
        assert ds.facet_groups == sorted(g.name for g in ds.groups.all())
        assert ds.facet_formats == sorted({r.format for r in ds.resources.all() if r.state == "active"})


def facet_count_rows() -> set:
    return set(FacetCount.objects.values_list("organization_id", "state", "private", "field", "value", "n"))


def test_facet_counts_are_rebuilt_on_every_change(random_catalogue):
    before = facet_count_rows()
    search.refresh_facet_counts(Organization.objects.values_list("pk", flat=True))
    assert facet_count_rows() == before and before
    services.set_state("system:test", random_catalogue[7], Dataset.State.DRAFT)
    changed = facet_count_rows()
    search.refresh_facet_counts(Organization.objects.values_list("pk", flat=True))
    assert facet_count_rows() == changed != before


def test_migration_fills_the_facet_columns_of_existing_datasets(random_catalogue):
    before = list(Dataset.objects.order_by("pk").values_list("facet_tags", "facet_groups", "facet_formats"))
    counts = facet_count_rows()
    Dataset.objects.update(facet_tags=[], facet_groups=[], facet_formats=[])
    FacetCount.objects.all().delete()
    migration = __import__("smartcity.opendata.migrations.0003_dataset_facet_columns", fromlist=["fill"])
    editor = SimpleNamespace(connection=connection, execute=lambda sql: connection.cursor().execute(sql))
    migration.fill(apps, editor)
    after = list(Dataset.objects.order_by("pk").values_list("facet_tags", "facet_groups", "facet_formats"))
    assert after == before and any(tags for tags, _g, _f in after)
    assert facet_count_rows() == counts


@override_settings(OPENDATA_FACET_CACHE_SECONDS=300)
def test_cached_counts_of_long_filter_values_are_not_shared(orgs):
    """Cached counts are per filter: psycopg shortens the repr of JSON parameters (the key's SQL part) to 40
    characters, so two long tags with a common beginning differ only in fq, which is part of the key."""
    common = "Luftqualität-Messstationen-Düsseldorf-"
    make_dataset(orgs[0], "nord", tags=[{"name": common + "Nord"}])
    make_dataset(orgs[0], "sued-1", tags=[{"name": common + "Süd"}])
    make_dataset(orgs[0], "sued-2", tags=[{"name": common + "Süd"}])
    scope = permissions.visible_scope(None)
    for tag, expected in ((common + "Nord", 1), (common + "Süd", 2), (common + "Nord", 1)):
        result = search.search(scope, fq_list=[f'tags:"{tag}"'], facet_fields=["tags"], sort=search.DEFAULT_SORT)
        assert result.count == expected and result.facets["tags"] == [(tag, tag, expected)]

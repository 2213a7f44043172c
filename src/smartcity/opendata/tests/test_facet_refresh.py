"""search.refresh_facet_counts (one INSERT … SELECT … GROUP BY per organisation, ADR 0093) writes exactly the rows
the former loop in Python computed, on whichever database the suite runs; on PostgreSQL also under concurrent
changes in one organisation and with the facet-code dictionary (migration 0007) filled by its trigger."""

import importlib
import random
import threading

import pytest
from django.apps import apps
from django.db import connection, connections, transaction

from smartcity.opendata import search, services, vocab
from smartcity.opendata.models import Dataset, FacetCount, Organization

from .conftest import make_dataset, random_relations

pytestmark = pytest.mark.django_db

TAGS = ["Parken", "Verkehr", "Umwelt", "Bäume", "Straße", "Lärm"]
FORMATS = ["CSV", "json", "GeoJSON", "PDF"]
LICENSES = list(vocab.LICENSES)[:3]


class _Undo(Exception):
    pass


def loop_in_python(organization_ids) -> list[tuple]:
    """The rows the former loop in Python computes – migration 0003 keeps its frozen copy, which rebuilds every
    organisation – in a savepoint that is rolled back, so the stored rows stay as they are."""
    try:
        with transaction.atomic():
            importlib.import_module("smartcity.opendata.migrations.0003_dataset_facet_columns").fill_counts(apps)
            rows = stored(organization_ids)
            raise _Undo
    except _Undo:
        return rows


def stored(organization_ids=None) -> list[tuple]:
    rows = FacetCount.objects.all()
    if organization_ids is not None:
        rows = rows.filter(organization_id__in=list(organization_ids))
    return sorted(rows.values_list("organization_id", "state", "private", "field", "value", "n"))


@pytest.fixture
def varied_catalogue(orgs):
    """Three organisations with active, draft, deleted and private datasets, random relations (some empty),
    edits through the services, and facet columns the services never write (duplicates, an empty value,
    no licence); a fourth organisation without datasets. All counts rebuilt at the end."""
    rng = random.Random(5)
    owners = [*orgs, Organization.objects.create(name="neuss", title="Stadt Neuss")]
    Organization.objects.create(name="leer", title="Ohne Datensätze")
    datasets = [make_dataset(owners[i % 3], f"datensatz-{i:02d}", license_id=rng.choice(LICENSES),
                             private=i % 5 == 0, state="draft" if i % 7 == 0 else "active",
                             **random_relations(rng, i, TAGS, FORMATS)) for i in range(36)]
    services.update_dataset("system:test", datasets[1], {"tags": [], "groups": []}, partial=True)
    services.set_state("system:test", datasets[2], Dataset.State.DELETED)
    services.set_state("system:test", datasets[3], Dataset.State.DRAFT)
    Dataset.objects.filter(pk=datasets[4].pk).update(
        facet_tags=["Doppelt", "Doppelt", "", "Ünïcödé " + "x" * 480], facet_formats=[], license_id="")
    Dataset.objects.filter(pk=datasets[5].pk).update(facet_groups=["tran", "tran"], private=True, state="deleted")
    search.refresh_facet_counts(Organization.objects.values_list("pk", flat=True))
    return datasets


def test_rows_equal_the_loop_in_python(varied_catalogue):
    all_orgs = list(Organization.objects.values_list("pk", flat=True))
    FacetCount.objects.all().delete()
    search.refresh_facet_counts(all_orgs)
    rows = stored()
    assert rows == loop_in_python(all_orgs)
    assert {(state, private) for _o, state, private, *_rest in rows} >= {
        ("active", False), ("active", True), ("draft", False), ("deleted", True)}
    assert ("tags", "Doppelt", 2) in {(f, v, n) for *_b, f, v, n in rows if v == "Doppelt"}
    assert ("tags", "") in {(f, v) for *_b, f, v, _n in rows}
    assert sum(n for *_b, f, _v, n in rows if f == "organization") == Dataset.objects.count()


def test_one_organisation_is_rebuilt_the_others_stay(varied_catalogue, orgs):
    dus, koe = orgs
    others = stored(Organization.objects.exclude(pk=dus.pk).values_list("pk", flat=True))
    # Facet columns changed behind the services' back, so only the rebuild brings the counts in line.
    Dataset.objects.filter(organization=dus).update(facet_tags=["Nur Düsseldorf"], private=False)
    Dataset.objects.filter(organization=koe).update(facet_tags=["Nicht neu gezählt"])
    search.refresh_facet_counts([str(dus.pk), dus.pk])  # the id as text or UUID, twice: one rebuild
    assert stored([dus.pk]) == loop_in_python([dus.pk])
    assert ("tags", "Nur Düsseldorf") in {(f, v) for *_b, f, v, _n in stored([dus.pk])}
    assert stored(Organization.objects.exclude(pk=dus.pk).values_list("pk", flat=True)) == others


def test_an_organisation_without_datasets_has_no_rows(varied_catalogue, orgs):
    dus, koe = orgs
    assert stored([koe.pk])
    Dataset.objects.filter(organization=koe).update(organization=dus)
    search.refresh_facet_counts([koe.pk, dus.pk])
    assert stored([koe.pk]) == [] and stored([dus.pk]) == loop_in_python([dus.pk])
    search.refresh_facet_counts([])
    assert stored() == loop_in_python(Organization.objects.values_list("pk", flat=True))


def test_every_change_through_the_services_keeps_the_rows_exact(varied_catalogue):
    ds = varied_catalogue[6]
    services.update_dataset("system:test", ds, {"tags": [{"name": "Neu"}], "license_id": LICENSES[0]}, partial=True)
    services.create_resource("system:test", ds, {"url": "https://example.org/neu.xlsx", "format": "XLSX"})
    services.set_state("system:test", varied_catalogue[9], Dataset.State.DELETED)
    assert stored() == loop_in_python(Organization.objects.values_list("pk", flat=True))


@pytest.mark.postgres
def test_the_dictionary_holds_every_pair_of_the_counts(varied_catalogue):
    """The trigger of migration 0007 fires for the INSERT … SELECT: every (field, value) with its code."""
    with connection.cursor() as cur:
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending foreign-key checks: TRUNCATE is allowed
        cur.execute("TRUNCATE opendata_facetcount")  # empties the dictionary too (its TRUNCATE trigger)
        search.refresh_facet_counts(Organization.objects.values_list("pk", flat=True))
        cur.execute("SELECT field, value, code = hashtext(field || ':' || value) FROM opendata_facetcode")
        pairs = cur.fetchall()
    assert {(f, v) for f, v, _same in pairs} == set(FacetCount.objects.values_list("field", "value"))
    assert all(same for _f, _v, same in pairs)


def _in_thread(target) -> threading.Thread:
    def run() -> None:
        try:
            target()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_changes_in_one_organisation_serialise(varied_catalogue, orgs):
    """The first change holds the organisation's row lock until it commits; the second one's rebuild waits for it
    and then counts both changes. Locks are taken in id order, so rebuilds of several organisations in any
    argument order cannot deadlock."""
    dus, koe = orgs
    first, second = [ds for ds in varied_catalogue if ds.organization_id == dus.pk][:2]
    holding, release = threading.Event(), threading.Event()

    def change_and_hold() -> None:
        with transaction.atomic():
            services.update_dataset("system:test", first, {"tags": [{"name": "Erste"}]}, partial=True)
            holding.set()
            release.wait(10)

    one = _in_thread(change_and_hold)
    assert holding.wait(10)
    two = _in_thread(lambda: services.update_dataset("system:test", second, {"tags": [{"name": "Zweite"}]},
                                                     partial=True))
    three = _in_thread(lambda: search.refresh_facet_counts([koe.pk, dus.pk]))
    with connection.cursor() as cur:  # both wait for the first transaction's lock
        for _attempt in range(200):
            cur.execute("SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() "
                        "AND wait_event_type = 'Lock'")
            if cur.fetchone()[0] == 2:
                break
            threading.Event().wait(0.05)
        else:
            pytest.fail("the second change did not wait for the organisation's lock")
    release.set()
    for thread in (one, two, three):
        thread.join(20)
    rows = stored()
    assert rows == loop_in_python(Organization.objects.values_list("pk", flat=True))
    assert {"Erste", "Zweite"} <= {v for _o, _s, _p, f, v, _n in rows if f == "tags"}

"""The signed daily snapshot: content, signature and hash checks, pruning, API and task."""

import gzip
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from smartcity.parking import tokens
from smartcity.parking.enforcement import signing, snapshot
from smartcity.parking.enforcement.lookup import plate_candidates
from smartcity.parking.enforcement.models import LookupTally, Snapshot
from smartcity.parking.enforcement.tasks import build_daily_snapshot

from . import factories
from .helpers import officer

pytestmark = pytest.mark.django_db


def _entries(content: bytes, salt: bytes) -> dict[str, list[str]]:
    lines = gzip.decompress(content).decode().splitlines()
    assert lines[0] == "#plate_hmac\tzone\tvalid_from\tvalid_until"
    return {line.split("\t")[0]: line.split("\t")[1:] for line in lines[1:]}


def _offline_check(reading: str, entries: dict, salt: bytes) -> list[str] | None:
    """What a handheld does: every canonical reading of the plate, hashed, looked up."""
    for plate in plate_candidates(reading):
        if (hit := entries.get(tokens.plate_hmac(salt, plate))) is not None:
            return hit
    return None


def test_snapshot_lists_valid_permits_as_keyed_hashes_and_verifies_offline():
    today = timezone.localdate()
    valid = factories.permit(plate="D-AB 1234", second_plate="D-CD 56")
    factories.permit(plate="D-XX 1", status="revoked")
    factories.permit(plate="D-YY 2", valid_from=today + timedelta(days=5), valid_until=today + timedelta(days=50))
    built = snapshot.build_snapshot()
    content = built.file.open("rb").read()

    payload = tokens.open_snapshot(built.manifest, content, tokens.keys_from_jwks(signing.jwks()))
    assert payload["entries"] == built.entries == 2 and payload["valid_on"] == today.isoformat()
    assert payload["sha256"] == built.sha256 and payload["hash"] == "HMAC-SHA256/128"
    salt = tokens.b64url_decode(payload["salt"])
    entries = _entries(content, salt)
    assert b"D-AB" not in gzip.decompress(content)  # no plate in the clear
    expected = ["HO", valid.valid_from.isoformat(), valid.valid_until.isoformat()]
    assert _offline_check("DAB1234", entries, salt) == expected
    assert _offline_check("d-cd 56", entries, salt) == expected
    assert _offline_check("D-XX 1", entries, salt) is None
    assert _offline_check("DYY2", entries, salt) is None


def test_tampered_file_or_manifest_is_rejected():
    factories.permit()
    built = snapshot.build_snapshot()
    content = built.file.open("rb").read()
    keys = signing.published_keys()
    with pytest.raises(tokens.TokenError) as error:
        tokens.open_snapshot(built.manifest, content[:-1] + bytes([content[-1] ^ 1]), keys)
    assert error.value.status is tokens.Status.TAMPERED
    header, payload, signature = built.manifest.split(".")
    with pytest.raises(tokens.TokenError):
        tokens.open_snapshot(f"{header}.{payload[:-2]}AA.{signature}", content, keys)
    with pytest.raises(tokens.TokenError) as error:
        tokens.open_snapshot(built.manifest, content, {})
    assert error.value.status is tokens.Status.UNKNOWN_KEY


def test_salt_changes_every_build_and_same_day_rebuild_replaces(settings):
    factories.permit()
    first = snapshot.build_snapshot()
    second = snapshot.build_snapshot()
    assert Snapshot.objects.count() == 1
    assert tokens.open_signed(first.manifest, signing.published_keys(), typ=tokens.TYP_SNAPSHOT)[1]["salt"] != \
        tokens.open_signed(second.manifest, signing.published_keys(), typ=tokens.TYP_SNAPSHOT)[1]["salt"]
    _, files = second.file.storage.listdir("parking/snapshots")
    assert files == [second.file.name.rsplit("/", 1)[1]]  # the first file was deleted


def test_old_snapshots_are_pruned(settings):
    settings.PARKING_SNAPSHOT_KEEP = 2
    today = timezone.localdate()
    for days in (3, 2, 1, 0):
        snapshot.build_snapshot(today - timedelta(days=days))
    assert list(Snapshot.objects.values_list("valid_on", flat=True)) == [today, today - timedelta(days=1)]


def test_celery_task_builds_todays_snapshot():
    factories.permit()
    pk = build_daily_snapshot.delay().get()
    assert Snapshot.objects.get(pk=pk).valid_on == timezone.localdate()


def test_snapshot_api_for_officers_and_download_is_tallied():
    client = APIClient()
    user = officer(client)
    assert client.get(reverse("parking:enforcement-snapshot")).status_code == 404
    factories.permit()
    built = snapshot.build_snapshot()
    info = client.get(reverse("parking:enforcement-snapshot")).json()
    assert info["manifest"] == built.manifest and info["entries"] == 1
    download = client.get(info["download"])
    assert download.status_code == 200 and download["Content-Type"] == "application/gzip"
    content = b"".join(download.streaming_content)
    assert tokens.open_snapshot(info["manifest"], content, signing.published_keys())["entries"] == 1
    assert LookupTally.objects.get().principal == f"user:{user.pk}"
    assert client.get(reverse("parking:enforcement-snapshot-file", args=["2001-01-01"])).status_code == 404
    assert client.get(reverse("parking:enforcement-snapshot-file", args=["kaputt"])).status_code == 404


def test_snapshot_api_needs_enforcement_credentials():
    assert APIClient().get(reverse("parking:enforcement-snapshot")).status_code == 401
    assert APIClient().get(reverse("parking:enforcement-snapshot-file", args=["2026-01-01"])).status_code == 401

"""The daily offline whitelist for handhelds: every permit valid on a day, signed.

The file is gzip-compressed TSV, one line per plate: ``plate_hmac  zone  valid_from  valid_until``. Plates
appear only as keyed hashes (HMAC with a fresh random salt per snapshot, published in the manifest): a handheld
hashes the plate it reads and looks it up, while a lost file does not read as a list of residents' cars, and two
days' files cannot be joined. docs/parking.md ("Kontrolle") explains the choice and its limits.

Generation streams: a server-side cursor feeds a gzip stream whose SHA-256 is computed on the way, so memory
stays flat for a million permits. The manifest (compact JWS, typ "snapshot+jwt") carries the hash, the salt and
the counts, signed with the same keys as the permit tokens.
"""

import gzip
import hashlib
import os
import tempfile
import time
from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from smartcity.audit.services import record
from smartcity.parking import tokens
from smartcity.parking.models import Permit

from . import signing
from .models import Snapshot

COLUMNS = ["plate_hmac", "zone", "valid_from", "valid_until"]
CHUNK = 20_000


class _HashingWriter:
    """A binary file wrapper that feeds everything written through SHA-256."""

    def __init__(self, raw):
        self.raw, self.sha256, self.size = raw, hashlib.sha256(), 0

    def write(self, data: bytes) -> int:
        self.sha256.update(data)
        self.size += len(data)
        return self.raw.write(data)

    def flush(self) -> None:
        self.raw.flush()


def valid_permits(valid_on: date):
    """(plate, second plate, zone code, valid_from, valid_until) of every permit valid on the day, streamed."""
    return (Permit.objects.filter(status=Permit.Status.ACTIVE, valid_from__lte=valid_on, valid_until__gte=valid_on)
            .values_list("plate", "second_plate", "zone__code", "valid_from", "valid_until")
            .iterator(chunk_size=CHUNK))


def write_entries(out, rows, salt: bytes) -> int:
    """Write the TSV lines into the (gzip) stream ``out``; return the number of lines."""
    count = 0
    lines: list[str] = []
    for plate, second_plate, zone, valid_from, valid_until in rows:
        tail = f"\t{zone}\t{valid_from.isoformat()}\t{valid_until.isoformat()}\n"
        lines.append(tokens.plate_hmac(salt, plate) + tail)
        if second_plate:
            lines.append(tokens.plate_hmac(salt, second_plate) + tail)
        if len(lines) >= CHUNK:
            out.write("".join(lines).encode())
            count += len(lines)
            lines.clear()
    out.write("".join(lines).encode())
    return count + len(lines)


def build_snapshot(valid_on: date | None = None) -> Snapshot:
    """Generate, sign and store the snapshot for ``valid_on`` (default: today); replaces one of the same day."""
    valid_on = valid_on or timezone.localdate()
    started = time.monotonic()
    salt = os.urandom(16)
    with tempfile.TemporaryFile() as raw:
        hashing = _HashingWriter(raw)
        with gzip.GzipFile(fileobj=hashing, mode="wb", compresslevel=5, mtime=0) as out:
            header = "#" + "\t".join(COLUMNS) + "\n"
            out.write(header.encode())
            entries = write_entries(out, valid_permits(valid_on), salt)  # one SELECT: one consistent view
        sha256 = hashing.sha256.hexdigest()
        now = timezone.now()
        # Usable through the following day, for a handheld that misses one morning's sync.
        exp = tokens.day_start(valid_on + timedelta(days=2))
        payload = {"iss": settings.CITY_CODE, "iat": int(now.timestamp()), "valid_on": valid_on.isoformat(),
                   "exp": exp, "entries": entries, "sha256": sha256, "size": hashing.size,
                   "hash": tokens.SNAPSHOT_HASH, "salt": tokens.b64url_encode(salt), "columns": COLUMNS,
                   "format": "text/tab-separated-values+gzip"}
        manifest = signing.sign(payload, typ=tokens.TYP_SNAPSHOT, expires_at=datetime.fromtimestamp(exp, tz=UTC))
        raw.seek(0)
        with transaction.atomic():
            _discard(Snapshot.objects.filter(valid_on=valid_on))
            snapshot = Snapshot(valid_on=valid_on, sha256=sha256, size=hashing.size, entries=entries,
                                manifest=manifest, duration_ms=int((time.monotonic() - started) * 1000))
            snapshot.file.save(f"snapshot-{valid_on.isoformat()}.tsv.gz", File(raw), save=True)
    record("system:parking", "parking.snapshot.built", snapshot, valid_on=valid_on.isoformat(), entries=entries,
           sha256=sha256)
    prune_snapshots()
    return snapshot


def prune_snapshots(keep: int | None = None) -> None:
    keep = settings.PARKING_SNAPSHOT_KEEP if keep is None else keep
    _discard(Snapshot.objects.filter(pk__in=list(Snapshot.objects.values_list("pk", flat=True)[keep:])))


def _discard(snapshots) -> None:
    for old in snapshots:
        old.file.delete(save=False)
        old.delete()


def latest() -> Snapshot | None:
    """The newest snapshot that is already in force (ordering: newest first)."""
    return Snapshot.objects.filter(valid_on__lte=timezone.localdate()).first()

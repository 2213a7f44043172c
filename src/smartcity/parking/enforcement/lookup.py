"""Plate lookup for scan cars and officers, and the aggregated audit of every lookup.

Scan cars read plates without separators ("DAB1234"), officers type them any way ("d-ab 1234"). Permits store
the canonical form ("D-AB 1234"), so a compact reading maps to the two or three canonical forms it could be
("D-AB 1234", "DA-B 1234"); one indexed ``IN`` query checks them all. A reading with a separator after the
district has exactly one canonical form.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime

from django.db import connection
from django.utils import timezone

from smartcity.parking.models import Permit, PermitPlate, Zone
from smartcity.parking.rules.plates import InvalidInput, normalise_plate

from .models import LookupTally

_COMPACT = re.compile(r"^([A-ZÄÖÜ]{2,5})([1-9]\d{0,3})([EH]?)$")
_SEPARATORS = re.compile(r"[\s\-:.]+")
_DISTRICT_GIVEN = re.compile(r"^\s*[A-ZÄÖÜ]{1,3}[\s\-:.]+[A-ZÄÖÜ]")


class InvalidPlate(ValueError):
    """Not a German plate in any spelling; the message is German and can be shown as is."""


@dataclass(frozen=True)
class LookupResult:
    query: str  # the reading in compact form, e.g. "DAB1234"
    valid: bool
    plate: str = ""  # canonical plate of the matching permit
    zone: str = ""
    valid_from: date | None = None
    valid_until: date | None = None


def compact(raw: str) -> str:
    return _SEPARATORS.sub("", (raw or "").upper())


def plate_candidates(raw: str) -> list[str]:
    """The canonical plates a reading may stand for; raises InvalidPlate if it can be none."""
    try:
        return [normalise_plate(raw)]
    except InvalidInput as error:
        message = str(error)
    match = _COMPACT.match(compact(raw))
    if not match or _DISTRICT_GIVEN.match(raw.upper()):  # a separated district admits one reading only
        raise InvalidPlate(message)
    letters, number, suffix = match.groups()
    candidates = [f"{letters[:split]}-{letters[split:]} {number}{suffix}"
                  for split in range(1, 4) if 1 <= len(letters) - split <= 2]
    if not candidates or len(letters) + len(number) > 8:
        raise InvalidPlate(message)
    return candidates


# One lookup counted in its hour (see ``tally``). On PostgreSQL as its own transaction that does not wait for
# the WAL flush at commit (set_config(…, true) lasts until the end of the statement's transaction).
_NO_WAIT = "no_wait AS (SELECT set_config('synchronous_commit', 'off', true))"
_INSERT_TALLY = "INSERT INTO parking_enforcement_lookuptally (hour, principal, kind, lookups, found) "
_ON_CONFLICT = (" ON CONFLICT (hour, principal, kind) DO UPDATE SET "
                "lookups = parking_enforcement_lookuptally.lookups + 1, "
                "found = parking_enforcement_lookuptally.found + excluded.found")
_UPSERT = _INSERT_TALLY + "VALUES (%s, %s, %s, 1, %s)" + _ON_CONFLICT
_UPSERT_PG = "WITH " + _NO_WAIT + " " + _INSERT_TALLY + "SELECT %s, %s, %s, 1, %s FROM no_wait" + _ON_CONFLICT  # noqa: S608


def _lookup_sql(candidates: int, *, counted: bool) -> str:
    """The hot query of scan cars, in plain SQL: the ORM would spend more time building it than the database
    spends answering it. Both plates of a permit are rows of ``parking_permitplate``, so a first and a second
    plate are found alike, with one probe of the partial unique index ``uniq_active_plate`` per candidate form
    (at most one active permit per plate), then the permit and zone by primary key. Whether a row covers the
    day (and zone) is decided here, in one place; valid rows come first.

    ``counted`` (PostgreSQL) adds the lookup's tally to the same statement, so a scan car's request makes one
    database round trip instead of two; the count does not wait for the WAL flush, as in ``tally``."""
    marks = ", ".join(["%s"] * candidates)  # only table names and placeholders are formatted in
    hits = (f"SELECT pp.plate, z.code, p.valid_from, p.valid_until, "  # noqa: S608
            f"(p.valid_from <= %s AND %s <= p.valid_until AND (%s = '' OR z.code = %s)) AS valid "
            f"FROM {PermitPlate._meta.db_table} pp JOIN {Permit._meta.db_table} p ON p.id = pp.permit_id "
            f"JOIN {Zone._meta.db_table} z ON z.id = p.zone_id WHERE pp.active AND pp.plate IN ({marks})")
    if not counted:
        return "SELECT * FROM (" + hits + ") hits ORDER BY valid DESC"  # noqa: S608
    return ("WITH " + _NO_WAIT + ", hits AS (" + hits + "), counted AS (" + _INSERT_TALLY  # noqa: S608
            + "SELECT %s, %s, %s, 1, ((SELECT count(*) FROM hits WHERE valid) > 0)::int FROM no_wait"
            + _ON_CONFLICT + ") SELECT * FROM hits ORDER BY valid DESC")


_LOOKUP_SQL = {(n, counted): _lookup_sql(n, counted=counted)
               for n in (1, 2, 3) for counted in (False, True)}  # a reading has one to three canonical forms


def lookup_plate(raw: str, *, zone: str = "", today: date | None = None,
                 counted_for: str = "") -> LookupResult:
    """Is there a permit valid today (in ``zone``, if given) for this plate, as its first or second plate?
    One indexed query. With ``counted_for`` (a principal, see ``tally``) the lookup is also counted, on
    PostgreSQL within the same statement."""
    candidates = plate_candidates(raw)
    day = connection.ops.adapt_datefield_value(today or timezone.localdate())
    zone = zone.upper()
    counted = bool(counted_for) and connection.vendor == "postgresql"
    params: list = [day, day, zone, zone, *candidates]
    if counted:
        params += [_hour(None), counted_for, LookupTally.Kind.PLATE]
    with connection.cursor() as cursor:
        cursor.execute(_LOOKUP_SQL[len(candidates), counted], params)
        row = cursor.fetchone()  # the valid row, else an active permit that does not cover today or this zone
    result = LookupResult(compact(raw), bool(row[4]), *row[:4]) if row else LookupResult(compact(raw), False)
    if counted_for and not counted:
        tally(counted_for, LookupTally.Kind.PLATE, found=result.valid)
    return result


def _hour(now: datetime | None):
    hour = (now or timezone.now()).replace(minute=0, second=0, microsecond=0)
    return connection.ops.adapt_datetimefield_value(hour)


def tally(principal: str, kind: str, *, found: bool, now: datetime | None = None) -> None:
    """Count one lookup in its hour: one upsert, no plate stored; see docs/parking.md.

    On PostgreSQL the count is committed without waiting for the disk: a crash may lose the last fraction of a
    second of counts, which an hourly tally can afford, while the scan car does not wait for the WAL flush."""
    params = [_hour(now), principal, kind, int(found)]
    with connection.cursor() as cursor:
        cursor.execute(_UPSERT_PG if connection.vendor == "postgresql" else _UPSERT, params)

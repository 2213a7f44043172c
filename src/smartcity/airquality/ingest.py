"""The one ingest path for every source (HTTP, CreateObservations, MQTT, adapters).

Each value is checked on its own: a bad value is rejected with a reason and counted per source, the good
values of the same batch are stored. Storing is an upsert on (datastream, phenomenon_time), so a re-sent
batch changes nothing and a corrected value (e.g. validated data replacing provisional) replaces the old one.
In the same transaction the latest-value columns move forward and the touched hours are marked for the
aggregate refresh, which runs after the commit (aggregates.refresh_stale).
"""

import gc
import json
import math
import sys
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import partial
from itertools import groupby, repeat
from operator import attrgetter, itemgetter
from typing import NamedTuple

from django.db import IntegrityError, ProgrammingError, connection, transaction
from django.db.backends.utils import CursorWrapper
from django.db.models import F, Q
from django.db.models.expressions import RawSQL
from psycopg.errors import CardinalityViolation, UniqueViolation
from psycopg.types.json import Jsonb

from . import aggregates, partitions
from .models import Datastream, IngestCounter, Observation, Quality, RejectionCounter


class Reason:
    MALFORMED = "malformed"
    UNKNOWN_DATASTREAM = "unknown_datastream"
    OUT_OF_RANGE = "out_of_range"
    NAIVE_TIMESTAMP = "naive_timestamp"
    BAD_TIMESTAMP = "bad_timestamp"
    NOT_NUMERIC = "not_numeric"
    WRONG_UNIT = "wrong_unit"
    TOO_LARGE = "too_large"


QUALITY_NAMES = {"provisional": Quality.PROVISIONAL, "validated": Quality.VALIDATED, "withdrawn": Quality.WITHDRAWN}


@dataclass
class Rejection:
    index: int
    reason: str
    message: str


@dataclass
class IngestResult:
    stored: int = 0
    ids: list[int | None] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)


class InvalidValue(ValueError):
    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


class Row(NamedTuple):
    """One observation, in the column order of the staging table (written by COPY as it is)."""

    datastream_id: int
    phenomenon_time: datetime
    phenomenon_start: datetime | None
    result: float
    result_time: datetime | None
    quality: int
    foi_id: int | None
    parameters: dict | None


YEARS = (1900, 2200)


def parse_time(value: object, what: str = "phenomenonTime") -> datetime:
    """ISO 8601 with a zone designator; naive times are ambiguous (UTC? local?) and therefore rejected."""
    if not isinstance(value, str):
        raise InvalidValue(Reason.BAD_TIMESTAMP, f"{what}: expected an ISO 8601 string")
    try:
        ts = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidValue(Reason.BAD_TIMESTAMP, f"{what}: not an ISO 8601 time: {value[:40]!r}")
    if ts.tzinfo is None:
        raise InvalidValue(Reason.NAIVE_TIMESTAMP, f"{what}: time zone missing in {value[:40]!r} (use Z or +01:00)")
    # Measurements outside these years are typos; near year 9999 the hour arithmetic would overflow.
    if not YEARS[0] <= ts.year <= YEARS[1]:
        raise InvalidValue(Reason.BAD_TIMESTAMP, f"{what}: year outside {YEARS[0]}…{YEARS[1]}: {value[:40]!r}")
    return ts if ts.tzinfo is UTC else ts.astimezone(UTC)  # "Z"/"+00:00", the common case, needs no conversion


def parse_phenomenon_time(value: object) -> tuple[datetime | None, datetime]:
    """An instant, or an interval "start/end" (stored by its end, the hour-ending convention)."""
    if isinstance(value, str) and "/" in value:
        start_s, end_s = value.split("/", 1)
        start, end = parse_time(start_s), parse_time(end_s)
        if start > end:
            raise InvalidValue(Reason.BAD_TIMESTAMP, "phenomenonTime: interval start after end")
        return start, end
    return None, parse_time(value)


def parse_quality(value: object) -> int:
    if isinstance(value, Mapping):
        value = value.get("validation")
    if value is None:
        return Quality.PROVISIONAL
    if value not in QUALITY_NAMES:
        raise InvalidValue(Reason.MALFORMED, f"resultQuality: one of {', '.join(QUALITY_NAMES)}")
    return QUALITY_NAMES[value]


_JSON_NUMBERS = frozenset({int, float})


class Rule(NamedTuple):
    """What validation reads of an observed property."""

    name: str
    unit_symbol: str
    plausible_min: float | None
    plausible_max: float | None


class Stream(NamedTuple):
    """What validation reads of a datastream. Plain values rather than model instances: an MQTT batch refers
    to hundreds of datastreams, and building their model instances cost more than storing the observations.
    ``lo``/``hi`` are the plausible range with open ends as the largest floats (for the fast paths)."""

    pk: int
    name: str
    observed_property: Rule
    lo: float
    hi: float


_STREAM_FIELDS = (
    "id", "name", "observed_property__name", "observed_property__unit_symbol", "observed_property__plausible_min",
    "observed_property__plausible_max",
)


class Validator:
    """Loads the datastreams a batch refers to once, then checks values against unit and plausible range."""

    def __init__(self) -> None:
        self._streams: dict[int, Stream | None] = {}

    def datastream(self, ds_id: object) -> Stream:
        if isinstance(ds_id, bool) or not isinstance(ds_id, int | str):
            raise InvalidValue(Reason.UNKNOWN_DATASTREAM, "Datastream: @iot.id missing")
        try:
            key = int(ds_id)
        except ValueError:
            raise InvalidValue(Reason.UNKNOWN_DATASTREAM, f"Datastream({ds_id!r}) does not exist")
        if key not in self._streams:
            self.preload([key])
        ds = self._streams[key]
        if ds is None:
            raise InvalidValue(Reason.UNKNOWN_DATASTREAM, f"Datastream({key}) does not exist")
        return ds

    def preloaded(self, ds_id: int) -> Stream | None:
        """The datastream if preload found it; no query (fast paths, which fall back to ``datastream``)."""
        return self._streams.get(ds_id)

    def preload(self, ids: Iterable[int]) -> None:
        wanted = {i for i in ids if i not in self._streams}
        if not wanted:
            return
        for i in wanted:
            self._streams[i] = None
        max_float = sys.float_info.max
        for pk, name, *rule in Datastream.objects.filter(_pk_in(wanted)).values_list(*_STREAM_FIELDS):
            lo, hi = rule[2], rule[3]
            self._streams[pk] = Stream(pk, name, Rule(*rule), -max_float if lo is None else lo,
                                       max_float if hi is None else hi)

    @staticmethod
    def result(ds: Stream | Datastream, value: object) -> float:
        if type(value) in _JSON_NUMBERS:  # the common case first (exact types: bool is not a number here)
            try:
                number = float(value)
            except OverflowError:  # a JSON integer of hundreds of digits
                raise InvalidValue(Reason.NOT_NUMERIC, "result: must be finite")
        elif isinstance(value, bool) or not isinstance(value, int | float | str):
            raise InvalidValue(Reason.NOT_NUMERIC, "result: a number is required")
        else:
            try:
                number = float(value)
            except ValueError:
                raise InvalidValue(Reason.NOT_NUMERIC, f"result: not a number: {str(value)[:40]!r}")
        if not math.isfinite(number):
            raise InvalidValue(Reason.NOT_NUMERIC, "result: must be finite")
        op = ds.observed_property
        if (op.plausible_min is not None and number < op.plausible_min) or (
            op.plausible_max is not None and number > op.plausible_max
        ):
            raise InvalidValue(
                Reason.OUT_OF_RANGE,
                f"result {number:g} outside the plausible range {op.plausible_min:g}…{op.plausible_max:g} "
                f"{op.unit_symbol} for {op.name}",
            )
        return number

    @staticmethod
    def unit(ds: Stream | Datastream, unit: object) -> None:
        """Check a unit a source declares (adapters) against the observed property's unit."""
        expected = ds.observed_property.unit_symbol
        if expected and unit and normalise_unit(str(unit)) != normalise_unit(expected):
            raise InvalidValue(Reason.WRONG_UNIT, f"unit {unit!r} does not match {expected!r} of {ds.name}")


def _pk_in(ids: set[int]) -> Q:
    """pk IN ids; on PostgreSQL as one array parameter: binding hundreds of placeholders (an MQTT batch refers
    to about 500 datastreams) cost the worker more CPU than the query itself."""
    if connection.vendor == "postgresql":
        return Q(pk__in=RawSQL("SELECT unnest(%s::bigint[])", [_pg_array(list(ids))]))
    return Q(pk__in=ids)


def normalise_unit(unit: str) -> str:
    return unit.replace("µ", "u").replace("μ", "u").replace("³", "3").replace(" ", "").lower()


def observation_row(v: Validator, item: object, ds_id: object = None) -> Row:
    """One STA Observation JSON object to a row; ``ds_id`` comes from the URL/topic when given there."""
    if not isinstance(item, Mapping):
        raise InvalidValue(Reason.MALFORMED, "an Observation must be a JSON object")
    if ds_id is None:
        link = item.get("Datastream")
        ds_id = link.get("@iot.id") if isinstance(link, Mapping) else None
    ds = v.datastream(ds_id)
    if "result" not in item:
        raise InvalidValue(Reason.MALFORMED, "result is required")
    result = v.result(ds, item["result"])
    now = datetime.now(UTC)
    start, end = parse_phenomenon_time(item["phenomenonTime"]) if "phenomenonTime" in item else (None, now)
    rt = item.get("resultTime")
    foi = item.get("FeatureOfInterest")
    foi_id = foi.get("@iot.id") if isinstance(foi, Mapping) else None
    params = item.get("parameters")
    return Row(
        ds.pk,
        end,
        start,
        result,
        parse_time(rt, "resultTime") if rt else None,
        parse_quality(item.get("resultQuality")),
        int(foi_id) if isinstance(foi_id, int | str) and str(foi_id).isdigit() else None,
        params if isinstance(params, dict) else None,
    )


_PROVISIONAL = int(Quality.PROVISIONAL)


def fast_row(ds: Stream, time: object, result: object) -> Row | None:
    """The common shape of an observation, a UTC instant and a plausible JSON number, as a row without the full
    checks; None for whatever else (intervals, other zones, strings, NaN/inf, out of range, bad years), which
    the full checks (observation_row) then accept or reject with the precise reason, giving the same row."""
    if type(time) is str and type(result) in _JSON_NUMBERS and ds.lo <= result <= ds.hi and "/" not in time:
        try:
            ts = datetime.fromisoformat(time)
        except ValueError:
            return None
        if ts.tzinfo is UTC and YEARS[0] <= ts.year <= YEARS[1]:
            return Row(ds.pk, ts, None, float(result), None, _PROVISIONAL, None, None)
    return None


_ROW = partial(tuple.__new__, Row)  # a Row from a tuple in C, without Row.__new__ (a Python call) per row


def plain_rows(ds: Stream, data: list[object], t_at: int) -> list[Row] | None:
    """The rows of a dataArray group in which every row is [UTC instant, plausible JSON number] (time at
    ``t_at``), checked column by column in C: the rows fast_row gives, or None if any row is not of that
    shape, and then each row takes fast_row or the full checks."""
    if set(map(type, data)) != {list} or set(map(len, data)) != {2}:
        return None
    results = list(map(itemgetter(1 - t_at), data))
    if not set(map(type, results)) <= _JSON_NUMBERS or min(results) < ds.lo or max(results) > ds.hi:
        return None
    try:
        times = list(map(datetime.fromisoformat, map(itemgetter(t_at), data)))  # a "/" (interval) fails too
        floats = list(map(float, results))
    except (TypeError, ValueError, OverflowError):
        return None
    if (set(map(attrgetter("tzinfo"), times)) != {UTC} or any(map(math.isnan, floats))
            or min(times).year < YEARS[0] or max(times).year > YEARS[1]):
        return None
    n = len(times)
    return list(map(_ROW, zip(repeat(ds.pk, n), times, repeat(None), floats, repeat(None), repeat(_PROVISIONAL),
                              repeat(None), repeat(None))))


def data_array_rows(
    v: Validator, ds_id: object, components: list[str], data: list[object], offset: int = 0
) -> tuple[list[Row], list[Rejection], list[bool]]:
    """Rows of one CreateObservations group; the datastream is resolved once, each row checked on its own."""
    rows: list[Row] = []
    rejected: list[Rejection] = []
    ok: list[bool] = []
    try:
        ds = v.datastream(ds_id)
    except InvalidValue as exc:
        return [], [Rejection(offset + i, exc.reason, str(exc)) for i in range(len(data))], [False] * len(data)
    simple = components in (["phenomenonTime", "result"], ["result", "phenomenonTime"])
    t_at = components.index("phenomenonTime") if simple else -1
    r_at = 1 - t_at if simple else -1
    if simple and (plain := plain_rows(ds, data, t_at)) is not None:
        return plain, [], [True] * len(plain)
    for i, values in enumerate(data):
        if simple and type(values) is list and len(values) == 2:
            row = fast_row(ds, values[t_at], values[r_at])
            if row is not None:
                rows.append(row)
                ok.append(True)
                continue
        try:
            if not isinstance(values, list) or len(values) != len(components):
                raise InvalidValue(Reason.MALFORMED, "dataArray row does not match components")
            if simple:  # the common archive-import shape, without building a dict per row
                start, end = parse_phenomenon_time(values[t_at])
                rows.append(Row(ds.pk, end, start, v.result(ds, values[r_at]), None, Quality.PROVISIONAL, None, None))
            else:
                item = dict(zip(components, values, strict=True))
                if "FeatureOfInterest/id" in item:
                    item["FeatureOfInterest"] = {"@iot.id": item.pop("FeatureOfInterest/id")}
                rows.append(observation_row(v, item, ds.pk))
            ok.append(True)
        except InvalidValue as exc:
            rejected.append(Rejection(offset + i, exc.reason, str(exc)))
            ok.append(False)
    return rows, rejected, ok


def ingest_rows(rows: list[Row], rejected: list[Rejection], *, source: str) -> IngestResult:
    """Store validated rows (upsert), move latest values forward, mark the touched hours for the aggregate
    refresh (queued after the commit), count accepted and rejected."""
    result = IngestResult(stored=len(rows), rejected=rejected)
    with transaction.atomic():
        if rows:
            partitions.ensure_months(_months(rows))
            if connection.vendor == "postgresql":
                result.ids = _store_postgres(rows)
            else:
                result.ids = upsert(rows)
                touched: dict[int, set[datetime]] = defaultdict(set)
                for r in rows:
                    touched[r.datastream_id].add(r.phenomenon_time)
                aggregates.mark_stale(touched)
                update_datastreams(rows)
            # robust: the data is committed; if queueing fails, the minutely beat job refreshes the marks
            transaction.on_commit(_queue_refresh, robust=True)
        count(source, accepted=len(rows), rejected=rejected)
    return result


def _months(rows: list[Row]) -> set[date]:
    """The months (partitions) a batch touches; most batches lie within one, found without a set of all times."""
    times = [r[1] for r in rows]
    first, last = min(times), max(times)
    if (first.year, first.month) == (last.year, last.month):
        return {date(first.year, first.month, 1)}
    return {date(t.year, t.month, 1) for t in set(times)}


def _queue_refresh() -> None:
    from .tasks import refresh_aggregates

    refresh_aggregates.delay()


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while a bulk request is parsed and stored: its tens of thousands of new
    lists and tuples (no cycles among them, freed by reference counting) triggered collections that cost
    as much CPU as parsing and validating them. With concurrent requests, the thread that paused resumes."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def ingest_observations(items: list[object], *, source: str, datastream_id: object = None) -> IngestResult:
    validator = Validator()
    rows: list[Row] = []
    rejected: list[Rejection] = []
    for i, item in enumerate(items):
        try:
            rows.append(observation_row(validator, item, datastream_id))
        except InvalidValue as exc:
            rejected.append(Rejection(i, exc.reason, str(exc)))
        except (KeyError, TypeError, ValueError) as exc:
            rejected.append(Rejection(i, Reason.MALFORMED, f"malformed observation: {exc}"))
    return ingest_rows(rows, rejected, source=source)


def reject(source: str, reason: str, message: str) -> IngestResult:
    """Count a payload rejected as a whole (malformed JSON, oversized MQTT message)."""
    rejection = Rejection(0, reason, message)
    count(source, accepted=0, rejected=[rejection])
    return IngestResult(rejected=[rejection])


def parse_json(raw: bytes | str, *, source: str, max_bytes: int) -> tuple[object, IngestResult | None]:
    if len(raw) > max_bytes:
        return None, reject(source, Reason.TOO_LARGE, f"payload of {len(raw)} bytes exceeds {max_bytes} bytes")
    try:
        return json.loads(raw), None
    except (ValueError, UnicodeDecodeError) as exc:
        return None, reject(source, Reason.MALFORMED, f"malformed JSON: {exc}")


def upsert(rows: list[Row]) -> list[int | None]:
    """Portable upsert through the ORM (SQLite: demo and tests); PostgreSQL uses _store_postgres."""
    objs = [
        Observation(
            datastream_id=r.datastream_id, phenomenon_time=r.phenomenon_time, phenomenon_start=r.phenomenon_start,
            result=r.result, result_time=r.result_time, quality=r.quality, feature_of_interest_id=r.foi_id,
            parameters=r.parameters,
        )
        for r in rows
    ]
    Observation.objects.bulk_create(
        objs, batch_size=500, update_conflicts=True, unique_fields=["datastream", "phenomenon_time"],
        update_fields=["result", "phenomenon_start", "result_time", "quality", "feature_of_interest", "parameters"],
    )
    keys = {(r.datastream_id, r.phenomenon_time) for r in rows}
    if len(rows) > RETURN_IDS_UP_TO:
        return [None] * len(rows)  # ids are only needed for single creates; spare the lookup on bulk paths
    found = {
        (o.datastream_id, o.phenomenon_time): o.pk
        for o in Observation.objects.filter(
            datastream_id__in={k[0] for k in keys}, phenomenon_time__in={k[1] for k in keys}
        ).only("id", "datastream_id", "phenomenon_time")
    }
    return [found.get((r.datastream_id, r.phenomenon_time)) for r in rows]


RETURN_IDS_UP_TO = 50
_INSERT = (
    "INSERT INTO airquality_observation (datastream_id, phenomenon_time, phenomenon_start, result, "
    "result_time, quality, feature_of_interest_id, parameters) "
)
_ON_CONFLICT = (
    " ON CONFLICT (datastream_id, phenomenon_time) DO UPDATE SET result = EXCLUDED.result, "
    "phenomenon_start = EXCLUDED.phenomenon_start, result_time = EXCLUDED.result_time, "
    "quality = EXCLUDED.quality, feature_of_interest_id = EXCLUDED.feature_of_interest_id, "
    "parameters = EXCLUDED.parameters"
)
# New data is the common case, so a plain INSERT comes first: it spares the speculative insertion of ON CONFLICT
# (a third of the statement's cost). If a key exists (re-sent or corrected values), the savepoint is rolled
# back and the upsert runs; if the batch itself repeats a key ("cannot affect row a second time"), DISTINCT
# ON keeps one row per key.
_INSERT_NEW = _INSERT + "SELECT * FROM aq_obs_in"  # noqa: S608 (constants only)
_UPSERT = _INSERT_NEW + _ON_CONFLICT
_DISTINCT = "SELECT DISTINCT ON (datastream_id, phenomenon_time) * FROM aq_obs_in"
_UPSERT_DISTINCT = _INSERT + _DISTINCT + _ON_CONFLICT
_ATTEMPTS = ((_INSERT_NEW, UniqueViolation), (_UPSERT, CardinalityViolation))
_RETURNING = " RETURNING id, datastream_id, phenomenon_time"
# Latest value and time ranges per datastream of the batch; late data never moves them back (LEAST/GREATEST
# ignore NULLs). Same rules as update_datastreams.
_LATEST_UPDATE = """
UPDATE airquality_datastream d SET
    latest_time = CASE WHEN d.latest_time IS NULL OR b.t >= d.latest_time THEN b.t ELSE d.latest_time END,
    latest_result = CASE WHEN d.latest_time IS NULL OR b.t >= d.latest_time THEN b.v ELSE d.latest_result END,
    phenomenon_start = LEAST(d.phenomenon_start, b.first),
    phenomenon_end = GREATEST(d.phenomenon_end, b.t),
    result_time_start = LEAST(d.result_time_start, b.rt_first),
    result_time_end = GREATEST(d.result_time_end, b.rt_last)
"""
_LATEST = _LATEST_UPDATE + """
FROM (
    SELECT datastream_id, max(phenomenon_time) AS t,
           (array_agg(result ORDER BY phenomenon_time DESC))[1] AS v,
           min(coalesce(phenomenon_start, phenomenon_time)) AS first,
           min(result_time) AS rt_first, max(result_time) AS rt_last
    FROM aq_obs_in GROUP BY datastream_id
) b
WHERE d.id = b.datastream_id
"""  # noqa: S608 (constants only)


_COLUMNS = (
    "datastream_id, phenomenon_time, phenomenon_start, result, result_time, quality, feature_of_interest_id, "
    "parameters"
)
_COPY_TYPES = ["int8", "timestamptz", "timestamptz", "float8", "timestamptz", "int2", "int8", "jsonb"]
# Latest value and ranges per datastream from the batch summary (batch_summary, times in microseconds since
# the epoch), for the direct path.
_FROM_US = "timestamptz 'epoch' + {} * interval '1 microsecond'"
_LATEST_FROM_SUMMARY = _LATEST_UPDATE + f"""
FROM (
    SELECT datastream_id, {_FROM_US.format("t")} AS t, v, {_FROM_US.format("first")} AS first,
           {_FROM_US.format("rt_first")} AS rt_first, {_FROM_US.format("rt_last")} AS rt_last
    FROM unnest(%s::bigint[], %s::bigint[], %s::float8[], %s::bigint[], %s::bigint[], %s::bigint[])
        AS u(datastream_id, t, v, first, rt_first, rt_last)
) b
WHERE d.id = b.datastream_id
"""  # noqa: S608 (constants only)
_MARK_STALE_FROM_SUMMARY = (
    "INSERT INTO airquality_stalerange (datastream_id, first_hour_end, last_hour_end) "  # noqa: S608 (constants)
    f"SELECT ds, {_FROM_US.format('first')}, {_FROM_US.format('last')} "
    "FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[]) AS u(ds, first, last)"
)


def _copy(cur: CursorWrapper, table: str, rows: list[Row]) -> None:
    with cur.cursor.copy(f"COPY {table} ({_COLUMNS}) FROM STDIN (FORMAT BINARY)") as copy:  # constants only
        copy.set_types(_COPY_TYPES)
        for r in rows:
            copy.write_row(r if r.parameters is None else r._replace(parameters=Jsonb(r.parameters)))


def _store_postgres(rows: list[Row]) -> list[int | None]:
    """Store a batch with set-based statements; returns the ids (small batches only).

    Large batches of new data, the common case, are COPYed straight into the table, and the latest values and
    stale marks come from a summary Python builds: no staging pass. If a key exists already (re-sent or
    corrected data) or repeats within the batch, that COPY is rolled back and the batch takes the staging
    path: COPY into a temporary table, then the upsert, latest values and stale marks from it."""
    with connection.cursor() as cur:
        if len(rows) > RETURN_IDS_UP_TO and _copy_new(cur, rows):
            latest, stale = batch_summary(rows)
            cur.execute(_LATEST_FROM_SUMMARY, [_pg_array(column) for column in latest])
            _check_datastreams(cur.rowcount, len(latest[0]))
            cur.execute(_MARK_STALE_FROM_SUMMARY, [_pg_array(column) for column in stale])
            return [None] * len(rows)
        cur.execute(
            "CREATE TEMP TABLE IF NOT EXISTS aq_obs_in (datastream_id bigint, phenomenon_time timestamptz, "
            "phenomenon_start timestamptz, result float8, result_time timestamptz, quality smallint, "
            "feature_of_interest_id bigint, parameters jsonb) ON COMMIT DELETE ROWS"
        )
        _copy(cur, "aq_obs_in", rows)
        returning = _RETURNING if len(rows) <= RETURN_IDS_UP_TO else ""
        for sql, retry_on in _ATTEMPTS:
            try:
                with transaction.atomic():
                    cur.execute(sql + returning)
                break
            except (IntegrityError, ProgrammingError) as exc:
                if not isinstance(exc.__cause__, retry_on):
                    raise
        else:
            cur.execute(_UPSERT_DISTINCT + returning)
        found = {(ds, t): pk for pk, ds, t in cur.fetchall()} if returning else {}
        cur.execute(_LATEST)
        _check_datastreams(cur.rowcount, len({r.datastream_id for r in rows}))
        cur.execute(aggregates.MARK_STALE_FROM_STAGING.format(staging="aq_obs_in"))
        cur.execute("TRUNCATE aq_obs_in")
    return [found.get((r.datastream_id, r.phenomenon_time)) for r in rows] if returning else [None] * len(rows)


def _check_datastreams(updated: int, referred: int) -> None:
    """The observation table has no foreign key to datastreams (ADR 0080): the latest-value update, which
    locks every datastream of the batch until the commit, must have found them all. One deleted since the
    validator loaded it fails the batch as the foreign key did; one deleted after the update waits for the
    commit, and its delete trigger then removes these rows too."""
    if updated != referred:
        raise IntegrityError(f"{referred - updated} datastream(s) of the batch deleted meanwhile")


def _copy_new(cur: CursorWrapper, rows: list[Row]) -> bool:
    """COPY into the table itself; False, with nothing written, if a key exists or repeats in the batch."""
    try:
        with transaction.atomic():
            _copy(cur, "airquality_observation", rows)
    except UniqueViolation:  # raised by psycopg's own cursor, which COPY uses
        return False
    return True


def batch_summary(rows: list[Row]) -> tuple[list[list], list[list]]:
    """Per datastream: newest time and its value, earliest start, result-time range; and the stale hour ranges
    per datastream and UTC day (as MARK_STALE_FROM_STAGING has them). As columns for unnest(), times as
    microseconds since the epoch: hours and days by integer arithmetic, and written into the statement four
    times faster than ISO strings.

    Runs on every large batch, so the per-row work stays in C where it can (sorted, map, min/max). An MQTT
    batch has about one row per datastream, so there the loop per datastream is a loop per row too."""
    latest: list[tuple] = []
    stale: list[tuple] = []
    for ds, group in groupby(sorted(rows, key=_DATASTREAM), key=_DATASTREAM):
        grp = list(group)
        times = sorted(map(_TIME, grp))
        newest = times[-1]
        starts = list(filter(None, map(_START, grp)))
        result_times = list(filter(None, map(_RESULT_TIME, grp)))
        latest.append((
            ds,
            _us(newest),
            next(r.result for r in reversed(grp) if r.phenomenon_time == newest),
            _us(min(times[0], min(starts, default=newest))),
            _us(min(result_times)) if result_times else None,
            _us(max(result_times)) if result_times else None,
        ))
        i = 0
        while i < len(times):  # one mark per UTC day touched, from its first to its last hour (hour ending)
            first = _us(times[i])
            j = bisect_left(times, _EPOCH + timedelta(microseconds=(first // _DAY_US + 1) * _DAY_US), i)
            last = _us(times[j - 1])
            stale.append((ds, -(-first // _HOUR_US) * _HOUR_US, -(-last // _HOUR_US) * _HOUR_US))
            i = j
    return _columns(latest, 6), _columns(stale, 3)


def _us(t: datetime) -> int:
    return (t - _EPOCH) // _MICROSECOND


def _columns(records: list[tuple], width: int) -> list[list]:
    return [list(column) for column in zip(*records, strict=True)] if records else [[] for _ in range(width)]


def _pg_array(values: list[int | float | None]) -> str:
    """A PostgreSQL array literal of numbers (never text, so nothing needs escaping): psycopg adapts a list
    element by element in Python, ten times slower than this."""
    items = ("NULL" if v is None else repr(v) for v in values) if None in values else map(repr, values)
    return "{" + ",".join(items) + "}"


_DATASTREAM, _TIME, _START, _RESULT_TIME = itemgetter(0), itemgetter(1), itemgetter(2), itemgetter(4)
_EPOCH, _MICROSECOND = datetime(1970, 1, 1, tzinfo=UTC), timedelta(microseconds=1)
_HOUR_US, _DAY_US = 3_600_000_000, 86_400_000_000


def update_datastreams(rows: list[Row]) -> None:
    """Move the latest value and the server-computed time ranges forward; late data never moves them back.
    (Portable path; PostgreSQL uses _LATEST.)"""
    per_ds: dict[int, list[Row]] = defaultdict(list)
    for r in rows:
        per_ds[r.datastream_id].append(r)
    streams = Datastream.objects.in_bulk(per_ds)
    if len(streams) != len(per_ds):
        raise IntegrityError(f"{len(per_ds) - len(streams)} datastream(s) of the batch deleted meanwhile")
    changed = []
    for ds_id, ds_rows in per_ds.items():
        ds = streams[ds_id]
        newest = max(ds_rows, key=lambda r: r.phenomenon_time)
        first = min(r.phenomenon_start or r.phenomenon_time for r in ds_rows)
        if ds.latest_time is None or newest.phenomenon_time >= ds.latest_time:
            ds.latest_time, ds.latest_result = newest.phenomenon_time, newest.result
        ds.phenomenon_start = min(filter(None, (ds.phenomenon_start, first)))
        ds.phenomenon_end = max(filter(None, (ds.phenomenon_end, newest.phenomenon_time)))
        rts = [r.result_time for r in ds_rows if r.result_time]
        if rts:
            ds.result_time_start = min(filter(None, (ds.result_time_start, min(rts))))
            ds.result_time_end = max(filter(None, (ds.result_time_end, max(rts))))
        changed.append(ds)
    Datastream.objects.bulk_update(
        changed,
        ["latest_time", "latest_result", "phenomenon_start", "phenomenon_end", "result_time_start",
         "result_time_end"],
    )


def count(source: str, *, accepted: int, rejected: list[Rejection]) -> None:
    if accepted:
        updated = IngestCounter.objects.filter(source=source).update(accepted=F("accepted") + accepted)
        if not updated:
            IngestCounter.objects.get_or_create(source=source)
            IngestCounter.objects.filter(source=source).update(accepted=F("accepted") + accepted)
    per_reason: dict[str, list[Rejection]] = defaultdict(list)
    for r in rejected:
        per_reason[r.reason].append(r)
    for reason, items in per_reason.items():
        counter, _ = RejectionCounter.objects.get_or_create(source=source, reason=reason)
        RejectionCounter.objects.filter(pk=counter.pk).update(
            count=F("count") + len(items), last_detail=items[-1].message[:300]
        )

"""HTTP binding of the SensorThings API: resource paths, query options, create/update/delete, dataArray.

Reads are public. Writes need HTTP Basic credentials of a user with the permission
``airquality.add_observation`` (sensor gateways, import jobs); session cookies are not accepted for writes,
which is why the views can be exempt from CSRF.
"""

import base64
import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model, ProtectedError, QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from shapely.errors import ShapelyError
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from .. import ingest
from .. import models as m
from .entities import ENTITY_SETS, EntitySet, Nav, entity_set_for_model, iso
from .odata import Expand, ODataError, parse_expand, parse_filter
from .query import order_by, to_q

ROOT = "/sta/v1.1"
SEGMENT = re.compile(r"^(?P<name>[A-Za-z]+|\$value|\$ref)(?:\((?P<id>\d+)\))?$")
WRITE_PERMISSION = "airquality.add_observation"


class ApiError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


class Rejected(ApiError):
    """A single observation (POST or PATCH) failed validation: 400, and the rejection is counted after the
    request's transaction rolled back (counting inside it would be rolled back too)."""

    def __init__(self, rejections: list[ingest.Rejection]):
        super().__init__(400, rejections[0].message)
        self.rejections = rejections


def error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"code": status, "type": "error", "message": message}, status=status)


def base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri(ROOT)


def landing(request: HttpRequest) -> JsonResponse:
    base = base_url(request)
    mqtt = getattr(settings, "AIRQUALITY_MQTT_PUBLIC_URL", settings.MQTT_URL)
    return JsonResponse({
        "value": [{"name": name, "url": f"{base}/{name}"} for name in ENTITY_SETS],
        "serverSettings": {
            "conformance": [
                "http://www.opengis.net/spec/iot_sensing/1.1/req/datamodel",
                "http://www.opengis.net/spec/iot_sensing/1.1/req/resource-path/resource-path-to-entities",
                "http://www.opengis.net/spec/iot_sensing/1.1/req/request-data",
                "http://www.opengis.net/spec/iot_sensing/1.1/req/create-update-delete",
                "http://www.opengis.net/spec/iot_sensing/1.1/req/data-array/data-array",
                "http://www.opengis.net/spec/iot_sensing/1.1/req/create-observations-via-mqtt/observations-creation",
            ],
            "http://www.opengis.net/spec/iot_sensing/1.1/req/create-observations-via-mqtt/observations-creation": {
                "endpoints": [mqtt],
            },
        },
    })


# --- reading -----------------------------------------------------------------------------------------------


class Options:
    """Query options of one level ($expand nests further Options)."""

    def __init__(self, raw: Mapping[str, str], *, top_level: bool):
        known = {"$filter", "$select", "$orderby", "$skip", "$top", "$count", "$expand", "$resultFormat"}
        for key in raw:
            if key.startswith("$") and key not in known:
                raise ODataError(f"unknown query option {key}")
        self.filter = raw.get("$filter")
        self.select = [s.strip() for s in raw["$select"].split(",")] if raw.get("$select") else None
        self.orderby = raw.get("$orderby")
        self.skip = _int(raw.get("$skip"), "$skip", 0, MAX_SKIP)
        top = _int(raw.get("$top"), "$top", settings.AIRQUALITY_STA_DEFAULT_TOP)
        self.top = min(top, settings.AIRQUALITY_STA_MAX_TOP)
        count = raw.get("$count", "false")
        if count not in {"true", "false"}:
            raise ODataError("$count must be true or false")
        self.count = count == "true"
        self.expand = parse_expand(raw["$expand"]) if raw.get("$expand") else []
        self.result_format = raw.get("$resultFormat")
        if self.result_format not in {None, "dataArray"}:
            raise ODataError("$resultFormat: only dataArray is supported")
        self.top_level = top_level


MAX_SKIP = 10**9  # far beyond any collection here, far below the database's 64-bit OFFSET


def _int(value: str | None, name: str, default: int, maximum: int | None = None) -> int:
    if value is None:
        return default
    # ASCII digits only: str.isdigit() also accepts "²", which int() then refuses
    if not re.fullmatch(r"[0-9]{1,18}", value):
        raise ODataError(f"{name} must be a non-negative integer")
    number = int(value)
    if maximum is not None and number > maximum:
        raise ODataError(f"{name} must be at most {maximum}")
    return number


def apply(es: EntitySet, qs: QuerySet, opts: Options) -> QuerySet:
    if opts.filter:
        try:
            qs = qs.filter(to_q(es, parse_filter(opts.filter)))
        except ODataError:
            raise
        except ValidationError as exc:  # e.g. date(phenomenonTime) eq 'abc'
            raise ODataError(f"$filter: {'; '.join(exc.messages)}")
        except (ValueError, TypeError) as exc:  # a literal of the wrong type, e.g. result eq 'abc'
            raise ODataError(f"$filter: {exc}")
        if "/" in opts.filter:
            qs = qs.distinct()  # filters across to-many relations may repeat rows
    return qs.order_by(*order_by(es, opts.orderby))


def serialise(request: HttpRequest, es: EntitySet, obj: Model, opts: Options | None) -> dict:
    base = base_url(request)
    self_link = f"{base}/{es.name}({obj.pk})"
    select = set(opts.select) if opts and opts.select else None
    out: dict[str, object] = {}
    if select is None or "id" in select or "@iot.id" in select:
        out["@iot.id"] = obj.pk
    if select is None or "@iot.selfLink" in select:
        out["@iot.selfLink"] = self_link
    for name, prop in es.props.items():
        if select is None or name in select:
            out[name] = prop.get(obj)
    expanded = {e.name: e for e in (opts.expand if opts else [])}
    for name, nav in es.navs.items():
        if name in expanded:
            out.update(expand(request, obj, nav, expanded[name]))
        elif select is None or name in select:
            out[f"{name}@iot.navigationLink"] = f"{self_link}/{name}"
    if select is not None:
        unknown = select - set(es.props) - set(es.navs) - {"id", "@iot.id", "@iot.selfLink"}
        if unknown:
            raise ODataError(f"$select: {es.singular} has no property {sorted(unknown)[0]!r}")
    return out


def expand(request: HttpRequest, obj: Model, nav: Nav, spec: Expand) -> dict:
    target = ENTITY_SETS[nav.target]
    opts = Options(spec.options, top_level=False)
    opts.expand = spec.children
    if not nav.many:
        related = related_one(obj, nav)
        return {nav.name: serialise(request, target, related, opts) if related else None}
    qs = apply(target, getattr(obj, nav.field).all(), opts)
    rows = list(qs[opts.skip: opts.skip + opts.top + 1])
    out: dict[str, object] = {}
    if opts.count:
        out[f"{nav.name}@iot.count"] = qs.count()
    out[nav.name] = [serialise(request, target, r, opts) for r in rows[: opts.top]]
    if opts.top and len(rows) > opts.top:  # $top=0 asks for the count only: there is no next page
        es = entity_set_for_model(type(obj))
        out[f"{nav.name}@iot.nextLink"] = (
            f"{base_url(request)}/{es.name}({obj.pk})/{nav.name}?"
            + urlencode({**spec.options, "$skip": opts.skip + opts.top, "$top": opts.top})
        )
    return out


def related_one(obj: Model, nav: Nav) -> Model | None:
    if isinstance(obj, m.Observation) and nav.name == "FeatureOfInterest":
        return obj.feature_of_interest or default_feature(obj.datastream)
    return getattr(obj, nav.field)


def default_feature(ds: m.Datastream) -> m.FeatureOfInterest | None:
    """The spec: without an explicit FeatureOfInterest, the Thing's Location serves as one (made on demand)."""
    location = ds.thing.locations.first()
    if location is None:
        return None
    foi, _ = m.FeatureOfInterest.objects.get_or_create(
        location=location,
        defaults={"name": location.name, "description": location.description,
                  "encoding_type": location.encoding_type, "feature": location.location},
    )
    return foi


def collection(request: HttpRequest, es: EntitySet, qs: QuerySet, opts: Options, path: str) -> JsonResponse:
    qs = apply(es, qs, opts)
    if opts.result_format == "dataArray":
        if es.model is not m.Observation:
            raise ODataError("$resultFormat=dataArray is only available for Observations")
        return JsonResponse(data_array(request, qs, opts))
    rows = list(qs[opts.skip: opts.skip + opts.top + 1])
    body: dict[str, object] = {}
    if opts.count:
        body["@iot.count"] = qs.count()
    if opts.top and len(rows) > opts.top:  # $top=0 asks for the count only: there is no next page
        params = request.GET.copy()
        params["$skip"] = str(opts.skip + opts.top)
        params["$top"] = str(opts.top)
        body["@iot.nextLink"] = f"{base_url(request)}/{path}?{params.urlencode(safe='$(),/')}"
    body["value"] = [serialise(request, es, r, opts) for r in rows[: opts.top]]
    return JsonResponse(body)


def data_array(request: HttpRequest, qs: QuerySet, opts: Options) -> dict:
    components = ["id", "phenomenonTime", "result", "resultTime"]
    groups: dict[int, list] = {}
    es = ENTITY_SETS["Observations"]
    for obs in qs[opts.skip: opts.skip + opts.top]:
        groups.setdefault(obs.datastream_id, []).append(
            [obs.pk, es.props["phenomenonTime"].get(obs), obs.result, iso(obs.result_time)]
        )
    base = base_url(request)
    return {"value": [
        {"Datastream@iot.navigationLink": f"{base}/Datastreams({ds})", "components": components,
         "dataArray@iot.count": len(rows), "dataArray": rows}
        for ds, rows in groups.items()
    ]}


def resolve(path: str) -> tuple[str, object, EntitySet, list[str]]:
    """Walk a resource path. Returns (kind, target, entity set, remaining segments) where kind is
    "collection" (target: QuerySet), "entity" (target: Model) or "property"."""
    segments = [s for s in path.split("/") if s]
    first = SEGMENT.match(segments[0]) if segments else None
    if not first or first["name"] not in ENTITY_SETS:
        raise ApiError(404, f"no entity set {segments[0] if segments else ''!r}")
    es = ENTITY_SETS[first["name"]]
    if first["id"] is None:
        kind, target = "collection", es.model.objects.all()
    else:
        kind, target = "entity", _get(es, int(first["id"]))
    for i, seg in enumerate(segments[1:], start=1):
        match = SEGMENT.match(seg)
        if not match:
            raise ApiError(404, f"cannot resolve {seg!r}")
        name = match["name"]
        if kind == "collection" and name == "$ref" and i == len(segments) - 1:
            return "ref", target, es, []
        if kind != "entity":
            raise ApiError(404, f"{seg!r} cannot follow a collection")
        if name in es.navs:
            nav = es.navs[name]
            target_es = ENTITY_SETS[nav.target]
            if nav.many:
                if match["id"]:
                    kind, target = "entity", _get(target_es, int(match["id"]), getattr(target, nav.field).all())
                else:
                    kind, target = "collection", getattr(target, nav.field).all()
            else:
                related = related_one(target, nav)
                if related is None:
                    raise ApiError(404, f"{es.singular}({target.pk}) has no {name}")
                kind, target = "entity", related
            es = target_es
        elif name == "$ref" and i == len(segments) - 1:
            return "ref", target, es, []
        elif name in es.props and not match["id"]:
            return "property", target, es, segments[i:]
        else:
            raise ApiError(404, f"{es.singular} has no property or navigation {name!r}")
    return kind, target, es, []


def _get(es: EntitySet, pk: int, qs: QuerySet | None = None) -> Model:
    obj = (qs if qs is not None else es.model.objects).filter(pk=pk).first()
    if obj is None:
        raise ApiError(404, f"{es.singular}({pk}) does not exist")
    return obj


def read(request: HttpRequest, path: str) -> HttpResponse:
    kind, target, es, rest = resolve(path)
    opts = Options(request.GET, top_level=True)
    if kind == "collection":
        return collection(request, es, target, opts, path)
    if kind == "ref":
        if isinstance(target, Model):
            items = [target]
        else:
            items = list(apply(es, target, opts)[opts.skip: opts.skip + opts.top])
        links = [{"@iot.selfLink": f"{base_url(request)}/{es.name}({o.pk})"} for o in items]
        return JsonResponse(links[0] if isinstance(target, Model) else {"value": links})
    if kind == "property":
        value = es.props[rest[0]].get(target)
        if len(rest) == 2 and rest[1] == "$value":
            text = value if isinstance(value, str) else json.dumps(value)
            return HttpResponse(text, content_type="text/plain; charset=utf-8")
        if len(rest) > 1:
            raise ApiError(404, "only $value may follow a property")
        return JsonResponse({rest[0]: value})
    return JsonResponse(serialise(request, es, target, opts))


# --- writing -----------------------------------------------------------------------------------------------


AUTH_CACHE_SECONDS = 300


def writer(request: HttpRequest):
    """The user behind HTTP Basic credentials. Gateways send credentials with every request and the password
    hash (Argon2) costs far more than storing a batch, so a successful check is remembered for five minutes
    under a keyed hash of the header (never the password itself)."""
    header = request.headers.get("Authorization", "")
    if not header.startswith("Basic "):
        raise ApiError(401, "authentication required (HTTP Basic)")
    cache_key = "sta-basic:" + hmac.new(settings.SECRET_KEY.encode(), header.encode(), hashlib.sha256).hexdigest()
    user_id = cache.get(cache_key)
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first() if user_id else None
    if user is None:
        try:
            username, _, password = base64.b64decode(header[6:]).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            raise ApiError(401, "malformed Basic credentials")
        user = authenticate(request, username=username, password=password)
        if user is None:
            raise ApiError(401, "invalid credentials")
        cache.set(cache_key, user.pk, AUTH_CACHE_SECONDS)
    if not user.has_perm(WRITE_PERMISSION):
        raise ApiError(403, f"permission {WRITE_PERMISSION} required")
    return user


def body(request: HttpRequest) -> object:
    try:
        return json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError) as exc:
        ingest.reject("http", ingest.Reason.MALFORMED, f"malformed JSON: {exc}")
        raise ApiError(400, f"malformed JSON: {exc}")


def _ref(es: EntitySet, value: object) -> Model | None:
    """A link {"@iot.id": n} to an existing entity, or None if the value is an inline entity."""
    if isinstance(value, Mapping) and set(value) == {"@iot.id"}:
        if not str(value["@iot.id"]).isdigit():
            raise ApiError(400, f"bad @iot.id in {es.singular}")
        return _get(es, int(value["@iot.id"]))
    return None


def _bad(message: str):
    raise ApiError(400, message)


def _fields(es: EntitySet, data: Mapping, *, partial: bool) -> dict[str, object]:
    values = {}
    for name, prop in es.props.items():
        if name in data:
            if prop.writable is None:
                raise ApiError(400, f"{es.singular}/{name} is computed by the server")
            values[prop.writable] = data[name]
        elif prop.required and not partial:
            raise ApiError(400, f"{es.singular}: {name} is required")
    unknown = set(data) - set(es.props) - set(es.navs) - {"@iot.id"}
    if unknown:
        raise ApiError(400, f"{es.singular} has no property {sorted(unknown)[0]!r}")
    return values


def create(es: EntitySet, data: object, parent: tuple[Model, Nav] | None = None) -> Model:
    """Create an entity with deep insert of related entities (inline objects) or links ({"@iot.id": n})."""
    if not isinstance(data, Mapping):
        raise ApiError(400, f"{es.singular} must be a JSON object")
    if es.model is m.Observation:
        return _create_observation(data, parent)
    links: dict[str, Model] = {}
    for name, nav in es.navs.items():
        if not nav.many and name in data:
            target_es = ENTITY_SETS[nav.target]
            links[nav.field] = _ref(target_es, data[name]) or create(target_es, data[name])
    if parent is not None:
        owner, nav = parent
        back = _back_field(es, owner)
        if back:
            links[back] = owner
    obj = es.model(**_fields(es, data, partial=False), **links)
    _check_values(obj)
    if isinstance(obj, m.Datastream):
        for need in ("thing", "sensor", "observed_property"):
            if not getattr(obj, f"{need}_id"):
                raise ApiError(400, f"Datastream: {need} is required")
    obj.full_clean(validate_unique=False, validate_constraints=False, exclude=["properties", "description"])
    obj.save()
    if parent is not None and parent[1].many and not _back_field(es, parent[0]):
        getattr(parent[0], parent[1].field).add(obj)  # many-to-many (Thing ↔ Location)
        if isinstance(obj, m.Location):
            _history(parent[0], [obj])
    for name, nav in es.navs.items():
        if nav.many and name in data:
            items = data[name]
            if not isinstance(items, list):
                raise ApiError(400, f"{es.singular}/{name} must be a list")
            for item in items:
                target_es = ENTITY_SETS[nav.target]
                existing = _ref(target_es, item)
                if existing is not None:
                    getattr(obj, nav.field).add(existing)
                    if isinstance(existing, m.Location):
                        _history(obj, [existing])
                else:
                    create(target_es, item, (obj, nav))
    return obj


def _back_field(es: EntitySet, owner: Model) -> str | None:
    """The foreign key on ``es`` that points to ``owner`` (one-to-many), if any."""
    for nav in es.navs.values():
        if not nav.many and ENTITY_SETS[nav.target].model is type(owner):
            return nav.field
    return None


def _history(thing: Model, locations: list[m.Location]) -> None:
    if isinstance(thing, m.Thing):
        hl = m.HistoricalLocation.objects.create(thing=thing, time=timezone.now())
        hl.locations.set(locations)


def _geometry(value: object, what: str) -> BaseGeometry:
    """A GeoJSON geometry (or Feature) with numeric WGS 84 coordinates, as shapely reads it."""
    geom = value.get("geometry", value) if isinstance(value, Mapping) else None
    try:
        shaped = shape(geom) if _numbers_only(geom) else None
    except (ShapelyError, AttributeError, KeyError, IndexError, TypeError, ValueError):
        shaped = None
    if shaped is None or shaped.is_empty:
        raise ApiError(400, f"{what} must be a GeoJSON geometry with numeric coordinates")
    minx, miny, maxx, maxy = shaped.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise ApiError(400, f"{what}: coordinates must be longitude/latitude in WGS 84")
    return shaped


def _numbers_only(geom: object) -> bool:
    """Coordinates are JSON numbers (shapely would also take "6.77" or true)."""
    if not isinstance(geom, Mapping):
        return False
    if geom.get("type") == "GeometryCollection":
        return isinstance(geom.get("geometries"), list) and all(_numbers_only(g) for g in geom["geometries"])
    stack = [geom.get("coordinates")]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, bool) or not isinstance(item, int | float):
            return False
    return True


def _set_point(loc: m.Location) -> None:
    shaped = _geometry(loc.location, "Location/location")
    if shaped.geom_type == "Point":
        loc.lon, loc.lat = shaped.x, shaped.y
    else:
        loc.lon = loc.lat = None


UNIT_KEYS = ("name", "symbol", "definition")


def _check_values(obj: Model) -> None:
    """Type checks of JSON-valued properties the model fields cannot express."""
    if isinstance(obj, m.Location):
        _set_point(obj)
    elif isinstance(obj, m.FeatureOfInterest):
        _geometry(obj.feature, "FeatureOfInterest/feature")
    elif isinstance(obj, m.Datastream):
        unit = obj.unit_of_measurement
        if not isinstance(unit, Mapping) or not all(isinstance(unit.get(k), str | None) for k in UNIT_KEYS):
            raise ApiError(400, "Datastream/unitOfMeasurement must be an object with the strings "
                                "name, symbol and definition")


def _create_observation(data: Mapping, parent: tuple[Model, Nav] | None) -> m.Observation:
    data = dict(data)
    ds_id = None
    if parent is not None and isinstance(parent[0], m.Datastream):
        ds_id = parent[0].pk
    foi = data.get("FeatureOfInterest")
    if isinstance(foi, Mapping) and "@iot.id" not in foi:
        data["FeatureOfInterest"] = {"@iot.id": create(ENTITY_SETS["FeaturesOfInterest"], foi).pk}
    if parent is not None and isinstance(parent[0], m.FeatureOfInterest):
        data["FeatureOfInterest"] = {"@iot.id": parent[0].pk}
    result = ingest.ingest_observations([data], source="http", datastream_id=ds_id)
    if result.rejected:
        raise Rejected(result.rejected)
    return m.Observation.objects.get(pk=result.ids[0])


def create_observations(request: HttpRequest, payload: object) -> JsonResponse:
    """dataArray bulk ingest: one response entry per row, a selfLink or "error" (see docs for large batches)."""
    if not isinstance(payload, list):
        raise ApiError(400, "CreateObservations expects a JSON array")
    validator = ingest.Validator()
    validator.preload(
        int(link["@iot.id"]) for group in payload if isinstance(group, Mapping)
        if isinstance(link := group.get("Datastream"), Mapping) and str(link.get("@iot.id")).isdigit()
    )
    rows, rejected, order = [], [], []
    for group in payload:
        problem = _group_problem(group)
        if problem:  # this group's rows are rejected (one "error" each), the other groups are stored
            data = group.get("dataArray") if isinstance(group, Mapping) else None
            n = len(data) if isinstance(data, list) and data else 1
            rejected += [ingest.Rejection(len(order) + i, ingest.Reason.MALFORMED, problem) for i in range(n)]
            order += [False] * n
            continue
        comps = group["components"]
        ds_link = group.get("Datastream")
        ds_id = ds_link.get("@iot.id") if isinstance(ds_link, Mapping) else None
        g_rows, g_rejected, g_ok = ingest.data_array_rows(validator, ds_id, comps, group["dataArray"], len(order))
        rows += g_rows
        rejected += g_rejected
        order += g_ok
    result = ingest.ingest_rows(rows, rejected, source="http")
    base = base_url(request)
    ids = iter(result.ids)
    out = []
    for ok in order:
        if not ok:
            out.append("error")
            continue
        pk = next(ids)
        out.append(f"{base}/Observations({pk})" if pk else "created")
    return JsonResponse(out, safe=False, status=201)


def _group_problem(group: object) -> str | None:
    """Why a CreateObservations element cannot be read at all (None: it can, row by row)."""
    if not isinstance(group, Mapping) or not isinstance(group.get("dataArray"), list):
        return "each element needs Datastream, components and dataArray"
    comps = group.get("components")
    if not isinstance(comps, list) or not all(isinstance(c, str) for c in comps) or "result" not in comps:
        return "components must be a list of names including result"
    return None


def update(es: EntitySet, obj: Model, data: object) -> Model:
    if not isinstance(data, Mapping):
        raise ApiError(400, "PATCH body must be a JSON object")
    if isinstance(obj, m.Observation):
        merged = {"phenomenonTime": es.props["phenomenonTime"].get(obj), "result": obj.result,
                  "resultTime": iso(obj.result_time), "resultQuality": m.Quality(obj.quality).name.lower(), **data}
        if "phenomenonTime" in data:
            obj.delete()  # a new time is a new key; the upsert below stores it
        result = ingest.ingest_observations([merged], source="http", datastream_id=obj.datastream_id)
        if result.rejected:
            raise Rejected(result.rejected)
        return m.Observation.objects.get(pk=result.ids[0])
    for fld, value in _fields(es, data, partial=True).items():
        setattr(obj, fld, value)
    for name, nav in es.navs.items():
        if not nav.many and name in data:
            setattr(obj, nav.field, _ref(ENTITY_SETS[nav.target], data[name]) or _bad(f"{name}: link with @iot.id"))
        elif nav.many and name in data and isinstance(obj, m.Thing) and name == "Locations":
            locs = [_ref(ENTITY_SETS["Locations"], x) or _bad("Locations: links with @iot.id") for x in data[name]]
            obj.locations.set(locs)
            _history(obj, locs)
    _check_values(obj)
    obj.save()
    return obj


@csrf_exempt
def resource(request: HttpRequest, path: str) -> HttpResponse:
    try:
        if request.method == "GET":
            return read(request, path)
        if request.method not in {"POST", "PATCH", "DELETE"}:
            return error(405, f"method {request.method} not allowed")
        writer(request)
        if request.method == "POST" and path.strip("/") == "CreateObservations":
            with ingest.gc_paused():
                payload = body(request)  # outside the transaction: a malformed body is still counted
                with transaction.atomic():
                    return create_observations(request, payload)
        payload = body(request) if request.method != "DELETE" else None
        with transaction.atomic():
            kind, target, es, _ = resolve(path)
            if request.method == "POST":
                if kind != "collection":
                    raise ApiError(400, "POST goes to a collection, e.g. /Things")
                parent = _parent(path)
                obj = create(es, payload, parent)
                response = JsonResponse(serialise(request, es, obj, None), status=201)
                response["Location"] = f"{base_url(request)}/{es.name}({obj.pk})"
                return response
            if kind != "entity":
                raise ApiError(400, f"{request.method} goes to a single entity, e.g. /Things(1)")
            if request.method == "PATCH":
                return JsonResponse(serialise(request, es, update(es, target, payload), None))
            target.delete()
            return HttpResponse(status=200)
    except Rejected as exc:
        ingest.count("http", accepted=0, rejected=exc.rejections)
        return error(exc.status, str(exc))
    except ApiError as exc:
        return error(exc.status, str(exc))
    except ODataError as exc:
        return error(400, str(exc))
    except IntegrityError as exc:
        return error(409, f"conflict: {exc}")
    except ValidationError as exc:
        return error(400, "; ".join(f"{k}: {', '.join(v)}" for k, v in exc.message_dict.items()))
    except ProtectedError:
        return error(409, "still referenced by other entities")


def _parent(path: str) -> tuple[Model, Nav] | None:
    """For POST to a navigation collection (Things(1)/Datastreams) the owner and the navigation property."""
    segments = [s for s in path.split("/") if s]
    if len(segments) < 2:
        return None
    kind, owner, owner_es, _ = resolve("/".join(segments[:-1]))
    if kind != "entity":
        raise ApiError(400, "POST to a navigation collection needs an entity before it")
    nav = owner_es.navs.get(SEGMENT.match(segments[-1])["name"])
    if nav is None or not nav.many:
        raise ApiError(400, f"cannot create through {segments[-1]!r}")
    return owner, nav


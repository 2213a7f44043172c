"""Translate parsed OData ($filter, $orderby) into Django Q objects and order_by() arguments."""

import shapely
from django.db.models import Q
from shapely.geometry import shape

from .. import models as m
from . import odata as od
from .entities import EntitySet, coerce, orm_path

LOOKUP = {"eq": "exact", "gt": "gt", "ge": "gte", "lt": "lt", "le": "lte"}
FLIP = {"eq": "eq", "ne": "ne", "gt": "lt", "ge": "le", "lt": "gt", "le": "ge"}
DATE_PARTS = {"year", "month", "day", "hour", "minute", "second", "date"}


def to_q(es: EntitySet, node: object) -> Q:
    if isinstance(node, od.BoolOp):
        q = to_q(es, node.items[0])
        for item in node.items[1:]:
            q = (q & to_q(es, item)) if node.op == "and" else (q | to_q(es, item))
        return q
    if isinstance(node, od.Not):
        return ~to_q(es, node.item)
    if isinstance(node, od.Compare):
        return _compare(es, node)
    if isinstance(node, od.Call):
        return _bool_call(es, node)
    raise od.ODataError("$filter: the expression must be a condition (e.g. result gt 40)")


def _operand(es: EntitySet, node: object) -> tuple[str, object]:
    """A property path or a function over one, as an ORM lookup prefix; and the property (for coercion)."""
    if isinstance(node, od.Path):
        lookup, _, prop = orm_path(es, node.parts)
        return lookup, prop
    if isinstance(node, od.Call) and node.name in DATE_PARTS | {"tolower", "toupper"}:
        if len(node.args) != 1 or not isinstance(node.args[0], od.Path):
            raise od.ODataError(f"$filter: {node.name}() takes one property")
        lookup, _, prop = orm_path(es, node.args[0].parts)
        return (f"{lookup}__{node.name}" if node.name in DATE_PARTS else f"{lookup}__ci"), prop
    raise od.ODataError("$filter: each comparison needs a property on one side")


def _compare(es: EntitySet, node: od.Compare) -> Q:
    left, right, op = node.left, node.right, node.op
    if isinstance(left, od.Literal) and not isinstance(right, od.Literal):
        left, right, op = right, left, FLIP[op]
    if not isinstance(right, od.Literal):
        raise od.ODataError("$filter: comparisons between two properties are not supported")
    lookup, prop = _operand(es, left)
    value = right.value
    if not (isinstance(left, od.Call) and left.name in DATE_PARTS):
        value = coerce(prop, value)
    if value is None:
        q = Q(**{f"{lookup}__isnull": True})
        return ~q if op == "ne" else q
    if lookup.endswith("__ci"):
        base = lookup[: -len("__ci")]
        if op not in {"eq", "ne"}:
            raise od.ODataError("$filter: tolower()/toupper() only with eq or ne")
        q = Q(**{f"{base}__iexact": value})
        return ~q if op == "ne" else q
    if op == "ne":
        return ~Q(**{f"{lookup}__exact": value})
    return Q(**{f"{lookup}__{LOOKUP[op]}": value})


def _text_args(es: EntitySet, call: od.Call, prop_first: bool) -> tuple[str, str]:
    if len(call.args) != 2:
        raise od.ODataError(f"$filter: {call.name}() takes two arguments")
    prop, lit = call.args if prop_first else reversed(call.args)
    if not isinstance(prop, od.Path) or not isinstance(lit, od.Literal) or not isinstance(lit.value, str):
        raise od.ODataError(f"$filter: {call.name}() needs a property and a string")
    return orm_path(es, prop.parts)[0], lit.value


def _bool_call(es: EntitySet, call: od.Call) -> Q:
    if call.name in {"startswith", "endswith", "contains"}:
        lookup, text = _text_args(es, call, True)
        return Q(**{f"{lookup}__{call.name}": text})
    if call.name == "substringof":
        lookup, text = _text_args(es, call, False)
        return Q(**{f"{lookup}__contains": text})
    if call.name in {"st_within", "st_intersects", "geo.intersects"}:
        return _spatial(es, call)
    raise od.ODataError(f"$filter: {call.name}() is not a condition; compare its result (e.g. year(x) eq 2026)")


def _spatial(es: EntitySet, call: od.Call) -> Q:
    """Spatial filters on Location.location / FeatureOfInterest.feature, evaluated with shapely.

    Locations are few (stations), so the server tests each candidate in the polygon's bounding box
    (on the lon/lat columns) exactly and filters by the matching ids.
    """
    if len(call.args) != 2 or not isinstance(call.args[0], od.Path) or not isinstance(call.args[1], od.Literal):
        raise od.ODataError(f"$filter: {call.name}(property, geography'…') expected")
    lookup, target, prop = orm_path(es, call.args[0].parts)
    if prop is None or prop.field not in {"location", "feature"}:
        raise od.ODataError(f"$filter: {call.name}() works on Location/location or FeatureOfInterest/feature")
    try:
        area = shapely.from_wkt(str(call.args[1].value))
    except shapely.errors.GEOSException as exc:
        raise od.ODataError(f"$filter: invalid WKT: {exc}")
    test = area.contains if call.name == "st_within" else area.intersects
    candidates = target.model.objects.all()
    if target.model is m.Location:
        minx, miny, maxx, maxy = area.bounds
        candidates = candidates.filter(lon__gte=minx, lon__lte=maxx, lat__gte=miny, lat__lte=maxy)
    ids = []
    for pk, geojson in candidates.values_list("pk", prop.field):
        try:
            geom = shape(geojson.get("geometry", geojson) if isinstance(geojson, dict) else geojson)
        except (AttributeError, ValueError, TypeError):
            continue
        if test(geom):
            ids.append(pk)
    prefix = lookup[: -len(prop.field)].rstrip("_")
    return Q(**{f"{prefix}__pk__in" if prefix else "pk__in": ids})


def order_by(es: EntitySet, text: str | None) -> list[str]:
    """$orderby to order_by() arguments, always ending with the id for a stable order (needed for paging)."""
    fields = []
    for item in od.parse_orderby(text or ""):
        lookup, _, _ = orm_path(es, item.path)
        fields.append(f"-{lookup}" if item.descending else lookup)
    if not any(f.lstrip("-") == "pk" for f in fields):
        fields.append("pk")
    return fields

"""Validation of incoming dataset and resource dictionaries (CKAN API, harvester, editor forms).

Errors are collected per field, in CKAN's shape ``{"field": ["message", …]}``, so that the API can
answer with one Validation Error and nothing is written.
"""

import json
import re
from datetime import date, datetime
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import EmailValidator, URLValidator
from django.utils.dateparse import parse_date, parse_datetime

from . import vocab
from .models import Dataset, Group, Organization, Resource

NAME_RE = re.compile(r"^[a-z0-9_-]{2,100}$")
TAG_RE = re.compile(r"^[\w \-.]{2,100}$")

# Extras keys (ckanext-dcatde names) that map onto typed columns.
EXTRA_FIELDS = {
    "contributorID": "contributor_ids", "identifier": "identifier", "issued": "issued", "modified": "modified",
    "frequency": "frequency", "politicalGeocodingLevelURI": "political_geocoding_level_uri",
    "politicalGeocodingURI": "political_geocoding_uri", "publisher_name": "publisher_name",
    "publisher_url": "publisher_url", "contact_email": "maintainer_email", "contact_url": "contact_url",
    "temporal_start": "temporal_start", "temporal_end": "temporal_end", "spatial_uri": "spatial_uri",
}
TEXT_FIELDS = ("title", "notes", "url", "version", "author", "author_email", "maintainer", "maintainer_email")
# API key of each typed column, for error messages (contact_email and maintainer_email share a column).
API_NAMES = {column: key for key, column in EXTRA_FIELDS.items() if column != "maintainer_email"} | {
    "organization": "owner_org", "license_attribution": "licenseAttributionByText", "contributor_id": "contributorID"}
# Fields that take one value: a list or an object there is a client error, not text to store as "[…]".
SCALAR_KEYS = ("name", "title", "notes", "url", "version", "author", "author_email", "maintainer",
               "maintainer_email", "owner_org", "license_id", "identifier", "issued", "modified", "frequency",
               "politicalGeocodingLevelURI", "publisher_name", "publisher_url", "contact_email", "contact_url",
               "temporal_start", "temporal_end", "spatial_uri", "description", "format", "mimetype", "size",
               "hash", "license", "licenseAttributionByText", "image_url")
# Dates outside these years are typos (20262 for 2026) and would overflow date arithmetic further on.
YEARS = (1000, 2999)
SIZE_MAX = 2**63 - 1  # Resource.size is a 64-bit integer


class InvalidData(Exception):
    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


class _Errors(dict):
    def add(self, field: str, message: str) -> None:
        self.setdefault(field, []).append(message)


def _url_ok(value: str) -> bool:
    try:
        URLValidator(schemes=["http", "https"])(value)
        return True
    except DjangoValidationError:
        return False


def _email_ok(value: str) -> bool:
    try:
        EmailValidator()(value)
        return True
    except DjangoValidationError:
        return False


def contains_nul(value: Any) -> bool:
    """PostgreSQL text and JSON cannot hold NUL characters; such input is refused up front."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(contains_nul(k) or contains_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(contains_nul(v) for v in value)
    return False


def _check_input(data: dict[str, Any], errors: _Errors) -> None:
    for key, value in data.items():
        if contains_nul(value):
            errors.add(str(key), "Das Zeichen NUL (\\u0000) ist nicht erlaubt.")
        elif key in SCALAR_KEYS and isinstance(value, dict | list):
            errors.add(str(key), "Ein einzelner Wert (Text) erwartet, keine Liste und kein Objekt.")


def _check_lengths(model, values: dict[str, Any], errors: _Errors) -> None:
    """Text longer than its column: PostgreSQL refuses it (a 500 before), SQLite would store it."""
    for key, value in values.items():
        try:
            limit = getattr(model._meta.get_field(key), "max_length", None)
        except FieldDoesNotExist:
            continue
        if limit and isinstance(value, str) and len(value) > limit:
            errors.add(API_NAMES.get(key, key), f"Höchstens {limit} Zeichen erlaubt (hier {len(value)}).")


def _as_list(value: Any) -> list:
    """Lists arrive as lists, JSON-encoded strings or comma-separated strings (form posts)."""
    if value in (None, ""):
        return []
    if isinstance(value, list):
        return value
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                parsed = json.loads(text)
                return parsed if isinstance(parsed, list) else [parsed]
            except json.JSONDecodeError:
                pass
        return [v.strip() for v in text.split(",") if v.strip()]
    return [value]


def _parse_when(value: Any, *, as_date: bool) -> date | datetime | None:
    """ISO 8601 date or date-time; None when empty, unparseable or impossible (2026-02-30, month 13)."""
    if value in (None, ""):
        return None
    text = str(value).strip()
    try:
        if as_date:
            parsed = parse_date(text[:10])
        else:
            parsed = parse_datetime(text.replace("Z", "+00:00"))
            if parsed is None and (d := parse_date(text[:10])):
                parsed = datetime(d.year, d.month, d.day)
            if parsed is not None and parsed.tzinfo is None:
                from django.utils import timezone

                parsed = timezone.make_aware(parsed)
    except (ValueError, OverflowError):  # well-formed but impossible, e.g. 2026-13-45 or 2026-02-30
        return None
    if parsed is None or not YEARS[0] <= parsed.year <= YEARS[1]:
        return None
    return parsed


def _flatten_extras(data: dict[str, Any], errors: _Errors) -> dict[str, Any]:
    """CKAN's list of {"key", "value"}, a plain object, or either as a JSON string."""
    raw = data.get("extras") or []
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError:
            errors.add("extras", "Ungültiges JSON.")
            return {}
    if isinstance(raw, dict):
        return dict(raw)
    if not isinstance(raw, list):
        errors.add("extras", "Liste von {„key“, „value“} erwartet.")
        return {}
    flat: dict[str, Any] = {}
    for item in raw:
        if not isinstance(item, dict) or "key" not in item or isinstance(item["key"], dict | list):
            errors.add("extras", "Jedes Extra braucht „key“ (Text) und „value“.")
            continue
        flat[str(item["key"])] = item.get("value")
    return flat


def clean_dataset(data: dict[str, Any], *, instance: Dataset | None = None, partial: bool = False) -> dict[str, Any]:
    """Return model field values (plus ``tags``, ``groups``, ``resources``) or raise InvalidData."""
    errors = _Errors()
    out: dict[str, Any] = {}
    _check_input(data, errors)
    if errors:  # wrong types: stop before they are turned into text
        raise InvalidData(dict(errors))

    def given(key: str) -> bool:
        return key in data or not partial

    if given("name"):
        name = str(data.get("name") or "").strip()
        if not name:
            errors.add("name", "Pflichtangabe fehlt.")
        elif not NAME_RE.match(name):
            errors.add("name", "Nur Kleinbuchstaben (a–z), Ziffern, - und _; 2 bis 100 Zeichen.")
        elif Dataset.objects.filter(name=name).exclude(pk=getattr(instance, "pk", None)).exists():
            errors.add("name", "Dieser Kurzname (URL) ist bereits vergeben.")
        else:
            out["name"] = name
    if given("title"):
        title = str(data.get("title") or "").strip()
        if not title and not instance:
            errors.add("title", "Pflichtangabe fehlt.")
        out["title"] = title or (instance.title if instance else "")
    for key in TEXT_FIELDS[1:]:
        if key in data:
            out[key] = str(data.get(key) or "").strip()
    for key in ("url",):
        if out.get(key) and not _url_ok(out[key]):
            errors.add(key, "Bitte eine gültige http(s)-Adresse angeben.")
    for key in ("author_email", "maintainer_email"):
        if out.get(key) and not _email_ok(out[key]):
            errors.add(key, "Bitte eine gültige E-Mail-Adresse angeben.")

    if given("owner_org"):
        ref = str(data.get("owner_org") or "").strip()
        org = _find(Organization, ref)
        if org is None:
            errors.add("owner_org", "Pflichtangabe fehlt." if not ref else "Organisation nicht gefunden.")
        else:
            out["organization"] = org
    if given("license_id") and (data.get("license_id") or not instance):
        lic = vocab.normalise_license(str(data.get("license_id") or vocab.DEFAULT_LICENSE))
        if lic not in vocab.LICENSES:
            errors.add("license_id", "Lizenz muss eine IRI aus http://dcat-ap.de/def/licenses/ sein.")
        out["license_id"] = lic
    if "private" in data:
        out["private"] = str(data["private"]).lower() in ("true", "1", "on", "yes")

    extras = _flatten_extras(data, errors)
    # ckanext-scheming style: DCAT-AP.de keys may also come as top-level fields.
    for key in EXTRA_FIELDS:
        if key in data and key not in extras:
            extras[key] = data[key]
    _check_input({k: v for k, v in extras.items() if k not in data}, errors)
    _clean_dcat_extras(extras, out, errors)
    if "extras" in data or not partial:
        out["extras"] = {k: v for k, v in extras.items() if k not in EXTRA_FIELDS}

    if "tags" in data or "tag_string" in data or not partial:
        out["tags"] = _clean_tags(data, errors)
    if "groups" in data or not partial:
        out["groups"] = _clean_groups(data.get("groups"), errors)
    if "resources" in data:
        resources = data.get("resources") or []
        if not isinstance(resources, list):
            errors.add("resources", "Liste erwartet.")
        else:
            cleaned = []
            for i, res in enumerate(resources):
                try:
                    cleaned.append(clean_resource(res if isinstance(res, dict) else {}, require_source=True))
                except InvalidData as exc:
                    errors.add("resources", f"Ressource {i + 1}: {exc.errors}")
            out["resources"] = cleaned
    _check_lengths(Dataset, out, errors)
    if errors:
        raise InvalidData(dict(errors))
    return out


def _find(model, ref: str):
    if not ref:
        return None
    obj = model.objects.filter(name=ref).first()
    if obj is None and re.fullmatch(r"[0-9a-fA-F-]{32,36}", ref):
        obj = model.objects.filter(pk=ref).first()
    return obj


def _clean_dcat_extras(extras: dict[str, Any], out: dict[str, Any], errors: _Errors) -> None:
    if "contributorID" in extras:
        ids = [str(v) for v in _as_list(extras["contributorID"])]
        bad = [v for v in ids if not _url_ok(v)]
        if bad:
            errors.add("contributorID", "contributorID muss eine IRI sein, z. B. http://dcat-ap.de/def/contributors/…")
        out["contributor_ids"] = ids
    if "identifier" in extras:
        out["identifier"] = str(extras["identifier"] or "")
    for key, as_date in (("issued", False), ("modified", False), ("temporal_start", True), ("temporal_end", True)):
        if key in extras:
            value = _parse_when(extras[key], as_date=as_date)
            if extras[key] and value is None:
                errors.add(key, "Ungültiges Datum (ISO 8601 erwartet).")
            out[EXTRA_FIELDS[key]] = value
    if "frequency" in extras:
        freq = str(extras["frequency"] or "").rsplit("/", 1)[-1].upper()
        if freq and freq not in vocab.FREQUENCIES:
            errors.add("frequency", "Unbekannte Aktualisierungsfrequenz (EU-Vokabular „frequency“).")
        out["frequency"] = freq
    if "politicalGeocodingURI" in extras:
        uris = [str(v) for v in _as_list(extras["politicalGeocodingURI"])]
        if uris and not uris[0].startswith(vocab.GEOCODING_BASE):
            errors.add("politicalGeocodingURI", "IRI aus http://dcat-ap.de/def/politicalGeocoding/ erwartet.")
        out["political_geocoding_uri"] = uris[0] if uris else ""
    for key in ("politicalGeocodingLevelURI", "publisher_url", "contact_url", "spatial_uri"):
        if key in extras:
            value = str(extras[key] or "")
            if value and not _url_ok(value):
                errors.add(key, "Bitte eine gültige http(s)-Adresse angeben.")
            out[EXTRA_FIELDS[key]] = value
    if "publisher_name" in extras:
        out["publisher_name"] = str(extras["publisher_name"] or "")
    if "contact_email" in extras:
        value = str(extras["contact_email"] or "")
        if value and not _email_ok(value):
            errors.add("contact_email", "Bitte eine gültige E-Mail-Adresse angeben.")
        out["maintainer_email"] = value
    if out.get("temporal_start") and out.get("temporal_end") and out["temporal_start"] > out["temporal_end"]:
        errors.add("temporal_end", "Das Ende des Zeitraums liegt vor dem Anfang.")


def _clean_tags(data: dict[str, Any], errors: _Errors) -> list[str]:
    raw = data.get("tags")
    names: list[str] = []
    if raw is None and data.get("tag_string"):
        names = _as_list(str(data["tag_string"]))
    elif isinstance(raw, list):
        for item in raw:
            names.append(str(item.get("name", "")) if isinstance(item, dict) else str(item))
    elif raw:
        names = [str(v) for v in _as_list(raw)]
    clean: list[str] = []
    for name in names:
        name = name.strip()
        if not TAG_RE.match(name):
            errors.add("tags", f"Schlagwort „{name[:40]}“: 2 bis 100 Zeichen, Buchstaben, Ziffern, Leerzeichen, - _ .")
        elif name not in clean:
            clean.append(name)
    return clean


def _clean_groups(raw: Any, errors: _Errors) -> list[Group]:
    refs: list[str] = []
    for item in _as_list(raw):
        refs.append(str(item.get("name") or item.get("id") or "") if isinstance(item, dict) else str(item))
    groups = []
    for ref in refs:
        group = _find(Group, ref.lower()) or _find(Group, ref)
        if group is None:
            errors.add("groups", f"Kategorie „{ref[:40]}“ nicht gefunden.")
        else:
            groups.append(group)
    return groups


RESOURCE_TEXT = ("name", "description", "format", "mimetype")


def clean_resource(data: dict[str, Any], *, require_source: bool, has_upload: bool = False) -> dict[str, Any]:
    errors = _Errors()
    out: dict[str, Any] = {}
    _check_input(data, errors)
    if errors:
        raise InvalidData(dict(errors))
    for key in RESOURCE_TEXT:
        if key in data:
            out[key] = str(data.get(key) or "").strip()
    url = str(data.get("url") or "").strip()
    if url:
        if not _url_ok(url):
            errors.add("url", "Bitte eine gültige http(s)-Adresse angeben.")
        out["url"] = url
    elif require_source and not has_upload:
        errors.add("url", "Link oder Datei-Upload erforderlich.")
    if "format" in out or url:
        out["format"] = vocab.normalise_format(out.get("format", ""), url)
    if data.get("license"):
        lic = vocab.normalise_license(str(data["license"]))
        if lic not in vocab.LICENSES:
            errors.add("license", "Lizenz muss eine IRI aus http://dcat-ap.de/def/licenses/ sein.")
        out["license_id"] = lic
    if "licenseAttributionByText" in data:
        out["license_attribution"] = str(data["licenseAttributionByText"] or "")
    if data.get("size") not in (None, ""):
        try:
            size = int(str(data["size"]).strip())
        except ValueError:
            errors.add("size", "Ganze Zahl erwartet.")
        else:
            if not 0 <= size <= SIZE_MAX:
                errors.add("size", "Größe in Byte: 0 bis 2⁶³ − 1.")
            out["size"] = size
    if data.get("hash"):
        out["hash"] = str(data["hash"])
    _check_lengths(Resource, out, errors)
    if errors:
        raise InvalidData(dict(errors))
    return out


def clean_organization(data: dict[str, Any]) -> dict[str, Any]:
    """organization_create: model field values, or InvalidData."""
    errors = _Errors()
    _check_input(data, errors)
    if errors:
        raise InvalidData(dict(errors))
    name = str(data.get("name") or "").strip()
    if not NAME_RE.match(name):
        errors.add("name", "Nur Kleinbuchstaben (a–z), Ziffern, - und _; 2 bis 100 Zeichen.")
    elif Organization.objects.filter(name=name).exists():
        errors.add("name", "Diese Organisation existiert bereits.")
    extras = _flatten_extras(data, errors)
    out = {"name": name, "title": str(data.get("title") or name).strip(),
           "description": str(data.get("description") or ""), "image_url": str(data.get("image_url") or "").strip(),
           "contributor_id": str(data.get("contributorID") or extras.get("contributorID") or "").strip()}
    for key, api_key in (("image_url", "image_url"), ("contributor_id", "contributorID")):
        if out[key] and not _url_ok(out[key]):
            errors.add(api_key, "Bitte eine gültige http(s)-Adresse angeben.")
    _check_lengths(Organization, out, errors)
    if errors:
        raise InvalidData(dict(errors))
    return out

"""Harvesting in: from a remote CKAN Action API and from a DCAT-AP catalogue (Hydra paging).

A job always ends as ``finished`` or ``failed`` with a log: every HTTP request has a timeout and is
retried a few times; the whole job has a deadline; a job left ``running`` by a killed worker is
failed by the next scheduled run (``fail_stale_jobs``).
"""

import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from datetime import UTC, timedelta
from typing import Any, Protocol

from django.conf import settings
from django.utils import timezone
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF

from smartcity.audit.services import record

from . import services, vocab
from .dcat import DCATDE, HYDRA, VCARD
from .models import Dataset, HarvestJob, HarvestSource
from .validation import NAME_RE, InvalidData

logger = logging.getLogger(__name__)
ACTOR = "system:opendata-harvest"
PAGE_ROWS = 100
JOB_DEADLINE = timedelta(hours=2)
SAFETY_MARGIN = timedelta(hours=1)  # like ckanext-harvest: re-read the last hour, imports are idempotent


class HarvestError(Exception):
    """The source cannot be harvested (unreachable, not CKAN/DCAT, broken paging)."""


class Transport(Protocol):
    def get(self, url: str, params: dict[str, Any] | None = None) -> tuple[str, bytes]:
        """Return (content type, body); raise HarvestError on HTTP errors."""


class HttpTransport:
    def __init__(self, timeout: float | None = None):
        self.timeout = timeout or settings.OPENDATA_HARVEST_TIMEOUT

    def get(self, url: str, params: dict[str, Any] | None = None) -> tuple[str, bytes]:
        if params:
            url += ("&" if "?" in url else "?") + urllib.parse.urlencode(params)
        if not url.startswith(("http://", "https://")):
            raise HarvestError(f"Nur http(s)-Adressen: {url}")
        headers = {"User-Agent": "smartcity-opendata-harvester/1.0",
                   "Accept": "application/json, text/turtle;q=0.9, */*;q=0.5"}
        request = urllib.request.Request(url, headers=headers)  # noqa: S310 - scheme checked above
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - scheme checked
                return response.headers.get("Content-Type", ""), response.read(50 * 1024 * 1024)
        except urllib.error.HTTPError as exc:
            raise HarvestError(f"HTTP {exc.code} von {url}")
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise HarvestError(f"{url} nicht erreichbar: {exc}")


class _Job:
    """Log, counters and retries of one running job."""

    def __init__(self, job: HarvestJob, transport: Transport):
        self.job = job
        self.transport = transport
        self.deadline = timezone.now() + JOB_DEADLINE
        self.seen: set[str] = set()

    def log(self, message: str) -> None:
        line = f"{timezone.localtime():%H:%M:%S} {message}"
        self.job.log = (self.job.log + "\n" + line).strip()
        HarvestJob.objects.filter(pk=self.job.pk).update(log=self.job.log)

    def fetch(self, url: str, params: dict[str, Any] | None = None) -> tuple[str, bytes]:
        attempts = settings.OPENDATA_HARVEST_MAX_ATTEMPTS
        for attempt in range(1, attempts + 1):
            if timezone.now() > self.deadline:
                raise HarvestError("Zeitlimit des Jobs überschritten")
            try:
                return self.transport.get(url, params)
            except HarvestError as exc:
                self.log(f"Versuch {attempt}/{attempts} fehlgeschlagen: {exc}")
                if attempt == attempts:
                    raise
                time.sleep(min(2 ** attempt, 10) if not getattr(self.transport, "no_backoff", False) else 0)
        raise HarvestError("unreachable")

    def save(self, package: dict[str, Any], guid: str) -> None:
        if guid in self.seen:
            return
        self.seen.add(guid)
        try:
            created = import_package(self.job.source, package, guid)
        except InvalidData as exc:
            self.job.error_count += 1
            self.log(f"Datensatz {package.get('name') or guid} übersprungen: {exc.errors}")
            return
        if created:
            self.job.created_count += 1
        else:
            self.job.updated_count += 1


def _unique_name(wanted: str, guid: str, source: HarvestSource) -> str:
    base = wanted if NAME_RE.match(wanted or "") else "harvest-" + guid[-12:].lower().replace("/", "-")
    base = "".join(c if c.isalnum() or c in "-_" else "-" for c in base.lower())[:90] or "harvest"
    name, n = base, 2
    while Dataset.objects.filter(name=name).exclude(harvest_source=source, harvest_guid=guid).exists():
        name = f"{base}-{n}"
        n += 1
    return name


def import_package(source: HarvestSource, package: dict[str, Any], guid: str) -> bool:
    """Create or update the local copy of a remote dataset; True when created."""
    existing = Dataset.objects.filter(harvest_source=source, harvest_guid=guid).first()
    lic = vocab.normalise_license(str(package.get("license_id") or ""))
    data = {
        "name": _unique_name(str(package.get("name") or ""), guid, source),
        "title": package.get("title") or package.get("name") or guid,
        "notes": package.get("notes") or "",
        "owner_org": source.organization.name,
        "license_id": lic if lic in vocab.LICENSES else vocab.LICENSE_BASE + "other-closed",
        "url": package.get("url") or "",
        "maintainer": package.get("maintainer") or "",
        "maintainer_email": package.get("maintainer_email") or "",
        "tags": [{"name": t["name"] if isinstance(t, dict) else t} for t in package.get("tags", [])
                 if 2 <= len(t["name"] if isinstance(t, dict) else t) <= 100],
        "groups": [{"name": g} for g in _known_groups(package.get("groups", []))],
        "extras": [e for e in package.get("extras", []) if isinstance(e, dict) and e.get("key") in _KEEP_EXTRAS],
        "resources": [_resource(r) for r in package.get("resources", []) if r.get("url")],
    }
    data["extras"].append({"key": "identifier", "value": _identifier(package, guid)})
    if existing is None:
        ds = services.create_dataset(ACTOR, data)
        Dataset.objects.filter(pk=ds.pk).update(harvest_source=source, harvest_guid=guid)
        return True
    services.update_dataset(ACTOR, existing, data, partial=False)
    return False


_KEEP_EXTRAS = {"contributorID", "issued", "modified", "frequency", "politicalGeocodingLevelURI",
                "politicalGeocodingURI", "publisher_name", "publisher_url", "contact_email", "temporal_start",
                "temporal_end", "spatial_uri"}


def _identifier(package: dict[str, Any], guid: str) -> str:
    for extra in package.get("extras", []):
        if isinstance(extra, dict) and extra.get("key") == "identifier" and extra.get("value"):
            return str(extra["value"])  # GovData: pass a received identifier on unchanged
    return guid


def _known_groups(groups: list) -> list[str]:
    names = [(g.get("name") if isinstance(g, dict) else str(g)).lower() for g in groups]
    return [n for n in names if n in vocab.THEMES]


def _resource(res: dict[str, Any]) -> dict[str, Any]:
    lic = vocab.normalise_license(str(res.get("license") or ""))
    out = {"url": res["url"], "name": res.get("name") or "", "description": res.get("description") or "",
           "format": res.get("format") or ""}
    if lic in vocab.LICENSES:
        out["license"] = lic
    return out


# --- CKAN -------------------------------------------------------------------------------------

def _ckan_pages(job: _Job, fq: str) -> Iterator[list[dict]]:
    url = job.job.source.url.rstrip("/") + "/api/3/action/package_search"
    start, previous = 0, None
    while True:
        params = {"rows": PAGE_ROWS, "start": start, "sort": "id asc"}
        if fq:
            params["fq"] = fq
        content_type, body = job.fetch(url, params)
        try:
            data = json.loads(body)
        except ValueError:
            raise HarvestError(f"Keine JSON-Antwort ({content_type or 'unbekannter Typ'}) von {url}")
        if not isinstance(data, dict) or not data.get("success"):
            detail = data.get("error") if isinstance(data, dict) else data
            raise HarvestError(f"CKAN meldet einen Fehler: {str(detail)[:300]}")
        results = data["result"].get("results", [])
        if not results:
            return
        ids = [r.get("id") for r in results]
        if ids == previous:
            raise HarvestError("Die Seitenaufteilung der Quelle funktioniert nicht (zwei gleiche Seiten).")
        previous = ids
        yield results
        start += PAGE_ROWS


def harvest_ckan(job: _Job) -> None:
    source = job.job.source
    terms = [source.fq] if source.fq else []
    if job.job.incremental and source.last_success_at:
        since = (source.last_success_at - SAFETY_MARGIN).astimezone(UTC)
        terms.append(f"metadata_modified:[{since:%Y-%m-%dT%H:%M:%S}Z TO *]")
    fq = " AND ".join(f"({t})" if " OR " in t else t for t in terms)
    for page in _ckan_pages(job, fq):
        for package in page:
            if package.get("type", "dataset") == "dataset" and package.get("id"):
                job.save(package, str(package["id"]))


# --- DCAT -------------------------------------------------------------------------------------

_FORMATS_BY_CODE = {code: fmt for fmt, (code, _media) in vocab.FORMATS.items()}


def _text(g: Graph, node, prop) -> str:
    values = list(g.objects(node, prop))
    german = [v for v in values if getattr(v, "language", None) == "de"]
    return str((german or values or [""])[0])


def dcat_package(g: Graph, node: URIRef) -> dict[str, Any]:
    """A CKAN-shaped dict of one dcat:Dataset, as import_package expects it."""
    extras = []
    for key, prop in (("issued", DCTERMS.issued), ("modified", DCTERMS.modified),
                      ("frequency", DCTERMS.accrualPeriodicity), ("identifier", DCTERMS.identifier),
                      ("politicalGeocodingLevelURI", DCATDE.politicalGeocodingLevelURI)):
        value = g.value(node, prop)
        if value is not None:
            extras.append({"key": key, "value": str(value)})
    contributors = [str(c) for c in g.objects(node, DCATDE.contributorID)]
    if contributors:
        extras.append({"key": "contributorID", "value": json.dumps(contributors)})
    geocoding = [str(c) for c in g.objects(node, DCATDE.politicalGeocodingURI)]
    if geocoding:
        extras.append({"key": "politicalGeocodingURI", "value": json.dumps(geocoding)})
    publisher = g.value(node, DCTERMS.publisher)
    if publisher is not None and g.value(publisher, FOAF.name):
        extras.append({"key": "publisher_name", "value": _text(g, publisher, FOAF.name)})
    contact = g.value(node, DCAT.contactPoint)
    email = str(g.value(contact, VCARD.hasEmail) or "").removeprefix("mailto:") if contact is not None else ""
    resources = []
    for dist in g.objects(node, DCAT.distribution):
        url = g.value(dist, DCAT.downloadURL) or g.value(dist, DCAT.accessURL)
        if url is None:
            continue
        fmt = str(g.value(dist, DCTERMS.format) or "").rsplit("/", 1)[-1]
        resources.append({"url": str(url), "name": _text(g, dist, DCTERMS.title),
                          "description": _text(g, dist, DCTERMS.description),
                          "format": _FORMATS_BY_CODE.get(fmt, fmt),
                          "license": str(g.value(dist, DCTERMS.license) or "")})
    licenses = [r["license"] for r in resources if r["license"]]
    return {
        "name": str(node).rstrip("/").rsplit("/", 1)[-1].lower()[:100], "title": _text(g, node, DCTERMS.title),
        "notes": _text(g, node, DCTERMS.description), "url": str(g.value(node, DCAT.landingPage) or ""),
        "maintainer_email": email, "license_id": licenses[0] if licenses else "",
        "tags": [str(k) for k in g.objects(node, DCAT.keyword)],
        "groups": [str(t).rsplit("/", 1)[-1] for t in g.objects(node, DCAT.theme)],
        "extras": extras, "resources": resources,
    }


def harvest_dcat(job: _Job) -> None:
    source = job.job.source
    url: str | None = source.url
    params: dict[str, Any] | None = None
    if job.job.incremental and source.last_success_at:
        params = {"modified_since": (source.last_success_at - SAFETY_MARGIN).isoformat()}
    pages = 0
    visited: set[str] = set()
    while url:
        if url in visited:
            raise HarvestError("Die Hydra-Seitenaufteilung verweist auf eine schon gelesene Seite.")
        visited.add(url)
        content_type, body = job.fetch(url, params if pages == 0 else None)
        syntax = "json-ld" if "json" in content_type else "xml" if "xml" in content_type else "turtle"
        g = Graph()
        try:
            g.parse(data=body, format=syntax)
        except Exception as exc:  # noqa: BLE001 - rdflib raises many parser-specific errors
            raise HarvestError(f"Kein lesbares RDF ({syntax}): {exc.__class__.__name__}")
        for node in g.subjects(RDF.type, DCAT.Dataset):
            if isinstance(node, URIRef):
                job.save(dcat_package(g, node), str(node))
        pages += 1
        nxt = None
        for prop in (HYDRA.next, HYDRA.nextPage):
            nxt = next(iter(g.objects(None, prop)), None) or nxt
        url = str(nxt) if nxt is not None else None


# --- jobs -------------------------------------------------------------------------------------

def fail_stale_jobs() -> int:
    """Jobs still 'running' after the deadline (e.g. the worker was killed) are marked failed."""
    stale = HarvestJob.objects.filter(status=HarvestJob.Status.RUNNING,
                                      started_at__lt=timezone.now() - JOB_DEADLINE - timedelta(minutes=10))
    count = 0
    for job in stale:
        job.log += f"\n{timezone.localtime():%H:%M:%S} Abgebrochen: keine Rückmeldung des Workers."
        job.status = HarvestJob.Status.FAILED
        job.finished_at = timezone.now()
        job.save(update_fields=["log", "status", "finished_at"])
        count += 1
    return count


def run_job(job: HarvestJob, transport: Transport | None = None) -> HarvestJob:
    """Run one job to its end; never raises for source problems (they end up in the job's log)."""
    HarvestJob.objects.filter(pk=job.pk).update(status=HarvestJob.Status.RUNNING, started_at=timezone.now(),
                                                attempts=job.attempts + 1)
    job.refresh_from_db()
    runner = _Job(job, transport or HttpTransport())
    runner.log(f"Start ({'inkrementell' if job.incremental else 'vollständig'}) von {job.source.url}")
    try:
        (harvest_ckan if job.source.kind == HarvestSource.Kind.CKAN else harvest_dcat)(runner)
    except HarvestError as exc:
        runner.log(f"Fehlgeschlagen: {exc}")
        job.status = HarvestJob.Status.FAILED
    else:
        job.status = HarvestJob.Status.FINISHED
        HarvestSource.objects.filter(pk=job.source_id).update(last_success_at=job.started_at)
        runner.log(f"Fertig: {job.created_count} neu, {job.updated_count} aktualisiert, {job.error_count} Fehler")
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "finished_at", "created_count", "updated_count", "error_count", "log"])
    record(ACTOR, f"opendata.harvest.{job.status}", job, source=job.source.name, created=job.created_count,
           updated=job.updated_count, errors=job.error_count)
    return job


def start(source: HarvestSource, *, incremental: bool = True) -> HarvestJob:
    return HarvestJob.objects.create(source=source, incremental=incremental)


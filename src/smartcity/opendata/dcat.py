"""DCAT-AP.de RDF for the catalogue and each dataset (rdflib), with Hydra paging."""

from datetime import datetime

from django.conf import settings
from django.urls import reverse
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, XSD

from . import vocab
from .models import Dataset, Organization, Resource
from .services import dataset_uri

DCATDE = Namespace("http://dcat-ap.de/def/dcatde/")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
DCATAP = Namespace("http://data.europa.eu/r5r/")
ACCESS_PUBLIC = URIRef("http://publications.europa.eu/resource/authority/access-right/PUBLIC")
THEME_TAXONOMY = URIRef("http://publications.europa.eu/resource/authority/data-theme")
FORMATS = {"ttl": ("turtle", "text/turtle"), "rdf": ("xml", "application/rdf+xml"),
           "xml": ("xml", "application/rdf+xml"), "jsonld": ("json-ld", "application/ld+json")}


def new_graph() -> Graph:
    g = Graph()
    for prefix, ns in (("dcat", DCAT), ("dct", DCTERMS), ("foaf", FOAF), ("dcatde", DCATDE), ("vcard", VCARD),
                       ("hydra", HYDRA), ("dcatap", DCATAP)):
        g.bind(prefix, ns)
    return g


def catalog_uri() -> URIRef:
    return URIRef(settings.SITE_URL + "/opendata/catalog")


def org_uri(org: Organization) -> URIRef:
    return URIRef(f"{settings.SITE_URL}/opendata/organization/{org.name}")


def resource_uri(ds: Dataset, res: Resource) -> URIRef:
    return URIRef(f"{dataset_uri(ds)}/resource/{res.id}")


def _when(value: datetime) -> Literal:
    return Literal(value.replace(microsecond=0).isoformat(), datatype=XSD.dateTime)


def add_dataset(g: Graph, ds: Dataset) -> URIRef:
    """Add one dataset with its distributions. Expects organization, tags, groups, resources prefetched."""
    from .ckan.dictize import resource_url

    node = URIRef(dataset_uri(ds))
    g.add((node, RDF.type, DCAT.Dataset))
    g.add((node, DCTERMS.title, Literal(ds.title, lang="de")))
    g.add((node, DCTERMS.description, Literal(ds.notes or ds.title, lang="de")))
    g.add((node, DCTERMS.identifier, Literal(ds.identifier or str(node))))
    publisher = org_uri(ds.organization)
    g.add((node, DCTERMS.publisher, publisher))
    g.add((publisher, RDF.type, FOAF.Organization))
    g.add((publisher, FOAF.name, Literal(ds.publisher_name or ds.organization.title, lang="de")))
    if ds.maintainer_email or ds.contact_url:
        contact = BNode(f"contact-{ds.id}")
        g.add((node, DCAT.contactPoint, contact))
        g.add((contact, RDF.type, VCARD.Organization))
        g.add((contact, VCARD.fn, Literal(ds.maintainer or ds.publisher_name or ds.organization.title)))
        if ds.maintainer_email:
            g.add((contact, VCARD.hasEmail, URIRef(f"mailto:{ds.maintainer_email}")))
        if ds.contact_url:
            g.add((contact, VCARD.hasURL, URIRef(ds.contact_url)))
    for contributor in ds.contributor_ids:
        g.add((node, DCATDE.contributorID, URIRef(contributor)))
    for group in ds.groups.all():
        g.add((node, DCAT.theme, URIRef(group.uri)))
    for tag in ds.tags.all():
        g.add((node, DCAT.keyword, Literal(tag.name, lang="de")))
    g.add((node, DCTERMS.language, URIRef(vocab.LANGUAGE_DEU)))
    g.add((node, DCTERMS.accessRights, ACCESS_PUBLIC))
    if ds.frequency:
        g.add((node, DCTERMS.accrualPeriodicity, URIRef(vocab.FREQUENCY_BASE + ds.frequency)))
    if ds.issued:
        g.add((node, DCTERMS.issued, _when(ds.issued)))
    g.add((node, DCTERMS.modified, _when(ds.modified or ds.metadata_modified)))
    g.add((node, DCAT.landingPage, URIRef(ds.url or settings.SITE_URL + reverse("opendata:dataset", args=[ds.name]))))
    if ds.temporal_start or ds.temporal_end:
        period = BNode(f"temporal-{ds.id}")
        g.add((node, DCTERMS.temporal, period))
        g.add((period, RDF.type, DCTERMS.PeriodOfTime))
        if ds.temporal_start:
            g.add((period, DCAT.startDate, Literal(ds.temporal_start.isoformat(), datatype=XSD.date)))
        if ds.temporal_end:
            g.add((period, DCAT.endDate, Literal(ds.temporal_end.isoformat(), datatype=XSD.date)))
    if ds.spatial_uri:
        g.add((node, DCTERMS.spatial, URIRef(ds.spatial_uri)))
    if ds.political_geocoding_uri:
        g.add((node, DCATDE.politicalGeocodingURI, URIRef(ds.political_geocoding_uri)))
    if ds.political_geocoding_level_uri:
        g.add((node, DCATDE.politicalGeocodingLevelURI, URIRef(ds.political_geocoding_level_uri)))
    for res in ds.resources.all():
        if res.state != "active":
            continue
        dist = resource_uri(ds, res)
        g.add((node, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCTERMS.title, Literal(res.name or ds.title, lang="de")))
        if res.description:
            g.add((dist, DCTERMS.description, Literal(res.description, lang="de")))
        url = URIRef(resource_url(res))
        g.add((dist, DCAT.accessURL, url))
        if res.file:
            g.add((dist, DCAT.downloadURL, url))
        if res.format in vocab.FORMATS:
            code, media = vocab.FORMATS[res.format]
            g.add((dist, DCTERMS.format, URIRef(vocab.FILE_TYPE_BASE + code)))
            g.add((dist, DCAT.mediaType, URIRef("https://www.iana.org/assignments/media-types/" + media)))
        g.add((dist, DCTERMS.license, URIRef(res.license_id or ds.license_id)))
        if res.license_attribution:
            g.add((dist, DCATDE.licenseAttributionByText, Literal(res.license_attribution, lang="de")))
        if res.size:
            g.add((dist, DCAT.byteSize, Literal(res.size, datatype=XSD.nonNegativeInteger)))
        g.add((dist, DCTERMS.modified, _when(res.last_modified or res.metadata_modified)))
    return node


def add_catalog(g: Graph, datasets: list[Dataset]) -> URIRef:
    node = catalog_uri()
    g.add((node, RDF.type, DCAT.Catalog))
    g.add((node, DCTERMS.title, Literal(settings.OPENDATA_SITE_TITLE, lang="de")))
    g.add((node, DCTERMS.description, Literal(f"Offene Daten der {settings.CITY_NAME} und ihrer Partner.", lang="de")))
    publisher = URIRef(settings.SITE_URL + "/opendata/")
    g.add((node, DCTERMS.publisher, publisher))
    g.add((publisher, RDF.type, FOAF.Organization))
    g.add((publisher, FOAF.name, Literal(settings.CITY_NAME, lang="de")))
    g.add((node, DCTERMS.language, URIRef(vocab.LANGUAGE_DEU)))
    g.add((node, FOAF.homepage, URIRef(settings.SITE_URL + "/opendata/")))
    g.add((node, DCAT.themeTaxonomy, THEME_TAXONOMY))
    for ds in datasets:
        g.add((node, DCAT.dataset, add_dataset(g, ds)))
    return node


def add_paging(g: Graph, page_url: str, *, page: int, per_page: int, total: int) -> None:
    """Hydra paging as ckanext-dcat writes it (PagedCollection + firstPage/nextPage …) and as newer
    harvesters read it (PartialCollectionView + first/next …)."""
    last = max(1, (total + per_page - 1) // per_page)
    sep = "&" if "?" in page_url else "?"

    def url(n: int) -> URIRef:
        return URIRef(f"{page_url}{sep}page={n}")

    node = url(page)
    g.add((node, RDF.type, HYDRA.PagedCollection))
    g.add((node, RDF.type, HYDRA.PartialCollectionView))
    g.add((node, HYDRA.totalItems, Literal(total, datatype=XSD.integer)))
    g.add((node, HYDRA.itemsPerPage, Literal(per_page, datatype=XSD.integer)))
    for old, new, n in (("firstPage", "first", 1), ("lastPage", "last", last)):
        g.add((node, HYDRA[old], url(n)))
        g.add((node, HYDRA[new], url(n)))
    if page < last:
        g.add((node, HYDRA.nextPage, url(page + 1)))
        g.add((node, HYDRA.next, url(page + 1)))
    if page > 1:
        g.add((node, HYDRA.previousPage, url(page - 1)))
        g.add((node, HYDRA.previous, url(page - 1)))

"""Catalogue model: organisations, themes, datasets, resources, their history and the DataStore.

The DCAT-AP.de properties are typed columns; CKAN-shaped dictionaries are a view of them
(see ``ckan/dictize.py``), not the storage model.
"""

import hashlib
import secrets
import uuid

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import vocab


class Organization(models.Model):
    """A publisher sharing the install, e.g. a municipality (Düsseldorf, Köln) or one of its offices."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.SlugField(_("Kurzname"), max_length=100, unique=True)
    title = models.CharField(_("Name"), max_length=200)
    description = models.TextField(_("Beschreibung"), blank=True)
    image_url = models.URLField(blank=True)
    homepage = models.URLField(_("Website"), blank=True)
    email = models.EmailField(_("Kontakt-E-Mail"), blank=True)
    # DCAT-AP.de: contributor IRI and the default political geocoding for the organisation's datasets.
    contributor_id = models.URLField(_("contributorID"), blank=True)
    political_geocoding_uri = models.URLField(blank=True)
    political_geocoding_level_uri = models.URLField(blank=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("Organisation")
        verbose_name_plural = _("Organisationen")

    def __str__(self) -> str:
        return self.title


class Membership(models.Model):
    """Links an account to an organisation; editors and admins manage only that organisation's datasets."""

    class Role(models.TextChoices):
        EDITOR = "editor", _("Redaktion")
        ADMIN = "admin", _("Administration")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="opendata_memberships")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.EDITOR)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "organization"], name="uniq_opendata_membership")]
        verbose_name = _("Mitgliedschaft")
        verbose_name_plural = _("Mitgliedschaften")

    def __str__(self) -> str:
        return f"{self.user} – {self.organization.name} ({self.role})"


class Group(models.Model):
    """A category; the catalogue uses the EU data themes (CKAN groups, DCAT ``dcat:theme``)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.SlugField(max_length=100, unique=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("Kategorie")
        verbose_name_plural = _("Kategorien")

    def __str__(self) -> str:
        return self.title

    @property
    def uri(self) -> str:
        return vocab.theme_uri(self.name)


class Tag(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("Schlagwort")
        verbose_name_plural = _("Schlagwörter")

    def __str__(self) -> str:
        return self.name


class Dataset(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Entwurf")
        ACTIVE = "active", _("Veröffentlicht")
        DELETED = "deleted", _("Gelöscht")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.SlugField(_("Kurzname (URL)"), max_length=100, unique=True)
    title = models.CharField(_("Titel"), max_length=500)
    notes = models.TextField(_("Beschreibung"), blank=True)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="datasets")
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT, db_index=True)
    private = models.BooleanField(default=False)
    license_id = models.CharField(_("Lizenz"), max_length=200, default=vocab.DEFAULT_LICENSE)
    url = models.URLField(_("Webseite (landingPage)"), blank=True, max_length=500)
    version = models.CharField(max_length=100, blank=True)
    author = models.CharField(max_length=200, blank=True)
    author_email = models.EmailField(blank=True)
    maintainer = models.CharField(_("Ansprechstelle"), max_length=200, blank=True)
    maintainer_email = models.EmailField(_("E-Mail der Ansprechstelle"), blank=True)
    contact_url = models.URLField(_("Kontaktformular"), blank=True)
    publisher_name = models.CharField(_("Veröffentlichende Stelle"), max_length=200, blank=True)
    publisher_url = models.URLField(blank=True)
    contributor_ids = models.JSONField(default=list, blank=True)
    # dct:identifier; set once, passed on unchanged (GovData uses it for duplicate detection).
    identifier = models.CharField(max_length=500, blank=True)
    issued = models.DateTimeField(_("Veröffentlicht am"), null=True, blank=True)
    modified = models.DateTimeField(_("Daten geändert am"), null=True, blank=True)
    frequency = models.CharField(_("Aktualisierung"), max_length=20, blank=True,
                                 choices=[(k, v[0]) for k, v in vocab.FREQUENCIES.items()])
    temporal_start = models.DateField(_("Zeitraum von"), null=True, blank=True)
    temporal_end = models.DateField(_("Zeitraum bis"), null=True, blank=True)
    spatial_uri = models.URLField(_("Raumbezug (URI)"), blank=True)
    political_geocoding_uri = models.URLField(_("Politische Geokodierung"), blank=True)
    political_geocoding_level_uri = models.URLField(blank=True)
    extras = models.JSONField(default=dict, blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="datasets")
    groups = models.ManyToManyField(Group, blank=True, related_name="datasets")
    creator_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    metadata_created = models.DateTimeField(default=timezone.now)
    metadata_modified = models.DateTimeField(default=timezone.now, db_index=True)
    # Publisher callback (opendata.publishers) that regenerates the resources on a schedule.
    publisher_key = models.CharField(max_length=100, blank=True)
    harvest_source = models.ForeignKey("HarvestSource", null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="datasets")
    harvest_guid = models.CharField(max_length=500, blank=True, db_index=True)
    quality_score = models.PositiveSmallIntegerField(default=0)
    freshness_alerted_at = models.DateTimeField(null=True, blank=True)
    # Search: lower-cased text for every database; PostgreSQL also keeps a weighted german tsvector.
    search_text = models.TextField(blank=True, editable=False)
    search_vector = SearchVectorField(null=True, editable=False)
    # Facet values copied from the related rows (tag names, group names, distinct formats of the active
    # resources), kept by ``services.reindex``: package_search counts facets from the matching rows alone,
    # in one statement, instead of joining three tables per search (ADR 0071).
    facet_tags = models.JSONField(default=list, editable=False)
    facet_groups = models.JSONField(default=list, editable=False)
    facet_formats = models.JSONField(default=list, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("Datensatz")
        verbose_name_plural = _("Datensätze")
        indexes = [models.Index(fields=["organization", "state"]), models.Index(fields=["license_id"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_public(self) -> bool:
        return self.state == self.State.ACTIVE and not self.private


class FacetCount(models.Model):
    """How many datasets of one organisation, state and visibility carry a facet value (ADR 0071).

    Rebuilt per organisation by ``search.refresh_facet_counts`` whenever one of its datasets changes, in the
    same transaction. package_search answers searches that filter only by organisation, state and visibility
    (the landing page, an organisation's page) by summing these rows instead of counting 100,000 datasets.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=10)
    private = models.BooleanField()
    field = models.CharField(max_length=20)
    value = models.CharField(max_length=500)
    n = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "state", "private", "field", "value"],
                                               name="uniq_opendata_facetcount")]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.state} {self.field}={self.value}: {self.n}"


class Resource(models.Model):
    class LoadStatus(models.TextChoices):
        NONE = "", _("nicht geladen")
        PENDING = "pending", _("wartet")
        RUNNING = "running", _("läuft")
        DONE = "done", _("geladen")
        ERROR = "error", _("Fehler")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="resources")
    position = models.PositiveIntegerField(default=0)
    name = models.CharField(_("Name"), max_length=500, blank=True)
    description = models.TextField(_("Beschreibung"), blank=True)
    format = models.CharField(_("Format"), max_length=50, blank=True, db_index=True)
    mimetype = models.CharField(max_length=200, blank=True)
    url = models.URLField(_("Link"), max_length=2000, blank=True)
    file = models.FileField(upload_to="opendata/%Y/%m/", blank=True)
    size = models.BigIntegerField(null=True, blank=True)
    hash = models.CharField(max_length=100, blank=True)
    license_id = models.CharField(max_length=200, blank=True)
    license_attribution = models.CharField(_("Namensnennung"), max_length=500, blank=True)
    extras = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=10, default="active")
    created = models.DateTimeField(default=timezone.now)
    last_modified = models.DateTimeField(null=True, blank=True)
    metadata_modified = models.DateTimeField(default=timezone.now)
    datastore_status = models.CharField(max_length=10, choices=LoadStatus.choices, blank=True, default="")
    datastore_error = models.TextField(blank=True)

    class Meta:
        ordering = ["dataset", "position"]
        verbose_name = _("Ressource")
        verbose_name_plural = _("Ressourcen")

    def __str__(self) -> str:
        return self.name or str(self.id)

    @property
    def is_upload(self) -> bool:
        return bool(self.file)


class DatasetRevision(models.Model):
    """Change history: a snapshot of the CKAN dict after every change."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="revisions")
    created_at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    actor_label = models.CharField(max_length=150)
    action = models.CharField(max_length=30)
    snapshot = models.JSONField()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.dataset_id} {self.action} {self.created_at:%Y-%m-%d %H:%M}"


class ChangeEvent(models.Model):
    """The public change feed; survives deletion of the dataset so that harvesters see tombstones."""

    class Kind(models.TextChoices):
        CHANGED = "changed", _("geändert")
        DELETED = "deleted", _("gelöscht")

    dataset_id = models.UUIDField(db_index=True)
    dataset_name = models.CharField(max_length=100)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.id}: {self.dataset_name} {self.kind}"


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A personal API token. Only the SHA-256 of the secret is stored; the secret is shown once."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="opendata_tokens")
    name = models.CharField(_("Bezeichnung"), max_length=100)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API-Token")
        verbose_name_plural = _("API-Tokens")

    def __str__(self) -> str:
        return f"{self.user} – {self.name}"

    @classmethod
    def issue(cls, user, name: str) -> tuple["ApiToken", str]:
        raw = "sc_" + secrets.token_urlsafe(32)
        return cls.objects.create(user=user, name=name, token_hash=_hash_token(raw)), raw

    @classmethod
    def lookup(cls, raw: str) -> "ApiToken | None":
        return (cls.objects.select_related("user").filter(token_hash=_hash_token(raw), revoked_at__isnull=True)
                .first())


class DatastoreTable(models.Model):
    """The queryable copy of a tabular resource (ADR 0070: one JSON row per record)."""

    resource = models.OneToOneField(Resource, on_delete=models.CASCADE, related_name="datastore")
    fields = models.JSONField(default=list)  # [{"id": "name", "type": "text|int|numeric|timestamp"}]
    row_count = models.PositiveIntegerField(default=0)
    loaded_at = models.DateTimeField(default=timezone.now)
    encoding = models.CharField(max_length=30, blank=True)
    delimiter = models.CharField(max_length=5, blank=True)

    def __str__(self) -> str:
        return f"DataStore {self.resource_id} ({self.row_count})"


class DatastoreRow(models.Model):
    table = models.ForeignKey(DatastoreTable, on_delete=models.CASCADE, related_name="rows")
    row_no = models.PositiveIntegerField()  # CKAN's _id, 1-based
    data = models.JSONField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["table", "row_no"], name="uniq_datastore_row")]

    def __str__(self) -> str:
        return f"{self.table_id}#{self.row_no}"


class HarvestSource(models.Model):
    class Kind(models.TextChoices):
        CKAN = "ckan", _("CKAN-API")
        DCAT = "dcat", _("DCAT-Katalog")

    name = models.SlugField(max_length=100, unique=True)
    title = models.CharField(max_length=200)
    url = models.URLField(max_length=500)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="harvest_sources")
    fq = models.CharField(_("Filter (fq)"), max_length=500, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("Harvesting-Quelle")
        verbose_name_plural = _("Harvesting-Quellen")

    def __str__(self) -> str:
        return self.title


class HarvestJob(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("wartet")
        RUNNING = "running", _("läuft")
        FINISHED = "finished", _("abgeschlossen")
        FAILED = "failed", _("fehlgeschlagen")

    source = models.ForeignKey(HarvestSource, on_delete=models.CASCADE, related_name="jobs")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    incremental = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    log = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.source} {self.created_at:%Y-%m-%d %H:%M} {self.status}"

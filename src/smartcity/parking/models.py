"""Resident parking (Bewohnerparken): zones, address register, per-city configuration, applications,
decision records and permits.

State changes go through ``parking.services``; nothing here sets a status by itself.
The register simulators keep their demo data in ``contrib/simulator/models.py`` (imported below so
Django finds them in this app).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .geo import wgs84_to_utm32
from .rules.addresses import normalise_street


class Zone(models.Model):
    """A Bewohnerparkgebiet with its two-letter code (e.g. "HO" Hauptbahnhof Ost)."""

    class Regime(models.TextChoices):
        # Zeichen 314/315 with "Nur Bewohner mit Parkausweis …" (VzKat 1044-30)
        RESERVED = "reserved", _("Reservierte Bewohnerparkplätze")
        # Zeichen 286/290.1 with "Bewohner mit Parkausweis … frei" (VzKat 1020-32)
        EXEMPTION = "exemption", _("Freistellung von Parkschein/Parkscheibe")

    code = models.CharField(_("Kürzel"), max_length=2, unique=True,
                            help_text=_("Zwei Buchstaben, wie auf Schild und Ausweis (z. B. HO)."))
    name = models.CharField(_("Name"), max_length=120)
    geometry = models.JSONField(_("Gebiet (GeoJSON)"), null=True, blank=True,
                                help_text=_("GeoJSON-Polygon oder -MultiPolygon in WGS84 (Längengrad, Breitengrad)."))
    regime = models.CharField(_("Regelung"), max_length=20, choices=Regime.choices, default=Regime.EXEMPTION)
    hours = models.CharField(_("Bewirtschaftungszeiten"), max_length=120, blank=True,
                             help_text=_("z. B. „Mo–Sa 9–20 Uhr, höchstens 2 Stunden mit Parkschein“"))
    tariff_zone = models.CharField(_("Tarifzone"), max_length=20, blank=True)
    active_from = models.DateField(_("gültig ab"))
    applications_open_from = models.DateField(_("Anträge möglich ab"),
                                              help_text=_("Tag, an dem die Bewohner informiert wurden."))
    active_until = models.DateField(_("aufgehoben zum"), null=True, blank=True)
    is_demo = models.BooleanField(_("Demodaten (synthetische Geometrie)"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("Bewohnerparkgebiet")
        verbose_name_plural = _("Bewohnerparkgebiete")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class StreetRange(models.Model):
    """Explicit street and house-number range of a zone; takes precedence over the polygon."""

    class Parity(models.TextChoices):
        ALL = "all", _("alle Hausnummern")
        EVEN = "even", _("gerade Hausnummern")
        ODD = "odd", _("ungerade Hausnummern")

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="street_ranges")
    street = models.CharField(_("Straße"), max_length=120)
    street_key = models.CharField(max_length=120, db_index=True, editable=False)
    postcode = models.CharField(_("Postleitzahl"), max_length=5, blank=True)
    number_from = models.PositiveIntegerField(_("Hausnummer von"), default=1)
    number_to = models.PositiveIntegerField(_("Hausnummer bis"), default=9999)
    parity = models.CharField(_("Straßenseite"), max_length=4, choices=Parity.choices, default=Parity.ALL)

    class Meta:
        ordering = ["zone", "street", "number_from"]
        verbose_name = _("Straßenabschnitt")
        verbose_name_plural = _("Straßenabschnitte")

    def __str__(self) -> str:
        return f"{self.street} {self.number_from}–{self.number_to} ({self.get_parity_display()}) → {self.zone.code}"

    def save(self, *args, **kwargs):
        self.street_key = normalise_street(self.street)
        super().save(*args, **kwargs)


class Address(models.Model):
    """An entry of the address register with coordinates in WGS84 and ETRS89/UTM32 (EPSG:25832)."""

    class ZoneSource(models.TextChoices):
        STREET_RANGE = "street_range", _("Straßenabschnitt")
        POLYGON = "polygon", _("Gebietspolygon")
        NONE = "none", _("kein Gebiet")

    street = models.CharField(_("Straße"), max_length=120)
    street_key = models.CharField(max_length=120, editable=False)
    house_number = models.CharField(_("Hausnummer"), max_length=12)
    postcode = models.CharField(_("Postleitzahl"), max_length=5)
    city = models.CharField(_("Ort"), max_length=80, default="Düsseldorf")
    lon = models.FloatField(_("Längengrad (WGS84)"))
    lat = models.FloatField(_("Breitengrad (WGS84)"))
    easting = models.FloatField(_("Ostwert (EPSG:25832)"), editable=False)
    northing = models.FloatField(_("Nordwert (EPSG:25832)"), editable=False)
    zone = models.ForeignKey(Zone, on_delete=models.SET_NULL, null=True, blank=True, related_name="addresses")
    zone_source = models.CharField(max_length=20, choices=ZoneSource.choices, default=ZoneSource.NONE)
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["street", "house_number"]
        constraints = [models.UniqueConstraint(fields=["street_key", "house_number", "postcode"],
                                               name="uniq_parking_address")]
        verbose_name = _("Adresse")
        verbose_name_plural = _("Adressregister")

    def __str__(self) -> str:
        return f"{self.street} {self.house_number}, {self.postcode} {self.city}"

    def save(self, *args, **kwargs):
        self.street_key = normalise_street(self.street)
        self.house_number = "".join(self.house_number.split()).lower()
        self.easting, self.northing = wgs84_to_utm32(self.lon, self.lat)
        super().save(*args, **kwargs)


def default_fees() -> list[dict]:
    # Düsseldorf since 09.07.2018: online €25 / €50, at the counter €30 / €55 (no zone or length steps).
    return [
        {"channel": "online", "zone": "*", "length_from_mm": 0, "length_to_mm": None, "months": 12, "cents": 2500},
        {"channel": "online", "zone": "*", "length_from_mm": 0, "length_to_mm": None, "months": 24, "cents": 5000},
        {"channel": "counter", "zone": "*", "length_from_mm": 0, "length_to_mm": None, "months": 12, "cents": 3000},
        {"channel": "counter", "zone": "*", "length_from_mm": 0, "length_to_mm": None, "months": 24, "cents": 5500},
    ]


def default_residence_types() -> list[str]:
    return ["haupt", "neben"]


def default_durations() -> list[int]:
    return [12, 24]


def default_vehicle_classes() -> list[str]:
    return ["M1", "N1", "L"]  # cars, small vans, motorcycles; no trailers (O), no lorries


def default_home_districts() -> list[str]:
    return ["D"]


class ParkingConfig(models.Model):
    """Per-city rules and fees. Every decision records the configuration it was made under."""

    city_code = models.CharField(_("Stadtkennung"), max_length=10, unique=True, default="DUS")
    accepted_residence_types = models.JSONField(_("zugelassene Wohnsitzarten"), default=default_residence_types,
                                                help_text=_('Liste aus "haupt" und/oder "neben".'))
    durations_months = models.JSONField(_("Laufzeiten (Monate)"), default=default_durations)
    fees = models.JSONField(_("Gebührentabelle"), default=default_fees,
                            help_text=_("Zeilen mit channel (online/counter), zone (Kürzel oder *), "
                                        "length_from_mm, length_to_mm, months, cents."))
    max_length_mm = models.PositiveIntegerField(_("Höchstlänge (mm)"), null=True, blank=True)
    eligible_vehicle_classes = models.JSONField(_("zugelassene Fahrzeugklassen"), default=default_vehicle_classes)
    home_districts = models.JSONField(_("eigene Zulassungsbezirke"), default=default_home_districts,
                                      help_text=_("Unterscheidungszeichen, die automatisch geprüft werden (z. B. D)."))
    renewal_window_days = models.PositiveIntegerField(_("Verlängerung ab (Tage vor Ablauf)"), default=42)
    reminder_days = models.PositiveIntegerField(_("Erinnerung (Tage vor Ablauf)"), default=28)
    hearing_days = models.PositiveIntegerField(_("Anhörungsfrist (Tage)"), default=14)
    change_fee_cents = models.PositiveIntegerField(_("Gebühr Kennzeichenänderung (Cent)"), default=1500)
    zone_change_fee_cents = models.PositiveIntegerField(_("Gebühr Gebietswechsel (Cent)"), default=1500)
    replacement_fee_cents = models.PositiveIntegerField(_("Gebühr Ersatzausweis (Cent)"), default=2500)
    refund_pro_rata = models.BooleanField(_("anteilige Erstattung bei Rückgabe"), default=True)
    refund_retained_min_cents = models.PositiveIntegerField(_("einbehaltene Mindestgebühr (Cent)"), default=2500)
    refund_admin_fee_cents = models.PositiveIntegerField(_("Bearbeitungsgebühr Erstattung (Cent)"), default=0)
    authority = models.CharField(_("Behörde"), max_length=200,
                                 default="Landeshauptstadt Düsseldorf – Amt für Verkehrsmanagement")
    legal_remedy = models.TextField(_("Rechtsbehelfsbelehrung"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Konfiguration Bewohnerparken")
        verbose_name_plural = _("Konfiguration Bewohnerparken")

    def __str__(self) -> str:
        return f"Bewohnerparken {self.city_code}"


class Application(models.Model):
    """A request for a permit (new, renewal, plate or zone change, replacement)."""

    class Kind(models.TextChoices):
        NEW = "new", _("Erstantrag")
        RENEWAL = "renewal", _("Verlängerung")
        PLATE_CHANGE = "plate_change", _("Kennzeichenänderung")
        ZONE_CHANGE = "zone_change", _("Umzug in ein anderes Gebiet")
        REPLACEMENT = "replacement", _("Ersatz bei Verlust")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Entwurf")
        WAITING_REGISTER = "waiting_register", _("wartet auf Register")
        AWAITING_PAYMENT = "awaiting_payment", _("wartet auf Zahlung")
        PAID = "paid", _("bezahlt – Ausweis wird erstellt")
        IN_REVIEW = "in_review", _("in Prüfung durch die Sachbearbeitung")
        HEARING = "hearing", _("Anhörung")
        ISSUED = "issued", _("Ausweis erteilt")
        REJECTED = "rejected", _("abgelehnt")
        WITHDRAWN = "withdrawn", _("zurückgezogen")

    class Channel(models.TextChoices):
        ONLINE = "online", _("online")
        COUNTER = "counter", _("Bürgerbüro")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(_("Antragsnummer"), max_length=30, unique=True)
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="parking_applications")  # None only after retention
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.NEW)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.ONLINE)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    plate = models.CharField(_("Kennzeichen"), max_length=12)
    second_plate = models.CharField(_("zweites Kennzeichen"), max_length=12, blank=True)
    vin_suffix = models.CharField(_("letzte 4 Zeichen der FIN"), max_length=4)
    months = models.PositiveSmallIntegerField(_("Laufzeit (Monate)"))
    special_circumstances = models.TextField(_("besondere Umstände"), blank=True)
    usage_document_id = models.UUIDField(null=True, blank=True,
                                         help_text="documents.Document with the keeper's usage confirmation")
    replaces = models.ForeignKey("Permit", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="follow_up_applications")
    zone = models.ForeignKey(Zone, on_delete=models.PROTECT, null=True, blank=True, related_name="applications")
    address = models.ForeignKey(Address, on_delete=models.SET_NULL, null=True, blank=True)
    fee_cents = models.PositiveIntegerField(null=True, blank=True)
    fee_basis = models.CharField(max_length=200, blank=True)
    case_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    payment_id = models.CharField(max_length=64, blank=True)
    vin_failures = models.PositiveSmallIntegerField(default=0)
    register_attempts = models.PositiveSmallIntegerField(default=0)
    register_error = models.CharField(max_length=300, blank=True)
    hearing_deadline = models.DateField(null=True, blank=True)
    hearing_statement = models.TextField(_("Stellungnahme"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    anonymised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("Antrag Bewohnerparkausweis")
        verbose_name_plural = _("Anträge Bewohnerparkausweis")

    def __str__(self) -> str:
        return self.reference  # no plate: the name shows in the admin and in logs

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded = dict(zip(field_names, values, strict=True))
        return instance

    def changed_fields(self) -> list[str] | None:
        """The columns assigned a different value since the row was read, or assigned after being left unread
        (``only``/``defer``), plus ``updated_at``, for ``save(update_fields=…)``; None for an object not read from
        the database (save all of it)."""
        loaded = getattr(self, "_loaded", None)
        if loaded is None:
            return None
        values = self.__dict__
        changed = [name for name, value in loaded.items() if values.get(name, value) != value]
        changed += [f.attname for f in self._meta.concrete_fields if f.attname not in loaded and f.attname in values]
        return changed + ["updated_at"]

    def mark_saved(self, fields: list[str]) -> None:
        """After ``save(update_fields=fields)``: those values are now the stored ones."""
        self._loaded.update((name, self.__dict__[name]) for name in fields if name in self._loaded)


class DecisionRecord(models.Model):
    """What was decided, on which inputs, under which rule set, why, and on which legal basis."""

    class Outcome(models.TextChoices):
        ISSUE = "issue", _("Erteilung")
        ROUTE = "route", _("Prüfung durch die Sachbearbeitung")
        HEARING = "hearing", _("Anhörung vor Ablehnung")
        REJECT = "reject", _("Ablehnung")
        WAIT = "wait", _("wartet auf Register")
        RETURN = "return", _("Rückfrage: Angaben prüfen")
        APPROVE = "approve", _("Erteilung durch die Sachbearbeitung")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="decisions")
    created_at = models.DateTimeField(auto_now_add=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    automated = models.BooleanField(default=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    ruleset_version = models.CharField(max_length=40)
    config_snapshot = models.JSONField(default=dict)
    inputs = models.JSONField(default=dict)
    checks = models.JSONField(default=list)  # [{code, title, passed, outcome, reason, legal_basis}]
    reasons = models.TextField()
    legal_basis = models.TextField()
    legal_remedy = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("Entscheidungsprotokoll")
        verbose_name_plural = _("Entscheidungsprotokolle")

    def __str__(self) -> str:
        return f"{self.application.reference}: {self.get_outcome_display()}"


class Permit(models.Model):
    """A Bewohnerparkausweis. At most one active permit per person (constraint below) and one per plate, first or
    second (``PermitPlate``'s partial unique index)."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("gültig")
        REVOKED = "revoked", _("widerrufen/zurückgegeben")
        EXPIRED = "expired", _("abgelaufen")
        REPLACED = "replaced", _("ersetzt")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    number = models.CharField(_("Ausweisnummer"), max_length=24, unique=True)
    holder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="parking_permits")  # None only after retention
    plate = models.CharField(_("Kennzeichen"), max_length=12, db_index=True)
    second_plate = models.CharField(_("zweites Kennzeichen"), max_length=12, blank=True)
    zone = models.ForeignKey(Zone, on_delete=models.PROTECT, related_name="permits")
    valid_from = models.DateField(_("gültig ab"))
    valid_until = models.DateField(_("gültig bis"), db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    issued_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoke_reason = models.CharField(max_length=200, blank=True)
    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="permit")
    replaces = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    fee_cents = models.PositiveIntegerField(default=0)
    channel = models.CharField(max_length=10, default="online")
    automated = models.BooleanField(default=True)
    document_id = models.UUIDField(null=True, blank=True, help_text="documents.Document with the permit PDF")
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-issued_at"]
        constraints = [
            models.UniqueConstraint(fields=["holder"], condition=Q(status="active"),
                                    name="uniq_active_permit_per_holder"),
        ]
        verbose_name = _("Bewohnerparkausweis")
        verbose_name_plural = _("Bewohnerparkausweise")

    def __str__(self) -> str:
        return self.number  # no plate: the name shows in the admin and in logs


class PermitPlate(models.Model):
    """One plate of a permit: the first and, in the exception for two plates, the second (``slot`` 1 and 2).

    A plate belongs to at most one active permit, whether it is that permit's first or second plate: the partial
    unique index ``uniq_active_plate`` refuses anything else, also between two transactions that race. The rows
    are written only by database triggers on ``parking_permit`` (``plate_register.py``), so every way a permit is
    written (issuing, expiry, return, retention, imports, raw SQL) keeps them in step; nothing in Python writes
    them. Enforcement looks plates up here (one index probe for both slots).
    """

    permit = models.ForeignKey(Permit, on_delete=models.CASCADE, related_name="plates", db_index=False)
    slot = models.PositiveSmallIntegerField()  # 1: first plate, 2: second plate
    plate = models.CharField(_("Kennzeichen"), max_length=12)
    active = models.BooleanField()  # the permit's status is "active"

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["permit", "slot"], name="uniq_permit_plate_slot"),
            models.UniqueConstraint(fields=["plate"], condition=Q(active=True), name="uniq_active_plate"),
            models.CheckConstraint(condition=Q(slot__in=(1, 2)), name="permit_plate_slot_1_or_2"),
        ]
        verbose_name = _("Kennzeichen eines Ausweises")
        verbose_name_plural = _("Kennzeichen der Ausweise")

    def __str__(self) -> str:
        return f"{self.permit_id}/{self.slot}"  # no plate: the name shows in logs


from .registers.contrib.simulator.models import SimulatedResident, SimulatedVehicle  # noqa: E402,F401

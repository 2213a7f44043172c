"""SensorThings API 1.1 entities plus the storage that makes them fast (aggregates, latest value, counters).

Observations live in one narrow table keyed by (datastream, phenomenon_time); on PostgreSQL it is range-
partitioned by month with a BRIN index on time (migration 0002, ADR 0080).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Thing(models.Model):
    name = models.CharField(_("Name"), max_length=200)
    description = models.TextField(_("Beschreibung"), blank=True)
    properties = models.JSONField(default=dict, blank=True)
    locations = models.ManyToManyField("Location", related_name="things", blank=True)

    class Meta:
        verbose_name = _("Messstation")
        verbose_name_plural = _("Messstationen")

    def __str__(self) -> str:
        return self.name


class Location(models.Model):
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    encoding_type = models.CharField(max_length=100, default="application/geo+json")
    location = models.JSONField(help_text="GeoJSON geometry")
    properties = models.JSONField(default=dict, blank=True)
    # Point coordinates pulled out of the GeoJSON for map queries and st_within prefiltering.
    lon = models.FloatField(null=True, blank=True)
    lat = models.FloatField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name


class HistoricalLocation(models.Model):
    thing = models.ForeignKey(Thing, on_delete=models.CASCADE, related_name="historical_locations")
    time = models.DateTimeField()
    locations = models.ManyToManyField(Location, related_name="historical_locations")

    class Meta:
        ordering = ["-time"]

    def __str__(self) -> str:
        return f"{self.thing_id}@{self.time:%Y-%m-%d %H:%M}"


class Sensor(models.Model):
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    encoding_type = models.CharField(max_length=100, default="text/html")
    metadata = models.TextField(blank=True)
    properties = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return self.name


class ObservedProperty(models.Model):
    name = models.CharField(max_length=200)
    definition = models.CharField(max_length=300, help_text="URI, e.g. Eionet pollutant vocabulary")
    description = models.TextField(blank=True)
    properties = models.JSONField(default=dict, blank=True)
    # Validation at ingest: the code links to limits/LQI, the unit and range reject implausible values.
    code = models.CharField(max_length=20, blank=True, help_text="NO2, PM10, PM2.5, O3, SO2, T, RH, FLOW, SPEED")
    unit_symbol = models.CharField(max_length=20, blank=True)
    plausible_min = models.FloatField(null=True, blank=True)
    plausible_max = models.FloatField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "observed properties"

    def __str__(self) -> str:
        return self.name


class DataClass(models.TextChoices):
    OFFICIAL = "official", _("amtlich")
    CITIZEN = "citizen", _("Bürgersensor (indikativ)")
    TRAFFIC = "traffic", _("Verkehrszählung")


class Datastream(models.Model):
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    unit_of_measurement = models.JSONField(default=dict)
    observation_type = models.CharField(
        max_length=200,
        default="http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement",
    )
    properties = models.JSONField(default=dict, blank=True)
    observed_area = models.JSONField(null=True, blank=True)
    thing = models.ForeignKey(Thing, on_delete=models.CASCADE, related_name="datastreams")
    sensor = models.ForeignKey(Sensor, on_delete=models.PROTECT, related_name="datastreams")
    observed_property = models.ForeignKey(ObservedProperty, on_delete=models.PROTECT, related_name="datastreams")
    sampling_interval_s = models.PositiveIntegerField(default=3600, help_text="for hourly coverage (75 %)")
    data_class = models.CharField(max_length=10, choices=DataClass.choices, default=DataClass.OFFICIAL)
    source = models.CharField(max_length=40, blank=True, help_text="ingest source, e.g. uba, sensor.community")
    # Maintained on ingest so "latest value" and the server-computed time ranges never scan observations.
    phenomenon_start = models.DateTimeField(null=True, blank=True)
    phenomenon_end = models.DateTimeField(null=True, blank=True)
    result_time_start = models.DateTimeField(null=True, blank=True)
    result_time_end = models.DateTimeField(null=True, blank=True)
    latest_time = models.DateTimeField(null=True, blank=True)
    latest_result = models.FloatField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name


class FeatureOfInterest(models.Model):
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    encoding_type = models.CharField(max_length=100, default="application/geo+json")
    feature = models.JSONField()
    properties = models.JSONField(default=dict, blank=True)
    location = models.OneToOneField(
        Location, null=True, blank=True, on_delete=models.SET_NULL, related_name="feature_of_interest"
    )

    class Meta:
        verbose_name_plural = "features of interest"

    def __str__(self) -> str:
        return self.name


class Quality(models.IntegerChoices):
    PROVISIONAL = 0, _("vorläufig")
    VALIDATED = 1, _("validiert")
    WITHDRAWN = 2, _("zurückgezogen")


class Observation(models.Model):
    # No database constraint: its per-row check cost PostgreSQL half of a bulk insert. Ingest checks and locks
    # the batch's datastreams instead, and on PostgreSQL a trigger deletes a datastream's rows (ADR 0080).
    datastream = models.ForeignKey(
        Datastream, on_delete=models.CASCADE, related_name="observations", db_constraint=False
    )
    phenomenon_time = models.DateTimeField(help_text="instant, or end of the interval")
    phenomenon_start = models.DateTimeField(null=True, blank=True, help_text="start if the time is an interval")
    result = models.FloatField()
    result_time = models.DateTimeField(null=True, blank=True)
    quality = models.PositiveSmallIntegerField(choices=Quality.choices, default=Quality.PROVISIONAL)
    feature_of_interest = models.ForeignKey(
        FeatureOfInterest, null=True, blank=True, on_delete=models.SET_NULL, related_name="observations"
    )
    parameters = models.JSONField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["datastream", "phenomenon_time"], name="aq_obs_unique_time"),
        ]

    def __str__(self) -> str:
        return f"{self.datastream_id}@{self.phenomenon_time.isoformat()}={self.result}"


class HourlyAggregate(models.Model):
    """Sum and count per hour (hour-ending, see domain.indicators): validity is decided when reading."""

    datastream = models.ForeignKey(Datastream, on_delete=models.CASCADE, related_name="hourly")
    hour_end = models.DateTimeField()
    n = models.PositiveIntegerField()
    total = models.FloatField()
    minimum = models.FloatField()
    maximum = models.FloatField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["datastream", "hour_end"], name="aq_hourly_unique")]

    def __str__(self) -> str:
        return f"{self.datastream_id}@{self.hour_end.isoformat()}"

    @property
    def mean(self) -> float:
        return self.total / self.n


class StaleRange(models.Model):
    """Hours (by their end, inclusive) whose aggregates are stale: written by ingest in the batch's
    transaction, consumed by the refresh task (aggregates.refresh_stale), which merges all marks first."""

    datastream = models.ForeignKey(Datastream, on_delete=models.CASCADE, related_name="+", db_index=False)
    first_hour_end = models.DateTimeField()
    last_hour_end = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.datastream_id}@{self.first_hour_end.isoformat()}…{self.last_hour_end.isoformat()}"


class DailyAggregate(models.Model):
    """Daily mean per CET day from valid hourly values; ``mean`` is null when fewer than 18 hours are valid."""

    datastream = models.ForeignKey(Datastream, on_delete=models.CASCADE, related_name="daily")
    day = models.DateField()
    n_hours = models.PositiveSmallIntegerField()
    mean = models.FloatField(null=True)
    max_hour = models.FloatField(null=True)
    max_8h = models.FloatField(null=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["datastream", "day"], name="aq_daily_unique")]

    def __str__(self) -> str:
        return f"{self.datastream_id}@{self.day}"


class RejectionCounter(models.Model):
    """Rejected values per source and reason, for the ingest-health view."""

    source = models.CharField(max_length=40)
    reason = models.CharField(max_length=40)
    count = models.PositiveBigIntegerField(default=0)
    last_at = models.DateTimeField(auto_now=True)
    last_detail = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "reason"], name="aq_rejection_unique")]

    def __str__(self) -> str:
        return f"{self.source}/{self.reason}: {self.count}"


class IngestCounter(models.Model):
    """Accepted values per source (with the rejection counters this gives a rejection rate)."""

    source = models.CharField(max_length=40, unique=True)
    accepted = models.PositiveBigIntegerField(default=0)
    last_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.source}: {self.accepted}"


class Measure(models.Model):
    """A traffic or air-quality measure (e.g. Umweltspur) for before/after comparisons on the dashboard."""

    name = models.CharField(max_length=200)
    start = models.DateField()
    end = models.DateField(null=True, blank=True)
    description = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.name

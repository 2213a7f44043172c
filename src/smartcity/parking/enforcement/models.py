"""Signing keys, enforcement devices, aggregated lookup audit and offline snapshots."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class SigningKey(models.Model):
    """An Ed25519 key that signs permit tokens, revocation lists and snapshots.

    Exactly one key is active. A retired key signs nothing more and loses its private half at once, but its
    public half stays published (JWKS) until everything signed with it has expired (``signed_until``).
    """

    class Status(models.TextChoices):
        ACTIVE = "active", _("aktiv")
        RETIRED = "retired", _("ausgemustert")

    kid = models.CharField(_("Schlüssel-ID"), max_length=16, unique=True)
    public_key = models.CharField(max_length=64, help_text="raw Ed25519 public key, base64url")
    private_key = models.TextField(blank=True, help_text="Fernet-encrypted raw private key; empty once retired")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    signed_until = models.DateTimeField(_("veröffentlicht bis"), null=True, blank=True,
                                        help_text=_("Ablauf des am längsten gültigen damit signierten Dokuments."))

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["status"], condition=Q(status="active"),
                                               name="one_active_signing_key")]
        verbose_name = _("Signaturschlüssel")
        verbose_name_plural = _("Signaturschlüssel")

    def __str__(self) -> str:
        return f"{self.kid} ({self.get_status_display()})"


class EnforcementDevice(models.Model):
    """A scan car or handheld of the enforcement service, authenticated by a bearer token.

    Only a SHA-256 hash of the token is stored: the token is 256 random bits, so a plain hash is enough
    and keeps lookups to one indexed equality query.
    """

    name = models.CharField(_("Bezeichnung"), max_length=120)
    department = models.ForeignKey("accounts.Department", on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("Fachbereich"))
    token_prefix = models.CharField(_("Token-Anfang"), max_length=8, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    is_active = models.BooleanField(_("aktiv"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")

    class Meta:
        ordering = ["name"]
        verbose_name = _("Kontrollgerät")
        verbose_name_plural = _("Kontrollgeräte")

    def __str__(self) -> str:
        return f"{self.name} ({self.token_prefix}…)"


class LookupTally(models.Model):
    """Lookups per hour, principal and kind: the audit trail of enforcement queries, without plates.

    ``principal`` is "device:<id>" or "user:<id>". One upsert per lookup keeps it exact and cheap.
    """

    class Kind(models.TextChoices):
        PLATE = "plate", _("Kennzeichen")
        TOKEN = "token", _("QR-Code")
        SNAPSHOT = "snapshot", _("Snapshot-Abruf")

    hour = models.DateTimeField()
    principal = models.CharField(max_length=40)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    lookups = models.PositiveIntegerField(default=0)
    found = models.PositiveIntegerField(default=0, help_text="lookups with a valid permit")

    class Meta:
        ordering = ["-hour", "principal"]
        constraints = [models.UniqueConstraint(fields=["hour", "principal", "kind"], name="uniq_lookup_tally")]
        verbose_name = _("Abfragezählung")
        verbose_name_plural = _("Abfragezählungen")

    def __str__(self) -> str:
        return f"{self.hour:%Y-%m-%d %H} {self.principal} {self.kind}: {self.lookups}"


class Snapshot(models.Model):
    """A signed daily list of valid permits for handhelds that work offline."""

    created_at = models.DateTimeField(auto_now_add=True)
    valid_on = models.DateField(_("gültig am"), unique=True)
    file = models.FileField(upload_to="parking/snapshots/")
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    entries = models.PositiveIntegerField()
    manifest = models.TextField(help_text="compact JWS over the file's metadata and hash")
    duration_ms = models.PositiveIntegerField()

    class Meta:
        ordering = ["-valid_on"]
        get_latest_by = "valid_on"
        verbose_name = _("Kontroll-Snapshot")
        verbose_name_plural = _("Kontroll-Snapshots")

    def __str__(self) -> str:
        return f"Snapshot {self.valid_on} ({self.entries})"

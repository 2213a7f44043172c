"""Data of the local register simulators (Melderegister and vehicle register), editable in the admin.

Not used when a city connects its real registers. ``simulate`` lets tests and demos provoke outages.
"""

from django.db import models
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _


class SimulatedOutage(models.TextChoices):
    NONE = "", _("normal")
    TIMEOUT = "timeout", _("Zeitüberschreitung")
    ERROR = "error", _("Fehler")


class SimulatedResident(models.Model):
    """One registered residence of a person (a person may have a Haupt- and a Nebenwohnung)."""

    class ResidenceType(models.TextChoices):
        HAUPT = "haupt", _("Hauptwohnung")
        NEBEN = "neben", _("Nebenwohnung")

    family_name = models.CharField(_("Familienname"), max_length=120)
    given_names = models.CharField(_("Vornamen"), max_length=120)
    birth_date = models.DateField(_("Geburtsdatum"))
    street = models.CharField(_("Straße"), max_length=120)
    house_number = models.CharField(_("Hausnummer"), max_length=12)
    postcode = models.CharField(_("Postleitzahl"), max_length=5)
    city = models.CharField(_("Ort"), max_length=80, default="Düsseldorf")
    residence_type = models.CharField(_("Wohnungsstatus"), max_length=5, choices=ResidenceType.choices,
                                      default=ResidenceType.HAUPT)
    auskunftssperre = models.BooleanField(_("Auskunftssperre"), default=False)
    simulate = models.CharField(_("Simulation"), max_length=10, choices=SimulatedOutage.choices, blank=True,
                                default=SimulatedOutage.NONE)

    class Meta:
        ordering = ["family_name", "given_names"]
        # lookup_person compares the family name case-insensitively (UPPER(…) = UPPER(…)): without this index every
        # decision scanned all simulated residents.
        indexes = [models.Index(Upper("family_name"), name="sim_resident_family_upper")]
        verbose_name = _("Simulator: Meldedatensatz")
        verbose_name_plural = _("Simulator: Melderegister")

    def __str__(self) -> str:
        return f"{self.given_names} {self.family_name}, {self.street} {self.house_number} ({self.residence_type})"


class SimulatedVehicle(models.Model):
    """A registered vehicle. The keeper is a person (name + birth date) or an organisation."""

    plate = models.CharField(_("Kennzeichen"), max_length=12, unique=True, help_text=_("Form „D-AB 1234“"))
    vin = models.CharField(_("Fahrzeug-Identifizierungsnummer"), max_length=17)
    keeper_family_name = models.CharField(_("Halter: Familienname"), max_length=120, blank=True)
    keeper_given_names = models.CharField(_("Halter: Vornamen"), max_length=120, blank=True)
    keeper_birth_date = models.DateField(_("Halter: Geburtsdatum"), null=True, blank=True)
    keeper_organisation = models.CharField(_("Halter: Firma"), max_length=200, blank=True)
    vehicle_class = models.CharField(_("Fahrzeugklasse"), max_length=5, default="M1",
                                     help_text=_("EG-Fahrzeugklasse, z. B. M1 (Pkw), N1, L (Krafträder), O (Anhänger)"))
    length_mm = models.PositiveIntegerField(_("Länge (mm)"), default=4300)
    make = models.CharField(_("Marke/Typ"), max_length=80, blank=True)
    simulate = models.CharField(_("Simulation"), max_length=10, choices=SimulatedOutage.choices, blank=True,
                                default=SimulatedOutage.NONE)

    class Meta:
        ordering = ["plate"]
        verbose_name = _("Simulator: Fahrzeug")
        verbose_name_plural = _("Simulator: Fahrzeugregister")

    def __str__(self) -> str:
        return self.plate

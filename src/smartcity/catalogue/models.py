from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, RegexValidator
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from . import textsearch

leika_validator = RegexValidator(r"^\d{14}$", _("Der LeiKa-Schlüssel besteht aus 14 Ziffern."))


def validate_fees(value: object) -> None:
    """Fees are a list of {"amount_cents": int ≥ 0 or null, "text_de": str, "text_en": str}."""
    if not isinstance(value, list):
        raise ValidationError(_("Gebühren müssen eine Liste sein."))
    for fee in value:
        amount = fee.get("amount_cents") if isinstance(fee, dict) else None
        if (not isinstance(fee, dict) or not isinstance(fee.get("text_de"), str)
                or not (amount is None or (isinstance(amount, int) and amount >= 0))):
            raise ValidationError(_("Jede Gebühr braucht einen Text (text_de) und einen Betrag in Cent "
                                    "(amount_cents, ganze Zahl ≥ 0 oder leer)."))


def validate_text_list(value: object) -> None:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationError(_("Erwartet wird eine Liste von Texten."))


def _localised(obj: models.Model, field: str) -> str:
    """The English text when English is active and a translation exists, else the German one."""
    if (get_language() or "de").startswith("en"):
        return getattr(obj, f"{field}_en") or getattr(obj, f"{field}_de")
    return getattr(obj, f"{field}_de")


class Category(models.Model):
    """A Lebenslage (life situation) such as "Familie und Kinder"; a service can belong to several."""

    slug = models.SlugField(unique=True)
    name_de = models.CharField(_("Name (deutsch)"), max_length=120)
    name_en = models.CharField(_("Name (englisch)"), max_length=120, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name_de"]
        verbose_name = _("Lebenslage")
        verbose_name_plural = _("Lebenslagen")

    def __str__(self) -> str:
        return self.name_de

    @property
    def name(self) -> str:
        return _localised(self, "name")


class OzgLevel(models.IntegerChoices):
    """OZG-Reifegradmodell 1.1 (level 3 counts as "OZG-konform")."""

    OFFLINE = 0, _("0 – offline")
    INFORMATION = 1, _("1 – Information")
    FORM_ASSISTANT = 2, _("2 – Formular-Assistent")
    ONLINE_SERVICE = 3, _("3 – Online-Leistung")
    ONLINE_TRANSACTION = 4, _("4 – Online-Transaktion")


class Service(models.Model):
    """One administrative service (Verwaltungsleistung) of the city, keyed by its LeiKa key."""

    leika_key = models.CharField(_("LeiKa-Schlüssel"), max_length=14, unique=True, validators=[leika_validator])
    slug = models.SlugField(unique=True, max_length=120)
    name_de = models.CharField(_("Name (deutsch)"), max_length=200)
    name_en = models.CharField(_("Name (englisch)"), max_length=200, blank=True)
    description_de = models.TextField(_("Beschreibung (deutsch)"))
    description_en = models.TextField(_("Beschreibung (englisch)"), blank=True)
    keywords = models.CharField(_("Suchbegriffe"), max_length=300, blank=True,
                                help_text=_("Synonyme für die Suche, durch Leerzeichen getrennt."))
    categories = models.ManyToManyField(Category, related_name="services", blank=True, verbose_name=_("Lebenslagen"))
    # [{"amount_cents": 1200 | null, "text_de": "…", "text_en": "…"}]; null = amount depends on the case.
    fees = models.JSONField(_("Gebühren"), default=list, blank=True, validators=[validate_fees])
    required_documents_de = models.JSONField(_("Erforderliche Unterlagen (deutsch)"), default=list, blank=True,
                                             validators=[validate_text_list])
    required_documents_en = models.JSONField(_("Erforderliche Unterlagen (englisch)"), default=list, blank=True,
                                             validators=[validate_text_list])
    legal_basis = models.TextField(_("Rechtsgrundlage"), blank=True)
    department = models.ForeignKey("accounts.Department", on_delete=models.PROTECT, related_name="services",
                                   verbose_name=_("Zuständiger Fachbereich"))
    ozg_level = models.PositiveSmallIntegerField(_("OZG-Reifegrad"), choices=OzgLevel.choices,
                                                 default=OzgLevel.INFORMATION, validators=[MaxValueValidator(4)])
    online = models.BooleanField(_("Online verfügbar"), default=False)
    # A named URL of a dedicated service (e.g. "parking:start"). Declarative forms link themselves instead
    # through eforms.FormDefinition.service.
    online_url_name = models.CharField(_("Online-Dienst (URL-Name)"), max_length=80, blank=True)
    search_title = models.CharField(max_length=400, blank=True, editable=False)
    search_text = models.TextField(blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name_de"]
        verbose_name = _("Leistung")
        verbose_name_plural = _("Leistungen")

    def __str__(self) -> str:
        return self.name_de

    def save(self, *args, **kwargs) -> None:
        self.build_search_text()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_title", "search_text"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("catalogue:detail", kwargs={"slug": self.slug})

    @property
    def name(self) -> str:
        return _localised(self, "name")

    @property
    def description(self) -> str:
        return _localised(self, "description")

    @property
    def required_documents(self) -> list[str]:
        return _localised(self, "required_documents")

    @property
    def leika_urn(self) -> str:
        return f"urn:de:fim:leika:leistung:{self.leika_key}"

    def fee_lines(self) -> list[dict]:
        lang_en = (get_language() or "de").startswith("en")
        return [{"amount_cents": fee.get("amount_cents"),
                 "text": (fee.get("text_en") if lang_en else "") or fee.get("text_de", "")} for fee in self.fees]

    @property
    def online_url(self) -> str:
        """Where "Jetzt online beantragen" leads; empty when the service is not online."""
        if not self.online:
            return ""
        if self.online_url_name:
            try:
                return reverse(self.online_url_name)
            except NoReverseMatch:
                return ""
        # .all() so a prefetch (search.filter_services) serves every service of a list without extra queries.
        definition = next((d for d in self.form_definitions.all() if d.published), None)
        return definition.get_absolute_url() if definition else ""

    def build_search_text(self) -> None:
        """Fill the normalised search columns (called on save and when the categories change)."""
        self.search_title = textsearch.normalise(f"{self.name_de} {self.name_en}")
        parts = [self.name_de, self.name_en, self.keywords, self.description_de, self.description_en, self.leika_key]
        if self.pk:
            parts += [f"{c.name_de} {c.name_en}" for c in self.categories.all()]
        self.search_text = textsearch.normalise(" ".join(parts))

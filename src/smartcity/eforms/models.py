import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from . import schema


def localised(text: Any, lang: str | None = None) -> str:
    """A definition text: plain string, or {"de": …, "en": …} with German as the fallback."""
    if isinstance(text, dict):
        lang = lang or get_language() or "de"
        return (text.get("en") if lang.startswith("en") else "") or text.get("de", "")
    return text or ""


class FormDefinition(models.Model):
    """An online application defined as data (steps, fields, rules, fee, case type, routing)."""

    slug = models.SlugField(unique=True, max_length=80)
    title_de = models.CharField(_("Titel (deutsch)"), max_length=200)
    title_en = models.CharField(_("Titel (englisch)"), max_length=200, blank=True)
    service = models.ForeignKey("catalogue.Service", on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="form_definitions", verbose_name=_("Leistung"))
    definition = models.JSONField(_("Definition"), help_text=_("Format: siehe docs/portal.md"))
    published = models.BooleanField(_("Veröffentlicht"), default=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title_de"]
        verbose_name = _("Formulardefinition")
        verbose_name_plural = _("Formulardefinitionen")

    def __str__(self) -> str:
        return self.title_de

    def get_absolute_url(self) -> str:
        return reverse("eforms:start", kwargs={"slug": self.slug})

    def clean(self) -> None:
        try:
            schema.validate(self.definition)
        except schema.DefinitionError as exc:
            raise ValidationError({"definition": exc.errors})
        if self.definition.get("slug") != self.slug:
            raise ValidationError({"slug": _("Der Slug muss dem Feld „slug“ der Definition entsprechen.")})

    @property
    def title(self) -> str:
        return localised(self.definition.get("title")) or self.title_de

    @property
    def intro(self) -> str:
        return localised(self.definition.get("intro"))

    @property
    def steps(self) -> list[dict[str, Any]]:
        return self.definition["steps"]

    @property
    def fee_rule(self) -> dict[str, Any]:
        return self.definition.get("fee") or {"kind": "none"}

    @property
    def case_type_code(self) -> str:
        return self.definition["case_type"]["code"]


class Submission(models.Model):
    """One applicant's answers to a form: a resumable draft until submitted, then linked to its case."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Entwurf")
        PAYMENT_PENDING = "payment_pending", _("Zahlung offen")
        SUBMITTED = "submitted", _("Eingereicht")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    form = models.ForeignKey(FormDefinition, on_delete=models.PROTECT, related_name="submissions")
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="eforms_submissions")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    # Answers by field key; upload fields hold {"document": "<uuid>", "name": "<original name>"}.
    data = models.JSONField(default=dict, blank=True)
    current_step = models.CharField(max_length=40, blank=True)
    # Changes with every edit; the summary page carries it, so a double submit or a stale tab creates no case.
    token = models.UUIDField(default=uuid.uuid4)
    fee_cents = models.PositiveIntegerField(default=0)
    payment_failed = models.BooleanField(default=False)
    case = models.OneToOneField("cases.Case", on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="submission")
    # The definition as it was at submission (the admin may change the live one later).
    definition_snapshot = models.JSONField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-updated_at"]
        indexes = [models.Index(fields=["applicant", "status", "-updated_at"])]
        verbose_name = _("Antrag (Formular)")
        verbose_name_plural = _("Anträge (Formulare)")

    def __str__(self) -> str:
        return f"{self.form.slug} · {self.applicant_id} · {self.get_status_display()}"

    def get_absolute_url(self) -> str:
        """Where the applicant continues: the current step, the payment page or the confirmation."""
        if self.status == self.Status.DRAFT:
            if self.current_step:
                return reverse("eforms:step", kwargs={"pk": self.pk, "step": self.current_step})
            return reverse("eforms:summary", kwargs={"pk": self.pk})
        return reverse("eforms:done", kwargs={"pk": self.pk})

    @property
    def definition(self) -> dict[str, Any]:
        return self.definition_snapshot or self.form.definition

    @property
    def title(self) -> str:
        return localised(self.definition.get("title")) or self.form.title_de

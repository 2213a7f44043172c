"""Case register: case types with their workflow, cases, and their append-only history."""

from functools import cached_property

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .workflow import DEFAULT_WORKFLOW, Workflow, validate


def _default_workflow() -> dict:
    return DEFAULT_WORKFLOW


class CaseType(models.Model):
    """What kind of case, who handles it, its statuses and transitions, its deadline and retention."""

    code = models.SlugField(_("Code"), max_length=60, unique=True)
    name = models.CharField(_("Name"), max_length=200)
    department = models.ForeignKey("accounts.Department", on_delete=models.PROTECT, related_name="case_types",
                                   verbose_name=_("Fachbereich"))
    workflow = models.JSONField(_("Ablauf"), default=_default_workflow,
                                help_text=_("Status, Übergänge und Statustexte für Bürgerinnen und Bürger."))
    deadline_working_days = models.PositiveSmallIntegerField(_("Bearbeitungsfrist (Arbeitstage)"), default=20)
    retention_days = models.PositiveIntegerField(
        _("Aufbewahrung nach Abschluss (Tage)"), default=365 * 2,
        help_text=_("Danach werden abgeschlossene Vorgänge anonymisiert und ihre Dokumente gelöscht."))
    legal_basis = models.CharField(_("Rechtsgrundlage"), max_length=300, blank=True)
    is_active = models.BooleanField(_("aktiv"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("Vorgangsart")
        verbose_name_plural = _("Vorgangsarten")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        problems = validate(self.workflow or {})
        if problems:
            raise ValidationError({"workflow": problems})

    @cached_property
    def flow(self) -> Workflow:
        return Workflow(self.workflow)


class ReferenceCounter(models.Model):
    """One row per (prefix, year); locked with SELECT … FOR UPDATE so numbers never repeat."""

    prefix = models.CharField(max_length=10)
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prefix", "year"], name="uniq_reference_counter")]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last_number}"


class Case(models.Model):
    reference = models.CharField(_("Aktenzeichen"), max_length=24, unique=True)
    case_type = models.ForeignKey(CaseType, on_delete=models.PROTECT, related_name="cases",
                                  verbose_name=_("Vorgangsart"))
    # Copied from the case type at creation so the queue filters on one indexed column.
    department = models.ForeignKey("accounts.Department", on_delete=models.PROTECT, related_name="cases")
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="cases")
    applicant_name = models.CharField(_("Antragsteller/in"), max_length=200, blank=True)
    title = models.CharField(_("Betreff"), max_length=200, blank=True)
    status = models.CharField(_("Status"), max_length=40)
    data = models.JSONField(_("Antragsdaten"), default=dict, blank=True)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="assigned_cases", verbose_name=_("Zuständig"))
    received_at = models.DateTimeField(_("Eingang"))
    # Deadline bookkeeping (arithmetic in deadlines.py); due_date is kept current by the services.
    deadline_working_days = models.PositiveSmallIntegerField(default=20)
    extension_days = models.PositiveSmallIntegerField(default=0)
    suspended_days = models.PositiveSmallIntegerField(default=0)  # closed suspensions
    suspended_since = models.DateField(null=True, blank=True)
    due_date = models.DateField(_("Frist"), null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, blank=True)  # approved | rejected
    decision_record = models.JSONField(default=dict, blank=True)  # e.g. an automated decision's explanation
    anonymised_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("Vorgang")
        verbose_name_plural = _("Vorgänge")
        # The queue filters by department (few per person) and orders by receipt: these indexes let PostgreSQL
        # walk cases in order and stop after one page instead of sorting every match (bench/portal).
        indexes = [
            models.Index(fields=["-received_at", "-id"], condition=models.Q(closed_at__isnull=True),
                         name="case_open_received"),
            models.Index(fields=["-received_at", "-id"], name="case_received"),
            models.Index(fields=["due_date", "id"], condition=models.Q(closed_at__isnull=True,
                                                                      suspended_since__isnull=True),
                         name="case_running_due"),
            models.Index(fields=["status", "-received_at", "-id"], name="case_status_received"),
            models.Index(fields=["department", "closed_at", "due_date"], name="case_dept_due"),
            models.Index(fields=["assignee", "-received_at"], name="case_assignee"),
            models.Index(fields=["applicant", "-received_at"], name="case_applicant"),
            models.Index(fields=["case_type", "-received_at"], name="case_type_received"),
            models.Index(fields=["closed_at"], name="case_closed"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def status_label(self) -> str:
        return self.case_type.flow.label(self.status)

    @property
    def citizen_status_text(self) -> str:
        return self.case_type.flow.citizen_text(self.status)

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    @property
    def is_suspended(self) -> bool:
        return self.suspended_since is not None


class AppendOnly(models.Model):
    """History rows are written once; saving an existing row is refused.

    Only the retention job touches them again, in bulk (anonymise or delete with the whole case).
    """

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValueError(f"{self._meta.verbose_name} darf nicht geändert werden.")
        super().save(*args, **kwargs)


class StatusChange(AppendOnly):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=40, blank=True)
    to_status = models.CharField(max_length=40)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    actor_label = models.CharField(max_length=200, blank=True)
    comment = models.TextField(blank=True)  # internal
    citizen_text = models.TextField(blank=True)  # shown in Meine Anträge; falls back to the status text
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("Statusänderung")
        verbose_name_plural = _("Statusänderungen")

    def __str__(self) -> str:
        return f"{self.case_id}: {self.from_status} → {self.to_status}"


class Note(AppendOnly):
    """Internal note; never shown to the citizen."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    author_label = models.CharField(max_length=200, blank=True)
    body = models.TextField(_("Notiz"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("Notiz")
        verbose_name_plural = _("Notizen")

    def __str__(self) -> str:
        return f"{self.case_id}: {self.body[:40]}"


class Message(models.Model):
    """Correspondence between the authority and the citizen about one case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    from_staff = models.BooleanField()
    body = models.TextField(_("Nachricht"))
    is_question = models.BooleanField(default=False)  # a Rückfrage: suspends the deadline until answered
    answer_to = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="answers")
    answered_at = models.DateTimeField(null=True, blank=True)
    attachments = models.ManyToManyField("documents.Document", blank=True, related_name="messages")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("Nachricht")
        verbose_name_plural = _("Nachrichten")

    def __str__(self) -> str:
        return f"{self.case_id}: {self.body[:40]}"

import re
from collections.abc import Iterable
from functools import cached_property

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from smartcity.accounts.models import StaffRole, User
from smartcity.accounts.permissions import CASE_READER_ROLES
from smartcity.cases.forms import KernForm
from smartcity.cases.models import Case, CaseType
from smartcity.cases.type_cache import case_config
from smartcity.cases.workflow import DEFAULT_WORKFLOW

REFERENCE = re.compile(r"^[A-Z]{2,5}-\d{4}-\d{1,6}$", re.IGNORECASE)
SORTS = {"eingang": "-received_at", "frist": "due_date", "aktenzeichen": "reference"}


class QueueFilter(KernForm):
    department = forms.TypedChoiceField(label=_("Fachbereich"), coerce=int, required=False, empty_value=None)
    status = forms.ChoiceField(label=_("Status"), required=False)
    case_type = forms.TypedChoiceField(label=_("Leistung"), coerce=int, required=False, empty_value=None)
    q = forms.CharField(label=_("Suche nach Aktenzeichen oder Name"), required=False, max_length=100)
    overdue = forms.BooleanField(label=_("nur überfällige"), required=False)
    mine = forms.BooleanField(label=_("nur mir zugewiesene"), required=False)
    closed = forms.BooleanField(label=_("auch abgeschlossene"), required=False)
    sort = forms.ChoiceField(label=_("Sortierung"), required=False, choices=[
        ("eingang", _("Eingang, neueste zuerst")), ("frist", _("Frist, dringendste zuerst")),
        ("aktenzeichen", _("Aktenzeichen"))])

    def __init__(self, *args, user: User, department_ids: list[int], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.department_ids = department_ids
        # From the process's case configuration: the choices (only the user's own departments and their case
        # types, so a guessed id is an invalid choice), the status labels, and the case type of every row.
        self.config = case_config.get()
        self.case_types = self.config.types_of(department_ids)
        departments = [(pk, name) for pk, name in self.config.department_names.items() if pk in department_ids]
        self.fields["department"].choices = [("", _("alle meine Fachbereiche")), *departments]
        self.fields["case_type"].choices = [("", _("alle Leistungen")),
                                            *((ct.pk, ct.name) for ct in self.case_types.values())]
        statuses = {s["code"]: s["label"] for s in DEFAULT_WORKFLOW["statuses"]}
        for case_type in self.case_types.values():
            statuses.update({s["code"]: s["label"] for s in case_type.workflow.get("statuses", [])})
        self.fields["status"].choices = [("", _("alle Status")), *sorted(statuses.items(), key=lambda kv: kv[1])]

    def queryset(self) -> QuerySet[Case]:
        """The filtered queue in the chosen order; an invalid filter shows the unfiltered queue of the user's
        departments."""
        data = self.cleaned_data if self.is_valid() else {}
        order = SORTS.get(data.get("sort") or "eingang", "-received_at")
        return self.matches.select_related("assignee").defer("data", "decision_record").order_by(order, "-id")

    @cached_property
    def matches(self) -> QuerySet[Case]:
        """The cases the filter selects, in no order and without joins (what the queue's count needs)."""
        cases = Case.objects.filter(department_id__in=self.department_ids).order_by()
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("department"):
            cases = cases.filter(department_id=data["department"])
        if not data.get("closed") and not data.get("status"):
            cases = cases.filter(closed_at__isnull=True)
        if data.get("status"):
            cases = cases.filter(status=data["status"])
        if data.get("case_type"):
            cases = cases.filter(case_type_id=data["case_type"])
        if data.get("overdue"):
            cases = cases.filter(closed_at__isnull=True, suspended_since__isnull=True,
                                 due_date__lt=timezone.localdate())
        if data.get("mine"):
            cases = cases.filter(assignee=self.user)
        query = (data.get("q") or "").strip()
        if query:
            if REFERENCE.match(query):
                prefix, year, number = query.upper().split("-")
                cases = cases.filter(reference=f"{prefix}-{year}-{int(number):06d}")
            else:
                cases = cases.filter(Q(applicant_name__icontains=query) | Q(reference__icontains=query))
        return cases

    def case_types_of(self, type_ids: Iterable[int]) -> dict[int, CaseType]:
        """The CaseTypes of a page's rows (normally no query)."""
        return self.config.with_types(type_ids)


class NoteForm(KernForm):
    prefix = "note"  # several forms share the case page: keep their ids apart
    body = forms.CharField(label=_("Interne Notiz"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


class StaffMessageForm(KernForm):
    prefix = "message"
    body = forms.CharField(label=_("Nachricht an die antragstellende Person"),
                           widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    is_question = forms.BooleanField(label=_("Als Rückfrage senden (Frist ruht bis zur Antwort)"), required=False)
    attachment = forms.FileField(label=_("Datei anhängen"), required=False,
                                 help_text=_("PDF, JPEG oder PNG, höchstens 10 MB."))


class AssignForm(KernForm):
    prefix = "assign"
    assignee = forms.ModelChoiceField(label=_("Zuständig"), queryset=User.objects.none(), required=False,
                                      empty_label=_("niemand (zurück in die Warteschlange)"))

    def __init__(self, *args, case: Case, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        staff = StaffRole.objects.filter(department_id=case.department_id, role__in=CASE_READER_ROLES)
        self.fields["assignee"].queryset = User.objects.filter(pk__in=staff.values("user_id")).order_by("last_name")
        self.fields["assignee"].label_from_instance = lambda u: u.get_full_name() or u.get_username()
        self.initial.setdefault("assignee", case.assignee_id)


class DecideForm(KernForm):
    prefix = "decide"
    outcome = forms.ChoiceField(label=_("Entscheidung"), choices=[("approved", _("Genehmigen")),
                                                                    ("rejected", _("Ablehnen"))])
    reasons = forms.CharField(label=_("Begründung (erscheint im Bescheid)"), widget=forms.Textarea(attrs={"rows": 4}),
                              max_length=5000)

    def clean(self) -> dict:
        data = super().clean()
        if data.get("outcome") == "rejected" and len((data.get("reasons") or "").strip()) < 20:
            self.add_error("reasons", _("Eine Ablehnung braucht eine nachvollziehbare Begründung (mindestens 20 "
                                        "Zeichen)."))
        return data


class ExtendForm(KernForm):
    prefix = "extend"
    working_days = forms.IntegerField(label=_("Verlängerung um Arbeitstage"), min_value=1, max_value=120)
    reason = forms.CharField(label=_("Grund der Verlängerung"), max_length=500)


class TransitionForm(KernForm):
    to_status = forms.CharField(widget=forms.HiddenInput)
    comment = forms.CharField(label=_("Kommentar (intern)"), required=False, max_length=1000)

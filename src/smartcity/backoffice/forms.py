import re
from collections.abc import Callable, Iterable
from functools import cached_property
from typing import Any

from django import forms
from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from smartcity.accounts.models import StaffRole, User
from smartcity.accounts.permissions import CASE_READER_ROLES
from smartcity.cases.forms import KernForm
from smartcity.cases.models import Case, CaseType
from smartcity.cases.type_cache import case_config
from smartcity.cases.workflow import DEFAULT_WORKFLOW
from smartcity.core.rows import Rows

REFERENCE = re.compile(r"^[A-Z]{2,5}-\d{4}-\d{1,6}$", re.IGNORECASE)
SORTS = {"eingang": "-received_at", "frist": "due_date", "aktenzeichen": "reference"}
_SQL_ORDER = {"eingang": "t0.received_at DESC", "frist": "t0.due_date ASC", "aktenzeichen": "t0.reference ASC"}


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
        # The labels are the workflows' German texts, translated like the rows' status labels (Workflow.label).
        labels = sorted(((code, gettext(label)) for code, label in statuses.items()), key=lambda kv: kv[1])
        self.fields["status"].choices = [("", _("alle Status")), *labels]

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

    def page_rows(self, columns: tuple[str, ...], make: Callable[[tuple], Any], cap: int) -> Rows:
        """The queue page's rows (``columns`` of ``queryset()``, ``make`` turns a row into the result) and the
        capped count of ``matches``, as a ``Paginator`` slices and counts them. On PostgreSQL as SQL written
        from the filter's few shapes (compiling the ORM's queries cost ~2,000 Python calls per view; the tests
        compare both for every filter); elsewhere through the ORM."""
        if connection.vendor != "postgresql":
            rows = self.queryset().values_list(*columns)
            return Rows(lambda limit, offset: [make(row) for row in rows[offset:offset + limit]],
                        lambda: self.matches.values("pk")[:cap + 1].count())
        data = self.cleaned_data if self.is_valid() else {}
        where, params = self._conditions(data)
        order = _SQL_ORDER.get(data.get("sort") or "eingang", _SQL_ORDER["eingang"])
        selected = ", ".join(f"t1.{c.split('__', 1)[1]}" if "__" in c else f"t0.{c}" for c in columns)
        # Column names from the code, conditions from _conditions; every value is a parameter.
        page_sql = (f"SELECT {selected} FROM cases_case t0 LEFT JOIN accounts_user t1 ON t1.id = t0.assignee_id "  # noqa: S608
                    f"WHERE {where} ORDER BY {order}, t0.id DESC LIMIT %s OFFSET %s")
        count_sql = f"SELECT COUNT(*) FROM (SELECT t0.id FROM cases_case t0 WHERE {where} LIMIT %s) m"  # noqa: S608

        def fetch(limit: int, offset: int) -> list:
            with connection.cursor() as cursor:
                cursor.execute(page_sql, [*params, limit, offset])
                return [make(row) for row in cursor.fetchall()]

        def count() -> int:
            with connection.cursor() as cursor:
                cursor.execute(count_sql, [*params, cap + 1])
                return cursor.fetchone()[0]

        return Rows(fetch, count)

    def _conditions(self, data: dict[str, Any]) -> tuple[str, list[Any]]:
        """``matches`` as an SQL condition over ``t0`` (cases_case) and its parameters."""
        if not self.department_ids:
            return "FALSE", []
        where = [f"t0.department_id IN ({', '.join(['%s'] * len(self.department_ids))})"]
        params: list[Any] = list(self.department_ids)
        if data.get("department"):
            where.append("t0.department_id = %s")
            params.append(data["department"])
        if not data.get("closed") and not data.get("status"):
            where.append("t0.closed_at IS NULL")
        if data.get("status"):
            where.append("t0.status = %s")
            params.append(data["status"])
        if data.get("case_type"):
            where.append("t0.case_type_id = %s")
            params.append(data["case_type"])
        if data.get("overdue"):
            where.append("t0.closed_at IS NULL AND t0.suspended_since IS NULL AND t0.due_date < %s")
            params.append(timezone.localdate())
        if data.get("mine"):
            where.append("t0.assignee_id = %s")
            params.append(self.user.pk)
        query = (data.get("q") or "").strip()
        if query:
            if REFERENCE.match(query):
                prefix, year, number = query.upper().split("-")
                where.append("t0.reference = %s")
                params.append(f"{prefix}-{year}-{int(number):06d}")
            else:
                # icontains as Django writes it on PostgreSQL (the trigram indexes are on these expressions).
                where.append("(UPPER(t0.applicant_name::text) LIKE UPPER(%s) "
                             "OR UPPER(t0.reference::text) LIKE UPPER(%s))")
                pattern = f"%{connection.ops.prep_for_like_query(query)}%"
                params += [pattern, pattern]
        return " AND ".join(where), params

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

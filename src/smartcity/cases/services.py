"""The only way to change a case. Every function writes the history and an audit event."""

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from smartcity.accounts.models import Department, StaffRole
from smartcity.accounts.permissions import CASE_READER_ROLES, is_teamlead
from smartcity.audit import services as audit
from smartcity.notifications.services import in_language_of, notify

from . import deadlines, extensions
from .models import Case, CaseType, Message, Note, ReferenceCounter, StatusChange
from .workflow import DEFAULT_WORKFLOW, IN_REVIEW, Workflow


class CaseError(ValueError):
    """A requested change is not allowed; the message is German and shown to staff as is."""


def _label(actor: Any) -> str:
    if getattr(actor, "pk", None):
        return actor.get_full_name() or actor.get_username()
    return actor if isinstance(actor, str) else "System"


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def _today() -> date:
    return timezone.localdate()


# --- case types -------------------------------------------------------------------------------------------

def ensure_case_type(code: str, *, name: str, department_code: str, deadline_working_days: int = 20,
                     workflow: dict[str, Any] | None = None, retention_days: int | None = None,
                     legal_basis: str = "") -> CaseType:
    """Create or update a case type (idempotent; demo loaders and domain apps call it at start-up)."""
    definition = workflow or DEFAULT_WORKFLOW
    Workflow(definition)  # validates
    department, _ = Department.objects.get_or_create(code=department_code, defaults={"name": department_code})
    defaults: dict[str, Any] = {"name": name, "department": department, "deadline_working_days": deadline_working_days,
                                "workflow": definition, "legal_basis": legal_basis}
    if retention_days is not None:
        defaults["retention_days"] = retention_days
    case_type, _ = CaseType.objects.update_or_create(code=code, defaults=defaults)
    return case_type


# --- reference numbers ------------------------------------------------------------------------------------

def next_reference(year: int | None = None) -> str:
    """``DUS-2026-000123``: gap-free per year, never repeated, also under concurrent submissions."""
    prefix = settings.CITY_CODE
    year = year or _today().year
    with transaction.atomic():
        # UPDATE first: it takes the row lock (PostgreSQL) or the write lock (SQLite) before anything is read.
        bumped = ReferenceCounter.objects.filter(prefix=prefix, year=year).update(last_number=F("last_number") + 1)
        if not bumped:
            counter, created = ReferenceCounter.objects.select_for_update().get_or_create(
                prefix=prefix, year=year, defaults={"last_number": 1})
            if not created:  # another transaction created the row between our UPDATE and INSERT
                ReferenceCounter.objects.filter(pk=counter.pk).update(last_number=F("last_number") + 1)
        number = ReferenceCounter.objects.select_for_update().values_list("last_number", flat=True).get(
            prefix=prefix, year=year)
    return f"{prefix}-{year}-{number:06d}"


# --- deadlines --------------------------------------------------------------------------------------------

def _received_on(case: Case) -> date:
    return timezone.localdate(case.received_at)


def _refresh_due_date(case: Case) -> None:
    """Due date without an open suspension (that one pauses the clock; see deadlines.py)."""
    case.due_date = deadlines.NRW.add_working_days(
        _received_on(case), case.deadline_working_days + case.extension_days + case.suspended_days)


def deadline_state(case: Case, today: date | None = None) -> deadlines.DeadlineState:
    today = today or _today()
    suspensions = [deadlines.Suspension(case.suspended_since)] if case.suspended_since else []
    return deadlines.deadline_state(_received_on(case), case.deadline_working_days + case.suspended_days,
                                    suspensions=suspensions, extension_days=case.extension_days, today=today)


# --- creating and moving cases ----------------------------------------------------------------------------

def create_case(*, case_type: CaseType, applicant: Any, data: dict[str, Any], title: str = "", actor: Any = None,
                status: str = "", received_at: datetime | None = None) -> Case:
    """Register a new case in the case type's initial status (or ``status``, e.g. "zahlung_offen")."""
    flow = case_type.flow
    status = status or flow.initial
    if status not in flow.statuses:
        raise CaseError(f"Unbekannter Status „{status}“.")
    applicant_name = (applicant.get_full_name() or applicant.get_username()) if applicant else ""
    with transaction.atomic():
        case = Case(reference=next_reference(), case_type=case_type, department_id=case_type.department_id,
                    applicant=applicant, applicant_name=applicant_name[:200], title=(title or case_type.name)[:200],
                    status=status, data=data, received_at=received_at or timezone.now(),
                    deadline_working_days=case_type.deadline_working_days)
        if flow.suspends(status):
            case.suspended_since = _received_on(case)
        _refresh_due_date(case)
        case.save()
        StatusChange.objects.create(case=case, to_status=status, actor=_user(actor or applicant),
                                    actor_label=_label(actor or applicant))
        audit.record(actor or applicant, "case.created", case, reference=case.reference,
                     case_type=case_type.code, status=status)
    return case


def _locked(case: Case) -> Case:
    fresh = Case.objects.select_for_update(of=("self",)).select_related("case_type", "applicant").get(pk=case.pk)
    case.__dict__.update({k: v for k, v in fresh.__dict__.items() if not k.startswith("_")})
    return case


def portal_link(case: Case) -> str:
    return reverse("portal:detail", args=[case.reference])


def transition(case: Case, to_status: str, *, actor: Any, comment: str = "", citizen_text: str = "",
               notify_citizen: bool = True, _via_decision: bool = False) -> Case:
    """Move a case along an allowed transition; keeps the deadline, history, audit and citizen in step."""
    with transaction.atomic():
        case = _locked(case)
        flow = case.case_type.flow
        from_status = case.status
        if to_status not in flow.allowed(from_status):
            raise CaseError(f"Der Statuswechsel von „{flow.label(from_status)}“ nach „{flow.label(to_status)}“ "
                            "ist nicht erlaubt.")
        if flow.decision(to_status) and not _via_decision:
            raise CaseError(f"„{flow.label(to_status)}“ braucht einen Bescheid: bitte über „Entscheiden“.")
        today = _today()
        if case.suspended_since and not flow.suspends(to_status):
            case.suspended_days += max(0, deadlines.NRW.working_days_between(case.suspended_since, today))
            case.suspended_since = None
        elif flow.suspends(to_status) and not case.suspended_since:
            case.suspended_since = today
        if flow.is_final(to_status):
            case.closed_at = timezone.now()
        case.status = to_status
        _refresh_due_date(case)
        case.save()
        StatusChange.objects.create(case=case, from_status=from_status, to_status=to_status, actor=_user(actor),
                                    actor_label=_label(actor), comment=comment, citizen_text=citizen_text)
        audit.record(actor, "case.status_changed", case, reference=case.reference, from_status=from_status,
               to_status=to_status)
        if notify_citizen and case.applicant and flow.citizen_visible(to_status):
            with in_language_of(case.applicant):
                text = citizen_text or flow.citizen_text(to_status)
                notify(case.applicant, _("Ihr Antrag %(reference)s: %(status)s") % {
                    "reference": case.reference, "status": flow.label(to_status)},
                    f"{case.title}\n\n{text}", case=case, link=portal_link(case))
    return case


def assign(case: Case, user: Any, *, actor: Any) -> Case:
    """Give the case to a caseworker of its department (``user=None`` returns it to the queue)."""
    if user is not None and not StaffRole.objects.filter(user=user, department_id=case.department_id,
                                                         role__in=CASE_READER_ROLES).exists():
        raise CaseError("Der Vorgang kann nur Beschäftigten des zuständigen Fachbereichs zugewiesen werden.")
    with transaction.atomic():
        case = _locked(case)
        previous = case.assignee_id
        case.assignee = user
        case.save(update_fields=["assignee", "updated_at"])
        audit.record(actor, "case.assigned", case, reference=case.reference, previous_assignee=previous,
               assignee=user.get_username() if user else None)
    return case


def add_note(case: Case, *, author: Any, body: str) -> Note:
    body = body.strip()
    if not body:
        raise CaseError("Die Notiz ist leer.")
    with transaction.atomic():
        note = Note.objects.create(case=case, author=_user(author), author_label=_label(author), body=body)
        audit.record(author, "case.note_added", case, reference=case.reference, note=note.pk)
    return note


def _open_question(case: Case) -> Message | None:
    return case.messages.filter(is_question=True, answered_at__isnull=True).order_by("-created_at").first()


def send_message(case: Case, *, sender: Any, body: str, is_question: bool = False,
                 attachments: Iterable[Any] = ()) -> Message:
    """A message between authority and citizen.

    A staff question (Rückfrage) moves the case into the workflow's waiting status, which suspends the
    deadline. The citizen's next message answers it and moves the case back into review.
    """
    body = body.strip()
    attachments = list(attachments)
    if not body and not attachments:
        raise CaseError("Die Nachricht ist leer.")
    from_staff = getattr(sender, "pk", None) != case.applicant_id
    if is_question and not from_staff:
        raise CaseError("Nur die Behörde kann eine Rückfrage stellen.")
    with transaction.atomic():
        case = _locked(case)
        if case.is_closed:
            raise CaseError("Der Vorgang ist abgeschlossen; Nachrichten sind nicht mehr möglich.")
        flow = case.case_type.flow
        question = None if from_staff else _open_question(case)
        message = Message.objects.create(case=case, sender=_user(sender), from_staff=from_staff, body=body,
                                         is_question=is_question, answer_to=question)
        for document in attachments:
            _attach(message, document, case)
        audit.record(sender, "case.message_sent", case, reference=case.reference, message=message.pk,
               question=is_question, from_staff=from_staff, attachments=[str(d.pk) for d in attachments])
        if is_question:
            waiting = flow.question_status()
            if waiting and waiting != case.status:
                transition(case, waiting, actor=sender, comment="Rückfrage gestellt", notify_citizen=False)
        if question is not None:
            question.answered_at = timezone.now()
            question.save(update_fields=["answered_at"])
        if not from_staff and flow.suspends(case.status) and IN_REVIEW in flow.allowed(case.status):
            transition(case, IN_REVIEW, actor=sender, comment="Antwort auf Rückfrage eingegangen",
                       notify_citizen=False)
        _notify_message(case, message)
    return message


def _attach(message: Message, document: Any, case: Case) -> None:
    if document.case_id not in (None, case.pk):
        raise CaseError("Das Dokument gehört zu einem anderen Vorgang.")
    if document.case_id is None:
        document.case = case
        document.save(update_fields=["case"])
    message.attachments.add(document)


def _notify_message(case: Case, message: Message) -> None:
    if message.from_staff and case.applicant:
        with in_language_of(case.applicant):
            subject = (_("Rückfrage zu Ihrem Antrag %(reference)s") if message.is_question
                       else _("Neue Nachricht zu Ihrem Antrag %(reference)s")) % {"reference": case.reference}
            notify(case.applicant, subject, f"{case.title}\n\n{message.body}", case=case, link=portal_link(case))
    elif not message.from_staff and case.assignee:
        with in_language_of(case.assignee):
            notify(case.assignee, _("Antwort zu %(reference)s") % {"reference": case.reference}, message.body,
                   case=case, link=reverse("backoffice:case", args=[case.reference]))


# --- decisions --------------------------------------------------------------------------------------------

def decide(case: Case, *, outcome: str, actor: Any, document: Any = None, record: dict[str, Any] | None = None,
           reasons: str = "", legal_basis: str = "") -> Case:
    """Approve or reject with a decision document (Bescheid) the citizen retrieves online."""
    if outcome not in ("approved", "rejected"):
        raise CaseError("Die Entscheidung muss „approved“ oder „rejected“ sein.")
    target = case.case_type.flow.decision_status(outcome)
    if target is None:
        raise CaseError("Diese Vorgangsart kennt diese Entscheidung nicht.")
    with transaction.atomic():
        case = _locked(case)
        if target not in case.case_type.flow.allowed(case.status):
            raise CaseError(f"Im Status „{case.status_label}“ kann nicht entschieden werden.")
        decision_record = dict(record or {})
        hook = extensions.get(case.case_type.code).on_approve
        if outcome == "approved" and document is None and hook is not None:
            result = hook(case, actor)
            if result is not None:
                document = result.document
                decision_record = {**result.record, **decision_record}
        if document is None:
            from .decision import store_decision_pdf

            document = store_decision_pdf(case, outcome=outcome, reasons=reasons,
                                          legal_basis=legal_basis or case.case_type.legal_basis)
        case.outcome = outcome
        case.decision_record = {**decision_record, "reasons": reasons, "decided_by": _label(actor),
                                "document": str(document.pk)}
        case.save(update_fields=["outcome", "decision_record", "updated_at"])
        audit.record(actor, "case.decided", case, outcome=outcome, document=str(document.pk))
        transition(case, target, actor=actor, comment=reasons, _via_decision=True)
    return case



# --- deadlines: extension and escalation ------------------------------------------------------------------

def extend_deadline(case: Case, working_days: int, *, actor: Any, reason: str) -> Case:
    """Only a team lead of the case's department may extend; the reason goes into the audit log."""
    if not is_teamlead(actor, case.department_id):
        raise PermissionDenied("Nur die Teamleitung des Fachbereichs darf Fristen verlängern.")
    if not 1 <= working_days <= 120:
        raise CaseError("Bitte eine Verlängerung zwischen 1 und 120 Arbeitstagen angeben.")
    if not reason.strip():
        raise CaseError("Bitte begründen Sie die Fristverlängerung.")
    with transaction.atomic():
        case = _locked(case)
        if case.is_closed:
            raise CaseError("Der Vorgang ist abgeschlossen.")
        case.extension_days += working_days
        case.escalated_at = None  # a new due date may be missed again
        _refresh_due_date(case)
        case.save()
        audit.record(actor, "case.deadline_extended", case, reference=case.reference, working_days=working_days,
               reason=reason.strip(), due_date=case.due_date.isoformat())
    return case


def overdue_cases(today: date | None = None):
    return Case.objects.filter(closed_at__isnull=True, suspended_since__isnull=True, due_date__lt=today or _today())


def escalate_overdue(today: date | None = None) -> int:
    """Tell the team leads once about each overdue case. Safe to run as often as wanted."""
    count = 0
    for case in overdue_cases(today).filter(escalated_at__isnull=True).select_related("department").iterator():
        with transaction.atomic():
            # Claim the case first, so two workers running at once never escalate it twice.
            if not Case.objects.filter(pk=case.pk, escalated_at__isnull=True).update(escalated_at=timezone.now()):
                continue
            leads = StaffRole.objects.filter(department_id=case.department_id, role=StaffRole.Role.TEAMLEAD)
            for role in leads.select_related("user"):
                with in_language_of(role.user):
                    facts = {"reference": case.reference, "title": case.title, "due": f"{case.due_date:%d.%m.%Y}"}
                    notify(role.user, _("Frist überschritten: %(reference)s") % facts,
                           _("Der Vorgang %(reference)s (%(title)s) ist seit dem %(due)s überfällig.") % facts,
                           case=case, link=reverse("backoffice:case", args=[case.reference]))
            audit.record("system:cases", "case.escalated", case, reference=case.reference,
                   due_date=case.due_date.isoformat(), notified=leads.count())
            count += 1
    return count


def record_staff_read(case: Case, actor: Any) -> None:
    """Reading a case is reading personal data: audit it."""
    audit.record(actor, "case.read", case, reference=case.reference)

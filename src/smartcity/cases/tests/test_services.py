from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation

from smartcity.audit.models import AuditEvent
from smartcity.cases import services
from smartcity.cases.models import Case, ReferenceCounter, StatusChange
from smartcity.cases.services import CaseError
from smartcity.notifications.models import Notification


def _actions(case):
    return list(AuditEvent.objects.filter(object_type="cases.case", object_id=str(case.pk)).values_list(
        "action", flat=True))


def test_create_case_writes_reference_history_and_audit(case, citizen):
    year = timezone.localdate().year
    assert case.reference == f"DUS-{year}-000001"
    assert case.status == "eingegangen"
    assert case.department.code == "steueramt"
    assert case.applicant_name == citizen.get_full_name()
    assert case.due_date is not None
    assert list(case.status_changes.values_list("from_status", "to_status")) == [("", "eingegangen")]
    assert _actions(case) == ["case.created"]


def test_references_count_up_per_year(case_type, citizen):
    first = services.create_case(case_type=case_type, applicant=citizen, data={})
    second = services.create_case(case_type=case_type, applicant=citizen, data={})
    assert int(second.reference[-6:]) == int(first.reference[-6:]) + 1
    assert services.next_reference(2031) == "DUS-2031-000001"
    assert ReferenceCounter.objects.get(year=2031).last_number == 1


def test_transition_writes_history_audit_and_notifies(case, caseworker, citizen):
    mail.outbox.clear()
    services.transition(case, "in_pruefung", actor=caseworker, comment="intern")
    case.refresh_from_db()
    assert case.status == "in_pruefung"
    change = case.status_changes.last()
    assert (change.from_status, change.to_status, change.actor, change.comment) == (
        "eingegangen", "in_pruefung", caseworker, "intern")
    assert _actions(case)[-1] == "case.status_changed"
    note = Notification.objects.get(user=citizen)
    assert case.reference in note.subject and "bearbeitet" in note.body
    assert mail.outbox[-1].to == [citizen.email]


def test_invalid_transition_is_rejected_with_clear_error(case, caseworker):
    with pytest.raises(CaseError, match="von „Eingegangen“ nach „Zahlung offen“ ist nicht erlaubt"):
        services.transition(case, "zahlung_offen", actor=caseworker)
    with pytest.raises(CaseError, match="braucht einen Bescheid"):
        services.transition(case, "genehmigt", actor=caseworker)
    case.refresh_from_db()
    assert case.status == "eingegangen"
    assert case.status_changes.count() == 1


def test_history_is_append_only(case):
    change = case.status_changes.get()
    change.comment = "geändert"
    with pytest.raises(ValueError):
        change.save()


def test_final_status_closes_the_case(case, caseworker):
    services.transition(case, "zurueckgezogen", actor=caseworker)
    case.refresh_from_db()
    assert case.is_closed
    with pytest.raises(CaseError):
        services.transition(case, "in_pruefung", actor=caseworker)


def test_assign_only_to_staff_of_the_department(case, caseworker, citizen):
    services.assign(case, caseworker, actor=caseworker)
    assert Case.objects.get(pk=case.pk).assignee == caseworker
    with pytest.raises(CaseError):
        services.assign(case, citizen, actor=caseworker)
    assert _actions(case)[-1] == "case.assigned"


def test_note_is_internal_and_audited(case, caseworker, citizen):
    services.add_note(case, author=caseworker, body="Rasse prüfen")
    assert case.notes.get().body == "Rasse prüfen"
    assert not Notification.objects.filter(user=citizen).exists()
    with pytest.raises(CaseError):
        services.add_note(case, author=caseworker, body="   ")


def test_question_suspends_and_answer_resumes(case, caseworker, citizen):
    services.assign(case, caseworker, actor=caseworker)
    question = services.send_message(case, sender=caseworker, body="Bitte Nachweis hochladen.", is_question=True)
    case.refresh_from_db()
    assert case.status == "rueckfrage" and case.is_suspended
    assert Notification.objects.filter(user=citizen, subject__startswith="Rückfrage").count() == 1
    answer = services.send_message(case, sender=citizen, body="Anbei der Nachweis.")
    case.refresh_from_db()
    question.refresh_from_db()
    assert case.status == "in_pruefung" and not case.is_suspended
    assert answer.answer_to == question and question.answered_at is not None and not answer.from_staff
    assert Notification.objects.filter(user=caseworker, subject__startswith="Antwort").count() == 1
    assert [c.to_status for c in case.status_changes.all()] == ["eingegangen", "rueckfrage", "in_pruefung"]


def test_citizen_cannot_ask_questions_or_write_to_closed_cases(case, caseworker, citizen):
    with pytest.raises(CaseError):
        services.send_message(case, sender=citizen, body="?", is_question=True)
    services.transition(case, "zurueckgezogen", actor=citizen)
    with pytest.raises(CaseError):
        services.send_message(case, sender=citizen, body="Hallo")


def test_suspension_extends_the_due_date(case, caseworker, citizen, monkeypatch):
    monday = date(2026, 3, 2)
    Case.objects.filter(pk=case.pk).update(received_at=timezone.make_aware(timezone.datetime(2026, 3, 2, 9)))
    case.refresh_from_db()
    monkeypatch.setattr(services, "_today", lambda: monday + timedelta(days=2))  # Wednesday
    services.send_message(case, sender=caseworker, body="Frage", is_question=True)
    monkeypatch.setattr(services, "_today", lambda: monday + timedelta(days=7))  # next Monday: Thu, Fri, Mon
    services.send_message(case, sender=citizen, body="Antwort")
    case.refresh_from_db()
    assert case.suspended_days == 3
    assert case.due_date == date(2026, 3, 19)  # 10 + 3 working days after 2 March


def test_extension_only_by_teamlead(case, caseworker, teamlead):
    with pytest.raises(PermissionDenied):
        services.extend_deadline(case, 5, actor=caseworker, reason="Gutachten")
    with pytest.raises(CaseError):
        services.extend_deadline(case, 5, actor=teamlead, reason=" ")
    before = case.due_date
    services.extend_deadline(case, 5, actor=teamlead, reason="Gutachten ausstehend")
    case.refresh_from_db()
    assert case.extension_days == 5 and case.due_date > before
    assert _actions(case)[-1] == "case.deadline_extended"


def test_escalation_notifies_teamlead_once(case, teamlead, caseworker):
    later = case.due_date + timedelta(days=1)
    assert services.escalate_overdue(today=case.due_date) == 0
    assert services.escalate_overdue(today=later) == 1
    assert services.escalate_overdue(today=later) == 0
    assert Notification.objects.filter(user=teamlead, subject__contains=case.reference).count() == 1
    assert not Notification.objects.filter(user=caseworker).exists()
    assert _actions(case)[-1] == "case.escalated"


def test_suspended_cases_are_not_overdue(case, caseworker):
    services.send_message(case, sender=caseworker, body="Frage", is_question=True)
    assert services.escalate_overdue(today=case.due_date + timedelta(days=30)) == 0


def test_status_change_rows_only_grow(case, caseworker):
    services.transition(case, "in_pruefung", actor=caseworker)
    assert StatusChange.objects.filter(case=case).count() == 2


def test_notifications_are_written_in_the_recipients_language(case, caseworker, citizen):
    """Messages are composed in a task or another person's request: the recipient's choice decides."""
    citizen.language = "en"
    citizen.save(update_fields=["language"])
    case.applicant.language = "en"
    mail.outbox.clear()
    services.transition(case, "in_pruefung", actor=caseworker)  # the caseworker's request is in German
    services.send_message(case, sender=caseworker, body="Bitte Nachweis hochladen.", is_question=True)
    status_note, question = Notification.objects.filter(user=citizen).order_by("pk")
    assert status_note.subject == f"Your application {case.reference}: Under review"
    assert "being processed" in status_note.body
    assert question.subject == f"Question about your application {case.reference}"
    assert "also find this message in your mailbox" in mail.outbox[-1].body
    assert translation.get_language() == "de"  # the surrounding language is restored

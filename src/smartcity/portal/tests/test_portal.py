import pytest
from django.urls import reverse

from smartcity.accounts.testing import login_citizen
from smartcity.cases import services
from smartcity.documents.models import Document


@pytest.fixture
def citizen_client(client, citizen):
    login_citizen(client, citizen)
    return client


def _detail(case):
    return reverse("portal:detail", args=[case.reference])


def test_list_shows_only_own_cases(citizen_client, case, case_type, other_citizen):
    foreign = services.create_case(case_type=case_type, applicant=other_citizen, data={}, title="Fremder Hund")
    body = citizen_client.get(reverse("portal:list")).content.decode()
    assert case.reference in body and foreign.reference not in body


def test_login_required(client, case):
    assert client.get(reverse("portal:list")).status_code == 302
    assert client.get(_detail(case)).status_code == 302


def test_guessing_another_citizens_case_gives_404(client, case, other_citizen, png_upload):
    login_citizen(client, other_citizen)
    assert client.get(_detail(case)).status_code == 404
    assert client.post(_detail(case), {"body": "Hallo"}).status_code == 404
    assert client.get(reverse("portal:detail", args=["DUS-2026-999999"])).status_code == 404
    assert not case.messages.exists()


def test_guessing_another_citizens_document_is_refused(client, case, citizen, other_citizen, png_upload, caseworker):
    services.decide(case, outcome="approved", actor=caseworker, reasons="ok")
    decision = Document.objects.get(case=case, kind="decision")
    login_citizen(client, other_citizen)
    assert client.get(reverse("documents:download", args=[decision.pk])).status_code in (403, 404)
    decision.refresh_from_db()
    assert decision.first_retrieved_at is None


def test_timeline_in_plain_german(citizen_client, case, caseworker):
    services.transition(case, "in_pruefung", actor=caseworker, comment="interner Vermerk")
    body = citizen_client.get(_detail(case)).content.decode()
    assert "Ihr Antrag ist bei uns eingegangen." in body and "Ihr Antrag wird bearbeitet." in body
    assert "interner Vermerk" not in body


def test_rueckfrage_round_trip_with_upload(citizen_client, case, caseworker, citizen, png_upload):
    services.send_message(case, sender=caseworker, body="Bitte laden Sie den Impfpass hoch.", is_question=True)
    body = citizen_client.get(_detail(case)).content.decode()
    assert "Rückfrage beantworten" in body and "Bitte laden Sie den Impfpass hoch." in body
    assert "Beantworten Sie die Rückfrage" in body

    response = citizen_client.post(_detail(case), {"body": "Anbei der Impfpass.", "attachment": png_upload})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "in_pruefung" and not case.is_suspended
    answer = case.messages.last()
    assert answer.body == "Anbei der Impfpass." and not answer.from_staff
    document = answer.attachments.get()
    assert document.owner == citizen and document.case == case
    assert case.messages.get(is_question=True).answered_at is not None


def test_rejected_upload_keeps_the_typed_answer(citizen_client, case, caseworker, fake_pdf_upload):
    services.send_message(case, sender=caseworker, body="Frage", is_question=True)
    response = citizen_client.post(_detail(case), {"body": "Meine ausführliche Antwort", "attachment": fake_pdf_upload})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Meine ausführliche Antwort" in body
    assert 'aria-invalid="true"' in body and "id_attachment_error" in body
    case.refresh_from_db()
    assert case.status == "rueckfrage" and case.messages.count() == 1


def test_empty_answer_is_refused(citizen_client, case):
    response = citizen_client.post(_detail(case), {"body": "  "})
    assert response.status_code == 400
    assert "Bitte schreiben Sie eine Nachricht" in response.content.decode()


def test_decision_download_records_first_retrieval(citizen_client, case, caseworker):
    services.decide(case, outcome="approved", actor=caseworker, reasons="ok")
    body = citizen_client.get(_detail(case)).content.decode()
    decision = Document.objects.get(case=case, kind="decision")
    assert "noch nicht abgerufen" in body and str(decision.pk) in body
    response = citizen_client.get(reverse("documents:download", args=[decision.pk]))
    assert response.status_code == 200
    decision.refresh_from_db()
    assert decision.first_retrieved_at is not None
    assert "noch nicht abgerufen" not in citizen_client.get(_detail(case)).content.decode()


def test_open_fee_is_a_pending_action(citizen_client, case_type, citizen):
    unpaid = services.create_case(case_type=case_type, applicant=citizen, data={}, status="zahlung_offen")
    body = citizen_client.get(_detail(unpaid)).content.decode()
    assert "Bezahlen Sie die Gebühr" in body


def test_list_marks_cases_waiting_for_an_answer(citizen_client, case, case_type, citizen, caseworker,
                                                django_assert_max_num_queries):
    other = services.create_case(case_type=case_type, applicant=citizen, data={}, title="Zweiter Hund")
    services.send_message(case, sender=caseworker, body="Bitte Impfpass nachreichen.", is_question=True)
    with django_assert_max_num_queries(8):  # session, user, roles, count, page, case types, drafts (+ savepoint)
        response = citizen_client.get(reverse("portal:list"))
    flagged = {c.reference: c.open_question for c in response.context["page"].object_list}
    assert flagged == {case.reference: True, other.reference: False}
    assert response.content.decode().count("Ihre Antwort wird benötigt") == 1
    citizen_client.post(_detail(case), {"body": "Anbei der Impfpass."})
    assert "Ihre Antwort wird benötigt" not in citizen_client.get(reverse("portal:list")).content.decode()


def _own_cases_orm(applicant):
    """What views._OWN_CASES reads, as the ORM's query (the view's query before it was written once per process)."""
    from django.db.models import Exists, OuterRef

    from smartcity.cases.models import Case, Message

    unanswered = Message.objects.filter(case=OuterRef("pk"), is_question=True, answered_at__isnull=True)
    return (Case.objects.filter(applicant=applicant).annotate(open_question=Exists(unanswered))
            .defer("data", "decision_record").order_by("-received_at", "-id"))


def _columns(instance) -> dict:
    return {f.attname: instance.__dict__.get(f.attname, "<deferred>") for f in type(instance)._meta.concrete_fields}


def test_list_pages_are_the_orm_querys_pages(citizen_client, case, case_type, citizen, other_citizen, caseworker,
                                             monkeypatch):
    """The page query written once per process (core.rows) reads what the ORM's query read: the same instances,
    order, open-question flags and count, on the first and a later page; nobody else's cases."""
    from smartcity.portal import views

    for i in range(4):
        services.create_case(case_type=case_type, applicant=citizen, data={"n": i}, title=f"Hund {i}")
    services.create_case(case_type=case_type, applicant=other_citizen, data={}, title="Fremder Hund")
    services.send_message(case, sender=caseworker, body="Bitte Impfpass nachreichen.", is_question=True)
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    orm = list(_own_cases_orm(citizen))
    assert len(orm) == 5
    seen = []
    for number in (1, 2, 3):
        response = citizen_client.get(reverse("portal:list"), {"seite": number})
        page = response.context["page"]
        assert page.paginator.count == 5 and page.paginator.num_pages == 3
        seen += page.object_list
    assert [_columns(c) for c in seen] == [_columns(c) for c in orm]
    assert [c.open_question for c in seen] == [c.open_question for c in orm] and sum(c.open_question for c in seen) == 1
    assert [c.get_deferred_fields() for c in seen] == [c.get_deferred_fields() for c in orm]
    assert all(not c._state.adding and c._state.db == "default" for c in seen)
    with pytest.raises(TypeError):
        views._OWN_CASES.get(case.pk)

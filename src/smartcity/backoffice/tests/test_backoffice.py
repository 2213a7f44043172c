import csv
import io

import pytest
from django.test import Client
from django.urls import reverse

from smartcity.accounts.models import StaffRole
from smartcity.accounts.testing import login_citizen, login_staff, make_staff
from smartcity.audit.models import AuditEvent
from smartcity.backoffice.csvexport import safe
from smartcity.cases import services
from smartcity.cases.models import Case
from smartcity.documents.models import Document


@pytest.fixture
def staff_client(client, caseworker):
    login_staff(client, caseworker)
    return client


def _case_url(case, name="case"):
    return reverse(f"backoffice:{name}", args=[case.reference])


def test_queue_lists_department_cases_with_few_queries(staff_client, case_type, citizen,
                                                       django_assert_max_num_queries):
    for i in range(30):
        services.create_case(case_type=case_type, applicant=citizen, data={}, title=f"Hund {i}")
    # 13: one constant query of the navigation (is the user parking staff?); what matters is no query per row
    with django_assert_max_num_queries(13):
        response = staff_client.get(reverse("backoffice:queue"))
    assert response.status_code == 200
    assert response.content.decode().count("/backoffice/vorgang/") == 30


def test_queue_filters(staff_client, case_type, citizen, caseworker, other_citizen):
    mine = services.create_case(case_type=case_type, applicant=citizen, data={})
    services.assign(mine, caseworker, actor=caseworker)
    other = services.create_case(case_type=case_type, applicant=other_citizen, data={})
    services.transition(other, "in_pruefung", actor=caseworker)
    overdue = services.create_case(case_type=case_type, applicant=other_citizen, data={})
    Case.objects.filter(pk=overdue.pk).update(due_date="2020-01-01")

    def refs(**params):
        body = staff_client.get(reverse("backoffice:queue"), params).content.decode()
        return {c.reference for c in (mine, other, overdue) if c.reference in body}

    assert refs() == {mine.reference, other.reference, overdue.reference}
    assert refs(mine="on") == {mine.reference}
    assert refs(status="in_pruefung") == {other.reference}
    assert refs(overdue="on") == {overdue.reference}
    assert refs(q=mine.reference.lower()) == {mine.reference}
    assert refs(q=other_citizen.last_name) == {other.reference, overdue.reference}
    assert refs(case_type=case_type.pk) == {mine.reference, other.reference, overdue.reference}
    assert staff_client.get(reverse("backoffice:queue"), {"status": "<script>", "seite": "x"}).status_code == 200


def test_case_view_is_audited_as_reading_personal_data(staff_client, case, caseworker):
    response = staff_client.get(_case_url(case))
    assert response.status_code == 200
    assert case.applicant_name in response.content.decode()
    event = AuditEvent.objects.filter(action="case.read").last()
    assert (event.actor, event.object_id) == (caseworker, str(case.pk))


def test_other_department_cannot_open_the_case(client, case, other_case_type):
    outsider = make_staff("standesamt")
    login_staff(client, outsider)
    assert client.get(_case_url(case)).status_code == 404
    assert client.post(_case_url(case, "transition"), {"to_status": "in_pruefung"}).status_code == 404
    assert case.reference not in client.get(reverse("backoffice:queue")).content.decode()
    export = b"".join(client.get(reverse("backoffice:export")).streaming_content).decode()
    assert case.reference not in export
    case.refresh_from_db()
    assert case.status == "eingegangen"


def test_admin_without_caseworker_role_cannot_read(client, case):
    admin = make_staff("steueramt", StaffRole.Role.ADMIN)
    login_staff(client, admin)
    assert client.get(_case_url(case)).status_code == 404
    assert "keine Rolle als Sachbearbeitung" in client.get(reverse("backoffice:queue")).content.decode()


def test_citizen_and_anonymous_are_kept_out(client, case, citizen):
    assert client.get(_case_url(case)).status_code == 302
    login_citizen(client, citizen)
    assert client.get(_case_url(case)).status_code == 403
    assert client.get(reverse("backoffice:queue")).status_code == 403


def test_staff_without_second_factor_is_sent_to_2fa(client, case, caseworker):
    login_citizen(client, caseworker)  # password only, no TOTP step
    response = client.get(_case_url(case))
    assert response.status_code == 302 and "next=" in response["Location"]


def test_transition_button_and_invalid_transition(staff_client, case):
    response = staff_client.post(_case_url(case, "transition"), {"to_status": "in_pruefung"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "in_pruefung"
    response = staff_client.post(_case_url(case, "transition"), {"to_status": "eingegangen"})
    assert response.status_code == 400
    assert "ist nicht erlaubt" in response.content.decode()
    response = staff_client.post(_case_url(case, "transition"), {"to_status": "genehmigt"})
    assert response.status_code == 400 and "Bescheid" in response.content.decode()


def test_forged_csrf_token_is_refused(case, caseworker):
    client = Client(enforce_csrf_checks=True)
    login_staff(client, caseworker)
    client.cookies["csrftoken"] = "a" * 32
    response = client.post(_case_url(case, "transition"), {"to_status": "in_pruefung",
                                                            "csrfmiddlewaretoken": "b" * 32})
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.status == "eingegangen"


def test_question_with_attachment_note_assign_and_decide(staff_client, case, caseworker, citizen, png_upload):
    response = staff_client.post(_case_url(case, "message"), {"message-body": "Bitte Nachweis hochladen.",
                                                              "message-is_question": "on",
                                                              "message-attachment": png_upload})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "rueckfrage" and case.is_suspended
    attachment = case.messages.get().attachments.get()
    assert attachment.owner == citizen and attachment.kind == "attachment"

    assert staff_client.post(_case_url(case, "note"), {"note-body": "Rückruf vereinbart"}).status_code == 302
    assert staff_client.post(_case_url(case, "assign"), {"assign-assignee": caseworker.pk}).status_code == 302
    case.refresh_from_db()
    assert case.assignee == caseworker and case.notes.count() == 1

    services.send_message(case, sender=citizen, body="Erledigt")
    response = staff_client.post(_case_url(case, "decide"), {"decide-outcome": "rejected", "decide-reasons": "zu kurz"})
    assert response.status_code == 400 and "Begründung" in response.content.decode()
    response = staff_client.post(_case_url(case, "decide"), {"decide-outcome": "approved",
                                                             "decide-reasons": "Alles vollständig."})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "genehmigt"
    assert Document.objects.filter(case=case, kind="decision").exists()


def test_rejected_attachment_keeps_the_message_text(staff_client, case, fake_pdf_upload):
    response = staff_client.post(_case_url(case, "message"),
                                 {"message-body": "Mein langer Text", "message-attachment": fake_pdf_upload})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Mein langer Text" in body and "kern-alert--danger" in body
    assert not case.messages.exists()


def test_only_teamlead_may_extend(staff_client, case, teamlead):
    response = staff_client.post(_case_url(case, "extend"), {"extend-working_days": 5, "extend-reason": "Gutachten"})
    assert response.status_code == 400
    lead = Client()
    login_staff(lead, teamlead)
    response = lead.post(_case_url(case, "extend"), {"extend-working_days": 5, "extend-reason": "Gutachten"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.extension_days == 5


def test_dashboard(staff_client, case, caseworker):
    services.decide(case, outcome="approved", actor=caseworker, reasons="ok")
    response = staff_client.get(reverse("backoffice:dashboard"))
    assert response.status_code == 200
    assert "Hundesteuer-Anmeldung" in response.content.decode()


def test_csv_export_is_formula_safe(staff_client, case_type, citizen):
    citizen.first_name, citizen.last_name = "=HYPERLINK(\"http://evil\")", "+1"
    citizen.save()
    services.create_case(case_type=case_type, applicant=citizen, data={})
    response = staff_client.get(reverse("backoffice:export"))
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][0] == "Aktenzeichen"
    assert rows[1][2].startswith("'=HYPERLINK")
    assert AuditEvent.objects.filter(action="case.export").exists()


@pytest.mark.parametrize(("value", "expected"), [
    ("=1+1", "'=1+1"), ("+49 211", "'+49 211"), ("-5", "'-5"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
    ("Müller", "Müller"), ("", ""), (None, ""),
])
def test_safe_cells(value, expected):
    assert safe(value) == expected


def test_queue_count_is_capped(staff_client, case_type, citizen, monkeypatch):
    from smartcity.backoffice.views import CappedPaginator

    monkeypatch.setattr(CappedPaginator, "CAP", 2)
    for _ in range(3):
        services.create_case(case_type=case_type, applicant=citizen, data={})
    body = staff_client.get(reverse("backoffice:queue")).content.decode()
    assert "Mehr als 2 Vorgänge" in body


@pytest.mark.parametrize("query", ["", "&closed=on", "&overdue=on&sort=frist", "&mine=on"])
def test_queue_count_reads_neither_order_nor_columns(staff_client, case_type, citizen, monkeypatch, query):
    """The capped count is of the filter's matches alone: no ORDER BY (PostgreSQL sorted every match before the
    LIMIT) and no join (it kept the count from an index-only scan); the page shows the same count as before."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from smartcity.backoffice import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    for _ in range(3):
        services.create_case(case_type=case_type, applicant=citizen, data={})
    with CaptureQueriesContext(connection) as queries:
        body = staff_client.get(reverse("backoffice:queue") + "?seite=2" + query).content.decode()
    counts = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT COUNT(*)")]
    assert len(counts) == 1
    assert "ORDER BY" not in counts[0] and "JOIN" not in counts[0]
    if "mine" not in query and "overdue" not in query:
        assert "Seite 2 von 2" in body


def test_queue_rows_markup_escaping_and_deadline_states(staff_client, case_type, caseworker, citizen):
    """The rows are built in Python (backoffice_tags.render_rows): pin their exact markup, the escaping of every
    cell and each state of the deadline column."""
    import datetime

    from django.utils import timezone

    from smartcity.accounts.testing import make_staff

    nameless = make_staff("steueramt", username="ohne-name")
    nameless.first_name = nameless.last_name = ""
    nameless.save()
    today = timezone.localdate()
    running = services.create_case(case_type=case_type, applicant=citizen, data={})
    Case.objects.filter(pk=running.pk).update(applicant_name='<b>O\'Neil & "Sohn"</b>', assignee=caseworker,
                                              due_date=today + datetime.timedelta(days=3))
    late = services.create_case(case_type=case_type, applicant=citizen, data={})
    Case.objects.filter(pk=late.pk).update(applicant_name="", assignee=nameless, due_date=datetime.date(2020, 1, 2))
    resting = services.create_case(case_type=case_type, applicant=citizen, data={})
    Case.objects.filter(pk=resting.pk).update(suspended_since=today, status="rueckfrage", due_date=None)
    closed = services.create_case(case_type=case_type, applicant=citizen, data={})
    Case.objects.filter(pk=closed.pk).update(closed_at=timezone.now(), status="genehmigt")
    body = staff_client.get(reverse("backoffice:queue"), {"closed": "on"}).content.decode()

    def row(case, applicant, status, deadline, assignee):
        case.refresh_from_db()
        received = timezone.localtime(case.received_at).strftime("%d.%m.%Y")
        return (f'<tr><td><a class="kern-link" href="/backoffice/vorgang/{case.reference}/">{case.reference}</a></td>'
                f"<td>Hundesteuer-Anmeldung</td><td>{applicant}</td><td>{status}</td><td>{received}</td>"
                f"<td>{deadline}</td><td>{assignee}</td></tr>")

    due = (today + datetime.timedelta(days=3)).strftime("%d.%m.%Y")
    assert row(running, "&lt;b&gt;O&#x27;Neil &amp; &quot;Sohn&quot;&lt;/b&gt;", "Eingegangen", due,
               caseworker.get_full_name()) in body
    assert row(late, "–", "Eingegangen", '02.01.2020 <span class="kern-badge kern-badge--danger">überfällig</span>',
               "ohne-name") in body
    assert row(resting, citizen.get_full_name(), "Rückfrage an Antragsteller",
               '<span class="kern-badge kern-badge--info">ruht</span>', "–") in body
    assert row(closed, citizen.get_full_name(), "Genehmigt", "–", "–") in body
    # English: the status labels and badges are translated.
    english = staff_client.get(reverse("backoffice:queue"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'kern-badge--danger">overdue</span>' in english
    # The status filter's choices too, in the order of the translated labels.
    choices = english[english.index('name="status"'):].split("</select>")[0]
    assert '<option value="eingegangen">Received</option>' in choices and "Eingegangen" not in choices
    assert choices.index(">Question to the applicant<") < choices.index(">Received<")


@pytest.mark.postgres  # the SQL path is PostgreSQL's; elsewhere page_rows uses the ORM's queries
@pytest.mark.parametrize("query", [
    "", "seite=2", "closed=on", "status=eingegangen", "mine=on", "overdue=on&sort=frist", "sort=aktenzeichen",
    "q=m%C3%BCller", "q=50%25_x", "q=%5C", "q=REF-2026-7", "case_type=999", "department=999", "status=bogus",
    "closed=on&sort=frist&mine=on",
])
def test_queue_sql_reads_what_the_orm_read(case_type, citizen, caseworker, query):
    """QueueFilter.page_rows (SQL written from the filter's shapes) against the ORM's queries it replaces: the
    same rows in the same order, for every slice, and the same capped count, for every kind of filter (also
    invalid ones, LIKE's special characters and a caseworker's other departments)."""
    import datetime

    from django.http import QueryDict
    from django.utils import timezone

    from smartcity.accounts.permissions import case_departments
    from smartcity.backoffice.forms import QueueFilter
    from smartcity.backoffice.templatetags.backoffice_tags import QueueRow

    foreign = make_staff("standesamt")
    names = ["Müller", "Mueller", "50%_x", "50 x", "back\\slash", "", "Anna Müllerová"]
    for i, name in enumerate(names * 2):
        case = services.create_case(case_type=case_type, applicant=citizen, data={})
        Case.objects.filter(pk=case.pk).update(
            applicant_name=name, received_at=timezone.now() - datetime.timedelta(hours=i % 5),
            due_date=timezone.localdate() + datetime.timedelta(days=i % 7 - 3) if i % 4 else None,
            assignee=caseworker if i % 3 == 0 else None, closed_at=timezone.now() if i % 5 == 4 else None,
            suspended_since=timezone.localdate() if i % 6 == 5 else None)
    reference = Case.objects.order_by("id").first().reference
    query = query.replace("REF-2026-7", reference.rsplit("-", 1)[0] + "-" + str(int(reference.rsplit("-", 1)[1])))
    Case.objects.filter(pk=Case.objects.order_by("id").last().pk).update(department=foreign.staff_roles.get().department)

    form = QueueFilter(QueryDict(query), user=caseworker, department_ids=case_departments(caseworker))
    orm_rows = [QueueRow._make(row) for row in form.queryset().values_list(*QueueRow._fields)]
    rows = form.page_rows(QueueRow._fields, QueueRow._make, 3)
    assert rows[0:100] == orm_rows and rows[2:5] == orm_rows[2:5] and rows[:4] == orm_rows[:4]
    assert rows.count() == form.matches.values("pk")[:4].count()
    if query in ("", "q=m%C3%BCller", "q=REF-2026-7"):
        assert orm_rows  # the comparison is not of two empty lists

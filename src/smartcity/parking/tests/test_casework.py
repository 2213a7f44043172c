"""Routed parking applications in the back office: zone, approval, hearing before rejection, withdrawal."""

import datetime as dt

import pytest
from django.urls import reverse

from smartcity.accounts.models import User
from smartcity.accounts.testing import login_citizen, login_staff, make_staff
from smartcity.audit.models import AuditEvent
from smartcity.cases import services as cases
from smartcity.cases.models import Case
from smartcity.cases.services import CaseError
from smartcity.parking import gdpr, services
from smartcity.parking.models import Application, DecisionRecord, SimulatedResident
from smartcity.parking.testing import make_zone
from smartcity.parking.tests.test_services import apply

pytestmark = pytest.mark.django_db


@pytest.fixture
def caseworker(db):
    return make_staff(services.DEPARTMENT_CODE)


@pytest.fixture
def staff_client(client, caseworker):
    login_staff(client, caseworker)
    return client


@pytest.fixture
def routed(resident):
    """A routed application whose address the registers could not place in a zone."""
    app = apply(resident, special_circumstances="Ich pflege meine Mutter.")
    Application.objects.filter(pk=app.pk).update(zone=None)
    app.refresh_from_db()
    assert app.status == Application.Status.IN_REVIEW and app.case_id
    return app


def _case(app) -> Case:
    return Case.objects.get(pk=app.case_id)


def _decide_url(app) -> str:
    return reverse("backoffice:decide", args=[_case(app).reference])


# --- 1: approving without a zone ---------------------------------------------------------------------------

def test_approving_without_zone_shows_a_german_message_instead_of_500(staff_client, routed):
    response = staff_client.post(_decide_url(routed), {"decide-outcome": "approved", "decide-reasons": "ok"})
    assert response.status_code == 400
    assert "kein Bewohnerparkgebiet" in response.content.decode()
    routed.refresh_from_db()
    assert routed.status == Application.Status.IN_REVIEW and _case(routed).status == "eingegangen"


def test_caseworker_sets_the_zone_then_approves(staff_client, routed, zone, caseworker):
    page = staff_client.get(reverse("backoffice:case", args=[_case(routed).reference]))
    link = reverse("parking:staff_application", args=[routed.pk])
    assert link in page.content.decode()
    response = staff_client.post(reverse("parking:staff_set_zone", args=[routed.pk]), {"zone": zone.pk})
    assert response.status_code == 302
    routed.refresh_from_db()
    assert routed.zone == zone
    assert AuditEvent.objects.filter(action="parking.application.zone_set", actor=caseworker).exists()
    assert _case(routed).notes.filter(body__contains="GP").exists()
    response = staff_client.post(_decide_url(routed), {"decide-outcome": "approved", "decide-reasons": "ok"})
    assert response.status_code == 302
    routed.refresh_from_db()
    assert routed.status == Application.Status.AWAITING_PAYMENT and routed.fee_cents == 2500


@pytest.mark.parametrize("value", ["", "999999", "abc"])
def test_bad_zone_input_is_refused_with_a_message(staff_client, routed, value):
    response = staff_client.post(reverse("parking:staff_set_zone", args=[routed.pk]), {"zone": value})
    assert response.status_code == 400
    routed.refresh_from_db()
    assert routed.zone is None


def test_repealed_zone_and_closed_application_are_refused(routed, zone, caseworker):
    old = make_zone("AL", "Altstadt", active_until=dt.date(2020, 1, 1))
    with pytest.raises(services.ParkingError, match="aufgehoben"):
        services.set_zone(routed, old, actor=caseworker)
    services.withdraw(routed, actor=routed.applicant)
    with pytest.raises(services.ParkingError, match="in Prüfung"):
        services.set_zone(routed, zone, actor=caseworker)


def test_other_departments_and_citizens_cannot_reach_the_parking_back_office(client, routed, zone):
    other = make_staff("steueramt")
    login_staff(client, other)
    assert client.get(reverse("parking:staff_application", args=[routed.pk])).status_code == 404
    assert client.get(reverse("parking:staff_list")).status_code == 403
    assert client.post(reverse("parking:staff_set_zone", args=[routed.pk]), {"zone": zone.pk}).status_code == 404
    login_citizen(client, routed.applicant)
    assert client.get(reverse("parking:staff_list")).status_code == 403
    routed.refresh_from_db()
    assert routed.zone is None



def test_parking_staff_are_its_caseworkers_and_team_leads_only(db, django_assert_num_queries):
    from smartcity.accounts.models import StaffRole
    from smartcity.parking.staff import is_parking_staff

    caseworker, teamlead = make_staff(services.DEPARTMENT_CODE), make_staff(services.DEPARTMENT_CODE, "teamlead")
    admin, other = make_staff(services.DEPARTMENT_CODE, StaffRole.Role.ADMIN), make_staff("steueramt")
    for user in (caseworker, teamlead, admin, other):
        user.role_list  # noqa: B018 - loaded once per request by the staff check; the answer needs no query
    with django_assert_num_queries(0):
        assert [is_parking_staff(u) for u in (caseworker, teamlead, admin, other)] == [True, True, False, False]
    from django.contrib.auth.models import AnonymousUser

    assert not is_parking_staff(AnonymousUser())

# --- 3 and 7: rejection with the caseworker, only after a hearing ------------------------------------------

def test_rejection_without_hearing_is_refused_with_a_german_message(staff_client, routed):
    response = staff_client.post(_decide_url(routed), {"decide-outcome": "rejected",
                                                       "decide-reasons": "Keine Pflege im Gebiet nachgewiesen."})
    assert response.status_code == 400
    assert "angehört werden" in response.content.decode()
    routed.refresh_from_db()
    assert routed.status == Application.Status.IN_REVIEW and _case(routed).status == "eingegangen"


def test_hearing_then_rejection_records_the_caseworker(staff_client, routed, caseworker):
    url = reverse("parking:staff_start_hearing", args=[routed.pk])
    assert staff_client.post(url, {"reasons": "  "}).status_code == 400
    assert staff_client.post(url, {"reasons": "Pflege nicht nachgewiesen."}).status_code == 302
    routed.refresh_from_db()
    case = _case(routed)
    assert routed.status == Application.Status.HEARING and case.status == "rueckfrage"
    assert case.messages.filter(is_question=True, body__contains="§ 28").exists()
    assert routed.decisions.first().outcome == DecisionRecord.Outcome.HEARING
    # Still within the hearing deadline: refused.
    with pytest.raises(CaseError, match="Anhörungsfrist läuft noch"):
        cases.decide(case, outcome="rejected", actor=caseworker, reasons="Pflege nicht nachgewiesen.")
    # The citizen answers in Meine Anträge (a case message): that is the statement.
    cases.send_message(case, sender=routed.applicant, body="Ich lege die Bescheinigung nach.")
    routed.refresh_from_db()
    assert routed.status == Application.Status.IN_REVIEW
    assert routed.hearing_statement == "Ich lege die Bescheinigung nach."
    cases.decide(case, outcome="rejected", actor=caseworker, reasons="Bescheinigung kam nicht.")
    routed.refresh_from_db()
    assert routed.status == Application.Status.REJECTED
    rejection = routed.decisions.first()
    assert rejection.outcome == DecisionRecord.Outcome.REJECT and rejection.decided_by == caseworker
    assert not rejection.automated and rejection.reasons == "Bescheinigung kam nicht."
    event = AuditEvent.objects.filter(action="parking.application.rejected").get()
    assert event.actor == caseworker


def test_rejection_after_the_hearing_deadline_passed(routed, caseworker):
    services.start_hearing(routed, actor=caseworker, reasons="Pflege nicht nachgewiesen.")
    Application.objects.filter(pk=routed.pk).update(hearing_deadline=dt.date.today() - dt.timedelta(days=1))
    cases.decide(_case(routed), outcome="rejected", actor=caseworker, reasons="Keine Stellungnahme.")
    routed.refresh_from_db()
    assert routed.status == Application.Status.REJECTED


def test_hearing_only_for_applications_in_review(resident, caseworker):
    app = apply(resident)  # decided automatically, awaiting payment
    with pytest.raises(services.ParkingError, match="nur für Anträge in Prüfung"):
        services.start_hearing(app, actor=caseworker, reasons="x")


def test_case_saves_no_longer_touch_the_application(routed, caseworker):
    case = _case(routed)
    Case.objects.filter(pk=case.pk).update(outcome="rejected")
    case.refresh_from_db()
    case.save()
    routed.refresh_from_db()
    assert routed.status == Application.Status.IN_REVIEW


# --- 2: withdrawal closes both ------------------------------------------------------------------------------

def test_citizen_withdrawal_closes_the_case(routed):
    services.withdraw(routed, actor=routed.applicant)
    case = _case(routed)
    assert routed.status == Application.Status.WITHDRAWN
    assert case.status == "zurueckgezogen" and case.closed_at is not None
    assert AuditEvent.objects.filter(action="parking.application.withdrawn").count() == 1
    with pytest.raises(CaseError):
        cases.decide(case, outcome="approved", actor=None)


def test_staff_withdrawal_of_the_case_is_mirrored_once(staff_client, routed, caseworker):
    response = staff_client.post(reverse("backoffice:transition", args=[_case(routed).reference]),
                                 {"to_status": "zurueckgezogen", "comment": "telefonisch"})
    assert response.status_code == 302
    routed.refresh_from_db()
    assert routed.status == Application.Status.WITHDRAWN
    event = AuditEvent.objects.filter(action="parking.application.withdrawn").get()
    assert event.actor == caseworker
    assert _case(routed).status_changes.filter(to_status="zurueckgezogen").count() == 1


def test_account_deletion_withdraws_application_and_case(routed):
    gdpr.erase(routed.applicant)
    routed.refresh_from_db()
    assert routed.status == Application.Status.WITHDRAWN and _case(routed).status == "zurueckgezogen"


def test_withdrawing_twice_is_refused(routed):
    services.withdraw(routed, actor=routed.applicant)
    with pytest.raises(services.ParkingError, match="nicht mehr zurückgezogen"):
        services.withdraw(routed, actor=routed.applicant)


def test_automatic_hearing_statement_and_rejection(resident, caseworker):
    SimulatedResident.objects.update(street="Am Wald", house_number="3", postcode="40629")
    app = apply(resident)
    assert app.status == Application.Status.HEARING
    with pytest.raises(CaseError, match="Anhörungsfrist"):
        cases.decide(_case(app), outcome="rejected", actor=caseworker, reasons="Keine Wohnung im Gebiet.")
    services.submit_statement(app, "Ich ziehe bald um.")
    cases.decide(_case(app), outcome="rejected", actor=caseworker, reasons="Keine Wohnung im Gebiet.")
    app.refresh_from_db()
    assert app.status == Application.Status.REJECTED and app.decisions.first().decided_by == caseworker
    assert User.objects.filter(pk=caseworker.pk).exists()


# --- 8: automatic decisions in the back office (read-only, audited) -----------------------------------------

def test_parking_staff_see_automatic_decisions_with_their_record(staff_client, resident, caseworker):
    app = apply(resident)  # issued automatically: no case
    assert app.case_id is None and app.status == Application.Status.AWAITING_PAYMENT
    listing = staff_client.get(reverse("parking:staff_list"), {"nur": "automatisch"})
    assert listing.status_code == 200 and app.reference in listing.content.decode()
    found = staff_client.get(reverse("parking:staff_list"), {"q": "d-em 1234"})
    assert app.reference in found.content.decode()
    assert app.reference not in staff_client.get(reverse("parking:staff_list"), {"q": "D-XX 1"}).content.decode()
    detail = staff_client.get(reverse("parking:staff_application", args=[app.pk]))
    body = detail.content.decode()
    assert detail.status_code == 200 and "Automatisch geprüft" in body and "§ 35a VwVfG" in body
    assert "Gebiet festlegen" not in body and "Anhörung einleiten" not in body  # read-only for decided ones
    assert AuditEvent.objects.filter(action="parking.application.read", actor=caseworker,
                                     object_id=str(app.pk)).exists()
    assert staff_client.post(reverse("parking:staff_start_hearing", args=[app.pk]),
                             {"reasons": "x"}).status_code == 400
    app.refresh_from_db()
    assert app.status == Application.Status.AWAITING_PAYMENT

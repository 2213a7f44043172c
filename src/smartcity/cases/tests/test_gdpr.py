from smartcity.cases import gdpr as cases_gdpr
from smartcity.cases import services
from smartcity.notifications import gdpr as notifications_gdpr
from smartcity.notifications.models import Notification


def test_export_contains_cases_history_and_messages(case, caseworker, citizen):
    services.send_message(case, sender=caseworker, body="Bitte Nachweis", is_question=True)
    exported = cases_gdpr.export(citizen)["Anträge"]
    assert exported[0]["Aktenzeichen"] == case.reference
    assert exported[0]["Nachrichten"][0]["Text"] == "Bitte Nachweis"
    assert notifications_gdpr.export(citizen)["Postfach"]


def test_erase_withdraws_open_cases_and_keeps_records(case, caseworker, citizen, case_type):
    closed = services.create_case(case_type=case_type, applicant=citizen, data={})
    services.decide(closed, outcome="approved", actor=caseworker, reasons="ok")
    notes = cases_gdpr.erase(citizen) + notifications_gdpr.erase(citizen)
    case.refresh_from_db()
    assert case.status == "zurueckgezogen"
    assert any("zurückgezogen" in n for n in notes) and any("Aufbewahrungsfrist" in n for n in notes)
    assert not Notification.objects.filter(user=citizen).exists()

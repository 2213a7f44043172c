import datetime as dt
from types import SimpleNamespace

import pytest
from pypdf import PdfReader

from smartcity.accounts.models import User
from smartcity.audit.models import AuditEvent
from smartcity.parking import services
from smartcity.parking.models import Application, DecisionRecord, Permit, SimulatedResident, SimulatedVehicle
from smartcity.parking.registers.contrib.simulator.models import SimulatedOutage
from smartcity.parking.rules.plates import InvalidInput
from smartcity.parking.testing import register_vehicle

pytestmark = pytest.mark.django_db


def apply(user, plate="D-EM 1234", vin="4711", months=12, **kw) -> Application:
    app = services.create_application(user, plate=plate, vin_suffix=vin, months=months, **kw)
    services.submit(app)
    app.refresh_from_db()
    return app


def pay(app: Application, capture) -> Permit | None:
    """What the payments app does on a confirmed payment: the handler runs inside its transaction."""
    from django.db import transaction

    with capture(execute=True), transaction.atomic():
        services.on_paid(SimpleNamespace(pk="00000000-0000-0000-0000-000000000001", subject_id=app.pk))
    app.refresh_from_db()
    return Permit.objects.filter(application=app).first()


def test_standard_case_is_decided_automatically_and_issued_after_payment(resident, django_capture_on_commit_callbacks):
    app = apply(resident)
    assert app.status == Application.Status.AWAITING_PAYMENT
    assert app.fee_cents == 2500 and app.zone.code == "GP"
    record = app.decisions.get()
    assert record.outcome == DecisionRecord.Outcome.ISSUE and record.automated
    assert "§ 35a VwVfG" in record.legal_basis and "§ 45 Abs. 1b" in record.legal_basis
    assert record.legal_remedy.startswith("Gegen diesen Bescheid")
    assert all(c["passed"] for c in record.checks) and len(record.checks) == 16
    assert record.inputs["fahrzeugregister"]["vin_suffix"] == "4711"
    permit = pay(app, django_capture_on_commit_callbacks)
    assert permit is not None and app.status == Application.Status.ISSUED
    assert permit.valid_from == dt.date.today() and permit.plate == "D-EM 1234" and permit.automated
    assert AuditEvent.objects.filter(action="parking.permit.issued").count() == 1


def test_standard_case_appends_the_events_of_each_transaction_together(resident, django_capture_on_commit_callbacks):
    """Every step still writes its own events, in order and chained; the events of one transaction are appended in one
    statement at its end (PostgreSQL), so the audit chain head is locked only from there until the commit."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from smartcity.audit.services import record, verify_chain

    record("system:test", "test.start")  # the chain head exists (the first event of a database creates it)
    with CaptureQueriesContext(connection) as statements:
        app = apply(resident)
        with django_capture_on_commit_callbacks(execute=True):
            services.record_counter_payment(app, actor="test")
    actions = AuditEvent.objects.exclude(action__in=["test.start", "parking.signing_key.created"]).order_by("id")
    assert [e.action for e in actions] == [
        "parking.application.created", "parking.application.submitted", "parking.decision.recorded",
        "parking.application.approved_automatically", "parking.application.paid_at_counter",
        "parking.application.paid", "parking.application.issued", "parking.permit.issued", "documents.stored"]
    assert verify_chain()[0]
    if connection.vendor == "postgresql":  # created, submitted, decision, payment, issue, key, document
        assert len([q for q in statements if "audit_auditevent" in q["sql"]]) == 7


def test_issue_is_idempotent(resident, django_capture_on_commit_callbacks):
    app = apply(resident)
    first = pay(app, django_capture_on_commit_callbacks)
    assert services.issue_permit(app) == first
    assert services.issue_permit(app.pk) == first
    assert Permit.objects.count() == 1


def pay_with_simulator(app: Application, capture, *, replays: int = 0):
    """Start the payment, pay on the simulator, deliver the signed webhook (and replays of it)."""
    from smartcity.payments.contrib.simulator import webhooks
    from smartcity.payments.contrib.simulator.models import SimulatorTransaction
    from smartcity.payments.models import Payment
    from smartcity.payments.services import handle_webhook

    with capture(execute=True):
        services.start_payment(app, return_url="/parken/")
    app.refresh_from_db()
    payment = Payment.objects.get(pk=app.payment_id)
    tx = SimulatorTransaction.objects.get(pk=payment.provider_reference)
    tx.status = SimulatorTransaction.Status.PAID
    tx.save()
    body, headers = webhooks.build(tx, event_id="evt-paid")
    for _ in range(1 + replays):
        with capture(execute=True):
            assert handle_webhook("simulator", body, headers).http_status == 200
    app.refresh_from_db()
    return payment


def test_replayed_payment_webhook_yields_one_permit(resident, django_capture_on_commit_callbacks, settings):
    settings.PAYMENTS_SIMULATOR_WEBHOOKS = "off"
    app = apply(resident)
    pay_with_simulator(app, django_capture_on_commit_callbacks, replays=3)
    assert app.status == Application.Status.ISSUED
    assert Permit.objects.filter(application=app).count() == 1


def test_abandoned_payment_leaves_the_application_resumable(resident, django_capture_on_commit_callbacks, settings):
    from smartcity.payments.contrib.simulator.models import SimulatorTransaction
    from smartcity.payments.models import Payment
    from smartcity.payments.services import refresh_from_provider

    settings.PAYMENTS_SIMULATOR_WEBHOOKS = "off"
    app = apply(resident)
    with django_capture_on_commit_callbacks(execute=True):
        services.start_payment(app, return_url="/parken/")
    app.refresh_from_db()
    payment = Payment.objects.get(pk=app.payment_id)
    SimulatorTransaction.objects.filter(pk=payment.provider_reference).update(
        status=SimulatorTransaction.Status.CANCELLED)
    with django_capture_on_commit_callbacks(execute=True):
        refresh_from_provider(payment, source="return")
    app.refresh_from_db()
    assert app.status == Application.Status.AWAITING_PAYMENT and app.plate == "D-EM 1234"
    pay_with_simulator(app, django_capture_on_commit_callbacks)  # a second attempt succeeds
    assert app.status == Application.Status.ISSUED


def test_worker_killed_between_payment_and_issue(resident):
    """on_paid committed but the issuing task died with its worker (its on-commit callback never ran here):
    the redelivered task (acks_late) issues the permit, a duplicate delivery issues nothing more."""
    from django.db import transaction

    from smartcity.parking import tasks

    app = apply(resident)
    with transaction.atomic():
        services.on_paid(SimpleNamespace(pk="p1", subject_id=app.pk))
    app.refresh_from_db()
    assert app.status == Application.Status.PAID and not Permit.objects.exists()
    first = tasks.issue_permit_task.apply(args=(str(app.pk),)).get()
    again = tasks.issue_permit_task.apply(args=(str(app.pk),)).get()
    assert first == again and Permit.objects.filter(application=app).count() == 1
    assert tasks.issue_permit_task.acks_late and tasks.issue_permit_task.reject_on_worker_lost


def test_pdf_is_made_by_its_own_task_after_the_permit_is_valid(resident, django_capture_on_commit_callbacks,
                                                               monkeypatch):
    """Issuing commits the permit and queues the PDF; the holder is told at once. The document task is idempotent:
    a redelivery, a second run and the holder's own download all end with one stored document."""
    from smartcity.documents.models import Document
    from smartcity.notifications.models import Notification
    from smartcity.parking import tasks
    from smartcity.parking.enforcement.verification import verify_online
    from smartcity.parking.tokens import Status as TokenStatus

    app = apply(resident)
    services.record_counter_payment(app, actor="test")
    with django_capture_on_commit_callbacks(execute=False) as issued:
        permit = services.issue_permit(app)
    assert permit.document_id is None and len(issued) == 1  # nothing rendered inside the issuing transaction
    queued = []
    monkeypatch.setattr(tasks.permit_document_task, "delay", queued.append)
    issued[0]()  # the on-commit step: queue the PDF, notify
    monkeypatch.undo()
    assert queued == [str(permit.pk)]
    assert Notification.objects.filter(user=resident, subject="Ihr Bewohnerparkausweis ist ausgestellt").count() == 1
    permit.refresh_from_db()
    assert permit.document_id is None and permit.status == Permit.Status.ACTIVE  # valid before its PDF exists
    assert services.ensure_permit_document(permit)  # the holder downloads first: rendered and stored on the spot

    first = tasks.permit_document_task.apply(args=(str(permit.pk),)).get()
    again = tasks.permit_document_task.apply(args=(str(permit.pk),)).get()
    permit.refresh_from_db()
    assert first == again == str(permit.document_id)
    assert Document.objects.filter(owner=resident, kind=Document.Kind.PERMIT).count() == 1
    assert tasks.permit_document_task.acks_late and tasks.permit_document_task.reject_on_worker_lost
    token = PdfReader(Document.objects.get(pk=first).file.open("rb")).metadata["/Keywords"]
    assert verify_online(token).status == TokenStatus.VALID


def test_redelivered_issue_task_still_gets_the_pdf_made(resident, django_capture_on_commit_callbacks):
    """The worker died after the issuing commit, before the PDF: the redelivered issuing task issues nothing new
    but queues the document task again."""
    from smartcity.documents.models import Document

    app = apply(resident)
    services.record_counter_payment(app, actor="test")
    with django_capture_on_commit_callbacks(execute=False):
        permit = services.issue_permit(app)  # its after-commit step is lost with the worker
    with django_capture_on_commit_callbacks(execute=True):
        assert services.issue_permit(app) == permit
    permit.refresh_from_db()
    assert Document.objects.filter(pk=permit.document_id, kind=Document.Kind.PERMIT).exists()
    assert Permit.objects.filter(application=app).count() == 1


def test_stuck_paid_applications_are_swept(resident):
    from django.db import transaction

    app = apply(resident)
    with transaction.atomic():
        services.on_paid(SimpleNamespace(pk="p1", subject_id=app.pk))
    assert services.issue_stuck_paid(older_than=dt.timedelta(0)) == 1
    assert services.issue_stuck_paid(older_than=dt.timedelta(0)) == 0
    assert Permit.objects.count() == 1


def test_malformed_plate_is_refused_before_anything_is_saved(resident):
    with pytest.raises(InvalidInput) as exc:
        services.create_application(resident, plate="DEM1234", vin_suffix="4711", months=12)
    assert "Format" in str(exc.value)
    assert not Application.objects.exists()


def test_wrong_vin_returns_the_application_for_correction(resident):
    app = apply(resident, vin="1111")
    assert app.status == Application.Status.DRAFT and app.vin_failures == 1
    record = app.decisions.get()
    assert record.outcome == DecisionRecord.Outcome.RETURN
    assert "FIN passen nicht" in record.reasons
    services.correct_application(app, plate="D-EM 1234", vin_suffix="4711", months=12)
    services.submit(app)
    app.refresh_from_db()
    assert app.status == Application.Status.AWAITING_PAYMENT


def test_register_timeout_keeps_the_application_waiting(resident, monkeypatch, django_capture_on_commit_callbacks):
    from smartcity.parking import tasks

    scheduled = []
    monkeypatch.setattr(tasks.retry_register_check, "apply_async",
                        lambda args, countdown: scheduled.append((args, countdown)))
    SimulatedVehicle.objects.update(simulate=SimulatedOutage.TIMEOUT)
    app = services.create_application(resident, plate="D-EM 1234", vin_suffix="4711", months=12)
    services.submit(app)
    app.refresh_from_db()
    assert app.status == Application.Status.WAITING_REGISTER
    assert app.decisions.get().outcome == DecisionRecord.Outcome.WAIT
    assert "Zeitüberschreitung" in app.register_error
    SimulatedVehicle.objects.update(simulate="")
    with django_capture_on_commit_callbacks(execute=True):
        services.retry_after_outage(app.pk)
    app.refresh_from_db()
    assert app.status == Application.Status.AWAITING_PAYMENT
    from smartcity.notifications.models import Notification

    assert Notification.objects.filter(user=resident, subject__contains="ist geprüft").exists()
    assert app.plate == "D-EM 1234" and app.vin_suffix == "4711"  # nothing lost


def test_retry_safety_net_starts_no_second_retry_chain(resident, monkeypatch, django_capture_on_commit_callbacks):
    from django.utils import timezone

    from smartcity.parking import tasks

    scheduled = []
    monkeypatch.setattr(tasks.retry_register_check, "apply_async",
                        lambda args, countdown: scheduled.append((args, countdown)))
    SimulatedVehicle.objects.update(simulate=SimulatedOutage.TIMEOUT)
    with django_capture_on_commit_callbacks(execute=True):
        app = apply(resident)
    assert app.register_attempts == 1 and len(scheduled) == 1 and scheduled[0][1] == 60
    # The scheduled retry is still pending: the beat job leaves the application alone, however often it runs.
    for _ in range(3):
        assert tasks.retry_waiting() == 0
    app.refresh_from_db()
    assert app.register_attempts == 1 and len(scheduled) == 1
    # The retry got lost (no attempt for twice the backoff): the safety net re-checks once, which schedules
    # the next retry of the same chain with the next backoff.
    later = timezone.now() + dt.timedelta(seconds=121)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.retry_lost_waiting(later) == 1
    app.refresh_from_db()
    assert app.register_attempts == 2 and [c for _, c in scheduled] == [60, 120]
    assert services.retry_lost_waiting(later) == 0
    assert services.register_backoff_seconds(20) == 3600 and services.register_backoff_seconds(0) == 60


def test_company_car_needs_upload_then_goes_to_a_caseworker(resident):
    register_vehicle("D-FI 200", None, keeper_organisation="Rheinische Leasing GmbH")
    app = apply(resident, plate="D-FI 200")
    assert app.status == Application.Status.DRAFT
    assert "Nutzungsbestätigung" in app.decisions.get().reasons
    Application.objects.filter(pk=app.pk).update(usage_document_id="00000000-0000-0000-0000-0000000000aa")
    services.submit(app)
    app.refresh_from_db()
    assert app.status == Application.Status.IN_REVIEW and app.case_id
    from smartcity.cases.models import Case

    case = Case.objects.get(pk=app.case_id)
    assert case.case_type.code == "bewohnerparken" and case.department.code == "verkehrsmanagement"
    assert case.data["Kennzeichen"] == "D-FI 200"
    assert "Nutzungsbestätigung" in case.data["Grund der Vorlage"]


def test_caseworker_approval_runs_the_same_pipeline(resident, django_capture_on_commit_callbacks):
    from smartcity.cases.models import Case
    from smartcity.cases.services import decide

    app = apply(resident, special_circumstances="Ich pflege meine Mutter in der Nachbarstraße.")
    assert app.status == Application.Status.IN_REVIEW
    caseworker = User.objects.create_user(username="parken", password="x")
    case = Case.objects.get(pk=app.case_id)
    decide(case, outcome="approved", actor=caseworker)
    app.refresh_from_db()
    assert app.status == Application.Status.AWAITING_PAYMENT and app.fee_cents == 2500
    approval = app.decisions.first()
    assert approval.outcome == DecisionRecord.Outcome.APPROVE and not approval.automated
    assert approval.decided_by == caseworker
    permit = pay(app, django_capture_on_commit_callbacks)
    assert permit is not None and not permit.automated


def test_address_outside_every_zone_leads_to_a_hearing_then_rejection(resident, citizen):
    SimulatedResident.objects.update(street="Am Wald", house_number="3", postcode="40629")
    app = apply(resident)
    assert app.status == Application.Status.HEARING
    assert app.hearing_deadline == dt.date.today() + dt.timedelta(days=14)
    assert "keinem Bewohnerparkgebiet" in app.decisions.get().reasons
    services.submit_statement(app, "Ich ziehe nächsten Monat in die Kaiserstraße.")
    assert app.status == Application.Status.IN_REVIEW
    from smartcity.cases.models import Case
    from smartcity.cases.services import decide

    case = Case.objects.get(pk=app.case_id)
    assert case.status == "in_pruefung"
    caseworker = User.objects.create_user(username="parken")
    decide(case, outcome="rejected", actor=caseworker, reasons="Keine Wohnung im Gebiet.")
    app.refresh_from_db()
    assert app.status == Application.Status.REJECTED
    assert app.decisions.first().outcome == DecisionRecord.Outcome.REJECT


def test_expired_hearing_goes_to_the_caseworker(resident):
    SimulatedResident.objects.update(street="Am Wald", postcode="40629")
    app = apply(resident)
    assert services.close_expired_hearings(dt.date.today() + dt.timedelta(days=15)) == 1
    assert services.close_expired_hearings(dt.date.today() + dt.timedelta(days=15)) == 0
    app.refresh_from_db()
    assert app.status == Application.Status.IN_REVIEW


def test_second_person_same_plate_conflict_routes_instead_of_failing(resident, zone,
                                                                     django_capture_on_commit_callbacks):
    app = apply(resident)
    pay(app, django_capture_on_commit_callbacks)
    other = User.objects.create_user(username="max", first_name="Max", last_name="Mustermann",
                                     birth_date=dt.date(1960, 1, 1))
    rival = Application.objects.create(reference="BP-X", applicant=other, plate="D-EM 1234", vin_suffix="4711",
                                       months=12, zone=zone, status=Application.Status.PAID, fee_cents=2500)
    assert services.issue_permit(rival) is None
    rival.refresh_from_db()
    assert rival.status == Application.Status.IN_REVIEW
    assert Permit.objects.filter(plate="D-EM 1234", status="active").count() == 1


def test_a_permit_number_already_taken_is_drawn_again(resident, zone, django_capture_on_commit_callbacks):
    """The number is not looked up before the insert: its unique index refuses a taken one, and issuing draws another
    instead of sending the application to a caseworker as a conflict."""
    from unittest import mock

    first = pay(apply(resident), django_capture_on_commit_callbacks)
    other = User.objects.create_user(username="max", first_name="Max", last_name="Mustermann",
                                     birth_date=dt.date(1960, 1, 1))
    paid = Application.objects.create(reference="BP-Y", applicant=other, plate="D-MM 77", vin_suffix="7777",
                                      months=12, zone=zone, status=Application.Status.PAID, fee_cents=2500)
    taken = first.number.rsplit("-", 1)[1]
    with mock.patch.object(services, "_random_code", side_effect=[taken, "NEWNUMBR"]):
        permit = services.issue_permit(paid)
    paid.refresh_from_db()
    assert permit is not None and permit.number.endswith("-NEWNUMBR") and permit.number != first.number
    assert paid.status == Application.Status.ISSUED and not paid.decisions.exists()


def test_document_task_reads_only_what_the_pdf_shows(resident, django_assert_num_queries):
    """The task reads the permit with the few columns of holder, application and zone that the PDF prints; a column
    left out would cost one query more per permit. The PDF is the one a fully read permit gives."""
    from unittest import mock

    from django.db import connection

    from smartcity.parking import permit_pdf, tasks

    app = apply(resident)
    services.record_counter_payment(app, actor="test")
    permit = services.issue_permit(app)  # its on-commit steps (the document task) do not run in a test transaction
    full = Permit.objects.select_related("holder", "application", "zone").get(pk=permit.pk)
    with mock.patch("smartcity.parking.permit_pdf.issue_token", return_value="t") as token, \
            mock.patch("reportlab.rl_config.invariant", 1):  # no creation time or random document id
        expected = permit_pdf.render_permit_pdf(full)
        # permit with its decision's legal basis and remedy (the configuration is the process's); savepoint, lock,
        # document, audit event (one statement on PostgreSQL, three elsewhere), permit update, release
        queries = 7 if connection.vendor == "postgresql" else 9
        with django_assert_num_queries(queries), mock.patch.object(permit_pdf, "render_permit_pdf",
                                                                   wraps=permit_pdf.render_permit_pdf) as render:
            tasks.permit_document_task.apply(args=(str(permit.pk),)).get()
        narrow = render.call_args.args[0]
        assert permit_pdf.render_permit_pdf(narrow) == expected and token.call_count == 3


def test_permit_pdf_prints_the_configured_authority_and_remedy(resident):
    """The letter's authority and, for a decision without its own, the configured legal remedy come from the city's
    configuration as saved in the admin (kept per process, current after every save); without a configuration it is
    created with its defaults."""
    from io import BytesIO

    from smartcity.parking.models import ParkingConfig
    from smartcity.parking.permit_pdf import permit_for_pdf, render_permit_pdf

    app = apply(resident)
    services.record_counter_payment(app, actor="test")
    permit = services.issue_permit(app)
    config = ParkingConfig.objects.get()
    config.authority, config.legal_remedy = "Amt für Verkehrsmanagement Teststadt", "Widerspruch beim Amt für Tests."
    config.save()
    app.decisions.update(legal_remedy="")

    def text() -> str:
        reader = PdfReader(BytesIO(render_permit_pdf(permit_for_pdf(str(permit.pk)))))
        return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)

    printed = text()
    assert "Amt für Verkehrsmanagement Teststadt" in printed and "Widerspruch beim Amt für Tests." in printed
    ParkingConfig.objects.all().delete()
    assert "Gegen diesen Bescheid" in text() and ParkingConfig.objects.count() == 1


def test_configuration_is_read_once_per_process_and_current_after_a_save(django_assert_num_queries):
    from smartcity.parking.models import ParkingConfig

    config = services.get_config()
    with django_assert_num_queries(0):
        assert services.get_config() is config
    stored = ParkingConfig.objects.get(pk=config.pk)
    stored.max_length_mm = 4321
    stored.save()
    assert services.get_config().max_length_mm == 4321
    stored.delete()
    assert services.get_config().pk != config.pk and ParkingConfig.objects.count() == 1


def test_status_change_writes_only_the_columns_it_touched(resident):
    """``_set_status`` updates the status, the columns assigned since the row was read and ``updated_at``; a column
    changed meanwhile by someone else is not overwritten with the stale value."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    app = services.create_application(resident, plate="D-EM 1234", vin_suffix="4711", months=12)
    stale = Application.objects.get(pk=app.pk)
    Application.objects.filter(pk=app.pk).update(special_circumstances="Schichtdienst")
    stale.fee_cents = 1234
    with CaptureQueriesContext(connection) as queries:
        services._set_status(stale, Application.Status.WITHDRAWN, resident, "withdrawn")
    update = next(q["sql"] for q in queries if q["sql"].startswith("UPDATE"))
    assert update.split(" WHERE ")[0].count("=") == 3  # status, fee_cents, updated_at
    fresh = Application.objects.get(pk=app.pk)
    assert (fresh.status, fresh.fee_cents, fresh.special_circumstances) == ("withdrawn", 1234, "Schichtdienst")
    assert stale.changed_fields() == ["updated_at"]  # what was saved counts as stored
    assert Application(reference="x").changed_fields() is None  # not read from the database: saved in full
    partial = Application.objects.only("status").get(pk=app.pk)
    partial.fee_cents = 99  # left unread, then assigned: saved too
    services._set_status(partial, Application.Status.WITHDRAWN, resident, "withdrawn")
    assert Application.objects.get(pk=app.pk).fee_cents == 99

"""Every state change of applications and permits happens here (ADR 0050: the decision pipeline).

    create_application → submit → evaluate (registers + rules) → DecisionRecord
        ISSUE   → awaiting_payment → (payments on_paid) → paid → issue_permit (Celery, idempotent) → issued
        ROUTE   → in_review (back-office case) → caseworker approves → awaiting_payment → … same pipeline
        REJECT  → hearing (Anhörung, deadline) → caseworker decides
        RETURN  → draft again with the reasons (nothing decided, nothing lost)
        register outage → waiting_register, retried with backoff; never rejected

Each function writes an audit event; views and tasks never set status fields.
"""

import datetime as dt
import logging
import secrets
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from smartcity.audit.services import append, new_event, record
from smartcity.core.process_cache import ProcessCache
from smartcity.core.rows import RowLoader, create, save_columns

from .models import Address, Application, DecisionRecord, ParkingConfig, Permit, Zone
from .registers import registry
from .registers.base import PersonQuery, RegisterUnavailable, keeper_is
from .rules import eligibility as rules
from .rules.fees import FEE_LEGAL_BASIS, compute_fee, format_euros
from .rules.lifecycle import pro_rata_refund, renewal_open, renewal_opens_on, renewal_validity, validity
from .rules.plates import SAME_PLATE_TWICE, InvalidInput, normalise_plate, normalise_vin_fragment
from .zones import assign_zone, find_address

log = logging.getLogger(__name__)
SYSTEM = "system:parking"
CASE_TYPE_CODE = "bewohnerparken"
DEPARTMENT_CODE = "verkehrsmanagement"
Status = Application.Status
Kind = Application.Kind
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud on the phone


class ParkingError(ValueError):
    """A request that cannot be carried out; ``str(exc)`` is the message for the citizen or caseworker in the
    active language (German source texts through gettext; decision records stay German as the legal record)."""


# --- configuration ------------------------------------------------------------------------------------------

# Read on every step of every application (decision, fee, issuing, the letter) and changed a few times a year in the
# admin: kept per process by city code, rebuilt after every save or delete (core.process_cache). Callers read it;
# a change goes through the admin or ``save()``.
_configs: ProcessCache[dict[str, ParkingConfig]] = ProcessCache("parking:config:version", dict)
receiver([post_save, post_delete], sender=ParkingConfig)(_configs.invalidate)


def get_config() -> ParkingConfig:
    from smartcity.cases.decision import REMEDY

    config = _configs.get().get(settings.PARKING_CITY_CODE)
    if config is None:
        config, _ = ParkingConfig.objects.get_or_create(city_code=settings.PARKING_CITY_CODE,
                                                        defaults={"legal_remedy": REMEDY})
        _configs.get()[config.city_code] = config  # get() again: creating it replaced the version
    return config


def rule_config(config: ParkingConfig) -> rules.RuleConfig:
    return rules.RuleConfig(
        accepted_residence_types=tuple(config.accepted_residence_types),
        durations_months=tuple(int(m) for m in config.durations_months),
        max_length_mm=config.max_length_mm,
        eligible_vehicle_classes=tuple(config.eligible_vehicle_classes),
        home_districts=tuple(config.home_districts),
    )


def _config_snapshot(config: ParkingConfig) -> dict[str, Any]:
    return {"city_code": config.city_code, "accepted_residence_types": config.accepted_residence_types,
            "durations_months": config.durations_months, "max_length_mm": config.max_length_mm,
            "eligible_vehicle_classes": config.eligible_vehicle_classes, "home_districts": config.home_districts,
            "updated_at": config.updated_at.isoformat() if config.updated_at else None}


def _random_code(length: int) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def _new_reference() -> str:
    while True:
        reference = f"BP-{timezone.localdate().year}-{_random_code(6)}"
        if not Application.objects.filter(reference=reference).exists():
            return reference


def _new_permit_number(zone: Zone) -> str:
    """A random number (32⁸ ≈ 10¹² per zone and year); its unique index refuses one already taken (see
    ``issue_permit``), so it is not looked up before."""
    return f"{zone.code}-{timezone.localdate().year % 100:02d}-{_random_code(8)}"


def _today() -> dt.date:
    return timezone.localdate()


# The application is read five times per permit (four of them locked), always in the same shape: these statements are
# written once per process instead of being compiled by the ORM on every call (core.rows).
_APPLICATION = RowLoader(Application)
_LOCKED = RowLoader(Application, lock=True)
_LOCKED_WITH_PEOPLE = RowLoader(Application, related=("applicant", "replaces"), lock=True)  # as ``_with_people``
# To issue: the holder and the zone without its polygon (large for real zones), and whether a caseworker decided.
_TO_ISSUE = RowLoader(Application, related=("applicant", "zone"), defer=("zone__geometry",), lock=True, extra={
    "manual_decision": "EXISTS (SELECT 1 FROM parking_decisionrecord d WHERE d.application_id = t0.id AND NOT "
                       "d.automated)"})


def _locked(application: Application) -> Application:
    return _LOCKED.get(application.pk)


def _set_status(application: Application, status: str, actor: Any, action: str, *, events: list | None = None,
                **details: Any) -> None:
    """Change the status (and the columns assigned before) and record it (see ``_audit`` for ``events``)."""
    before = application.status
    application.status = status
    # Only the columns this change touched (status, zone, fee, …): a full-row UPDATE of ~30 columns costs CPU on
    # every step of the pipeline and would write back stale values of columns nobody changed.
    fields = application.changed_fields()
    if fields is None:
        application.save()
    else:
        save_columns(application, fields)  # save(update_fields=fields) without compiling the UPDATE every time
        application.mark_saved(fields)
    _audit(new_event(actor, f"parking.application.{action}", application, reference=application.reference,
                     from_status=before, to_status=status, **details), events)


def _audit(event: Any, events: list | None) -> None:
    """Append the audit event now, or add it to ``events``, which the caller appends together with the other events
    of its transaction at the end (one statement; the audit chain head is locked from there until the commit)."""
    if events is None:
        append([event])
    else:
        events.append(event)


# --- applications -------------------------------------------------------------------------------------------

def active_permit_of(user: Any) -> Permit | None:
    return Permit.objects.select_related("zone").filter(holder=user, status=Permit.Status.ACTIVE).first()


def create_application(applicant: Any, *, plate: str, vin_suffix: str, months: int, kind: str = Kind.NEW,
                       second_plate: str = "", special_circumstances: str = "", usage_document: Any = None,
                       replaces: Permit | None = None, channel: str = Application.Channel.ONLINE) -> Application:
    """Save a draft. Raises ``rules.plates.InvalidInput`` (German) for a malformed plate or VIN fragment."""
    plate, second = _plates(plate, second_plate)
    vin = normalise_vin_fragment(vin_suffix)
    if replaces is not None and (replaces.holder_id != applicant.pk or replaces.status != Permit.Status.ACTIVE):
        raise ParkingError(gettext("Dieser Ausweis ist nicht (mehr) gültig und kann nicht geändert werden."))
    if kind == Kind.RENEWAL:
        config = get_config()
        if not renewal_open(_today(), replaces.valid_until, config.renewal_window_days):
            opens = renewal_opens_on(replaces.valid_until, config.renewal_window_days)
            raise ParkingError(gettext("Eine Verlängerung ist ab %(date)s möglich.") % {"date": f"{opens:%d.%m.%Y}"})
    application = Application.objects.create(
        reference=_new_reference(), applicant=applicant, kind=kind, channel=channel, plate=plate,
        second_plate=second, vin_suffix=vin, months=months, special_circumstances=special_circumstances.strip(),
        usage_document_id=getattr(usage_document, "pk", None), replaces=replaces,
    )
    record(applicant, "parking.application.created", application, reference=application.reference, kind=kind)
    return application


def _plates(plate: str, second_plate: str) -> tuple[str, str]:
    """Both plates in canonical form; raises ``InvalidInput`` (German msgid) for a malformed one or the same twice."""
    plate = normalise_plate(plate)
    second = normalise_plate(second_plate) if second_plate.strip() else ""
    if second == plate:
        raise InvalidInput(SAME_PLATE_TWICE)
    return plate, second


def correct_application(application: Application, *, plate: str, vin_suffix: str, months: int,
                        second_plate: str = "", special_circumstances: str = "", usage_document: Any = None) -> None:
    """The citizen corrects a draft (after a RETURN). Only drafts can be changed."""
    plate, second = _plates(plate, second_plate)
    vin = normalise_vin_fragment(vin_suffix)
    with transaction.atomic():
        app = _locked(application)
        if app.status != Status.DRAFT:
            raise ParkingError(gettext("Der Antrag ist schon eingereicht und kann nicht mehr geändert werden."))
        if plate != app.plate:
            app.vin_failures = 0
        app.plate, app.vin_suffix, app.months, app.second_plate = plate, vin, months, second
        app.special_circumstances = special_circumstances.strip()
        if usage_document is not None:
            app.usage_document_id = usage_document.pk
        app.save()
        record(app.applicant, "parking.application.corrected", app, reference=app.reference)
    application.refresh_from_db()


def submit(application: Application) -> DecisionRecord:
    """Submit a draft: check registers and rules at once. Returns the decision record written."""
    with transaction.atomic():
        # The applicant (the audit event's actor) and the replaced permit come with the locked row; the evaluation
        # below reuses them instead of reading the application again.
        app = _LOCKED_WITH_PEOPLE.get(application.pk)
        if app.status not in (Status.DRAFT, Status.WAITING_REGISTER):
            raise ParkingError(gettext("Dieser Antrag wurde bereits eingereicht."))
        if app.submitted_at is None:
            app.submitted_at = timezone.now()
            save_columns(app, ["submitted_at", "updated_at"])
            record(app.applicant, "parking.application.submitted", app, reference=app.reference)
    decision = _evaluate(app)
    _APPLICATION.refresh(application)
    return decision


def _person_query(user: Any) -> PersonQuery:
    return PersonQuery(family_name=user.last_name, given_names=user.first_name, birth_date=user.birth_date,
                       external_id=user.external_id)


def _with_people(applications: Any) -> Any:
    """Applications with their applicant and the permit they replace."""
    return applications.select_related("applicant", "replaces")


def _residence(registered: Any, zones: dict[str, Zone] | None = None) -> rules.Residence:
    """Map a register residence to the address register's zone (collected in ``zones`` by code)."""
    address = find_address(registered.street, registered.house_number, registered.postcode)
    if address is None:
        address = _address_from_register(registered)
    zone = address.zone if address else None
    if zone is not None and zones is not None:
        zones[zone.code] = zone
    return rules.Residence(
        street=registered.street, house_number=registered.house_number, postcode=registered.postcode,
        residence_type=registered.residence_type, zone_code=zone.code if zone else None,
        zone_name=zone.name if zone else "", zone_active_from=zone.active_from if zone else None,
        zone_applications_open_from=zone.applications_open_from if zone else None,
        zone_active_until=zone.active_until if zone else None)


def _address_from_register(registered: Any) -> Address | None:
    """An address missing from the address register can still be placed by its street range (no coordinates)."""
    from .zones import zone_by_street_range

    zone_id = zone_by_street_range(registered.street, registered.house_number, registered.postcode)
    if zone_id is None:
        return None
    return Address(street=registered.street, house_number=registered.house_number, postcode=registered.postcode,
                   zone=Zone.objects.get(pk=zone_id), lon=0, lat=0)


def _request(app: Application) -> rules.Request:
    """The facts from our own database, in one round trip: the person's other active permit (not the one this
    application replaces; partial unique index on the holder) and the requested plates, first or second alike,
    that are a plate of another person's active permit (partial unique index on ``PermitPlate.plate``)."""
    holder = Permit._meta.get_field("holder").get_db_prep_value(app.applicant_id, connection)
    params = [holder, Permit.Status.ACTIVE.value]
    if app.replaces_id is not None:
        params.append(Permit._meta.pk.get_db_prep_value(app.replaces_id, connection))
    params += [app.plate or None, app.second_plate or None, holder]  # IN (…, NULL) matches only the plate given
    facts: dict[str, list[str]] = {"own": [], "taken": []}
    with connection.cursor() as cursor:
        cursor.execute(_FACTS[app.replaces_id is not None], params)
        for fact, value in cursor.fetchall():
            facts[fact].append(value)
    return rules.Request(
        plate=app.plate, vin_suffix=app.vin_suffix, months=app.months, today=_today(),
        second_plate=app.second_plate, special_circumstances=app.special_circumstances,
        has_usage_document=app.usage_document_id is not None, failed_vin_attempts=app.vin_failures,
        other_active_permit_of_person=min(facts["own"], default=""),
        plates_of_other_persons=tuple(sorted(set(facts["taken"]))))


# ``_request``'s statement, written once (the ORM's union of two querysets cost ~1 ms of Python per decision to
# compile): the holder's active permits other than the replaced one, and the other persons' active permits' plates.
_OWN = "SELECT 'own', p.number FROM parking_permit p WHERE p.holder_id = %s AND p.status = %s"
_TAKEN = (" UNION ALL SELECT 'taken', pp.plate FROM parking_permitplate pp JOIN parking_permit p ON p.id = pp.permit_id"
          " WHERE pp.active AND pp.plate IN (%s, %s) AND (p.holder_id IS NULL OR p.holder_id <> %s)")
_FACTS = {False: _OWN + _TAKEN, True: _OWN + " AND p.id <> %s" + _TAKEN}  # by whether a permit is replaced


def _inputs(app: Application, person: rules.PersonRecord, vehicle: rules.VehicleRecord,
            request: rules.Request) -> dict[str, Any]:
    """What the decision rested on, for the record (JSON-safe; no full VIN, keeper only as label)."""
    return {"application": {"reference": app.reference, "kind": app.kind, "channel": app.channel},
            "request": {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in rules.as_dict(request).items()},
            "melderegister": {"found": person.found, "auskunftssperre": person.auskunftssperre,
                              "residences": [{**rules.as_dict(r), "zone_active_from": None,
                                              "zone_applications_open_from": None, "zone_active_until": None}
                                             for r in person.residences]},
            "fahrzeugregister": rules.as_dict(vehicle)}


def fetch_register_data(app: Application, zones: dict[str, Zone] | None = None) -> tuple[rules.PersonRecord,
                                                                                          rules.VehicleRecord]:
    """Ask both registers; raises RegisterUnavailable on an outage. The zones of the residences found are
    collected in ``zones`` (by code)."""
    timeout = registry.timeout()
    query = _person_query(app.applicant)
    person_answer = registry.population_register().lookup_person(query, timeout=timeout)
    vehicle_answer = registry.vehicle_register().lookup_vehicle(app.plate, timeout=timeout)
    person = rules.PersonRecord(found=person_answer.found, auskunftssperre=person_answer.auskunftssperre,
                                residences=tuple(_residence(r, zones) for r in person_answer.residences))
    vehicle = rules.VehicleRecord(
        found=vehicle_answer.found, plate=vehicle_answer.plate, keeper_is_applicant=keeper_is(vehicle_answer.keeper,
                                                                                             query),
        keeper_label=vehicle_answer.keeper.label, vin_suffix=vehicle_answer.vin_suffix,
        vehicle_class=vehicle_answer.vehicle_class, length_mm=vehicle_answer.length_mm,
        district=vehicle_answer.district)
    return person, vehicle


def evaluate(application: Application) -> DecisionRecord:
    """Run registers and rules for a submitted application and act on the outcome."""
    return _evaluate(_with_people(Application.objects).get(pk=application.pk))


def _evaluate(app: Application) -> DecisionRecord:
    """``evaluate`` for an application read with ``_with_people`` (not locked: the registers may take seconds)."""
    config = get_config()
    if app.kind == Kind.REPLACEMENT:
        return _evaluate_replacement(app, config)
    zones: dict[str, Zone] = {}
    try:
        person, vehicle = fetch_register_data(app, zones)
    except RegisterUnavailable as exc:
        return _wait_for_register(app, str(exc))
    request = _request(app)
    decision = rules.decide(person, vehicle, request, rule_config(config))
    zone = None
    if decision.zone_code:
        zone = zones.get(decision.zone_code) or Zone.objects.filter(code=decision.zone_code).first()
    with transaction.atomic():
        locked = _locked(app)
        if locked.status not in (Status.DRAFT, Status.WAITING_REGISTER):
            return locked.decisions.first()  # someone else evaluated it meanwhile
        locked.zone = zone
        locked.register_error = ""
        outcome = decision.outcome
        if outcome == rules.Outcome.ISSUE:
            outcome = _price(locked, config, zone, vehicle)
        # The automated approval's events (decision, approval, a zero fee paid) are appended together at the end of
        # the transaction: one statement, the audit chain head locked only from there until the commit.
        events: list | None = [] if outcome == rules.Outcome.ISSUE else None
        entry = _write_decision(locked, config, _RECORD_OUTCOME[outcome], decision.checks, decision.reasons,
                                decision.legal_basis, _inputs(locked, person, vehicle, request),
                                ruleset=decision.ruleset_version, events=events)
        if outcome == rules.Outcome.ISSUE:
            _set_status(locked, Status.AWAITING_PAYMENT, SYSTEM, "approved_automatically", events=events,
                        fee_cents=locked.fee_cents, zone=zone.code)
            if locked.fee_cents == 0:
                _mark_paid(locked, payment_id="", events=events)
            append(events)
        elif outcome == rules.Outcome.RETURN:
            if any(c.code == "vin_match" and c.outcome == rules.Outcome.RETURN for c in decision.checks):
                locked.vin_failures += 1
            _set_status(locked, Status.DRAFT, SYSTEM, "returned", reasons=decision.reasons)
        elif outcome == rules.Outcome.ROUTE:
            _route(locked, decision.reasons, entry)
        else:
            _start_hearing(locked, config, decision.reasons, entry)
    return entry


_RECORD_OUTCOME = {rules.Outcome.ISSUE: DecisionRecord.Outcome.ISSUE, rules.Outcome.ROUTE: DecisionRecord.Outcome.ROUTE,
                   rules.Outcome.REJECT: DecisionRecord.Outcome.HEARING,
                   rules.Outcome.RETURN: DecisionRecord.Outcome.RETURN}


def _price(app: Application, config: ParkingConfig, zone: Zone, vehicle: rules.VehicleRecord) -> rules.Outcome:
    """Set the fee for the permit; an incomplete fee table routes the case instead of guessing."""
    from .rules.fees import NoFee

    if app.kind == Kind.PLATE_CHANGE:
        app.fee_cents, app.fee_basis = config.change_fee_cents, "Änderung des Kennzeichens"
    elif app.kind == Kind.ZONE_CHANGE:
        app.fee_cents, app.fee_basis = config.zone_change_fee_cents, "Umschreibung auf ein anderes Gebiet"
    else:
        try:
            fee = compute_fee(config.fees, channel=app.channel, zone_code=zone.code, months=app.months,
                              length_mm=vehicle.length_mm)
        except NoFee:
            log.error("parking fee table incomplete", extra={"application": str(app.pk)})
            return rules.Outcome.ROUTE
        app.fee_cents, app.fee_basis = fee.cents, fee.basis
    return rules.Outcome.ISSUE


def _evaluate_replacement(app: Application, config: ParkingConfig) -> DecisionRecord:
    """A lost permit: same holder, plate, zone and validity; only the number (and token) change."""
    old = app.replaces
    check = rules.CheckResult("replacement", "Ersatz bei Verlust", rules.Outcome.PASS,
                              f"Ersatz für den als verloren gemeldeten Ausweis {old.number}.", rules.VWV)
    with transaction.atomic():
        locked = _locked(app)
        locked.zone = old.zone
        locked.fee_cents, locked.fee_basis = config.replacement_fee_cents, "Ersatzausweis bei Verlust"
        entry = _write_decision(locked, config, DecisionRecord.Outcome.ISSUE, (check,), check.reason,
                                (rules.VWV, rules.AUTOMATION), {"replaces": old.number})
        _set_status(locked, Status.AWAITING_PAYMENT, SYSTEM, "approved_automatically", fee_cents=locked.fee_cents)
        if locked.fee_cents == 0:
            _mark_paid(locked, payment_id="")
    return entry


def _write_decision(app: Application, config: ParkingConfig, outcome: str, checks: tuple[rules.CheckResult, ...],
                    reasons: str, legal_basis: tuple[str, ...], inputs: dict[str, Any], *, automated: bool = True,
                    actor: Any = None, ruleset: str = rules.RULESET_VERSION, events: list | None = None
                    ) -> DecisionRecord:
    rows = [{**rules.as_dict(c), "outcome": str(c.outcome), "passed": c.passed} for c in checks]
    if outcome in (DecisionRecord.Outcome.ISSUE, DecisionRecord.Outcome.APPROVE) and app.fee_cents is not None:
        reasons += f"\nGebühr: {format_euros(app.fee_cents)} ({app.fee_basis}; {FEE_LEGAL_BASIS})."
    entry = create(  # objects.create as a statement written once per process (core.rows)
        DecisionRecord, application=app, outcome=outcome, automated=automated,
        decided_by=actor if getattr(actor, "pk", None) else None, ruleset_version=ruleset,
        config_snapshot=_config_snapshot(config), inputs=inputs, checks=rows, reasons=reasons,
        legal_basis="; ".join(legal_basis),
        legal_remedy=config.legal_remedy if outcome in _WITH_REMEDY else "")
    _audit(new_event(actor or SYSTEM, "parking.decision.recorded", entry, application=app.reference,
                     outcome=outcome, ruleset=ruleset), events)
    return entry


_WITH_REMEDY = {DecisionRecord.Outcome.ISSUE, DecisionRecord.Outcome.APPROVE, DecisionRecord.Outcome.REJECT}


def _wait_for_register(app: Application, error: str) -> DecisionRecord:
    """A register outage: the application waits and is retried; it is never rejected for this."""
    from .tasks import retry_register_check

    config = get_config()
    with transaction.atomic():
        locked = _locked(app)
        locked.register_attempts += 1
        locked.register_error = error[:300]
        entry = _write_decision(
            locked, config, DecisionRecord.Outcome.WAIT, (), "Ein Register (Melde- oder Fahrzeugregister) ist "
            "gerade nicht erreichbar. Ihr Antrag bleibt gespeichert und wird automatisch erneut geprüft.",
            (rules.CO_OPERATION,), {"error": error[:300], "attempt": locked.register_attempts})
        _set_status(locked, Status.WAITING_REGISTER, SYSTEM, "waiting_register", error=error[:300])
        attempt = locked.register_attempts
    countdown = register_backoff_seconds(attempt)
    if attempt <= settings.PARKING_REGISTER_MAX_RETRIES:
        transaction.on_commit(lambda: retry_register_check.apply_async((str(app.pk),), countdown=countdown))
    else:
        transaction.on_commit(lambda: _route_after_outage(app.pk))
    return entry


def register_backoff_seconds(attempt: int) -> int:
    """Wait before retry number ``attempt`` (1, 2, …): 60 s · 2ⁿ⁻¹, at most an hour."""
    return min(3600, 60 * 2 ** (max(attempt, 1) - 1))


def retry_lost_waiting(now: dt.datetime | None = None) -> int:
    """Safety net for lost retry tasks (e.g. a broker restart): re-check waiting applications whose scheduled
    retry is overdue — twice its backoff since the last attempt. Applications whose retry is still pending
    are left alone, so the beat job never starts a second retry chain. Returns how many were re-checked.
    """
    now = now or timezone.now()
    waiting = Application.objects.filter(status=Status.WAITING_REGISTER).values_list(
        "pk", "register_attempts", "updated_at")
    rechecked = 0
    for app_id, attempts, updated_at in waiting:
        if updated_at + dt.timedelta(seconds=2 * register_backoff_seconds(attempts)) > now:
            continue
        retry_after_outage(app_id)
        rechecked += 1
    return rechecked


def _route_after_outage(application_id: Any) -> None:
    with transaction.atomic():
        app = Application.objects.select_for_update().get(pk=application_id)
        if app.status == Status.WAITING_REGISTER:
            entry = _write_decision(app, get_config(), DecisionRecord.Outcome.ROUTE, (),
                                    "Die Register waren über längere Zeit nicht erreichbar; die Sachbearbeitung "
                                    "prüft den Antrag.", (rules.VWV,), {"attempts": app.register_attempts})
            _route(app, entry.reasons, entry)


def retry_after_outage(application_id: Any) -> None:
    """Re-evaluate an application that waits on a register (called by the Celery task)."""
    app = Application.objects.filter(pk=application_id, status=Status.WAITING_REGISTER).first()
    if app is None:
        return
    evaluate(app)
    app.refresh_from_db()
    # Routing and hearings notify on their own; these two outcomes need the citizen to come back.
    if app.status == Status.AWAITING_PAYMENT:
        _notify_on_commit(app, _checked_text, app.fee_cents)
    elif app.status == Status.DRAFT:
        _notify_on_commit(app, _returned_text)


def _checked_text(fee_cents: int) -> tuple[str, str]:
    return (gettext("Ihr Antrag auf einen Bewohnerparkausweis ist geprüft"),
            gettext("Alle Voraussetzungen sind erfüllt. Bitte bezahlen Sie die Gebühr von %(fee)s; danach können "
                    "Sie den Ausweis sofort herunterladen.") % {"fee": _euros(fee_cents)})


def _returned_text() -> tuple[str, str]:
    return (gettext("Bitte prüfen Sie Ihren Antrag auf einen Bewohnerparkausweis"),
            gettext("Bei der Prüfung sind Fragen zu Ihren Angaben aufgekommen. Ihr Antrag ist gespeichert; bitte "
                    "korrigieren Sie ihn im Portal."))


# --- routing to the back office and the hearing ------------------------------------------------------------

def case_type():
    from smartcity.cases.services import ensure_case_type

    return ensure_case_type(CASE_TYPE_CODE, name="Bewohnerparkausweis", department_code=DEPARTMENT_CODE,
                            deadline_working_days=10, legal_basis=f"{rules.STVO}; {rules.VWV}")


def _case_data(app: Application, reasons: str, entry: DecisionRecord) -> dict[str, Any]:
    """What the caseworker sees in the back office (German labels; the record itself stays in parking)."""
    open_points = [f"{c['title']}: {c['reason']}" for c in entry.checks if not c["passed"]]
    passed = [c["title"] for c in entry.checks if c["passed"]]
    return {
        "Antrag Bewohnerparken": f"{app.reference} ({app.get_kind_display()})",
        "Kennzeichen": ", ".join(p for p in (app.plate, app.second_plate) if p),
        "Gebiet": f"{app.zone.code} {app.zone.name}" if app.zone else "keines gefunden",
        "Laufzeit": f"{app.months} Monate",
        "Besondere Umstände": app.special_circumstances or "–",
        "Grund der Vorlage": reasons,
        "Offene Punkte": " | ".join(open_points) or "–",
        "Erfüllt": ", ".join(passed) or "–",
        "Regelwerk": entry.ruleset_version,
        "Nutzungsbestätigung": "hochgeladen (siehe Dokumente)" if app.usage_document_id else "–",
    }


def _open_case(app: Application, reasons: str, entry: DecisionRecord, *, status: str = "") -> None:
    from smartcity.cases.services import create_case

    case = create_case(case_type=case_type(), applicant=app.applicant, data=_case_data(app, reasons, entry),
                       title=f"Bewohnerparkausweis {app.plate}", actor=app.applicant, status=status)
    app.case_id = case.pk
    app.save(update_fields=["case_id", "updated_at"])
    if app.usage_document_id:
        from smartcity.documents.models import Document

        Document.objects.filter(pk=app.usage_document_id, owner=app.applicant).update(case=case)


def _route(app: Application, reasons: str, entry: DecisionRecord) -> None:
    _set_status(app, Status.IN_REVIEW, SYSTEM, "routed", reasons=reasons)
    if app.case_id is None:
        _open_case(app, reasons, entry)
    else:
        _add_case_note(app, f"Erneut zur Prüfung: {reasons}")
    _notify_on_commit(app, _routed_text, reasons)


def _routed_text(reasons: str) -> tuple[str, str]:
    return (gettext("Ihr Antrag auf einen Bewohnerparkausweis wird geprüft"),
            gettext("Ihr Antrag kann nicht automatisch entschieden werden und wird von der Sachbearbeitung geprüft. "
                    "Gründe:\n%(reasons)s") % {"reasons": reasons})


def _add_case_note(app: Application, body: str, *, author: Any = None) -> None:
    from smartcity.cases.models import Case
    from smartcity.cases.services import add_note

    case = Case.objects.filter(pk=app.case_id).first()
    if case is not None:
        add_note(case, author=author, body=body)


def _start_hearing(app: Application, config: ParkingConfig, reasons: str, entry: DecisionRecord) -> None:
    """Intended rejection: the citizen may comment before a person decides (§ 28 Abs. 1 VwVfG)."""
    from smartcity.cases.workflow import QUESTION

    app.hearing_deadline = _today() + dt.timedelta(days=config.hearing_days)
    _set_status(app, Status.HEARING, SYSTEM, "hearing_started", deadline=app.hearing_deadline.isoformat())
    _open_case(app, reasons, entry, status=QUESTION)
    _notify_on_commit(app, _hearing_notice, app.reference, reasons, app.hearing_deadline)


def _hearing_notice(reference: str, reasons: str, deadline: dt.date) -> tuple[str, str]:
    return (gettext("Anhörung zu Ihrem Antrag auf einen Bewohnerparkausweis"),
            _hearing_text(reference, reasons, deadline))


def _hearing_text(reference: str, reasons: str, deadline: dt.date) -> str:
    """The hearing letter in the active language."""
    return gettext("Wir beabsichtigen, Ihren Antrag %(reference)s abzulehnen. Gründe:\n%(reasons)s\n\nSie können "
                   "sich bis zum %(deadline)s dazu äußern (§ 28 Abs. 1 VwVfG). Danach entscheidet die "
                   "Sachbearbeitung.") % {"reference": reference, "reasons": reasons,
                                          "deadline": f"{deadline:%d.%m.%Y}"}


def _hearing_message(app: Application, reasons: str) -> str:
    """The hearing as a message in the case file: German (the official language, § 23 Abs. 1 VwVfG), followed by
    a courtesy translation when the applicant reads messages in another language."""
    from smartcity.notifications.services import in_language_of

    def letter() -> str:
        return gettext("Anhörung (§ 28 Abs. 1 VwVfG)") + "\n\n" + _hearing_text(app.reference, reasons,
                                                                                app.hearing_deadline)

    with translation.override(settings.LANGUAGE_CODE):
        official = letter()
    with in_language_of(app.applicant):
        courtesy = letter() if translation.get_language() != settings.LANGUAGE_CODE else ""
    return f"{official}\n\n---\n\n{courtesy}" if courtesy else official


def start_hearing(application: Application, *, actor: Any, reasons: str) -> DecisionRecord:
    """A caseworker intends to reject a routed application: hear the citizen first (§ 28 Abs. 1 VwVfG).

    The hearing is a Rückfrage on the case (the legal deadline stands still); the citizen answers on the
    application page or in Meine Anträge. Only after it (statement or deadline passed) may the case be rejected.
    """
    from smartcity.cases.models import Case
    from smartcity.cases.services import send_message

    reasons = reasons.strip()
    if not reasons:
        raise ParkingError(gettext("Bitte nennen Sie die Gründe für die beabsichtigte Ablehnung."))
    config = get_config()
    with transaction.atomic():
        app = _locked(application)
        if app.status != Status.IN_REVIEW or app.case_id is None:
            raise ParkingError(gettext("Eine Anhörung ist nur für Anträge in Prüfung möglich."))
        app.hearing_deadline = _today() + dt.timedelta(days=config.hearing_days)
        app.hearing_statement = ""
        entry = _write_decision(app, config, DecisionRecord.Outcome.HEARING, (), reasons, (rules.VWV,),
                                {"case_id": app.case_id}, automated=False, actor=actor)
        _set_status(app, Status.HEARING, actor, "hearing_started", deadline=app.hearing_deadline.isoformat())
        case = Case.objects.get(pk=app.case_id)
        send_message(case, sender=actor, body=_hearing_message(app, reasons), is_question=True)
    application.refresh_from_db()
    return entry


def hearing_held(app: Application) -> bool:
    """The citizen had the chance to comment: a hearing was started and is over (statement or deadline)."""
    if app.hearing_deadline is None:
        return False
    return app.status != Status.HEARING or app.hearing_deadline < _today()


def set_zone(application: Application, zone: Zone, *, actor: Any) -> None:
    """The caseworker sets or confirms the zone of an application the registers could not place."""
    today = _today()
    if zone.active_until is not None and zone.active_until < today:
        raise ParkingError(gettext("Das Bewohnerparkgebiet %(zone)s ist aufgehoben.") % {"zone": zone.code})
    with transaction.atomic():
        app = _locked(application)
        if app.status not in (Status.IN_REVIEW, Status.HEARING):
            raise ParkingError(gettext("Das Gebiet kann nur bei Anträgen in Prüfung festgelegt werden."))
        before = app.zone.code if app.zone else None
        app.zone = zone
        app.save(update_fields=["zone", "updated_at"])
        record(actor, "parking.application.zone_set", app, reference=app.reference, before=before, zone=zone.code)
        _add_case_note(app, f"Bewohnerparkgebiet festgelegt: {zone.code} {zone.name} (vorher: {before or 'keines'}).",
                       author=actor)
    application.refresh_from_db()


def submit_statement(application: Application, statement: str) -> None:
    """The citizen's comment in the hearing; the case goes to a caseworker right away."""
    from smartcity.cases.models import Case
    from smartcity.cases.services import send_message

    statement = statement.strip()
    if not statement:
        raise ParkingError(gettext("Bitte schreiben Sie Ihre Stellungnahme in das Textfeld."))
    with transaction.atomic():
        app = _locked(application)
        if app.status != Status.HEARING:
            raise ParkingError(gettext("Die Anhörung ist abgeschlossen; eine Stellungnahme ist nicht mehr möglich."))
        app.hearing_statement = statement
        _set_status(app, Status.IN_REVIEW, app.applicant, "statement_submitted")
        case = Case.objects.filter(pk=app.case_id).first()
        if case is not None:
            send_message(case, sender=app.applicant, body=f"Stellungnahme in der Anhörung:\n{statement}")
            _case_to_review(case, app.applicant)
    application.refresh_from_db()


def _case_to_review(case: Any, actor: Any) -> None:
    from smartcity.cases.services import transition
    from smartcity.cases.workflow import IN_REVIEW

    case.refresh_from_db()
    if IN_REVIEW in case.case_type.flow.allowed(case.status):
        transition(case, IN_REVIEW, actor=actor, comment="Anhörung beendet")


def close_expired_hearings(today: dt.date | None = None) -> int:
    """Hearings whose deadline passed without a statement go to the caseworker. Idempotent."""
    from smartcity.cases.models import Case

    today = today or _today()
    closed = 0
    for app in Application.objects.filter(status=Status.HEARING, hearing_deadline__lt=today):
        with transaction.atomic():
            locked = _locked(app)
            if locked.status != Status.HEARING:
                continue
            _set_status(locked, Status.IN_REVIEW, SYSTEM, "hearing_expired")
            case = Case.objects.filter(pk=locked.case_id).first()
            if case is not None:
                _case_to_review(case, SYSTEM)
            closed += 1
    return closed


def on_case_approved(case: Any, actor: Any) -> Any:
    """cases.extensions hook: the caseworker's approval enters the same pipeline as the automatic path."""
    from smartcity.cases.extensions import ApprovalResult

    app = Application.objects.select_for_update().get(case_id=case.pk)
    entry = approve(app, actor=actor)
    return ApprovalResult(record={"parking_decision": entry.pk, "fee_cents": app.fee_cents})


def approve(application: Application, *, actor: Any, zone: Zone | None = None) -> DecisionRecord:
    """A caseworker grants the permit; the citizen then pays and the permit is issued as usual.

    ``zone`` sets the zone first (``set_zone``) for an application the registers could not place.
    """
    if zone is not None:
        set_zone(application, zone, actor=actor)
    config = get_config()
    with transaction.atomic():
        app = _locked(application)
        if app.status not in (Status.IN_REVIEW, Status.HEARING):
            raise ParkingError(gettext("Nur Anträge in Prüfung können genehmigt werden."))
        last = app.decisions.exclude(outcome=DecisionRecord.Outcome.WAIT).first()
        if app.zone is None:
            raise ParkingError(gettext("Der Antrag hat kein Bewohnerparkgebiet. Bitte legen Sie zuerst über "
                                       "„Fachverfahren öffnen“ das Gebiet fest."))
        vehicle_length = (last.inputs.get("fahrzeugregister", {}) if last else {}).get("length_mm")
        outcome = _price(app, config, app.zone, rules.VehicleRecord(found=True, length_mm=vehicle_length))
        if outcome != rules.Outcome.ISSUE:
            raise ParkingError(gettext("Für diesen Antrag ist keine Gebühr konfiguriert."))
        checks = tuple(rules.CheckResult(**{k: v for k, v in c.items() if k != "passed"}) for c in
                       (last.checks if last else []))
        entry = _write_decision(app, config, DecisionRecord.Outcome.APPROVE, checks,
                                "Die Sachbearbeitung hat den Antrag geprüft und genehmigt.",
                                (rules.STVO, rules.VWV), last.inputs if last else {}, automated=False, actor=actor)
        _set_status(app, Status.AWAITING_PAYMENT, actor, "approved", fee_cents=app.fee_cents)
        if app.fee_cents == 0:
            _mark_paid(app, payment_id="")
        else:
            _notify_on_commit(app, _approved_text, app.reference, app.fee_cents)
    application.refresh_from_db()
    return entry


def _approved_text(reference: str, fee_cents: int) -> tuple[str, str]:
    return (gettext("Ihr Bewohnerparkausweis ist genehmigt"),
            gettext("Ihr Antrag %(reference)s ist genehmigt. Bitte bezahlen Sie die Gebühr von %(fee)s; danach können "
                    "Sie den Ausweis sofort herunterladen.") % {"reference": reference, "fee": _euros(fee_cents)})


def on_case_rejected(case: Any, actor: Any, reasons: str = "") -> None:
    """cases.extensions hook: a caseworker rejects the case; refused without a hearing (§ 28 Abs. 1 VwVfG).

    Mirrors the rejection on the application with a decision record naming the caseworker.
    """
    app = Application.objects.select_for_update().filter(case_id=case.pk).first()
    if app is None or app.status in (Status.REJECTED, Status.ISSUED, Status.WITHDRAWN):
        return
    if not hearing_held(app):
        if app.status == Status.HEARING:
            raise ParkingError(gettext("Die Anhörungsfrist läuft noch bis %(date)s. Vorher kann der Antrag nicht "
                                       "abgelehnt werden (§ 28 Abs. 1 VwVfG).")
                               % {"date": f"{app.hearing_deadline:%d.%m.%Y}"})
        raise ParkingError(gettext("Vor einer Ablehnung muss die antragstellende Person angehört werden (§ 28 Abs. 1 "
                                   "VwVfG). Bitte leiten Sie über „Fachverfahren öffnen“ die Anhörung ein."))
    reasons = reasons.strip() or "Der Antrag wurde nach Prüfung abgelehnt."
    _write_decision(app, get_config(), DecisionRecord.Outcome.REJECT, (), reasons, (rules.STVO, rules.VWV),
                    {"case": case.reference, "hearing_statement": bool(app.hearing_statement)}, automated=False,
                    actor=actor)
    app.decided_at = timezone.now()
    _set_status(app, Status.REJECTED, actor, "rejected")


def on_case_transition(case: Any, from_status: str, to_status: str, actor: Any) -> None:
    """cases.extensions hook: staff closed the case (withdrawn) or the citizen answered the hearing in the portal."""
    from smartcity.cases.workflow import IN_REVIEW

    app = Application.objects.select_for_update().filter(case_id=case.pk).first()
    if app is None:
        return
    flow = case.case_type.flow
    if flow.is_final(to_status) and app.status in WITHDRAWABLE:
        withdraw(app, actor=actor)
    elif (to_status == IN_REVIEW and app.status == Status.HEARING and getattr(actor, "pk", None) == app.applicant_id):
        answer = case.messages.filter(from_staff=False).order_by("-created_at").first()
        app.hearing_statement = answer.body if answer else ""
        _set_status(app, Status.IN_REVIEW, actor, "statement_submitted", via="portal")


WITHDRAWABLE = (Status.DRAFT, Status.WAITING_REGISTER, Status.AWAITING_PAYMENT, Status.HEARING, Status.IN_REVIEW)


def withdraw(application: Application, *, actor: Any) -> None:
    """The one way to withdraw: the application and its back-office case (if any) are closed together.

    Called by the citizen, on account deletion, and (via ``on_case_transition``) when staff close the case;
    in that last case the case is already final and is left alone.
    """
    from smartcity.cases.models import Case
    from smartcity.cases.services import transition
    from smartcity.cases.workflow import WITHDRAWN

    with transaction.atomic():
        app = _locked(application)
        if app.status not in WITHDRAWABLE:
            raise ParkingError(gettext("Dieser Antrag kann nicht mehr zurückgezogen werden."))
        _set_status(app, Status.WITHDRAWN, actor, "withdrawn")
        case = Case.objects.select_related("case_type").filter(pk=app.case_id).first() if app.case_id else None
        if case is not None and not case.case_type.flow.is_final(case.status):
            transition(case, WITHDRAWN, actor=actor, comment="Antrag Bewohnerparken zurückgezogen")
    application.refresh_from_db()


# --- payment ------------------------------------------------------------------------------------------------

def start_payment(application: Application, *, return_url: str) -> str:
    """Start (or restart after a failure) the payment; returns the provider URL to redirect to."""
    from smartcity.payments.services import start_payment as start

    app = Application.objects.get(pk=application.pk)
    if app.status != Status.AWAITING_PAYMENT or not app.fee_cents:
        raise ParkingError(gettext("Für diesen Antrag ist keine Zahlung offen."))
    payment = start(amount_cents=app.fee_cents, purpose=f"Parkausweis {app.reference}", payer=app.applicant,
                    subject=app, return_url=return_url, provider=settings.PARKING_PAYMENT_PROVIDER,
                    description=f"Bewohnerparkausweis {app.plate}: {app.fee_basis}")
    Application.objects.filter(pk=app.pk).update(payment_id=str(payment.pk))
    record(app.applicant, "parking.application.payment_started", app, payment=str(payment.pk))
    return payment.redirect_url


def on_paid(payment: Any) -> None:
    """payments handler: runs once per paid payment inside the payment's transaction."""
    app = Application.objects.select_for_update().filter(pk=payment.subject_id).first()
    if app is None:
        return
    if app.status == Status.AWAITING_PAYMENT:
        _mark_paid(app, payment_id=str(payment.pk))
        return
    # Paid twice or after a withdrawal: the money goes back; the permit is issued only once.
    record(SYSTEM, "parking.application.payment_superfluous", app, payment=str(payment.pk), status=app.status)
    transaction.on_commit(lambda: _refund_superfluous(payment.pk))


def _refund_superfluous(payment_id: Any) -> None:
    from smartcity.payments.models import Payment
    from smartcity.payments.services import refund

    payment = Payment.objects.get(pk=payment_id)
    try:
        refund(payment, payment.amount_cents, reason="Doppelte Zahlung Bewohnerparkausweis")
    except Exception:  # noqa: BLE001 - a failed refund stays visible in the payments back office
        log.exception("refund of superfluous parking payment failed", extra={"payment": str(payment_id)})


def on_payment_failed(payment: Any) -> None:
    """Failed or abandoned: the application stays as it is and can be paid again."""
    app = Application.objects.filter(pk=payment.subject_id).first()
    if app is not None:
        record(SYSTEM, "parking.application.payment_failed", app, payment=str(payment.pk), status=payment.status)


def record_counter_payment(application: Application, *, actor: Any) -> None:
    """The fee was paid in person (Bürgerbüro, EC-Cash): continue the same pipeline as after an e-payment."""
    with transaction.atomic():
        app = _locked(application)
        if app.status != Status.AWAITING_PAYMENT:
            raise ParkingError(gettext("Für diesen Antrag ist keine Zahlung offen."))
        events = [new_event(actor, "parking.application.paid_at_counter", app, fee_cents=app.fee_cents)]
        _mark_paid(app, payment_id="", events=events)
        append(events)  # both events in one statement at the end of the transaction
    _APPLICATION.refresh(application)


def _mark_paid(app: Application, *, payment_id: str, events: list | None = None) -> None:
    from .tasks import issue_permit_task

    app.payment_id = payment_id or app.payment_id
    _set_status(app, Status.PAID, SYSTEM, "paid", events=events, payment=payment_id)
    application_id = str(app.pk)
    transaction.on_commit(lambda: issue_permit_task.delay(application_id))


# --- issuing ------------------------------------------------------------------------------------------------

def _validity_for(app: Application) -> tuple[dt.date, dt.date]:
    today = _today()
    if app.kind == Kind.NEW:
        return validity(today, app.months)
    if app.kind == Kind.RENEWAL:
        return renewal_validity(today, app.replaces.valid_until, app.months)
    return today, app.replaces.valid_until


def issue_permit(application: Application | Any) -> Permit | None:
    """Issue the permit of a paid application. Idempotent: a second call returns the same permit.

    If the person or plate got another active permit meanwhile (concurrent applications), the database
    constraint refuses the second one; that application goes to a caseworker instead of failing silently.
    """
    app_id = getattr(application, "pk", application)
    with transaction.atomic():
        # The replaced permit is read below, locked, only when there is one.
        app = _TO_ISSUE.get(app_id)
        # A paid application has no permit yet: the permit and the status "issued" are written in one transaction
        # (below), so only another status needs the look-up for a second call (idempotency).
        existing = Permit.objects.filter(application=app).first() if app.status != Status.PAID else None
        if existing is not None:
            if existing.document_id is None:  # e.g. the worker died after the commit: the PDF is still made
                transaction.on_commit(lambda: _queue_document(str(existing.pk)))
            return existing
        if app.status != Status.PAID:
            log.info("issue_permit skipped", extra={"application": str(app.pk), "status": app.status})
            return None
        old = Permit.objects.select_for_update().get(pk=app.replaces_id) if app.replaces_id else None
        if old is not None:
            app.replaces = old
        valid_from, valid_until = _validity_for(app)
        now = timezone.now()
        replace_old = old is not None and old.status == Permit.Status.ACTIVE
        while True:
            number = _new_permit_number(app.zone)
            try:
                with transaction.atomic():
                    if replace_old:
                        old.status, old.revoked_at = Permit.Status.REPLACED, now
                        old.revoke_reason = app.get_kind_display()
                        old.save(update_fields=["status", "revoked_at", "revoke_reason"])
                    permit = create(
                        Permit, number=number, holder=app.applicant, plate=app.plate, second_plate=app.second_plate,
                        zone=app.zone, valid_from=valid_from, valid_until=valid_until, issued_at=now, application=app,
                        replaces=old, fee_cents=app.fee_cents or 0, channel=app.channel,
                        automated=not app.manual_decision)
            except IntegrityError:
                if Permit.objects.filter(number=number).exists():
                    continue  # the random number was taken (about once in 10¹² permits): draw another
                _conflict(app)
                return None
            break
        app.decided_at = app.decided_at or now
        events: list = []
        _set_status(app, Status.ISSUED, SYSTEM, "issued", events=events, permit=permit.number)
        events.append(new_event(SYSTEM, "parking.permit.issued", permit, number=permit.number, plate=permit.plate,
                                zone=app.zone.code, valid_until=valid_until.isoformat()))
        if old is not None:
            events.append(new_event(SYSTEM, "parking.permit.replaced", old, number=old.number, by=permit.number))
        append(events)  # in one statement, as the last one before the commit (the chain head is locked until then)
        transaction.on_commit(lambda: _after_issue(permit))
    return permit


def _conflict(app: Application) -> None:
    entry = _write_decision(app, get_config(), DecisionRecord.Outcome.ROUTE, (),
                            "Für diese Person oder dieses Kennzeichen wurde gleichzeitig ein anderer Ausweis erteilt. "
                            "Die Sachbearbeitung klärt das; eine bereits gezahlte Gebühr wird erstattet, wenn kein "
                            "Ausweis erteilt werden kann.", (rules.VWV,), {"conflict": True})
    _route(app, entry.reasons, entry)


def _after_issue(permit: Permit) -> None:
    """After the issuing transaction: queue the PDF (its own task, so rendering never holds the application's or
    the audit chain's locks) and tell the holder. The permit is valid in the register from the commit on; a
    download before the document task has run renders the same single document on the spot. ``permit`` is the
    object just committed, with its holder and zone (no need to read it again)."""
    from smartcity.notifications.services import in_language_of, notify

    _queue_document(str(permit.pk))
    with in_language_of(permit.holder):
        notify(permit.holder, gettext("Ihr Bewohnerparkausweis ist ausgestellt"),
               gettext("Ihr Bewohnerparkausweis %(number)s für %(plate)s im Gebiet %(zone)s gilt vom %(valid_from)s "
                       "bis %(valid_until)s. Sie können ihn jetzt herunterladen und ausdrucken.") % {
                   "number": permit.number, "plate": permit.plate, "zone": permit.zone.code,
                   "valid_from": f"{permit.valid_from:%d.%m.%Y}", "valid_until": f"{permit.valid_until:%d.%m.%Y}"},
               link=reverse("parking:permit", args=[permit.pk]))


def _queue_document(permit_id: str) -> None:
    from .tasks import permit_document_task

    permit_document_task.delay(permit_id)


_LOCKED_PERMIT = RowLoader(Permit, lock=True)  # written once per process (core.rows), read for every permit's PDF


def ensure_permit_document(permit: Permit) -> Any:
    """The stored permit PDF (fee notice + permit with QR code), rendered once, then served from storage.
    Idempotent and safe to run concurrently (document task, redelivered task, the holder's download): rendering
    runs without any lock; only storing happens under the permit's row lock, and a document stored meanwhile
    wins."""
    from smartcity.documents.models import Document
    from smartcity.documents.services import store_generated

    from .permit_pdf import render_permit_pdf

    existing = Document.objects.filter(pk=permit.document_id).first() if permit.document_id else None
    if existing is not None:
        return existing
    content = render_permit_pdf(permit)
    with transaction.atomic():
        document_id = _LOCKED_PERMIT.get(permit.pk).document_id
        document = Document.objects.filter(pk=document_id).first() if document_id else None
        if document is None:
            document = store_generated(content, filename=f"Bewohnerparkausweis-{permit.number}.pdf",
                                       content_type="application/pdf", owner=permit.holder, kind=Document.Kind.PERMIT)
            Permit.objects.filter(pk=permit.pk).update(document_id=document.pk)
    permit.document_id = document.pk
    return document


def issue_stuck_paid(older_than: dt.timedelta = dt.timedelta(minutes=2)) -> int:
    """Safety net for a lost issuing task (e.g. a broker restart): issue paid applications. Idempotent."""
    cutoff = timezone.now() - older_than
    issued = 0
    for app_id in Application.objects.filter(status=Status.PAID, updated_at__lt=cutoff).values_list("pk", flat=True):
        issued += issue_permit(app_id) is not None
    return issued


# --- lifecycle ----------------------------------------------------------------------------------------------

def cancel_permit(permit: Permit, *, actor: Any) -> int:
    """The holder returns the permit: revoke it and refund pro rata per configuration. Returns cents refunded."""
    with transaction.atomic():
        locked = Permit.objects.select_for_update().select_related("application").get(pk=permit.pk)
        if locked.status != Permit.Status.ACTIVE:
            raise ParkingError(gettext("Dieser Ausweis ist nicht mehr gültig."))
        refund, payment_id = _refund_for(locked)
        locked.status, locked.revoked_at, locked.revoke_reason = Permit.Status.REVOKED, timezone.now(), "Rückgabe"
        locked.save(update_fields=["status", "revoked_at", "revoke_reason"])
        record(actor, "parking.permit.cancelled", locked, number=locked.number, refund_cents=refund.cents,
               explanation=refund.explanation, payment=payment_id)
        if refund.cents and payment_id:
            transaction.on_commit(lambda: _refund(payment_id, refund.cents, locked.number))
    permit.refresh_from_db()
    return refund.cents if payment_id else 0


def refund_preview(permit: Permit) -> Any:
    return _refund_for(permit)[0]


_SAME_VALIDITY = (Kind.PLATE_CHANGE, Kind.ZONE_CHANGE, Kind.REPLACEMENT)


def paid_basis(permit: Permit) -> Permit:
    """The permit whose fee paid for this validity.

    A plate change, a move or a replacement keeps the validity of the permit it replaces and costs only a
    change fee, so a refund is computed against the original payment: follow ``replaces`` back to the new
    application or renewal that was paid for the period.
    """
    basis = permit
    seen = {basis.pk}
    while basis.replaces_id and basis.application.kind in _SAME_VALIDITY and basis.replaces_id not in seen:
        basis = Permit.objects.select_related("application").get(pk=basis.replaces_id)
        seen.add(basis.pk)
    return basis


def _refund_for(permit: Permit) -> tuple[Any, str]:
    """(refund per configuration, payment to refund to) for returning ``permit`` today."""
    config = get_config()
    basis = paid_basis(permit)
    refund = pro_rata_refund(paid_cents=basis.fee_cents, valid_from=basis.valid_from, valid_until=permit.valid_until,
                             returned_on=_today(), retained_min_cents=config.refund_retained_min_cents,
                             admin_fee_cents=config.refund_admin_fee_cents, enabled=config.refund_pro_rata)
    return refund, basis.application.payment_id


def _refund(payment_id: str, cents: int, number: str) -> None:
    from smartcity.payments.models import Payment
    from smartcity.payments.services import refund

    payment = Payment.objects.filter(pk=payment_id).first()
    if payment is None:
        return
    try:
        refund(payment, cents, reason=f"Rückgabe Bewohnerparkausweis {number}")
    except Exception:  # noqa: BLE001 - stays visible as failed refund in payments; retried by staff
        log.exception("parking refund failed", extra={"payment": payment_id})


def expire_permits(today: dt.date | None = None) -> int:
    """Mark permits past their end date as expired. Idempotent (only active ones change)."""
    today = today or _today()
    expired = 0
    for permit in Permit.objects.filter(status=Permit.Status.ACTIVE, valid_until__lt=today):
        with transaction.atomic():
            changed = Permit.objects.filter(pk=permit.pk, status=Permit.Status.ACTIVE).update(
                status=Permit.Status.EXPIRED)
            if changed:
                record(SYSTEM, "parking.permit.expired", permit, number=permit.number)
                expired += 1
    return expired


def send_reminders(today: dt.date | None = None) -> int:
    """Remind holders 4 weeks (configurable) before expiry, by mailbox and e-mail; once per permit."""
    from smartcity.notifications.services import in_language_of, notify

    today = today or _today()
    config = get_config()
    due = Permit.objects.select_related("holder", "zone").filter(
        status=Permit.Status.ACTIVE, reminded_at__isnull=True,
        valid_until__lte=today + dt.timedelta(days=config.reminder_days), valid_until__gte=today)
    sent = 0
    for permit in due:
        with transaction.atomic():
            # The conditional update is the claim: a second run (or a parallel worker) finds nothing to do.
            if not Permit.objects.filter(pk=permit.pk, reminded_at__isnull=True).update(reminded_at=timezone.now()):
                continue
            with in_language_of(permit.holder):
                notify(permit.holder, gettext("Ihr Bewohnerparkausweis läuft bald ab"),
                       gettext("Ihr Bewohnerparkausweis %(number)s für %(plate)s gilt bis %(valid_until)s. Sie können "
                               "ihn jetzt online verlängern; die Restlaufzeit wird angerechnet.") % {
                           "number": permit.number, "plate": permit.plate,
                           "valid_until": f"{permit.valid_until:%d.%m.%Y}"},
                       link=reverse("parking:renew", args=[permit.pk]))
            record(SYSTEM, "parking.permit.reminded", permit, number=permit.number)
            sent += 1
    return sent


def _notify_on_commit(app: Application, compose: Any, *facts: Any) -> None:
    """Tell the applicant after the commit. ``compose(*facts)`` returns (subject, body) and runs in the applicant's
    language (``User.language``), not in the language of whoever's request or task caused the change."""
    from smartcity.notifications.services import in_language_of, notify

    user, link = app.applicant, reverse("parking:application", args=[app.pk])

    def send() -> None:
        with in_language_of(user):
            subject, body = compose(*facts)
            notify(user, subject, body, link=link)

    transaction.on_commit(send)


def _euros(cents: int) -> str:
    """A fee in the active language's money format (25,00 € / €25.00)."""
    return format_euros(cents, translation.get_language() or settings.LANGUAGE_CODE)


def locate(street: str, house_number: str, postcode: str) -> Address | None:
    """Address lookup for the public "Bin ich im Bewohnerparkgebiet?" check."""
    address = find_address(street, house_number, postcode)
    if address is not None and address.zone_id is None:
        assign_zone(address)
    return address

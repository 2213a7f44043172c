"""The eligibility matrix for a resident parking permit as pure functions over register data (no Django).

Each check returns a CheckResult with a German reason and its legal basis. ``decide`` combines them:

* RETURN  – the input needs correcting (typo in plate or VIN, missing upload, wrong duration); nothing is
            decided, the application stays open and nothing the citizen entered is lost.
* REJECT  – an adverse decision is intended (address outside every zone, ineligible vehicle). It is only
            issued after a hearing (§ 28 Abs. 1 VwVfG), and never automatically.
* ROUTE   – discretion is needed, so a caseworker decides (§ 35a VwVfG excludes automation where there is
            discretion; § 24 Abs. 1 Satz 3 VwVfG for facts the applicant states).
* ISSUE   – the standard case: every check passed; the permit is issued once the fee is paid.

Precedence RETURN > REJECT > ROUTE > ISSUE: no adverse decision rests on data the citizen may have mistyped,
and an intended rejection is not passed to a caseworker only to be rejected there.

Change RULESET_VERSION whenever a check's logic or wording changes: it is written into every decision record.
"""

import datetime as dt
from dataclasses import dataclass, field, fields
from enum import StrEnum

from .plates import InvalidInput, parse_plate

RULESET_VERSION = "DUS-BWP-2026.2"  # 2026.2: the second plate counts in "one permit per vehicle"

STVO = "§ 45 Abs. 1b Satz 1 Nr. 2a StVO"
VWV = "VwV-StVO zu § 45 Abs. 1 bis 1e, Rn. X (Bewohnerparkvorrechte)"
AUTOMATION = "§ 35a VwVfG (vollständig automatisierter Verwaltungsakt)"
FACTS = "§ 24 Abs. 1 Satz 3 VwVfG (vom Antragsteller vorgetragene Tatsachen)"
HEARING = "§ 28 Abs. 1 VwVfG (Anhörung)"
CO_OPERATION = "§ 26 Abs. 2 VwVfG (Mitwirkung der Beteiligten)"
MELDEGESETZ = "§ 51 BMG (Auskunftssperre)"
VIN_ATTEMPTS_BEFORE_ROUTING = 3


class Outcome(StrEnum):
    PASS = "pass"
    RETURN = "return"
    REJECT = "reject"
    ROUTE = "route"
    ISSUE = "issue"


@dataclass(frozen=True)
class Residence:
    street: str
    house_number: str
    postcode: str
    residence_type: str  # "haupt" | "neben"
    zone_code: str | None = None  # from the address register; None = outside every zone
    zone_name: str = ""
    zone_active_from: dt.date | None = None
    zone_applications_open_from: dt.date | None = None
    zone_active_until: dt.date | None = None


@dataclass(frozen=True)
class PersonRecord:
    """The Melderegister's answer for the applicant."""

    found: bool
    residences: tuple[Residence, ...] = ()
    auskunftssperre: bool = False


@dataclass(frozen=True)
class VehicleRecord:
    """The vehicle register's answer for the plate."""

    found: bool
    plate: str = ""
    keeper_is_applicant: bool = False
    keeper_label: str = ""  # shown to caseworkers only (e.g. "Firma Rheinbahn Leasing GmbH")
    vin_suffix: str = ""
    vehicle_class: str = ""
    length_mm: int | None = None
    district: str = ""


@dataclass(frozen=True)
class RuleConfig:
    accepted_residence_types: tuple[str, ...] = ("haupt", "neben")
    durations_months: tuple[int, ...] = (12, 24)
    max_length_mm: int | None = None
    eligible_vehicle_classes: tuple[str, ...] = ("M1", "N1", "L")
    home_districts: tuple[str, ...] = ("D",)


@dataclass(frozen=True)
class Request:
    """What the applicant entered plus facts from our own database."""

    plate: str
    vin_suffix: str
    months: int
    today: dt.date
    second_plate: str = ""
    special_circumstances: str = ""
    has_usage_document: bool = False
    failed_vin_attempts: int = 0
    other_active_permit_of_person: str = ""  # permit number, "" if none (the permit being replaced excluded)
    # Requested plates (first or second) that are a plate (first or second) of another person's active permit.
    plates_of_other_persons: tuple[str, ...] = ()


@dataclass(frozen=True)
class CheckResult:
    code: str
    title: str
    outcome: Outcome
    reason: str
    legal_basis: str

    @property
    def passed(self) -> bool:
        return self.outcome == Outcome.PASS


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    checks: tuple[CheckResult, ...]
    zone_code: str | None
    residence: Residence | None
    ruleset_version: str = RULESET_VERSION
    legal_basis: tuple[str, ...] = field(default_factory=tuple)

    @property
    def failing(self) -> tuple[CheckResult, ...]:
        return tuple(c for c in self.checks if c.outcome == self.outcome)

    @property
    def reasons(self) -> str:
        """The German reasons for the outcome, one per line."""
        if self.outcome == Outcome.ISSUE:
            return "Alle Voraussetzungen für einen Bewohnerparkausweis sind erfüllt."
        return "\n".join(c.reason for c in self.failing)

    def as_dicts(self) -> list[dict]:
        return [{**as_dict(c), "outcome": str(c.outcome), "passed": c.passed} for c in self.checks]


def as_dict(record: object) -> dict:
    """``dataclasses.asdict`` of one of the flat records (all but ``PersonRecord`` and ``Decision``, which nest
    records) without its recursive deep copy: their fields hold strings, numbers, dates, enum members and tuples of
    strings, all immutable, so the values themselves go into the dict (asdict made ~130 recursive calls per case)."""
    names = _FIELD_NAMES.get(type(record))
    if names is None:
        names = _FIELD_NAMES[type(record)] = tuple(f.name for f in fields(record))
    return {name: getattr(record, name) for name in names}


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _ok(code: str, title: str, reason: str, basis: str) -> CheckResult:
    return CheckResult(code, title, Outcome.PASS, reason, basis)


def _not_checked(code: str, title: str, basis: str) -> CheckResult:
    return CheckResult(code, title, Outcome.PASS, "Nicht geprüft, weil kein Fahrzeug gefunden wurde.", basis)


def choose_residence(person: PersonRecord, config: RuleConfig) -> Residence | None:
    """The residence the permit is for: an accepted type inside a zone, the Hauptwohnung first.

    Köln and München allow only one permit if a person lives in two zones (München: the Hauptwohnung).
    """
    accepted = [r for r in person.residences if r.residence_type in config.accepted_residence_types]
    accepted.sort(key=lambda r: (r.zone_code is None, r.residence_type != "haupt"))
    return accepted[0] if accepted else None


def check_person(person: PersonRecord) -> CheckResult:
    title = "Meldedaten"
    if not person.found:
        return CheckResult("person_found", title, Outcome.ROUTE,
                           "Ihre Meldedaten wurden im Melderegister nicht eindeutig gefunden (z. B. nach einer "
                           "Namensänderung). Die Sachbearbeitung prüft Ihren Antrag.", VWV)
    return _ok("person_found", title, "Sie sind im Melderegister verzeichnet.", VWV)


def check_auskunftssperre(person: PersonRecord) -> CheckResult:
    title = "Auskunftssperre"
    if person.auskunftssperre:
        return CheckResult("auskunftssperre", title, Outcome.ROUTE,
                           "Für Sie ist im Melderegister eine Auskunftssperre eingetragen. Zu Ihrem Schutz wird "
                           "der Antrag von einer Person bearbeitet.", MELDEGESETZ)
    return _ok("auskunftssperre", title, "Keine Auskunftssperre eingetragen.", MELDEGESETZ)


def check_residence_type(person: PersonRecord, config: RuleConfig) -> CheckResult:
    title = "Art des Wohnsitzes"
    if not person.found:
        return CheckResult("residence_type", title, Outcome.ROUTE,
                           "Der Wohnsitz konnte ohne Meldedaten nicht geprüft werden.", VWV)
    if any(r.residence_type in config.accepted_residence_types for r in person.residences):
        return _ok("residence_type", title, "Sie sind mit einem zugelassenen Wohnsitz gemeldet.", VWV)
    allowed = " oder ".join("Hauptwohnung" if t == "haupt" else "Nebenwohnung"
                            for t in config.accepted_residence_types)
    return CheckResult("residence_type", title, Outcome.REJECT,
                       f"Einen Bewohnerparkausweis erhält nur, wer mit {allowed} im Gebiet gemeldet ist. "
                       "Im Melderegister ist für Sie keine solche Wohnung eingetragen.", f"{STVO}; {VWV}")


def check_address_in_zone(person: PersonRecord, config: RuleConfig, today: dt.date) -> CheckResult:
    title = "Wohnung in einem Bewohnerparkgebiet"
    residence = choose_residence(person, config)
    if residence is None:
        return CheckResult("address_in_zone", title, Outcome.ROUTE if not person.found else Outcome.REJECT,
                           "Es ist keine Wohnung bekannt, die geprüft werden könnte.", f"{STVO}; {VWV}")
    address = f"{residence.street} {residence.house_number}, {residence.postcode}"
    if residence.zone_code is None or (residence.zone_active_until and residence.zone_active_until < today):
        return CheckResult("address_in_zone", title, Outcome.REJECT,
                           f"Ihre Wohnung ({address}) liegt in keinem Bewohnerparkgebiet. Bewohnerparkausweise "
                           "gibt es nur für Bewohner eines ausgewiesenen Gebiets.", f"{STVO}; {VWV}")
    if residence.zone_applications_open_from and today < residence.zone_applications_open_from:
        opens = residence.zone_applications_open_from.strftime("%d.%m.%Y")
        return CheckResult("address_in_zone", title, Outcome.RETURN,
                           f"Für das Gebiet {residence.zone_code} {residence.zone_name} können Sie erst ab {opens} "
                           "einen Antrag stellen. Ihr Entwurf bleibt gespeichert.", f"{STVO}; {VWV}")
    return _ok("address_in_zone", title,
               f"Ihre Wohnung ({address}) liegt im Gebiet {residence.zone_code} {residence.zone_name}.",
               f"{STVO}; {VWV}")


def check_plate(request: Request) -> CheckResult:
    title = "Kennzeichen"
    try:
        parse_plate(request.plate)
    except InvalidInput as exc:
        return CheckResult("plate_format", title, Outcome.RETURN, str(exc), CO_OPERATION)
    return _ok("plate_format", title, "Das Kennzeichen hat ein gültiges Format.", CO_OPERATION)


def check_vehicle_found(vehicle: VehicleRecord, request: Request) -> CheckResult:
    title = "Fahrzeug im Fahrzeugregister"
    if not vehicle.found:
        return CheckResult("vehicle_found", title, Outcome.RETURN,
                           f"Zum Kennzeichen {request.plate} ist kein Fahrzeug zugelassen. Bitte prüfen Sie die "
                           "Eingabe anhand der Zulassungsbescheinigung Teil I.", CO_OPERATION)
    return _ok("vehicle_found", title, "Das Fahrzeug ist zugelassen.", CO_OPERATION)


def check_vin(vehicle: VehicleRecord, request: Request) -> CheckResult:
    title = "Fahrzeug-Identifizierungsnummer"
    if not vehicle.found:
        return _not_checked("vin_match", title, CO_OPERATION)
    if vehicle.vin_suffix.upper() == request.vin_suffix.upper():
        return _ok("vin_match", title, "Die letzten 4 Zeichen der FIN stimmen überein.", CO_OPERATION)
    if request.failed_vin_attempts + 1 >= VIN_ATTEMPTS_BEFORE_ROUTING:
        return CheckResult("vin_match", title, Outcome.ROUTE,
                           "Die FIN wurde mehrfach nicht bestätigt. Die Sachbearbeitung prüft den Antrag anhand "
                           "der Zulassungsbescheinigung.", CO_OPERATION)
    return CheckResult("vin_match", title, Outcome.RETURN,
                       "Die letzten 4 Zeichen der FIN passen nicht zum Kennzeichen. Bitte vergleichen Sie sie mit "
                       "Feld E der Zulassungsbescheinigung Teil I.", CO_OPERATION)


def check_keeper(vehicle: VehicleRecord, request: Request) -> CheckResult:
    title = "Halter oder dauerhafte Nutzung"
    basis = f"{VWV}: ein Ausweis für ein auf den Bewohner zugelassenes oder nachweislich dauerhaft genutztes Fahrzeug"
    if not vehicle.found:
        return _not_checked("keeper", title, basis)
    if vehicle.keeper_is_applicant:
        return _ok("keeper", title, "Sie sind Halterin oder Halter des Fahrzeugs.", basis)
    if not request.has_usage_document:
        return CheckResult("keeper", title, Outcome.RETURN,
                           "Sie sind nicht Halterin oder Halter des Fahrzeugs (z. B. Firmen- oder Leasingwagen). "
                           "Bitte laden Sie eine Nutzungsbestätigung des Halters hoch.", basis)
    return CheckResult("keeper", title, Outcome.ROUTE,
                       "Das Fahrzeug ist nicht auf Sie zugelassen; die hochgeladene Nutzungsbestätigung prüft die "
                       "Sachbearbeitung (Firmen- oder Leasingfahrzeug).", basis)


def check_district(vehicle: VehicleRecord, config: RuleConfig) -> CheckResult:
    title = "Zulassungsbezirk"
    if not vehicle.found:
        return _not_checked("district", title, VWV)
    if vehicle.district in config.home_districts:
        return _ok("district", title, "Das Fahrzeug ist im eigenen Zulassungsbezirk zugelassen.", VWV)
    return CheckResult("district", title, Outcome.ROUTE,
                       f"Das Fahrzeug ist in einem anderen Zulassungsbezirk ({vehicle.district}) zugelassen; "
                       "die Angaben werden von der Sachbearbeitung geprüft.", VWV)


def check_vehicle_class(vehicle: VehicleRecord, config: RuleConfig) -> CheckResult:
    title = "Fahrzeugart"
    if not vehicle.found:
        return _not_checked("vehicle_class", title, VWV)
    classes = config.eligible_vehicle_classes
    if any(vehicle.vehicle_class == c or (len(c) == 1 and vehicle.vehicle_class.startswith(c)) for c in classes):
        return _ok("vehicle_class", title, "Die Fahrzeugart ist zugelassen.", VWV)
    return CheckResult("vehicle_class", title, Outcome.REJECT,
                       f"Für Fahrzeuge der Klasse {vehicle.vehicle_class} gibt es keinen Bewohnerparkausweis "
                       "(zugelassen sind Pkw, leichte Nutzfahrzeuge und Krafträder).", f"{STVO}; {VWV}")


def check_length(vehicle: VehicleRecord, config: RuleConfig) -> CheckResult:
    title = "Fahrzeuglänge"
    if not vehicle.found or config.max_length_mm is None or vehicle.length_mm is None:
        return _ok("vehicle_length", title, "Keine Längenbeschränkung berührt.", VWV)
    if vehicle.length_mm <= config.max_length_mm:
        return _ok("vehicle_length", title, f"Länge {vehicle.length_mm} mm ist zulässig.", VWV)
    return CheckResult("vehicle_length", title, Outcome.REJECT,
                       f"Das Fahrzeug ist {vehicle.length_mm} mm lang; zulässig sind höchstens "
                       f"{config.max_length_mm} mm.", f"{STVO}; {VWV}")


def check_second_plate(request: Request) -> CheckResult:
    title = "Zweites Kennzeichen"
    if not request.second_plate.strip():
        return _ok("second_plate", title, "Ein Kennzeichen beantragt.", VWV)
    return CheckResult("second_plate", title, Outcome.ROUTE,
                       "Zwei Kennzeichen in einem Ausweis gibt es nur in begründeten Einzelfällen; die "
                       "Sachbearbeitung entscheidet.", VWV)


def check_person_unique(request: Request) -> CheckResult:
    title = "Ein Ausweis pro Person"
    if not request.other_active_permit_of_person:
        return _ok("person_unique", title, "Sie haben keinen anderen gültigen Ausweis.", VWV)
    return CheckResult("person_unique", title, Outcome.RETURN,
                       "Sie haben bereits einen gültigen Bewohnerparkausweis "
                       f"({request.other_active_permit_of_person}). Bitte nutzen Sie Verlängerung, "
                       "Kennzeichenänderung oder Umzug.", VWV)


def check_plate_unique(request: Request) -> CheckResult:
    """One permit per vehicle: the first and the second plate are checked alike, against both plates of every
    other person's active permit."""
    title = "Ein Ausweis pro Fahrzeug"
    taken = request.plates_of_other_persons
    if not taken:
        plates = "die Kennzeichen" if request.second_plate.strip() else "das Kennzeichen"
        return _ok("plate_unique", title, f"Für {plates} gibt es keinen anderen gültigen Ausweis.", VWV)
    listed = " und ".join(taken)
    return CheckResult("plate_unique", title, Outcome.ROUTE,
                       f"Für {listed} gibt es bereits einen gültigen Ausweis einer anderen Person (z. B. nach einem "
                       "Fahrzeugverkauf). Die Sachbearbeitung klärt das.", VWV)


def check_duration(request: Request, config: RuleConfig) -> CheckResult:
    title = "Laufzeit"
    if request.months in config.durations_months:
        return _ok("duration", title, f"Laufzeit {request.months} Monate.", VWV)
    allowed = " oder ".join(str(m) for m in config.durations_months)
    return CheckResult("duration", title, Outcome.RETURN, f"Bitte wählen Sie eine Laufzeit von {allowed} Monaten.",
                       VWV)


def check_special_circumstances(request: Request) -> CheckResult:
    title = "Besondere Umstände"
    if not request.special_circumstances.strip():
        return _ok("special_circumstances", title, "Keine besonderen Umstände angegeben.", FACTS)
    return CheckResult("special_circumstances", title, Outcome.ROUTE,
                       "Sie haben besondere Umstände geschildert. Diese berücksichtigt eine Person in der "
                       "Sachbearbeitung.", FACTS)


def decide(person: PersonRecord, vehicle: VehicleRecord, request: Request, config: RuleConfig) -> Decision:
    """Run every check (all are always recorded) and combine them into one outcome."""
    checks = (
        check_person(person),
        check_auskunftssperre(person),
        check_residence_type(person, config),
        check_address_in_zone(person, config, request.today),
        check_plate(request),
        check_vehicle_found(vehicle, request),
        check_vin(vehicle, request),
        check_keeper(vehicle, request),
        check_district(vehicle, config),
        check_vehicle_class(vehicle, config),
        check_length(vehicle, config),
        check_second_plate(request),
        check_person_unique(request),
        check_plate_unique(request),
        check_duration(request, config),
        check_special_circumstances(request),
    )
    outcomes = {c.outcome for c in checks}
    for outcome in (Outcome.RETURN, Outcome.REJECT, Outcome.ROUTE):
        if outcome in outcomes:
            break
    else:
        outcome = Outcome.ISSUE
    residence = choose_residence(person, config)
    basis = {
        Outcome.ISSUE: (STVO, VWV, AUTOMATION),
        Outcome.ROUTE: (STVO, VWV),
        Outcome.REJECT: (STVO, VWV, HEARING),
        Outcome.RETURN: (CO_OPERATION,),
    }[outcome]
    zone_code = residence.zone_code if residence else None
    return Decision(outcome, checks, zone_code, residence, RULESET_VERSION, basis)

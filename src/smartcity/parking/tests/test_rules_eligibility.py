"""The eligibility matrix, table-driven: each row changes the standard case in one or two ways."""

import dataclasses
import datetime as dt

import pytest

from smartcity.parking.rules.eligibility import (
    AUTOMATION,
    RULESET_VERSION,
    Outcome,
    PersonRecord,
    Request,
    Residence,
    RuleConfig,
    VehicleRecord,
    as_dict,
    decide,
)

TODAY = dt.date(2026, 12, 7)
HO = Residence("Kaiserstraße", "5", "40479", "haupt", "HO", "Hauptbahnhof Ost", dt.date(2021, 6, 1),
               dt.date(2021, 5, 1))
OUTSIDE = Residence("Am Wald", "3", "40629", "haupt", None)
NEBEN_MU = dataclasses.replace(HO, residence_type="neben", zone_code="MÜ", zone_name="Münsterstraße")
PERSON = PersonRecord(True, (HO,))
VEHICLE = VehicleRecord(True, "D-EM 1234", True, "Erika Mustermann", "4711", "M1", 4300, "D")
REQUEST = Request(plate="D-EM 1234", vin_suffix="4711", months=12, today=TODAY)
CONFIG = RuleConfig()

OK, RO, RJ, RT = Outcome.ISSUE, Outcome.ROUTE, Outcome.REJECT, Outcome.RETURN


def p(**kw):
    return dataclasses.replace(PERSON, **kw)


def v(**kw):
    return dataclasses.replace(VEHICLE, **kw)


def r(**kw):
    return dataclasses.replace(REQUEST, **kw)


def c(**kw):
    return dataclasses.replace(CONFIG, **kw)


# id, person, vehicle, request, config, expected outcome, failing check codes
SCENARIOS = [
    ("standard case, 12 months", PERSON, VEHICLE, REQUEST, CONFIG, OK, set()),
    ("standard case, 24 months", PERSON, VEHICLE, r(months=24), CONFIG, OK, set()),
    ("electric car plate suffix E", PERSON, v(plate="D-EM 1234E"), r(plate="D-EM 1234E"), CONFIG, OK, set()),
    ("motorcycle (class L3e)", PERSON, v(vehicle_class="L3e"), REQUEST, CONFIG, OK, set()),
    ("small van N1", PERSON, v(vehicle_class="N1"), REQUEST, CONFIG, OK, set()),
    ("VIN fragment lower case", PERSON, VEHICLE, r(vin_suffix="4711"), CONFIG, OK, set()),
    ("Nebenwohnung accepted by the city", p(residences=(NEBEN_MU,)), VEHICLE, REQUEST, CONFIG, OK, set()),
    ("Nebenwohnung, city accepts only Hauptwohnung", p(residences=(NEBEN_MU,)), VEHICLE, REQUEST,
     c(accepted_residence_types=("haupt",)), RJ, {"residence_type", "address_in_zone"}),
    ("Haupt outside, Neben in a zone", p(residences=(OUTSIDE, NEBEN_MU)), VEHICLE, REQUEST, CONFIG, OK, set()),
    ("Haupt and Neben in zones: Haupt wins", p(residences=(NEBEN_MU, HO)), VEHICLE, REQUEST, CONFIG, OK, set()),
    ("address outside every zone", p(residences=(OUTSIDE,)), VEHICLE, REQUEST, CONFIG, RJ, {"address_in_zone"}),
    ("zone abolished", p(residences=(dataclasses.replace(HO, zone_active_until=dt.date(2026, 1, 1)),)), VEHICLE,
     REQUEST, CONFIG, RJ, {"address_in_zone"}),
    ("zone not yet open for applications",
     p(residences=(dataclasses.replace(HO, zone_applications_open_from=dt.date(2027, 1, 1)),)), VEHICLE, REQUEST,
     CONFIG, RT, {"address_in_zone"}),
    ("zone opens for applications today",
     p(residences=(dataclasses.replace(HO, zone_applications_open_from=TODAY),)), VEHICLE, REQUEST, CONFIG, OK, set()),
    ("person not found in Melderegister", PersonRecord(False), VEHICLE, REQUEST, CONFIG, RO,
     {"person_found", "residence_type", "address_in_zone"}),
    ("Auskunftssperre", p(auskunftssperre=True), VEHICLE, REQUEST, CONFIG, RO, {"auskunftssperre"}),
    ("malformed plate", PERSON, VEHICLE, r(plate="DAB1234"), CONFIG, RT, {"plate_format"}),
    ("plate not in vehicle register", PERSON, VehicleRecord(False), REQUEST, CONFIG, RT, {"vehicle_found"}),
    ("wrong VIN fragment, first attempt", PERSON, VEHICLE, r(vin_suffix="1111"), CONFIG, RT, {"vin_match"}),
    ("wrong VIN fragment, third attempt", PERSON, VEHICLE, r(vin_suffix="1111", failed_vin_attempts=2), CONFIG, RO,
     {"vin_match"}),
    ("company car without usage confirmation", PERSON, v(keeper_is_applicant=False, keeper_label="Firma X GmbH"),
     REQUEST, CONFIG, RT, {"keeper"}),
    ("company car with usage confirmation", PERSON, v(keeper_is_applicant=False), r(has_usage_document=True), CONFIG,
     RO, {"keeper"}),
    ("vehicle from another district (ME)", PERSON, v(district="ME", plate="ME-EM 1234"), r(plate="ME-EM 1234"),
     CONFIG, RO, {"district"}),
    ("two plates requested", PERSON, VEHICLE, r(second_plate="D-EM 5678"), CONFIG, RO, {"second_plate"}),
    ("special circumstances stated", PERSON, VEHICLE, r(special_circumstances="Pflege meiner Mutter"), CONFIG, RO,
     {"special_circumstances"}),
    ("blank special circumstances are ignored", PERSON, VEHICLE, r(special_circumstances="   "), CONFIG, OK, set()),
    ("trailer (class O) ineligible", PERSON, v(vehicle_class="O1"), REQUEST, CONFIG, RJ, {"vehicle_class"}),
    ("lorry (class N3) ineligible", PERSON, v(vehicle_class="N3"), REQUEST, CONFIG, RJ, {"vehicle_class"}),
    ("too long for the city's maximum", PERSON, v(length_mm=5900), REQUEST, c(max_length_mm=5600), RJ,
     {"vehicle_length"}),
    ("exactly the maximum length", PERSON, v(length_mm=5600), REQUEST, c(max_length_mm=5600), OK, set()),
    ("no maximum length configured", PERSON, v(length_mm=7000), REQUEST, CONFIG, OK, set()),
    ("person already has an active permit", PERSON, VEHICLE, r(other_active_permit_of_person="HO-2026-0001"), CONFIG,
     RT, {"person_unique"}),
    ("plate has another person's permit", PERSON, VEHICLE, r(plates_of_other_persons=("D-EM 1234",)), CONFIG,
     RO, {"plate_unique"}),
    ("second plate has another person's permit", PERSON, VEHICLE,
     r(second_plate="D-EM 5678", plates_of_other_persons=("D-EM 5678",)), CONFIG, RO, {"second_plate", "plate_unique"}),
    ("both plates have other persons' permits", PERSON, VEHICLE,
     r(second_plate="D-EM 5678", plates_of_other_persons=("D-EM 1234", "D-EM 5678")), CONFIG, RO,
     {"second_plate", "plate_unique"}),
    ("duration not offered (36 months)", PERSON, VEHICLE, r(months=36), CONFIG, RT, {"duration"}),
    ("city offers 6 months", PERSON, VEHICLE, r(months=6), c(durations_months=(6, 12)), OK, set()),
    ("typo beats intended rejection", p(residences=(OUTSIDE,)), VEHICLE, r(vin_suffix="0000"), CONFIG, RT,
     {"vin_match"}),
    ("rejection beats routing", p(residences=(OUTSIDE,), auskunftssperre=True), VEHICLE, REQUEST, CONFIG, RJ,
     {"address_in_zone"}),
    ("several routing reasons are all listed", p(auskunftssperre=True), v(district="ME"),
     r(second_plate="D-X 1", special_circumstances="Schichtdienst"), CONFIG, RO,
     {"auskunftssperre", "district", "second_plate", "special_circumstances"}),
    ("home districts configurable", PERSON, v(district="NE"), REQUEST, c(home_districts=("D", "NE")), OK, set()),
]


@pytest.mark.parametrize(("person", "vehicle", "request_", "config", "expected", "failing"),
                         [s[1:] for s in SCENARIOS], ids=[s[0] for s in SCENARIOS])
def test_eligibility_matrix(person, vehicle, request_, config, expected, failing):
    decision = decide(person, vehicle, request_, config)
    assert decision.outcome == expected
    assert {ch.code for ch in decision.failing} == failing
    assert decision.ruleset_version == RULESET_VERSION
    assert len(decision.checks) == 16  # every check is always recorded
    for check in decision.checks:
        assert check.reason and check.legal_basis


def test_matrix_has_at_least_30_scenarios():
    assert len(SCENARIOS) >= 30


def test_automatic_issue_names_section_35a_and_stvo():
    decision = decide(PERSON, VEHICLE, REQUEST, CONFIG)
    assert AUTOMATION in decision.legal_basis
    assert any("§ 45 Abs. 1b" in b for b in decision.legal_basis)
    assert decision.zone_code == "HO"
    assert decision.reasons.startswith("Alle Voraussetzungen")


def test_reasons_are_german_sentences_of_the_failing_checks():
    decision = decide(p(residences=(OUTSIDE,)), VEHICLE, REQUEST, CONFIG)
    assert "liegt in keinem Bewohnerparkgebiet" in decision.reasons
    assert "Am Wald 3" in decision.reasons
    rows = decision.as_dicts()
    assert {row["code"] for row in rows if not row["passed"]} == {"address_in_zone"}


def test_the_plate_check_names_which_plate_is_taken_first_or_second():
    decision = decide(PERSON, VEHICLE, r(second_plate="D-EM 5678", plates_of_other_persons=("D-EM 5678",)), CONFIG)
    check = next(ch for ch in decision.checks if ch.code == "plate_unique")
    assert check.reason.startswith("Für D-EM 5678 gibt es bereits einen gültigen Ausweis einer anderen Person")
    both = decide(PERSON, VEHICLE, r(second_plate="D-EM 5678", plates_of_other_persons=("D-EM 1234", "D-EM 5678")),
                  CONFIG)
    assert "Für D-EM 1234 und D-EM 5678 gibt es bereits" in both.reasons
    free = decide(PERSON, VEHICLE, r(second_plate="D-EM 5678"), CONFIG)
    assert next(ch for ch in free.checks if ch.code == "plate_unique").reason == (
        "Für die Kennzeichen gibt es keinen anderen gültigen Ausweis.")


def test_as_dict_is_asdict_of_the_records():
    """The decision record's inputs and checks are written with ``as_dict`` (no deep copy); same dicts as asdict
    for the records without nested records (not PersonRecord)."""
    request = dataclasses.replace(REQUEST, plates_of_other_persons=("D-XY 1", "D-XY 2"), second_plate="D-AB 12")
    decision = decide(PERSON, VEHICLE, request, CONFIG)
    for record in (HO, OUTSIDE, VEHICLE, request, CONFIG, *decision.checks):
        assert as_dict(record) == dataclasses.asdict(record) and list(as_dict(record)) == list(
            dataclasses.asdict(record))

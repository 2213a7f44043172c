"""Demo data for resident parking: zones (synthetic geometry, marked as demo), address register, the
Düsseldorf configuration, register simulators seeded with the BundID simulator's people, and a few
permits and applications in every state. Idempotent.

Zone codes HO, GP, RP and MÜ are Düsseldorf's real codes (reference § 2.6); the other codes are
illustrative, like all polygons.
"""

import datetime as dt
from pathlib import Path

from django.utils import timezone

from smartcity.accounts.models import TrustLevel, User

from . import importers, services
from .models import Application, Permit, SimulatedResident, SimulatedVehicle, Zone

DATA = Path(__file__).parent / "demo_data"
LOGINS = [("Sachbearbeitung Bewohnerparken (Verkehrsmanagement)", "parken", "Demo-2026!")]

# (bpk2 of the BundID simulator, given, family, birth date, street, no., postcode, residence, Auskunftssperre)
PEOPLE = [
    ("SIM-7Q2K9X4M1B", "Erika", "Mustermann", dt.date(1964, 8, 12), "Kaiserstraße", "5", "40479", "haupt", False),
    ("SIM-3H8V6N2T5C", "Ayşe", "Yılmaz", dt.date(1988, 3, 27), "Ackerstraße", "112", "40233", "haupt", False),
    ("SIM-9D4R1L7W8E", "Jan", "Kowalski", dt.date(1979, 11, 2), "Brunnenstraße", "27", "40223", "haupt", False),
    ("SIM-5F6J3P9Y2G", "Sophie", "Becker", dt.date(1995, 6, 14), "Luegallee", "88", "40545", "haupt", True),
    ("SIM-2B7M5S8K4H", "Klaus-Dieter", "Schäfer", dt.date(1951, 1, 30), "Benrather Schloßallee", "101", "40597",
     "haupt", False),
    ("SIM-8N1C6V3Z7J", "Lena", "Hoffmann", dt.date(2001, 9, 9), "Nordstraße", "43", "40477", "haupt", False),
]
# plate, VIN, keeper (index into PEOPLE or an organisation), class, length mm, make
VEHICLES = [
    ("D-EM 1234", "WVWZZZ1KZ8W004711", 0, "M1", 4258, "VW Golf"),
    ("D-RL 2040", "WBA8E9C50GK642040", "Rheinische Leasing GmbH", "M1", 4633, "BMW 320d (Firmenwagen)"),
    ("ME-JK 79", "TMBJJ7NE5J0307979", 2, "M1", 4670, "Škoda Octavia"),
    ("D-SB 614", "ZFA3120000J560614", 3, "M1", 3571, "Fiat 500"),
    ("D-KS 51", "WDD2050041F005151", 4, "M1", 4686, "Mercedes C 200"),
    ("D-LH 2001", "VF1RJA00568122001", 5, "M1", 4050, "Renault Clio"),
    ("D-XY 999", "WMA06XZZ8JM799999", "Spedition Rhein GmbH", "N3", 9800, "MAN TGL (Lkw)"),
]
# Synthetic residents with permits, for statistics and enforcement demos (street, no., postcode, plate).
HOLDERS = [
    ("Kaiserstraße", "20", "40479", "D-KA 20"), ("Golzheimer Platz", "1", "40476", "D-GP 1"),
    ("Eintrachtstraße", "12", "40227", "D-HO 12"), ("Lessingplatz", "3", "40227", "D-LP 3"),
    ("Münsterstraße", "120", "40476", "D-MU 120"), ("Reeser Platz", "2", "40476", "D-RP 2"),
    ("Gerresheimer Straße", "50", "40211", "D-GS 50"), ("Bilker Straße", "20", "40213", "D-CA 20"),
    ("Lorettostraße", "30", "40219", "D-UB 30"),
]


def _user(bpk2: str, given: str, family: str, birth: dt.date, street: str, number: str, postcode: str) -> User:
    user = User.objects.filter(external_id=bpk2).first() or User.objects.filter(username=given.lower()).first()
    if user is None:
        username = "erika" if bpk2 == PEOPLE[0][0] else f"demo-{bpk2.lower()}"
        user = User(username=username, external_id=bpk2, first_name=given, last_name=family, birth_date=birth,
                    street=street, house_number=number, postcode=postcode, city="Düsseldorf",
                    trust_level=TrustLevel.SUBSTANTIAL, login_provider="bundid-simulator")
        user.set_unusable_password()
        user.save()
    return user


def _registers() -> list[User]:
    users = []
    for bpk2, given, family, birth, street, number, postcode, kind, blocked in PEOPLE:
        SimulatedResident.objects.update_or_create(
            family_name=family, given_names=given, birth_date=birth,
            defaults={"street": street, "house_number": number, "postcode": postcode, "residence_type": kind,
                      "auskunftssperre": blocked})
        users.append(_user(bpk2, given, family, birth, street, number, postcode))
    for plate, vin, keeper, vehicle_class, length, make in VEHICLES:
        fields = {"vin": vin, "vehicle_class": vehicle_class, "length_mm": length, "make": make,
                  "keeper_organisation": keeper if isinstance(keeper, str) else ""}
        if isinstance(keeper, int):
            _, given, family, birth, *_rest = PEOPLE[keeper]
            fields.update(keeper_family_name=family, keeper_given_names=given, keeper_birth_date=birth)
        SimulatedVehicle.objects.update_or_create(plate=plate, defaults=fields)
    return users


def _holders() -> None:
    """Synthetic residents whose permits were issued at the counter in the past months."""
    for i, (street, number, postcode, plate) in enumerate(HOLDERS):
        birth = dt.date(1970 + i, 1 + i, 10 + i)
        user, created = User.objects.get_or_create(
            username=f"demo-bewohner-{i + 1}",
            defaults={"first_name": "Demo", "last_name": f"Bewohner {i + 1}", "birth_date": birth,
                      "trust_level": TrustLevel.SUBSTANTIAL})
        if created:
            user.set_unusable_password()
            user.save()
        SimulatedResident.objects.update_or_create(
            family_name=user.last_name, given_names="Demo", birth_date=birth,
            defaults={"street": street, "house_number": number, "postcode": postcode})
        SimulatedVehicle.objects.update_or_create(plate=plate, defaults={
            "vin": f"WDB{i:04d}0000000{i:02d}{i:02d}"[:17].ljust(17, "0"), "keeper_family_name": user.last_name,
            "keeper_given_names": "Demo", "keeper_birth_date": birth, "length_mm": 4200 + 40 * i})
        if Permit.objects.filter(holder=user).exists():
            continue
        app = services.create_application(user, plate=plate, vin_suffix=SimulatedVehicle.objects.get(
            plate=plate).vin[-4:], months=12 if i % 3 else 24, channel=Application.Channel.COUNTER)
        services.submit(app)
        app.refresh_from_db()
        if app.status == Application.Status.AWAITING_PAYMENT:
            services.record_counter_payment(app, actor="demo")
            services.issue_permit(app)  # at once, not on commit, so the summary and later demos see it


def _usage_confirmation(user: User):
    from smartcity.core.pdf import Letter, Section, render_letter
    from smartcity.documents.services import store_generated

    text = (f"Die Rheinische Leasing GmbH bestätigt, dass {user.first_name} {user.last_name} das Fahrzeug D-RL 2040 "
            "dauerhaft als Dienstwagen nutzt, auch privat. (Demodaten)")
    letter = Letter(title="Nutzungsbestätigung",
                    recipient=["Landeshauptstadt Düsseldorf", "Amt für Verkehrsmanagement"],
                    sections=[Section("Bestätigung des Halters", paragraphs=[text])])
    return store_generated(render_letter(letter), filename="Nutzungsbestaetigung-D-RL-2040.pdf",
                           content_type="application/pdf", owner=user, kind="upload")


def _applications(users: list[User]) -> None:
    """One application in each interesting state, from the BundID simulator's people."""
    erika, ayse, jan, _sophie, klaus, _lena = users
    if not Application.objects.filter(applicant=ayse).exists():
        app = services.create_application(ayse, plate="D-RL 2040", vin_suffix="2040", months=12,
                                          usage_document=_usage_confirmation(ayse))
        services.submit(app)  # routed: the keeper is a leasing company
    if not Application.objects.filter(applicant=jan).exists():
        services.submit(services.create_application(jan, plate="ME-JK 79", vin_suffix="7979", months=24))
    if not Application.objects.filter(applicant=klaus).exists():
        services.submit(services.create_application(klaus, plate="D-KS 51", vin_suffix="5151", months=12))


def load(stdout) -> None:
    services.get_config()
    if not Zone.objects.exists():
        importers.import_zones_geojson((DATA / "zones.geojson").read_text(encoding="utf-8"))
        importers.import_street_ranges_csv((DATA / "street_ranges.csv").read_text(encoding="utf-8"))
    importers.import_addresses_csv((DATA / "addresses.csv").read_text(encoding="utf-8"))
    users = _registers()
    _holders()
    _applications(users)
    stdout.write(f"    Bewohnerparken: {Zone.objects.count()} Gebiete, {Permit.objects.count()} Ausweise, "
                 f"{Application.objects.count()} Anträge; Stand {timezone.localdate():%d.%m.%Y}")

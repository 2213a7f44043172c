"""Demo departments and users (PROTOCOL.md). Staff get a TOTP device; `demo_totp <username>` prints its code."""

from django.contrib.auth.hashers import make_password

from .models import Department, StaffRole, TrustLevel, User
from .plugins.contrib.bundid_simulator.persons import by_id
from .twofactor import ensure_confirmed_device

PASSWORD = "Demo-2026!"

DEPARTMENTS = [
    ("buergerservice", "Bürgerservice", "buergerservice@duesseldorf.example"),
    ("standesamt", "Standesamt", "standesamt@duesseldorf.example"),
    ("steueramt", "Steueramt", "steueramt@duesseldorf.example"),
    ("verkehrsmanagement", "Amt für Verkehrsmanagement", "verkehrsmanagement@duesseldorf.example"),
    ("umweltamt", "Umweltamt", "umweltamt@duesseldorf.example"),
    ("opendata", "Open-Data-Redaktion", "opendata@duesseldorf.example"),
]

# username, first, last, e-mail, [(department, role)], superuser
STAFF = [
    ("sachbearbeitung", "Jonas", "Weber", "j.weber@duesseldorf.example",
     [("steueramt", StaffRole.Role.CASEWORKER), ("standesamt", StaffRole.Role.CASEWORKER)], False),
    ("parken", "Miriam", "Krüger", "m.krueger@duesseldorf.example",
     [("verkehrsmanagement", StaffRole.Role.CASEWORKER)], False),
    ("teamleitung", "Petra", "Schulz", "p.schulz@duesseldorf.example",
     [("steueramt", StaffRole.Role.TEAMLEAD)], False),
    ("admin", "Andreas", "Lange", "a.lange@duesseldorf.example",
     [("buergerservice", StaffRole.Role.ADMIN)], True),
]

ERIKA_BPK2 = "SIM-7Q2K9X4M1B"  # the simulator's Erika, so a BundID login lands in the same account

LOGINS = [
    ("Bürgerin (Erika Mustermann)", "erika", PASSWORD),
    ("Sachbearbeitung (Steuer)", "sachbearbeitung", PASSWORD),
    ("Sachbearbeitung (Parken)", "parken", PASSWORD),
    ("Teamleitung (Steueramt)", "teamleitung", PASSWORD),
    ("Administration", "admin", PASSWORD),
]
LOGIN_HINTS = [
    "Mitarbeitende melden sich mit zweitem Faktor an: ./run manage demo_totp <benutzername> zeigt den Code.",
    "BundID-Simulator: „Mit BundID anmelden“ auf der Anmeldeseite, Testperson und Vertrauensniveau wählen.",
]


def _user(username: str, password_hash: str, **fields) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create(username=username, password=password_hash, **fields)
    return user


def load(stdout) -> None:
    departments = {}
    for code, name, email in DEPARTMENTS:
        departments[code], _ = Department.objects.update_or_create(code=code, defaults={"name": name,
                                                                                        "email": email})
    password_hash = make_password(PASSWORD)  # Argon2 is slow on purpose: hash the shared demo password once
    erika = by_id(ERIKA_BPK2)
    _user("erika", password_hash, email="erika.mustermann@example.org", email_verified=True,
          first_name=erika["first_name"], last_name=erika["last_name"], birth_date=erika["birth_date"],
          street=erika["street"], house_number=erika["house_number"], postcode=erika["postcode"],
          city=erika["city"], trust_level=TrustLevel.SUBSTANTIAL, login_provider="bundid-simulator",
          external_id=ERIKA_BPK2, verified_fields=list(User.VERIFIABLE_FIELDS))
    for username, first, last, email, roles, superuser in STAFF:
        user = _user(username, password_hash, email=email, email_verified=True, first_name=first, last_name=last,
                     is_staff=superuser, is_superuser=superuser)
        for code, role in roles:
            StaffRole.objects.get_or_create(user=user, department=departments[code], role=role)
        ensure_confirmed_device(user)
    stdout.write(f"  {len(DEPARTMENTS)} Fachbereiche, 1 Bürgerin, {len(STAFF)} Mitarbeitende")

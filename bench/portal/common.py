"""Shared set-up for the portal benchmark scripts: Django on PostgreSQL, bench identities."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartcity.settings")

BENCH_PREFIX = "bench-"  # usernames of generated citizens and staff
STAFF_PASSWORD = CITIZEN_PASSWORD = "Bench-Passwort-2026"
# (case type code, name, department code, deadline in working days, share of all cases)
CASE_TYPES = [
    ("bench-hundesteuer", "Hund anmelden (Hundesteuer)", "steueramt", 20, 0.22),
    ("bench-personenstand", "Personenstandsurkunde anfordern", "standesamt", 10, 0.25),
    ("bench-bewohnerparken", "Bewohnerparkausweis", "verkehrsmanagement", 15, 0.28),
    ("bench-meldebescheinigung", "Meldebescheinigung", "buergerservice", 5, 0.15),
    ("bench-baumfaellung", "Baumfällgenehmigung", "umweltamt", 30, 0.10),
]


def setup_django() -> None:
    import django

    django.setup()
    from django.conf import settings

    if not settings.IS_POSTGRES:
        sys.exit("The portal benchmark needs PostgreSQL: set DATABASE_URL=postgres://…")

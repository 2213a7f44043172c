"""Permits for enforcement tests, built directly (the issuing pipeline is tested in parking)."""

import itertools
from datetime import date, timedelta

from django.utils import timezone

from smartcity.accounts.models import User
from smartcity.parking.models import Application, DecisionRecord, Permit, Zone

_seq = itertools.count(1)


def zone(code: str = "HO", name: str = "Hauptbahnhof Ost") -> Zone:
    return Zone.objects.get_or_create(code=code, defaults={
        "name": name, "active_from": date(2020, 1, 1), "applications_open_from": date(2020, 1, 1)})[0]


def permit(*, plate: str = "D-AB 1234", zone_code: str = "HO", status: str = Permit.Status.ACTIVE,
           valid_from: date | None = None, valid_until: date | None = None, second_plate: str = "",
           with_decision: bool = True, issued_at=None, submitted_at=None, automated: bool = True) -> Permit:
    n = next(_seq)
    today = timezone.localdate()
    holder = User.objects.create(username=f"halter{n}", email=f"halter{n}@example.org", first_name="Erika",
                                 last_name="Mustermann", street="Kaiserstraße", house_number="5",
                                 postcode="40479", city="Düsseldorf")
    application = Application.objects.create(
        reference=f"BWP-2026-{n:06d}", applicant=holder, plate=plate, vin_suffix="1234", months=12,
        zone=zone(zone_code), fee_cents=2500, fee_basis="Bewohnerparkausweis 1 Jahr, Antrag online",
        status=Application.Status.ISSUED, payment_id=f"KZ-{n:08d}", submitted_at=submitted_at or timezone.now())
    if with_decision:
        DecisionRecord.objects.create(application=application, outcome=DecisionRecord.Outcome.ISSUE,
                                      ruleset_version="test", reasons="Alle Voraussetzungen sind erfüllt.",
                                      legal_basis="§ 45 Abs. 1b Satz 1 Nr. 2a StVO; § 35a VwVfG")
    return Permit.objects.create(
        number=f"HO-2026-{n:06d}", holder=holder, plate=plate, second_plate=second_plate, zone=zone(zone_code),
        valid_from=valid_from or today - timedelta(days=10), valid_until=valid_until or today + timedelta(days=355),
        status=status, issued_at=issued_at or timezone.now(), application=application, fee_cents=2500,
        automated=automated)

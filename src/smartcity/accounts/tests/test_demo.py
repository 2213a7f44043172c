import io

import pytest
from django.core.management import call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from smartcity.accounts import demo
from smartcity.accounts.models import Department, StaffRole, TrustLevel, User
from smartcity.accounts.twofactor import current_code

pytestmark = pytest.mark.django_db


def test_demo_load_is_idempotent_and_matches_the_protocol():
    demo.load(io.StringIO())
    demo.load(io.StringIO())
    assert set(Department.objects.values_list("code", flat=True)) == {
        "buergerservice", "standesamt", "steueramt", "verkehrsmanagement", "umweltamt", "opendata"}
    erika = User.objects.get(username="erika")
    assert (erika.get_full_name(), erika.street, erika.postcode, erika.trust_level) == (
        "Erika Mustermann", "Kaiserstraße", "40479", TrustLevel.SUBSTANTIAL)
    assert erika.check_password("Demo-2026!")
    assert set(StaffRole.objects.filter(user__username="sachbearbeitung")
               .values_list("department__code", flat=True)) == {"steueramt", "standesamt"}
    assert User.objects.get(username="admin").is_superuser
    assert TOTPDevice.objects.filter(confirmed=True).count() == len(demo.STAFF)
    assert {row[1] for row in demo.LOGINS} == {"erika", "sachbearbeitung", "parken", "teamleitung", "admin"}


def test_demo_totp_prints_the_current_code():
    demo.load(io.StringIO())
    out = io.StringIO()
    call_command("demo_totp", "parken", stdout=out)
    code = out.getvalue().strip()
    assert code == current_code(TOTPDevice.objects.get(user__username="parken"))
    assert len(code) == 6 and code.isdigit()

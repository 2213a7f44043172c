"""Demo: the enforcement department with one officer, a signing key and today's offline snapshot."""

from django_otp.plugins.otp_totp.models import TOTPDevice

from smartcity.accounts.demo import PASSWORD
from smartcity.accounts.models import Department, StaffRole, User
from smartcity.accounts.twofactor import DEVICE_NAME

from . import signing, snapshot

LOGINS = [("Verkehrsüberwachung (Ordnungsamt), Seite /parken/kontrolle/", "kontrolle", PASSWORD)]


def load(stdout) -> None:
    department, _ = Department.objects.update_or_create(code="ordnungsamt", defaults={
        "name": "Ordnungsamt – Verkehrsüberwachung", "email": "ordnungsamt@duesseldorf.example"})
    officer = User.objects.filter(username="kontrolle").first()
    if officer is None:
        officer = User(username="kontrolle", email="k.yilmaz@duesseldorf.example", email_verified=True,
                       first_name="Kemal", last_name="Yılmaz")
        officer.set_password(PASSWORD)
        officer.save()
    StaffRole.objects.get_or_create(user=officer, department=department, role=StaffRole.Role.CASEWORKER)
    if not TOTPDevice.objects.filter(user=officer, confirmed=True).exists():
        TOTPDevice.objects.create(user=officer, name=DEVICE_NAME, confirmed=True)
    kid, _ = signing.active_key()
    built = snapshot.build_snapshot()
    stdout.write(f"  Kontrolle: Beschäftigte „kontrolle“, Signaturschlüssel {kid}, Snapshot mit {built.entries} "
                 "Einträgen")

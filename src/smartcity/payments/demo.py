"""Demo: the Stadtkasse department and a cash office clerk (TOTP like all staff)."""

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from smartcity.accounts.models import Department, StaffRole, User
from smartcity.accounts.twofactor import DEVICE_NAME

LOGINS = [("Stadtkasse", "kasse", "Demo-2026!")]


@transaction.atomic
def load(stdout) -> None:
    department, _ = Department.objects.get_or_create(code="stadtkasse", defaults={"name": "Stadtkasse"})
    user, created = User.objects.get_or_create(username="kasse", defaults={
        "first_name": "Karl", "last_name": "Kassenwart", "email": "kasse@duesseldorf.example", "email_verified": True})
    if created:
        user.set_password("Demo-2026!")
        user.save()
    StaffRole.objects.get_or_create(user=user, department=department, role=StaffRole.Role.CASEWORKER)
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=True)

from django.core.management.base import BaseCommand, CommandError

from smartcity.accounts.models import Department
from smartcity.parking.enforcement.authentication import deactivate_device, register_device
from smartcity.parking.enforcement.models import EnforcementDevice


class Command(BaseCommand):
    help = ("Kontrollgeräte (Scan-Fahrzeuge, Handgeräte) für die Kontroll-API verwalten: add NAME --department CODE "
            "(zeigt das Token einmalig an), list, deactivate ID.")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["add", "list", "deactivate"])
        parser.add_argument("value", nargs="?", help="Name (add) oder ID (deactivate)")
        parser.add_argument("--department", default="ordnungsamt", help="Code des Fachbereichs")

    def handle(self, *args, action: str, value: str | None, department: str, **options):
        actor = "system:parking_devices"
        if action == "add":
            if not value:
                raise CommandError("Bitte einen Namen angeben, z. B. „Scan-Fahrzeug 1“.")
            dept = Department.objects.filter(code=department).first()
            if dept is None:
                raise CommandError(f"Fachbereich „{department}“ gibt es nicht.")
            device, token = register_device(name=value, department=dept, actor=actor)
            self.stdout.write(f"Gerät {device.pk} „{device.name}“ angelegt. Token (wird nicht wieder angezeigt):")
            self.stdout.write(token)
        elif action == "deactivate":
            device = EnforcementDevice.objects.filter(pk=value if (value or "").isdigit() else None).first()
            if device is None:
                raise CommandError("Kein Gerät mit dieser ID.")
            deactivate_device(device, actor=actor)
            self.stdout.write(f"Gerät {device.pk} „{device.name}“ deaktiviert.")
        else:
            for device in EnforcementDevice.objects.select_related("department"):
                state = "aktiv" if device.is_active else "deaktiviert"
                self.stdout.write(f"{device.pk:>4}  {device.token_prefix}…  {state:11}  {device.department.code:15}"
                                  f"  {device.name}")

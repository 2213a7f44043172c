from django.core.management.base import BaseCommand, CommandError

from smartcity.parking.enforcement import signing
from smartcity.parking.enforcement.models import SigningKey


class Command(BaseCommand):
    help = ("Signaturschlüssel für Parkausweise verwalten: list (Übersicht), generate (ersten Schlüssel anlegen), "
            "rotate (neuen aktiven Schlüssel, alter bleibt bis zum Ablauf veröffentlicht), prune (abgelaufene "
            "alte Schlüssel löschen).")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["list", "generate", "rotate", "prune"])

    def handle(self, *args, action: str, **options):
        if action == "generate":
            if SigningKey.objects.filter(status=SigningKey.Status.ACTIVE).exists():
                raise CommandError("Es gibt schon einen aktiven Schlüssel; zum Wechseln „rotate“ verwenden.")
            action = "rotate"
        if action == "rotate":
            key = signing.create_key(actor="system:parking_keys")
            self.stdout.write(f"Neuer aktiver Schlüssel: {key.kid}")
        elif action == "prune":
            kids = signing.prune_keys(actor="system:parking_keys")
            self.stdout.write(f"Gelöscht: {', '.join(kids) or 'keine'}")
        published = signing.published_keys()
        for key in SigningKey.objects.all():
            until = f"{key.signed_until:%Y-%m-%d}" if key.signed_until else "–"
            state = "veröffentlicht" if key.kid in published else "nicht veröffentlicht"
            self.stdout.write(f"{key.kid}  {key.get_status_display():12}  signiert bis {until}  {state}")

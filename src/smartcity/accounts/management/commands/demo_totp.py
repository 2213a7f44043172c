from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from smartcity.accounts.twofactor import current_code


class Command(BaseCommand):
    help = "Zeigt den aktuellen TOTP-Code eines Demo-Mitarbeiterkontos (nur für Demo und Tests)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        device = TOTPDevice.objects.filter(user__username=username, confirmed=True).first()
        if device is None:
            raise CommandError(f"Kein bestätigtes TOTP-Gerät für „{username}“. "
                               "Wurde ./run manage load_demo ausgeführt?")
        self.stdout.write(current_code(device))

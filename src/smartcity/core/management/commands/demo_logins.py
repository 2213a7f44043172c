from django.conf import settings
from django.core.management.base import BaseCommand

from smartcity.core.demo import demo_modules


class Command(BaseCommand):
    help = "Zeigt die Demo-Zugänge an."

    def handle(self, *args, **options):
        rows = [row for _, module in demo_modules() for row in getattr(module, "LOGINS", [])]
        self.stdout.write("")
        self.stdout.write(f"Portal: {settings.SITE_URL}/   (Strg+C beendet)")
        self.stdout.write("Demo-Zugänge (Rolle · Benutzername · Passwort):")
        for role, username, password in rows:
            self.stdout.write(f"  {role:<28} {username:<32} {password}")
        for _, module in demo_modules():
            for line in getattr(module, "LOGIN_HINTS", []):
                self.stdout.write(f"  {line}")
        self.stdout.write("")

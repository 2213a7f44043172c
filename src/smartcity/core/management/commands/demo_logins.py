from django.conf import settings
from django.core.management.base import BaseCommand

from smartcity.core.demo import demo_modules


class Command(BaseCommand):
    help = "Zeigt die Demo-Zugänge an."

    def handle(self, *args, **options):
        rows: dict[str, tuple[str, str]] = {}
        for _, module in demo_modules():
            for role, username, password in getattr(module, "LOGINS", []):
                rows.setdefault(username, (role, password))  # an account listed by two apps appears once
        self.stdout.write("")
        self.stdout.write(f"Portal: {settings.SITE_URL}/   (Strg+C beendet)")
        self.stdout.write("Demo-Zugänge:")
        # Columns as wide as their longest entry plus two spaces, so a long username never runs into its password.
        user_width = max(len("Benutzername"), *map(len, rows)) + 2
        password_width = max(len("Passwort"), *(len(password) for _, password in rows.values())) + 2
        self.stdout.write(f"  {'Benutzername':<{user_width}}{'Passwort':<{password_width}}Rolle")
        for username, (role, password) in rows.items():
            self.stdout.write(f"  {username:<{user_width}}{password:<{password_width}}{role}")
        for _, module in demo_modules():
            for line in getattr(module, "LOGIN_HINTS", []):
                self.stdout.write(f"  {line}")
        self.stdout.write("")

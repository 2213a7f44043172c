from django.core.management.base import BaseCommand, CommandError

from smartcity.audit.services import verify_chain


class Command(BaseCommand):
    help = "Prüft die Hash-Kette des Audit-Protokolls."

    def handle(self, *args, **options):
        ok, checked, broken = verify_chain()
        if not ok:
            raise CommandError(f"Audit-Kette gebrochen bei Ereignis {broken} (nach {checked} gültigen).")
        self.stdout.write(self.style.SUCCESS(f"Audit-Kette intakt: {checked} Ereignisse geprüft."))

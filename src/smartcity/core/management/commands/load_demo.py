import time

from django.core.management.base import BaseCommand
from django.db import transaction

from smartcity.core.demo import demo_modules


class Command(BaseCommand):
    help = "Lädt realistische Demodaten (Düsseldorf). Mehrfaches Ausführen schadet nicht."

    def add_arguments(self, parser):
        parser.add_argument("--only", nargs="*", help="nur diese Apps (Label), z. B. parking opendata")

    def handle(self, *args, only=None, **options):
        for label, module in demo_modules():
            if only and label not in only or not hasattr(module, "load"):
                continue
            started = time.monotonic()
            with transaction.atomic():
                module.load(self.stdout)
            self.stdout.write(f"  Demodaten {label}: {time.monotonic() - started:.1f} s")

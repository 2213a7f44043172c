import urllib.request
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from smartcity.airquality.importer import import_payload
from smartcity.airquality.plugins import registry
from smartcity.airquality.plugins.contrib.uba import stations_table

MAX_BYTES = 64 * 1024 * 1024


def _read(source: str) -> bytes:
    if source.startswith(("http://", "https://")):
        with urllib.request.urlopen(source, timeout=60) as response:  # noqa: S310 - operator-given URL
            return response.read(MAX_BYTES)
    return Path(source).read_bytes()


class Command(BaseCommand):
    help = "Importiert Messwerte über einen Adapter aus einer Datei oder URL (sensor.community, UBA, Verkehr)."

    def add_arguments(self, parser):
        parser.add_argument("adapter", choices=sorted(registry.ADAPTERS))
        parser.add_argument("source", nargs="?", help="Datei oder URL (Standard: konfigurierter Endpunkt)")
        parser.add_argument("--uba-stations", help="Datei/URL von /stations/json für Stationsnamen und -koordinaten")

    def handle(self, *args, adapter, source=None, uba_stations=None, **options):
        defaults = {"sensor.community": settings.AIRQUALITY_SENSOR_COMMUNITY_URL}
        source = source or defaults.get(adapter)
        if not source:
            raise CommandError("Quelle (Datei oder URL) fehlt.")
        context = {}
        if adapter == "uba":
            context["stations"] = stations_table(_read(uba_stations or f"{settings.AIRQUALITY_UBA_URL}/stations/json"))
        result = import_payload(adapter, _read(source), **context)
        self.stdout.write(f"{adapter}: {result.stored} gespeichert, {len(result.rejected)} abgewiesen")
        for rejection in result.rejected[:20]:
            self.stdout.write(f"  {rejection.reason}: {rejection.message}")

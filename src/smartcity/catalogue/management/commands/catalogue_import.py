import json

from django.core.management.base import BaseCommand, CommandError

from smartcity.catalogue.exchange import CatalogueImportError, import_rows


class Command(BaseCommand):
    help = ("Importiert Leistungen aus einer JSON-Datei im Exportformat. Vorhandene Leistungen werden anhand "
            "des LeiKa-Schlüssels aktualisiert; mehrfaches Importieren schadet nicht.")

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, path: str, **options):
        try:
            with open(path, encoding="utf-8") as fh:
                data = json.load(fh)
        except (OSError, json.JSONDecodeError) as exc:
            raise CommandError(f"Datei nicht lesbar: {exc}")
        rows = data.get("services") if isinstance(data, dict) else data
        if not isinstance(rows, list):
            raise CommandError("Erwartet wird eine Liste von Leistungen oder {\"services\": [...]}.")
        try:
            created, updated = import_rows(rows)
        except CatalogueImportError as exc:
            raise CommandError(str(exc))
        self.stdout.write(f"{created} Leistungen angelegt, {updated} aktualisiert.")

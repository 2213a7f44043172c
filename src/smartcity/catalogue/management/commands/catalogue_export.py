import json
import sys

from django.core.management.base import BaseCommand

from smartcity.catalogue.exchange import export_csv, export_rows


class Command(BaseCommand):
    help = "Exportiert den Leistungskatalog als JSON (Standard) oder CSV."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["json", "csv"], default="json")
        parser.add_argument("--output", "-o", help="Datei; ohne Angabe auf die Standardausgabe")

    def handle(self, *args, format: str, output: str | None, **options):
        rows = export_rows()
        text = (json.dumps({"services": rows}, ensure_ascii=False, indent=1) + "\n" if format == "json"
                else export_csv(rows))
        if output:
            with open(output, "w", encoding="utf-8", newline="") as fh:
                fh.write(text)
            self.stderr.write(f"{len(rows)} Leistungen nach {output} exportiert.")
        else:
            sys.stdout.write(text)

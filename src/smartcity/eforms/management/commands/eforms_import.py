from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from smartcity.eforms import services
from smartcity.eforms.schema import DefinitionError


class Command(BaseCommand):
    help = ("Importiert Formulardefinitionen aus YAML- oder JSON-Dateien (aktualisiert vorhandene anhand des "
            "Slugs; mehrfaches Importieren schadet nicht).")

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+")

    def handle(self, *args, paths: list[str], **options):
        for name in paths:
            path = Path(name)
            if not path.is_file():
                raise CommandError(f"{name}: Datei nicht gefunden.")
            try:
                form = services.load_definition_path(path, actor="system:eforms_import")
            except DefinitionError as exc:
                raise CommandError(f"{name} ist ungültig:\n  " + "\n  ".join(exc.errors))
            self.stdout.write(f"{form.slug}: Version {form.version} importiert.")

"""Shared shape of the three import commands: read a UTF-8 file, import all-or-nothing, report."""

from collections.abc import Callable
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from smartcity.parking.importers import ImportFailed, ImportResult


class ImportCommand(BaseCommand):
    importer: Callable[..., ImportResult]
    what = ""

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="nur prüfen, nichts speichern")

    def handle(self, path: Path, dry_run: bool, **options):
        extra = {k: options[k] for k in ("replace",) if k in options}
        try:
            result = type(self).importer(path.read_text(encoding="utf-8"), dry_run=dry_run, **extra)
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Datei nicht lesbar (UTF-8 erwartet): {exc}") from exc
        except ImportFailed as exc:
            raise CommandError("Import abgebrochen, nichts gespeichert:\n" + "\n".join(exc.errors)) from exc
        suffix = " (Probelauf, nichts gespeichert)" if dry_run else ""
        self.stdout.write(f"{self.what}: {result.created} neu, {result.updated} aktualisiert, "
                          f"{result.addresses_reassigned} Adressen neu zugeordnet.{suffix}")

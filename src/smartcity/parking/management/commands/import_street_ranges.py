from smartcity.parking.importers import import_street_ranges_csv

from ._import import ImportCommand


class Command(ImportCommand):
    help = "Straßenabschnitte (zone;street;postcode;number_from;number_to;parity) aus CSV importieren."
    importer = import_street_ranges_csv
    what = "Straßenabschnitte"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--replace", action="store_true", help="bisherige Abschnitte der Gebiete ersetzen")

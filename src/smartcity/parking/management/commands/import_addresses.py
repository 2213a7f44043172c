from smartcity.parking.importers import import_addresses_csv

from ._import import ImportCommand


class Command(ImportCommand):
    help = "Adressregister (street;house_number;postcode;lon;lat oder easting;northing) aus CSV importieren."
    importer = import_addresses_csv
    what = "Adressen"

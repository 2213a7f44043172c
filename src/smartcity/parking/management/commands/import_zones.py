from smartcity.parking.importers import import_zones_geojson

from ._import import ImportCommand


class Command(ImportCommand):
    help = "Bewohnerparkgebiete aus einer GeoJSON-FeatureCollection importieren (alles oder nichts)."
    importer = import_zones_geojson
    what = "Gebiete"

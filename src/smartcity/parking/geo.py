"""Coordinates and zone lookup: WGS84 ↔ ETRS89/UTM32 (EPSG:25832) and a cached STRtree over zone polygons."""

from functools import lru_cache

from pyproj import Transformer


@lru_cache(maxsize=1)
def _to_utm() -> Transformer:
    # always_xy: (lon, lat) in, (easting, northing) out, whatever the CRS axis order says.
    return Transformer.from_crs("EPSG:4326", "EPSG:25832", always_xy=True)


@lru_cache(maxsize=1)
def _to_wgs84() -> Transformer:
    return Transformer.from_crs("EPSG:25832", "EPSG:4326", always_xy=True)


def wgs84_to_utm32(lon: float, lat: float) -> tuple[float, float]:
    easting, northing = _to_utm().transform(lon, lat)
    return round(easting, 2), round(northing, 2)


def utm32_to_wgs84(easting: float, northing: float) -> tuple[float, float]:
    lon, lat = _to_wgs84().transform(easting, northing)
    return round(lon, 7), round(lat, 7)

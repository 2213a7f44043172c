"""Address → zone: explicit street ranges first, then point-in-polygon over a cached STRtree.

The spatial index lives per process (core.process_cache). Saving or deleting a zone or street range bumps its
version (signals below), so every web and worker process rebuilds its index on the next lookup.
"""

from dataclasses import dataclass

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from shapely import STRtree
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry

from smartcity.core.process_cache import ProcessCache
from smartcity.core.rows import RowLoader

from .models import Address, StreetRange, Zone
from .rules.addresses import house_number_value, in_range, normalise_street


@dataclass
class _ZoneIndex:
    tree: STRtree
    geometries: list[BaseGeometry]
    zone_ids: list[int]


def _build() -> _ZoneIndex:
    geometries, zone_ids = [], []
    for zone_id, geometry in Zone.objects.exclude(geometry=None).values_list("id", "geometry"):
        geometries.append(shape(geometry))
        zone_ids.append(zone_id)
    return _ZoneIndex(STRtree(geometries), geometries, zone_ids)


zone_index = ProcessCache("parking:zones:version", _build)


def zone_at(lon: float, lat: float) -> int | None:
    """The id of the zone whose polygon contains the point (WGS84), or None."""
    index = zone_index.get()
    point = Point(lon, lat)
    hits = sorted(int(i) for i in index.tree.query(point, predicate="intersects"))
    return index.zone_ids[hits[0]] if hits else None


def zone_by_street_range(street: str, house_number: str, postcode: str) -> int | None:
    number = house_number_value(house_number)
    if number is None:
        return None
    for entry in StreetRange.objects.filter(street_key=normalise_street(street)).order_by("id"):
        if entry.postcode and postcode and entry.postcode != postcode:
            continue
        if in_range(number, entry.number_from, entry.number_to, entry.parity):
            return entry.zone_id
    return None


def resolve_zone(address: Address) -> tuple[int | None, str]:
    """(zone id, source) for an address: the street-range table takes precedence over the polygon."""
    zone_id = zone_by_street_range(address.street, address.house_number, address.postcode)
    if zone_id is not None:
        return zone_id, Address.ZoneSource.STREET_RANGE
    zone_id = zone_at(address.lon, address.lat)
    if zone_id is not None:
        return zone_id, Address.ZoneSource.POLYGON
    return None, Address.ZoneSource.NONE


def assign_zone(address: Address, *, save: bool = True) -> Address:
    address.zone_id, address.zone_source = resolve_zone(address)
    if save:
        address.save(update_fields=["zone", "zone_source"])
    return address


def reassign_all_addresses() -> int:
    """Recompute the zone of every address (after zone edits or imports); returns the number changed."""
    changed = 0
    for address in Address.objects.all().iterator(chunk_size=2000):
        before = (address.zone_id, address.zone_source)
        assign_zone(address, save=False)
        if (address.zone_id, address.zone_source) != before:
            address.save(update_fields=["zone", "zone_source"])
            changed += 1
    return changed


def find_address(street: str, house_number: str, postcode: str) -> Address | None:
    """The address with its zone; the zone's polygon (GeoJSON, large for real zones) is not read. One statement
    written once per process (core.rows; every automated decision looks its residences up)."""
    return _ADDRESS_WITH_ZONE.find(normalise_street(street), house_number.strip().lower(), postcode.strip())


_ADDRESS_WITH_ZONE = RowLoader(Address, related=("zone",), defer=("zone__geometry",),
                               by=("street_key", "house_number", "postcode"))  # the unique key: at most one row


@receiver([post_save, post_delete], sender=Zone)
@receiver([post_save, post_delete], sender=StreetRange)
def _zones_changed(**kwargs) -> None:
    zone_index.invalidate()

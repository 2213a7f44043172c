import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from smartcity.parking import importers, zones
from smartcity.parking.models import Address, StreetRange, Zone
from smartcity.parking.testing import make_address, make_zone, square

pytestmark = pytest.mark.django_db
DEMO = Path(__file__).resolve().parent.parent / "demo_data"


def test_polygon_lookup_uses_the_index_and_sees_zone_changes():
    gp = make_zone()
    assert zones.zone_at(6.7790, 51.2335) == gp.pk
    assert zones.zone_at(6.9, 51.3) is None
    gp.geometry = square(6.9, 51.3)
    gp.save()  # signal invalidates the cached index
    assert zones.zone_at(6.9, 51.3) == gp.pk
    assert zones.zone_at(6.7790, 51.2335) is None


def test_street_range_takes_precedence_over_the_polygon():
    gp = make_zone()
    mu = make_zone("MÜ", "Münsterstraße", lon=6.7890, lat=51.2440)
    StreetRange.objects.create(zone=mu, street="Kaiserstraße", postcode="40479", number_from=1, number_to=9,
                               parity="odd")
    odd = make_address(house_number="5")
    even = make_address(house_number="6")
    assert (odd.zone, odd.zone_source) == (mu, Address.ZoneSource.STREET_RANGE)
    assert (even.zone, even.zone_source) == (gp, Address.ZoneSource.POLYGON)
    outside = make_address(street="Am Wald", house_number="3", postcode="40629", lon=6.9, lat=51.3)
    assert outside.zone is None and outside.zone_source == Address.ZoneSource.NONE


def test_street_names_are_matched_loosely():
    zone = make_zone()
    StreetRange.objects.create(zone=zone, street="Erik-Nölting-Straße", number_from=1, number_to=99)
    assert zones.zone_by_street_range("Erik-Nölting-Str.", "12a", "40227") == zone.pk
    assert zones.zone_by_street_range("erik nölting strasse", "100", "40227") is None


def test_demo_files_import_and_reassign_addresses():
    result = importers.import_zones_geojson((DEMO / "zones.geojson").read_text(encoding="utf-8"))
    assert result.created == 11 and Zone.objects.filter(is_demo=True).count() == 11
    importers.import_street_ranges_csv((DEMO / "street_ranges.csv").read_text(encoding="utf-8"))
    importers.import_addresses_csv((DEMO / "addresses.csv").read_text(encoding="utf-8"))
    assert zones.find_address("Kaiserstraße", "5", "40479").zone.code == "GP"
    nord = zones.find_address("Nordstraße", "43", "40477")
    assert nord.zone.code == "MÜ" and nord.zone_source == Address.ZoneSource.STREET_RANGE
    assert zones.find_address("Benrather Schloßallee", "101", "40597").zone is None
    again = importers.import_zones_geojson((DEMO / "zones.geojson").read_text(encoding="utf-8"))
    assert again.created == 0 and again.updated == 11


@pytest.mark.parametrize(("mutate", "message"), [
    (lambda f: f["properties"].update(code="H"), "zwei Buchstaben"),
    (lambda f: f["properties"].update(active_from="1.4.2023"), "JJJJ-MM-TT"),
    (lambda f: f.update(geometry={"type": "Point", "coordinates": [6.8, 51.2]}), "Polygon"),
    (lambda f: f["geometry"].update(coordinates=[[[lat, lon] for lon, lat in f["geometry"]["coordinates"][0]]]),
     "nicht in NRW"),
    (lambda f: f["geometry"].update(coordinates=[[[6.8, 51.2], [6.81, 51.21], [6.8, 51.21], [6.81, 51.2],
                                                  [6.8, 51.2]]]), "ungültig"),
    (lambda f: f["properties"].update(regime="frei"), "regime"),
])
def test_bad_zone_files_are_refused_with_a_clear_message_and_nothing_saved(mutate, message):
    data = json.loads((DEMO / "zones.geojson").read_text(encoding="utf-8"))
    mutate(data["features"][3])
    with pytest.raises(importers.ImportFailed) as exc:
        importers.import_zones_geojson(json.dumps(data))
    assert any(message in e and "Feature 4" in e for e in exc.value.errors), exc.value.errors
    assert not Zone.objects.exists()


def test_not_json_and_not_a_feature_collection():
    with pytest.raises(importers.ImportFailed, match="kein gültiges JSON"):
        importers.import_zones_geojson("{nope")
    with pytest.raises(importers.ImportFailed, match="FeatureCollection"):
        importers.import_zones_geojson('{"type": "Feature"}')


def test_bad_street_ranges_name_the_line():
    make_zone()
    text = "zone;street;postcode;number_from;number_to;parity\nGP;Kaiserstraße;40479;1;9;odd\nXX;;4047;9;1;left\n"
    with pytest.raises(importers.ImportFailed) as exc:
        importers.import_street_ranges_csv(text)
    errors = "\n".join(exc.value.errors)
    assert "Zeile 3: unbekanntes Gebiet „XX“" in errors and "von ≤ bis" in errors
    assert not StreetRange.objects.exists()
    with pytest.raises(importers.ImportFailed, match="Es fehlen die Spalten"):
        importers.import_street_ranges_csv("zone,strasse\nGP,Kaiserstraße\n")


def test_addresses_accept_utm32_and_refuse_swapped_coordinates():
    make_zone()
    importers.import_addresses_csv("street;house_number;postcode;easting;northing\nKaiserstraße;5;40479;344879;5677930\n")
    address = Address.objects.get()
    assert abs(address.lon - 6.78) < 0.01 and abs(address.lat - 51.23) < 0.01
    with pytest.raises(importers.ImportFailed, match="vertauscht"):
        importers.import_addresses_csv("street;house_number;postcode;lon;lat\nKaiserstraße;7;40479;51.23;6.78\n")


def test_import_commands(tmp_path):
    path = tmp_path / "zones.geojson"
    path.write_text((DEMO / "zones.geojson").read_text(encoding="utf-8"), encoding="utf-8")
    call_command("import_zones", str(path), "--dry-run")
    assert not Zone.objects.exists()
    call_command("import_zones", str(path))
    assert Zone.objects.count() == 11
    bad = tmp_path / "bad.csv"
    bad.write_text("zone;street;number_from;number_to\nZZ;X;1;2\n", encoding="utf-8")
    with pytest.raises(CommandError, match="nichts gespeichert"):
        call_command("import_street_ranges", str(bad))
    with pytest.raises(CommandError, match="nicht lesbar"):
        call_command("import_addresses", str(tmp_path / "missing.csv"))


def test_config_admin_form_refuses_an_incomplete_fee_table():
    from smartcity.parking.admin import ParkingConfigForm
    from smartcity.parking.models import ParkingConfig, default_fees

    data = {f.name: getattr(ParkingConfig(), f.name) for f in ParkingConfig._meta.fields if f.editable}
    data = {k: (json.dumps(v) if isinstance(v, list | dict) else v) for k, v in data.items() if v is not None}
    data.update(fees=json.dumps(default_fees()[:3]), durations_months="[12, 24]")
    form = ParkingConfigForm(data=data)
    assert not form.is_valid()
    assert "Grundgebühr" in str(form.errors["fees"])
    data["fees"] = json.dumps(default_fees())
    assert ParkingConfigForm(data=data).is_valid(), ParkingConfigForm(data=data).errors

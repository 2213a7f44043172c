"""Plate normalisation, the lookup service and its aggregated audit."""

from datetime import timedelta

import pytest
from django.utils import timezone

from smartcity.parking.enforcement import lookup
from smartcity.parking.enforcement.models import LookupTally
from smartcity.parking.models import Permit

from . import factories


@pytest.mark.parametrize("raw, expected", [
    ("D-AB 1234", ["D-AB 1234"]),
    ("d-ab 1234", ["D-AB 1234"]),
    ("D AB1234", ["D-AB 1234"]),
    ("D:AB-1234", ["D-AB 1234"]),
    ("  d  ab   1234 ", ["D-AB 1234"]),
    ("DAB1234", ["D-AB 1234", "DA-B 1234"]),
    ("dab 1234", ["D-AB 1234", "DA-B 1234"]),
    ("NEAB12E", ["NE-AB 12E", "NEA-B 12E"]),
    ("MÜAB1", ["MÜ-AB 1", "MÜA-B 1"]),
    ("DA1", ["D-A 1"]),
])
def test_plate_candidates(raw, expected):
    assert lookup.plate_candidates(raw) == expected


@pytest.mark.parametrize("raw", ["", "   ", "1234", "D-AB 0123", "D-ABC 1", "ABCDEFG1", "D-AB 12345", "DAB1234X",
                                 "<script>", "D-AB 1234; DROP TABLE"])
def test_impossible_plates_raise_a_german_message(raw):
    with pytest.raises(lookup.InvalidPlate) as error:
        lookup.plate_candidates(raw)
    assert "Kennzeichen" in str(error.value)


@pytest.mark.django_db
class TestLookup:
    def test_valid_permit_found_in_any_spelling(self):
        permit = factories.permit(plate="D-AB 1234")
        for reading in ("DAB1234", "d-ab 1234", "D AB 1234"):
            result = lookup.lookup_plate(reading)
            assert result.valid and result.plate == "D-AB 1234" and result.zone == "HO"
            assert (result.valid_from, result.valid_until) == (permit.valid_from, permit.valid_until)
        assert lookup.lookup_plate("DAB1234").query == "DAB1234"

    def test_unknown_plate_is_not_valid(self):
        factories.permit(plate="D-AB 1234")
        result = lookup.lookup_plate("D-XY 99")
        assert not result.valid and result.zone == "" and result.valid_until is None

    def test_second_plate_counts(self):
        factories.permit(plate="D-AB 1234", second_plate="D-CD 56")
        result = lookup.lookup_plate("DCD56")
        assert result.valid and result.plate == "D-CD 56"

    def test_wrong_zone_is_reported_but_not_valid(self):
        factories.permit(plate="D-AB 1234", zone_code="HO")
        assert lookup.lookup_plate("DAB1234", zone="ho").valid
        other = lookup.lookup_plate("DAB1234", zone="MÜ")
        assert not other.valid and other.zone == "HO"

    @pytest.mark.parametrize("status", [Permit.Status.REVOKED, Permit.Status.REPLACED, Permit.Status.EXPIRED])
    def test_inactive_permits_do_not_count(self, status):
        factories.permit(plate="D-AB 1234", status=status)
        assert lookup.lookup_plate("DAB1234") == lookup.LookupResult("DAB1234", False)

    def test_active_permit_outside_its_days_is_not_valid(self):
        today = timezone.localdate()
        factories.permit(plate="D-AB 1234", valid_from=today + timedelta(days=1),
                         valid_until=today + timedelta(days=30))
        result = lookup.lookup_plate("DAB1234")
        assert not result.valid and result.valid_from == today + timedelta(days=1)
        assert lookup.lookup_plate("DAB1234", today=today + timedelta(days=1)).valid

    def test_counted_lookup_tallies_itself_once_with_its_outcome(self):
        factories.permit(plate="D-AB 1234", zone_code="HO")
        assert lookup.lookup_plate("DAB1234", counted_for="device:7").valid
        assert not lookup.lookup_plate("DAB1234", zone="MÜ", counted_for="device:7").valid
        assert not lookup.lookup_plate("D-XY 99", counted_for="device:7").valid
        assert lookup.lookup_plate("DAB1234").valid  # not counted
        assert list(LookupTally.objects.values_list("principal", "kind", "lookups", "found")) == [
            ("device:7", "plate", 3, 1)]

    def test_invalid_reading_is_not_counted(self):
        with pytest.raises(lookup.InvalidPlate):
            lookup.lookup_plate("<script>", counted_for="device:7")
        assert not LookupTally.objects.exists()

    def test_tally_counts_per_hour_principal_and_kind_without_plates(self):
        now = timezone.now()
        lookup.tally("device:1", "plate", found=True, now=now)
        lookup.tally("device:1", "plate", found=False, now=now)
        lookup.tally("device:1", "token", found=True, now=now)
        lookup.tally("device:1", "plate", found=True, now=now + timedelta(hours=1))
        rows = {(t.principal, t.kind, t.hour.hour): (t.lookups, t.found) for t in LookupTally.objects.all()}
        assert rows == {("device:1", "plate", now.hour): (2, 1), ("device:1", "token", now.hour): (1, 1),
                        ("device:1", "plate", (now + timedelta(hours=1)).hour): (1, 1)}

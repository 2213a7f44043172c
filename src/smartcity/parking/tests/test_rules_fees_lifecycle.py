import datetime as dt

import pytest

from smartcity.parking.models import default_fees
from smartcity.parking.rules.fees import (
    NoFee,
    compute_fee,
    fee_range,
    format_euros,
    format_fee_range,
    validate_fee_table,
)
from smartcity.parking.rules.lifecycle import (
    add_months,
    pro_rata_refund,
    reminder_due,
    renewal_open,
    renewal_validity,
    validity,
)
from smartcity.parking.rules.plates import InvalidInput, normalise_plate, normalise_vin_fragment

DUS = default_fees()
KOELN_LIKE = [
    {"channel": "online", "zone": "*", "length_from_mm": 0, "length_to_mm": 4109, "months": 12, "cents": 10000},
    {"channel": "online", "zone": "*", "length_from_mm": 4110, "length_to_mm": 4709, "months": 12, "cents": 11000},
    {"channel": "online", "zone": "*", "length_from_mm": 4710, "length_to_mm": None, "months": 12, "cents": 12000},
    {"channel": "online", "zone": "HO", "length_from_mm": 0, "length_to_mm": None, "months": 12, "cents": 36000},
]


@pytest.mark.parametrize(("channel", "months", "cents"), [
    ("online", 12, 2500), ("online", 24, 5000), ("counter", 12, 3000), ("counter", 24, 5500)])
def test_duesseldorf_fees(channel, months, cents):
    assert compute_fee(DUS, channel=channel, zone_code="HO", months=months, length_mm=4300).cents == cents


@pytest.mark.parametrize(("zone", "length", "cents"), [
    ("MÜ", 4000, 10000), ("MÜ", 4109, 10000), ("MÜ", 4110, 11000), ("MÜ", 5000, 12000), ("HO", 4000, 36000),
    ("MÜ", None, 10000)])
def test_length_bands_and_zone_rows(zone, length, cents):
    assert compute_fee(KOELN_LIKE, channel="online", zone_code=zone, months=12, length_mm=length).cents == cents


@pytest.mark.parametrize(("zone", "length", "expected"), [
    (None, None, (10000, 36000)), ("MÜ", None, (10000, 12000)), ("HO", None, (10000, 36000)),
    (None, 4500, (11000, 36000)), ("MÜ", 4500, (11000, 11000)), ("HO", 4500, (36000, 36000))])
def test_fee_range_before_zone_and_length_are_known(zone, length, expected):
    assert fee_range(KOELN_LIKE, channel="online", months=12, zone_code=zone, length_mm=length) == expected


def test_fee_range_display_and_missing_rows():
    assert format_fee_range(2500, 2500) == "25,00 €"
    assert format_fee_range(10000, 12000) == "100,00 € – 120,00 €"
    assert fee_range(DUS, channel="online", months=12) == (2500, 2500)
    with pytest.raises(NoFee):
        fee_range(KOELN_LIKE, channel="counter", months=12)
    with pytest.raises(NoFee):
        fee_range(KOELN_LIKE, channel="online", months=24)


def test_missing_fee_row_raises():
    with pytest.raises(NoFee):
        compute_fee(DUS, channel="online", zone_code="HO", months=36, length_mm=None)


def test_fee_table_validation():
    assert validate_fee_table(DUS, [12, 24]) == []
    errors = validate_fee_table([{"channel": "post", "cents": -1, "months": 5}], [12])
    assert any("channel" in e for e in errors) and any("Grundgebühr" in e for e in errors)
    assert validate_fee_table("x", [12])


def test_format_euros():
    assert format_euros(2500) == "25,00 €"
    assert format_euros(123456) == "1.234,56 €"


@pytest.mark.parametrize(("raw", "canonical"), [
    ("D-AB 1234", "D-AB 1234"), ("d ab1234", "D-AB 1234"), ("  d-ab-1234 ", "D-AB 1234"), ("MÜ-X 1", "MÜ-X 1"),
    ("D-EM 123E", "D-EM 123E"), ("NE:AB 99H", "NE-AB 99H")])
def test_plate_normalisation(raw, canonical):
    assert normalise_plate(raw) == canonical


@pytest.mark.parametrize("raw", ["", "DAB1234", "D-AB 0123", "D-ABC 12", "DÜSS-A 1", "D-AB 12345", "ABC-DE 1234",
                                 "D-Ä 1"])
def test_malformed_plates_get_a_german_message(raw):
    with pytest.raises(InvalidInput) as exc:
        normalise_plate(raw)
    assert "Kennzeichen" in str(exc.value)


def test_vin_fragment():
    assert normalise_vin_fragment(" ab12 ") == "AB12"
    for bad in ("", "12345", "AB1", "IO12"):
        with pytest.raises(InvalidInput):
            normalise_vin_fragment(bad)


def test_validity_and_months():
    assert validity(dt.date(2026, 1, 31), 12) == (dt.date(2026, 1, 31), dt.date(2027, 1, 30))
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert validity(dt.date(2026, 3, 1), 24)[1] == dt.date(2028, 2, 29)


def test_renewal_credits_remaining_time():
    today = dt.date(2026, 12, 1)
    assert renewal_validity(today, dt.date(2026, 12, 31), 12) == (today, dt.date(2027, 12, 31))
    assert renewal_validity(today, dt.date(2026, 11, 1), 12) == (today, dt.date(2027, 11, 30))


def test_renewal_window_and_reminder():
    until = dt.date(2027, 1, 31)
    assert not renewal_open(dt.date(2026, 12, 19), until, 42)
    assert renewal_open(dt.date(2026, 12, 20), until, 42)
    assert not renewal_open(dt.date(2027, 2, 1), until, 42)
    assert reminder_due(dt.date(2027, 1, 3), until, 28)
    assert not reminder_due(dt.date(2027, 1, 2), until, 28)


def test_refund_keeps_minimum_fee():
    start, end = dt.date(2026, 1, 1), dt.date(2027, 12, 31)
    refund = pro_rata_refund(paid_cents=5000, valid_from=start, valid_until=end, returned_on=dt.date(2026, 3, 15),
                             retained_min_cents=2500, admin_fee_cents=0)
    assert refund.cents == 2500 and refund.unused_months == 21
    later = pro_rata_refund(paid_cents=5000, valid_from=start, valid_until=end, returned_on=dt.date(2027, 6, 1),
                            retained_min_cents=2500, admin_fee_cents=500)
    assert later.cents == 5000 - 5000 * 17 // 24 - 500
    one_year = pro_rata_refund(paid_cents=2500, valid_from=start, valid_until=dt.date(2026, 12, 31),
                               returned_on=dt.date(2026, 2, 1), retained_min_cents=2500, admin_fee_cents=0)
    assert one_year.cents == 0
    off = pro_rata_refund(paid_cents=5000, valid_from=start, valid_until=end, returned_on=start,
                          retained_min_cents=0, admin_fee_cents=0, enabled=False)
    assert off.cents == 0 and "keine" in off.explanation

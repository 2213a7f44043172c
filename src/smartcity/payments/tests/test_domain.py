import pytest

from smartcity.payments import domain


@pytest.mark.parametrize("text", ["Bewohnerparken HO 12 Mon.", "Hundesteuer 2026 Bello", "A" * 27,
                                  "Gebühr Urkunde (2x) ÄÖÜß", "Az. DUS-2026-000123/1"])
def test_valid_purposes(text):
    assert domain.normalise_purpose(text) == text


def test_purpose_whitespace_is_collapsed():
    assert domain.normalise_purpose("  Hunde   steuer ") == "Hunde steuer"


@pytest.mark.parametrize(("text", "message"), [
    ("", "leer"),
    ("   ", "leer"),
    ("A" * 28, "höchstens 27 Zeichen"),
    ("Parken <script>", "unzulässige Zeichen: < >"),
    ("Parken – Zone HO", "unzulässige Zeichen: –"),
    ("Gebühr 25€", "unzulässige Zeichen: €"),
    ("Zeile\u0000", "unzulässige Zeichen"),
])
def test_invalid_purposes_have_a_german_reason(text, message):
    with pytest.raises(domain.InvalidPurpose, match=message):
        domain.normalise_purpose(text)


def test_kassenzeichen_shape_and_check_digit():
    kz = domain.new_kassenzeichen("47", 2026)
    assert len(kz) == 14 and kz.startswith("4726")
    assert domain.kassenzeichen_is_valid(kz)


def test_check_digit_catches_single_digit_errors_and_adjacent_swaps():
    kz = domain.new_kassenzeichen("47", 2026)
    for i in range(len(kz) - 1):
        wrong = kz[:i] + str((int(kz[i]) + 1) % 10) + kz[i + 1:]
        assert not domain.kassenzeichen_is_valid(wrong)
    assert domain.luhn_check_digit("7992739871") == "3"  # the textbook example
    assert not domain.kassenzeichen_is_valid("47261234X")


@pytest.mark.parametrize(("current", "new", "allowed"), [
    ("pending", "paid", True), ("pending", "failed", True), ("pending", "cancelled", True),
    ("paid", "pending", False), ("paid", "failed", False), ("paid", "cancelled", False),
    ("failed", "paid", False), ("cancelled", "paid", False), ("cancelled", "pending", False),
    ("paid", "refunded", True), ("paid", "partially_refunded", True),
    ("partially_refunded", "refunded", True), ("refunded", "paid", False), ("refunded", "partially_refunded", False),
])
def test_transitions(current, new, allowed):
    assert domain.can_transition(current, new) is allowed


def test_refund_checks():
    assert domain.check_refund("paid", 2500, 0, 2500).status_after == "refunded"
    assert domain.check_refund("paid", 2500, 0, 1000).status_after == "partially_refunded"
    assert domain.check_refund("partially_refunded", 2500, 1000, 1500).status_after == "refunded"
    with pytest.raises(ValueError, match="Höchstens 15,00 €"):
        domain.check_refund("partially_refunded", 2500, 1000, 1501)
    with pytest.raises(ValueError, match="größer als 0"):
        domain.check_refund("paid", 2500, 0, 0)
    with pytest.raises(ValueError, match="Nur bezahlte"):
        domain.check_refund("pending", 2500, 0, 100)


def test_format_cents():
    assert domain.format_cents(2500) == "25,00 €"
    assert domain.format_cents(123456) == "1.234,56 €"

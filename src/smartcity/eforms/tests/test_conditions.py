import pytest

from smartcity.eforms.conditions import ConditionError, evaluate, names, parse

DATA = {"rasse": "rottweiler", "anzahl": 3, "versand": "post", "eigene": True, "leer": "", "auswahl": ["a", "b"]}


@pytest.mark.parametrize(("expression", "expected"), [
    ("rasse in ['rottweiler', 'bullterrier']", True),
    ("rasse not in ['rottweiler']", False),
    ("anzahl > 1 and versand == 'post'", True),
    ("anzahl >= 3 and anzahl <= 3", True),
    ("anzahl < 2 or versand != \"post\"", False),
    ("not eigene", False),
    ("not (anzahl > 5)", True),
    ("eigene == true", True),
    ("unbekannt == null", True),
    ("unbekannt", False),
    ("leer", False),
    ("unbekannt > 3", False),  # unanswered number: not met, no error
    ("rasse > 3", False),  # incompatible types: not met
    ("auswahl in ['b', 'c']", True),
    ("'weil' in 'rottweiler'", True),
    ("anzahl == 3.0", True),
    ("", True),
    (None, True),
    ("a or b and c", False),
])
def test_evaluate(expression, expected):
    assert evaluate(expression, DATA) is expected


def test_and_binds_stronger_than_or():
    assert evaluate("x or y and z", {"x": True, "y": False, "z": False}) is True
    assert evaluate("(x or y) and z", {"x": True, "y": False, "z": False}) is False


@pytest.mark.parametrize("expression", [
    "anzahl >", "rasse in [", "(anzahl > 1", "anzahl = 1", "__import__('os')", "anzahl > 1 1", "and",
    "rasse in ['a' 'b']", "x" * 600, "anzahl; drop",
])
def test_invalid_expressions_raise_german_errors(expression):
    with pytest.raises(ConditionError) as excinfo:
        parse(expression)
    assert any(word in str(excinfo.value) for word in ("erwartet", "Unerwartet", "nicht erlaubt", "länger"))


def test_names_lists_referenced_fields():
    assert names(parse("rasse in ['x'] and not (anzahl > 1 or versand == 'post')")) == {"rasse", "anzahl", "versand"}

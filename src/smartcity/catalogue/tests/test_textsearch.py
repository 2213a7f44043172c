import pytest

from smartcity.catalogue.textsearch import normalise, score


@pytest.mark.parametrize(("text", "expected"), [
    ("Straße", "strasse"),
    ("Führungszeugnis", "fuehrungszeugnis"),
    ("Fuehrungszeugnis", "fuehrungszeugnis"),
    ("Hund anmelden (Hundesteuer)", "hund anmelden hundesteuer"),
    ("Café – Außengastronomie!", "cafe aussengastronomie"),
    ("ÄÖÜ äöü ß", "aeoeue aeoeue ss"),
])
def test_normalise_folds_umlauts_and_punctuation(text, expected):
    assert normalise(text) == expected


def test_score_prefix_compound_and_typos():
    text = normalise("Hund anmelden Hundesteuer Steuermarke Listenhund")
    assert score("hund", text) == 1.0
    assert score("steuer", text) > 0  # inside the compound "hundesteuer"
    assert score("hundsteuer", text) > 0  # typo
    assert score("hundesteur", text) > 0  # typo
    assert score("katze", text) == 0
    assert score("hund katze", text) == 0  # every word must match
    assert score("", text) == 0

from smartcity.airquality.domain.lqi import air_quality_index, pollutant_class


def test_band_edges_2025():
    assert pollutant_class("NO2", 10) == 0
    assert pollutant_class("NO2", 10.4) == 0  # rounded to whole numbers first
    assert pollutant_class("NO2", 10.5) == 1
    assert pollutant_class("NO2", 100) == 3
    assert pollutant_class("NO2", 101) == 4
    assert pollutant_class("PM10", 28) == 2
    assert pollutant_class("O3", 241) == 4


def test_old_scheme_is_more_lenient():
    assert pollutant_class("NO2", 150, "UBA_LQI_2019") == 3
    assert pollutant_class("NO2", 150, "UBA_LQI_2025") == 4


def test_worst_pollutant_decides_and_incomplete_flag():
    result = air_quality_index({"NO2": 35.0, "PM10": 12.0})
    assert (result.index, result.pollutant, result.label) == (2, "NO2", "mäßig")
    assert result.incomplete and result.scheme == "UBA_LQI_2025"


def test_unrated_only_gives_none():
    assert air_quality_index({"T": 20.0}) is None

"""The SensorThings API driven with plain HTTP, as a generic client would."""

import gc
import json

import pytest

from smartcity.airquality import ingest
from smartcity.airquality import models as m
from smartcity.airquality.sta import views

pytestmark = pytest.mark.django_db
BASE = "/sta/v1.1"


def post(client, path, data, auth):
    return client.post(f"{BASE}/{path}", json.dumps(data), content_type="application/json", **auth)


THING = {
    "name": "Merowingerstraße",
    "description": "Verkehrsstation",
    "properties": {"code": "DENW211"},
    "Locations": [{"name": "Merowingerstraße", "description": "Bilk", "encodingType": "application/geo+json",
                   "location": {"type": "Point", "coordinates": [6.7745, 51.2043]}}],
    "Datastreams": [{
        "name": "NO2 Merowingerstraße", "description": "Stundenmittel",
        "unitOfMeasurement": {"name": "µg/m³", "symbol": "µg/m³", "definition": "ucum:ug/m3"},
        "observationType": "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement",
        "Sensor": {"name": "Analysator", "description": "Chemilumineszenz", "encodingType": "text/html",
                   "metadata": "https://example.org/analyser"},
        "ObservedProperty": {"name": "NO2", "description": "Stickstoffdioxid",
                             "definition": "http://dd.eionet.europa.eu/vocabulary/aq/pollutant/8"},
    }],
}


def test_landing_page_lists_entity_sets(client):
    body = client.get(f"{BASE}/").json()
    assert {e["name"] for e in body["value"]} >= {"Things", "Datastreams", "Observations", "FeaturesOfInterest"}
    assert "conformance" in body["serverSettings"]


def test_deep_insert_post_observations_and_query(client, sta_auth):
    res = post(client, "Things", THING, sta_auth)
    assert res.status_code == 201, res.content
    thing = res.json()
    assert res["Location"].endswith(f"/Things({thing['@iot.id']})")
    assert thing["Datastreams@iot.navigationLink"].endswith(f"Things({thing['@iot.id']})/Datastreams")
    assert m.HistoricalLocation.objects.filter(thing_id=thing["@iot.id"]).count() == 1

    ds = client.get(f"{BASE}/Things({thing['@iot.id']})/Datastreams").json()["value"][0]
    for hour, value in enumerate([30.5, 41.0, 55.5, 20.0], start=1):
        r = post(client, f"Datastreams({ds['@iot.id']})/Observations",
                 {"phenomenonTime": f"2026-01-05T{hour:02d}:00:00Z", "result": value}, sta_auth)
        assert r.status_code == 201, r.content

    url = (f"{BASE}/Datastreams({ds['@iot.id']})/Observations?$filter=result gt 30 and "
           "phenomenonTime ge 2026-01-05T02:00:00Z&$orderby=result desc&$top=1&$count=true")
    body = client.get(url).json()
    assert body["@iot.count"] == 2
    assert [o["result"] for o in body["value"]] == [55.5]
    assert body["value"][0]["phenomenonTime"] == "2026-01-05T03:00:00Z"
    assert "$skip=1" in body["@iot.nextLink"]
    assert client.get(body["@iot.nextLink"]).json()["value"][0]["result"] == 41.0

    expanded = client.get(
        f"{BASE}/Things?$filter=name eq 'Merowingerstraße'&$expand=Locations,"
        "Datastreams($select=name;$expand=Observations($orderby=phenomenonTime desc;$top=1))"
    ).json()["value"][0]
    assert expanded["Locations"][0]["location"]["type"] == "Point"
    stream = expanded["Datastreams"][0]
    assert set(stream) >= {"name", "Observations"} and "description" not in stream
    assert stream["Observations"][0]["result"] == 20.0
    assert stream["Observations@iot.nextLink"]

    # server-computed time range and the latest value
    body = client.get(f"{BASE}/Datastreams({ds['@iot.id']})").json()
    assert body["phenomenonTime"] == "2026-01-05T01:00:00Z/2026-01-05T04:00:00Z"


def test_filter_across_relations_functions_and_spatial(client, no2_stream, sta_auth):
    post(client, f"Datastreams({no2_stream.pk})/Observations",
         {"phenomenonTime": "2026-02-01T10:00:00+01:00", "result": 44}, sta_auth)
    q = client.get(f"{BASE}/Observations?$filter=Datastream/ObservedProperty/name eq 'NO2' and year(phenomenonTime) "
                   "eq 2026 and not (result lt 40)").json()
    assert [o["result"] for o in q["value"]] == [44]
    assert client.get(f"{BASE}/Things?$filter=startswith(name,'Corn')").json()["value"]
    assert not client.get(f"{BASE}/Things?$filter=substringof('xyz',name)").json()["value"]
    inside = "geography'POLYGON((6.7 51.1, 6.9 51.1, 6.9 51.3, 6.7 51.3, 6.7 51.1))'"
    outside = "geography'POLYGON((7 51, 7.1 51, 7.1 51.1, 7 51.1, 7 51))'"
    assert len(client.get(f"{BASE}/Locations?$filter=st_within(location, {inside})").json()["value"]) == 1
    assert not client.get(f"{BASE}/Things?$filter=st_within(Locations/location, {outside})").json()["value"]
    assert len(client.get(f"{BASE}/Things?$filter=st_within(Locations/location, {inside})").json()["value"]) == 1


@pytest.mark.parametrize("query", [
    "$filter=result gt", "$filter=nosuch eq 1", "$filter=result add 1 eq 2", "$top=-1", "$orderby=result sideways",
    "$expand=Datastreams($bogus=1)", "$filter=(result gt 1", "$frobnicate=1",
])
def test_bad_query_options_give_400_with_a_message(client, no2_stream, query):
    res = client.get(f"{BASE}/Things?{query}")
    assert res.status_code == 400
    assert res.json()["message"]


def test_paths_value_ref_and_property(client, no2_stream):
    ds = no2_stream.pk
    assert client.get(f"{BASE}/Datastreams({ds})/name").json() == {"name": "NO2 Corneliusstraße"}
    assert client.get(f"{BASE}/Datastreams({ds})/name/$value").content.decode() == "NO2 Corneliusstraße"
    ref = client.get(f"{BASE}/Things({no2_stream.thing_id})/Datastreams/$ref").json()
    assert ref["value"][0]["@iot.selfLink"].endswith(f"Datastreams({ds})")
    assert client.get(f"{BASE}/Datastreams({ds})/Thing").json()["name"] == "Corneliusstraße"
    assert client.get(f"{BASE}/Things(999)").status_code == 404
    assert client.get(f"{BASE}/Nonsense").status_code == 404


def test_writes_need_credentials_and_permission(client, no2_stream, django_user_model):
    data = {"name": "x", "description": "y"}
    assert client.post(f"{BASE}/Things", data, content_type="application/json").status_code == 401
    django_user_model.objects.create_user(username="reader", password="Lese-Passwort-1")
    import base64

    auth = {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(b"reader:Lese-Passwort-1").decode()}
    assert post(client, "Things", data, auth).status_code == 403


def test_patch_and_delete(client, no2_stream, sta_auth):
    thing = no2_stream.thing_id
    res = client.patch(f"{BASE}/Things({thing})", json.dumps({"description": "neu"}),
                       content_type="application/json", **sta_auth)
    assert res.status_code == 200 and res.json()["description"] == "neu"
    bad = client.patch(f"{BASE}/Things({thing})", json.dumps({"colour": "red"}), content_type="application/json",
                       **sta_auth)
    assert bad.status_code == 400
    assert client.delete(f"{BASE}/Things({thing})", **sta_auth).status_code == 200
    assert not m.Datastream.objects.exists()


def test_create_observations_data_array_keeps_good_rows(client, no2_stream, sta_auth):
    payload = [{
        "Datastream": {"@iot.id": no2_stream.pk},
        "components": ["phenomenonTime", "result"],
        "dataArray": [
            ["2026-03-01T01:00:00Z", 20],
            ["2026-03-01T02:00:00Z", 5000],  # out of range
            ["2026-03-01T03:00:00", 20],  # no time zone
            ["2026-03-01T04:00:00Z", 30],
        ],
    }, {"Datastream": {"@iot.id": 999999}, "components": ["phenomenonTime", "result"],
        "dataArray": [["2026-03-01T01:00:00Z", 1]]}]
    res = post(client, "CreateObservations", payload, sta_auth)
    assert res.status_code == 201
    body = res.json()
    assert [b == "error" for b in body] == [False, True, True, False, True]
    assert m.Observation.objects.count() == 2
    reasons = dict(m.RejectionCounter.objects.values_list("reason", "count"))
    assert reasons == {"out_of_range": 1, "naive_timestamp": 1, "unknown_datastream": 1}
    # re-sending the same batch changes nothing
    post(client, "CreateObservations", payload, sta_auth)
    assert m.Observation.objects.count() == 2


def test_malformed_json_is_rejected_and_counted(client, sta_auth):
    res = client.post(f"{BASE}/CreateObservations", "[{not json", content_type="application/json", **sta_auth)
    assert res.status_code == 400 and "malformed JSON" in res.json()["message"]
    assert m.RejectionCounter.objects.get(reason="malformed").count == 1


def test_data_array_result_format(client, no2_stream, sta_auth):
    post(client, f"Datastreams({no2_stream.pk})/Observations", {"phenomenonTime": "2026-01-01T01:00:00Z",
                                                                "result": 12}, sta_auth)
    body = client.get(f"{BASE}/Observations?$resultFormat=dataArray").json()
    assert body["value"][0]["dataArray"][0][2] == 12


@pytest.mark.parametrize("query", [
    "$filter=phenomenonTime ge 2026-13-05T02:00:00Z",  # month 13
    "$filter=phenomenonTime ge 2026-02-30T02:00:00Z",
    "$filter=phenomenonTime lt 9999-12-31T23:00:00-02:00",  # no UTC instant in Python
    "$filter=result eq 'abc'",
    "$filter=date(phenomenonTime) eq 'abc'",
    "$filter=year(phenomenonTime) eq 'abc'",
    "$filter=result eq 1e999",
    "$filter=result eq " + "9" * 5000,
    "$filter=id eq 99999999999999999999999",
    "$top=²", "$skip=²", "$top=" + "9" * 5000,
    "$skip=100000000000000000000000",
], ids=lambda query: query[:50])
def test_impossible_literals_and_numbers_give_400_not_500(client, no2_stream, query):
    res = client.get(f"{BASE}/Datastreams({no2_stream.pk})/Observations?{query}")
    assert res.status_code == 400, (query, res.content[:200])
    body = res.json()
    assert body["code"] == 400 and body["type"] == "error" and body["message"]


def test_top_is_capped_and_skip_has_a_maximum(client, no2_stream, settings):
    settings.AIRQUALITY_STA_MAX_TOP = 2
    for hour in range(1, 4):
        m.Observation.objects.create(datastream=no2_stream, result=hour,
                                     phenomenon_time=f"2026-01-05T{hour:02d}:00:00Z")
    body = client.get(f"{BASE}/Observations?$top=100000").json()
    assert len(body["value"]) == 2 and "$top=2" in body["@iot.nextLink"]
    assert client.get(f"{BASE}/Observations?$skip=1000000000").json()["value"] == []
    assert client.get(f"{BASE}/Observations?$skip=1000000001").status_code == 400


def test_count_with_top_zero_has_no_next_link(client, no2_stream):
    m.Observation.objects.create(datastream=no2_stream, result=1, phenomenon_time="2026-01-05T01:00:00Z")
    body = client.get(f"{BASE}/Observations?$count=true&$top=0").json()
    assert body == {"@iot.count": 1, "value": []}
    nested = client.get(f"{BASE}/Datastreams?$expand=Observations($count=true;$top=0)").json()["value"][0]
    assert nested["Observations@iot.count"] == 1 and "Observations@iot.nextLink" not in nested


@pytest.mark.parametrize("time", ["9999-12-31T23:59:59Z", "0001-01-01T00:00:00+01:00", "1899-12-31T23:00:00Z"])
def test_timestamps_beyond_the_plausible_years_are_rejected_and_counted(client, no2_stream, sta_auth, time):
    res = post(client, f"Datastreams({no2_stream.pk})/Observations", {"phenomenonTime": time, "result": 1},
               sta_auth)
    assert res.status_code == 400 and "year" in res.json()["message"]
    assert not m.Observation.objects.exists()
    res = post(client, "CreateObservations", [{"Datastream": {"@iot.id": no2_stream.pk},
                                               "components": ["phenomenonTime", "result"],
                                               "dataArray": [[time, 1], ["2026-01-05T01:00:00Z", 2]]}], sta_auth)
    assert res.status_code == 201 and res.json()[0] == "error"
    assert m.RejectionCounter.objects.get(reason="bad_timestamp").count >= 1


@pytest.mark.parametrize("components", [[["result"], "phenomenonTime"], [{"a": 1}, "result"], "result"])
def test_non_string_components_are_rejected_not_500(client, no2_stream, sta_auth, components):
    res = post(client, "CreateObservations", [{"Datastream": {"@iot.id": no2_stream.pk}, "components": components,
                                               "dataArray": [[1, 2]]}], sta_auth)
    assert res.status_code == 201 and res.json() == ["error"], res.content[:200]
    assert not m.Observation.objects.exists()
    assert m.RejectionCounter.objects.get(reason="malformed").count == 1


@pytest.mark.parametrize("unit", ["x", ["µg/m³"], {"name": 1, "symbol": "µg/m³", "definition": "ucum:ug/m3"}])
def test_unit_of_measurement_must_be_an_object_of_strings(client, no2_stream, sta_auth, unit):
    res = client.patch(f"{BASE}/Datastreams({no2_stream.pk})", json.dumps({"unitOfMeasurement": unit}),
                       content_type="application/json", **sta_auth)
    assert res.status_code == 400 and "unitOfMeasurement" in res.json()["message"]
    no2_stream.refresh_from_db()
    assert no2_stream.unit_of_measurement["symbol"] == "µg/m³"
    thing = {**THING, "Datastreams": [{**THING["Datastreams"][0], "unitOfMeasurement": unit}]}
    assert post(client, "Things", thing, sta_auth).status_code == 400
    assert not m.Thing.objects.filter(name=THING["name"]).exists()  # the deep insert is rolled back


@pytest.mark.parametrize("location", [
    {"type": "Point", "coordinates": ["a"]},
    {"type": "Point", "coordinates": ["6.77", "51.2"]},
    {"type": "Point", "coordinates": [6.77]},
    {"type": "Point", "coordinates": [200, 51.2]},
    {"type": "Polygon", "coordinates": [[["x", 1]]]},
    {"type": "Nonsense", "coordinates": [1, 2]},
    {"type": "Feature", "geometry": {"type": "Point"}},
])
def test_location_coordinates_must_be_numeric_wgs84(client, no2_stream, sta_auth, location):
    loc = {"name": "x", "description": "y", "encodingType": "application/geo+json", "location": location}
    res = post(client, "Locations", loc, sta_auth)
    assert res.status_code == 400, res.content[:200]
    assert "Location/location" in res.json()["message"]
    existing = no2_stream.thing.locations.get()
    res = client.patch(f"{BASE}/Locations({existing.pk})", json.dumps({"location": location}),
                       content_type="application/json", **sta_auth)
    assert res.status_code == 400
    existing.refresh_from_db()
    assert existing.lon == 6.7936


def test_valid_geometries_are_still_accepted(client, sta_auth):
    polygon = {"type": "Polygon", "coordinates": [[[6.7, 51.2], [6.8, 51.2], [6.8, 51.3], [6.7, 51.2]]]}
    loc = {"name": "Gebiet", "description": "y", "encodingType": "application/geo+json",
           "location": {"type": "Feature", "geometry": polygon}}
    assert post(client, "Locations", loc, sta_auth).status_code == 201
    assert m.Location.objects.get(name="Gebiet").lon is None


def test_a_rejected_single_observation_is_counted(client, no2_stream, sta_auth):
    """The request's transaction rolls back on a 400; the rejection counter must survive that rollback."""
    url = f"Datastreams({no2_stream.pk})/Observations"
    res = post(client, url, {"phenomenonTime": "2026-01-05T01:00:00Z", "result": 5000}, sta_auth)
    assert res.status_code == 400 and "plausible range" in res.json()["message"]
    assert post(client, url, {"phenomenonTime": "2026-01-05T01:00:00", "result": 5}, sta_auth).status_code == 400
    assert post(client, url, {"phenomenonTime": "2026-01-05T01:00:00Z", "result": 5}, sta_auth).status_code == 201
    obs = m.Observation.objects.get()
    res = client.patch(f"{BASE}/Observations({obs.pk})", json.dumps({"result": "viel"}),
                       content_type="application/json", **sta_auth)
    assert res.status_code == 400
    assert dict(m.RejectionCounter.objects.filter(source="http").values_list("reason", "count")) == {
        "out_of_range": 1, "naive_timestamp": 1, "not_numeric": 1}
    assert m.IngestCounter.objects.get(source="http").accepted == 1
    obs.refresh_from_db()
    assert obs.result == 5  # the rejected PATCH changed nothing


def test_create_observations_rejects_only_the_malformed_groups(client, no2_stream, sta_auth):
    good = {"Datastream": {"@iot.id": no2_stream.pk}, "components": ["phenomenonTime", "result"],
            "dataArray": [["2026-03-01T01:00:00Z", 20], ["2026-03-01T02:00:00Z", 21]]}
    payload = [
        good,
        {"Datastream": {"@iot.id": no2_stream.pk}, "components": "result",
         "dataArray": [["2026-03-01T03:00:00Z", 1], ["2026-03-01T04:00:00Z", 2], ["2026-03-01T05:00:00Z", 3]]},
        "kaputt",
        {"Datastream": {"@iot.id": no2_stream.pk}, "components": [["phenomenonTime"], "result"],
         "dataArray": [[1, 2]]},
        {**good, "dataArray": [["2026-03-01T06:00:00Z", 22]]},
    ]
    res = post(client, "CreateObservations", payload, sta_auth)
    assert res.status_code == 201
    assert [entry == "error" for entry in res.json()] == [False, False, True, True, True, True, True, False]
    assert sorted(m.Observation.objects.values_list("result", flat=True)) == [20, 21, 22]
    assert m.RejectionCounter.objects.get(source="http", reason="malformed").count == 5


BULK_ROWS = [
    ["2026-03-01T01:00:00Z", 20],  # the fast path
    ["2026-03-01T02:00:00+00:00", 20.5],
    ["2026-03-01T03:00:00+01:00", 21],  # another zone: converted to UTC
    ["2026-03-01T03:00:00Z/2026-03-01T04:00:00Z", 22],  # interval
    ["2026-03-01T05:00:00Z", "23"],  # a number as string
    ["2026-03-01T06:00:00Z", 5000],  # out of range
    ["2026-03-01T07:00:00", 20],  # naive
    ["1899-03-01T07:00:00Z", 20],
    ["2026-03-01T08:00:00Z", float("nan")],
    ["2026-03-01T09:00:00Z", float("inf")],
    ["2026-03-01T10:00:00Z", int("9" * 400)],  # a JSON integer beyond float
    ["2026-03-01T11:00:00Z", True],
    ["2026-03-01T12:00:00Z"],
    "2026-03-01T13:00:00Z",
    ["kein Datum", 20],
    [20, 20],  # a number as time
]


def test_bulk_rows_match_the_per_observation_checks(no2_stream):
    """data_array_rows has a fast path for the common shape; every row must come out exactly as the full
    per-observation checks say: the same row, or a rejection with the same reason and message."""
    v = ingest.Validator()
    rows, rejected, ok = ingest.data_array_rows(v, no2_stream.pk, ["phenomenonTime", "result"], BULK_ROWS)
    rows_iter, rejections = iter(rows), {r.index: r for r in rejected}
    for i, (values, accepted) in enumerate(zip(BULK_ROWS, ok, strict=True)):
        try:
            if not isinstance(values, list) or len(values) != 2:
                raise ingest.InvalidValue(ingest.Reason.MALFORMED, "dataArray row does not match components")
            expected = ingest.observation_row(v, {"phenomenonTime": values[0], "result": values[1]}, no2_stream.pk)
        except ingest.InvalidValue as exc:
            assert not accepted and (rejections[i].reason, rejections[i].message) == (exc.reason, str(exc)), values
            continue
        assert accepted and next(rows_iter) == expected, values
    assert ok.count(True) == 5


def test_integer_beyond_float_is_rejected_not_500(client, no2_stream, sta_auth):
    body = '{"phenomenonTime": "2026-01-05T01:00:00Z", "result": ' + "9" * 400 + "}"
    res = client.post(f"{BASE}/Datastreams({no2_stream.pk})/Observations", body, content_type="application/json",
                      **sta_auth)
    assert res.status_code == 400 and "finite" in res.json()["message"]
    assert m.RejectionCounter.objects.get(reason="not_numeric").count == 1


def test_bulk_request_pauses_garbage_collection_only_while_it_runs(client, sta_auth, monkeypatch):
    seen = []
    parse = views.body
    monkeypatch.setattr(views, "body", lambda request: seen.append(gc.isenabled()) or parse(request))
    res = client.post(f"{BASE}/CreateObservations", "[{not json", content_type="application/json", **sta_auth)
    assert res.status_code == 400 and seen == [False] and gc.isenabled()
    gc.disable()  # paused by someone else (a concurrent request): left as it was
    try:
        with ingest.gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


PLAIN = [["2026-03-01T01:00:00Z", 20], ["2026-03-01T02:00:00+00:00", 20.5], ["2026-03-01T03:00:00.250Z", 0],
         ["2026-03-01T04:00:00Z", 1000]]
NOT_PLAIN = [
    ["2026-03-01T00:00:00Z/2026-03-01T01:00:00Z", 20], ["2026-03-01T01:00:00+01:00", 20], ["2026-03-01T01:00:00", 20],
    ["2026-03-01T01:00:00Z", "20"], ["2026-03-01T01:00:00Z", True], ["2026-03-01T01:00:00Z", float("nan")],
    ["2026-03-01T01:00:00Z", float("inf")], ["2026-03-01T01:00:00Z", 1001], ["2026-03-01T01:00:00Z", -0.5],
    ["1899-12-31T23:00:00Z", 20], ["2201-01-01T00:00:00Z", 20], ["kein Datum", 20], [20, 20],
    ["2026-03-01T01:00:00Z", 10**400], ["2026-03-01T01:00:00Z", None], ["2026-03-01T01:00:00Z"],
    ["2026-03-01T01:00:00Z", 20, 1], ("2026-03-01T01:00:00Z", 20), {"result": 20}, None,
]


@pytest.mark.parametrize("bad", [None, *NOT_PLAIN])
@pytest.mark.parametrize("components", [["phenomenonTime", "result"], ["result", "phenomenonTime"]])
def test_column_wise_group_path_gives_what_the_row_by_row_checks_give(bad, components):
    """data_array_rows checks a group column by column (plain_rows) when every row is a UTC instant and a
    plausible number; any other row sends the group row by row. Rows, reasons and messages must not differ."""
    ds = ingest.Stream(7, "NO2 Test", ingest.Rule("NO2", "µg/m³", 0, 1000), 0, 1000)
    v = ingest.Validator()
    v._streams[7] = ds
    data = PLAIN + ([] if bad is None else [bad])
    if components[0] == "result":
        data = [row[::-1] if isinstance(row, list) else row for row in data]
    plain = ingest.plain_rows(ds, data, components.index("phenomenonTime"))
    assert (plain is None) == (bad is not None)
    rows, rejected, ok = ingest.data_array_rows(v, 7, components, data)
    expected_rows, expected_rejected = [], []
    for i, values in enumerate(data):
        try:
            if not isinstance(values, list) or len(values) != 2:
                raise ingest.InvalidValue("malformed", "dataArray row does not match components")
            expected_rows.append(ingest.observation_row(v, dict(zip(components, values, strict=True)), 7))
        except ingest.InvalidValue as exc:
            expected_rejected.append((i, exc.reason, str(exc)))
    assert rows == expected_rows and len(rows) >= len(PLAIN)
    assert [(r.index, r.reason, r.message) for r in rejected] == expected_rejected
    assert ok == [True] * len(rows) + [False] * len(rejected)
    if plain is not None:
        assert plain == rows and all(type(r) is ingest.Row for r in plain)

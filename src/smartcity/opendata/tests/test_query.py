from datetime import UTC, datetime

import pytest

from smartcity.opendata import query
from smartcity.opendata.query import And, MatchAll, Not, Or, QuerySyntaxError, Range, Term, Text


@pytest.mark.parametrize("text, expected", [
    ("", MatchAll()),
    ("*:*", MatchAll()),
    ("parken", Text("parken")),
    ('"öffentlicher verkehr"', Text("öffentlicher verkehr", phrase=True)),
    ("tags:Verkehr", Term("tags", "Verkehr")),
    ('tags:"Öffentlicher Verkehr"', Term("tags", "Öffentlicher Verkehr", phrase=True)),
    ("metadata_modified:[2026-04-01T12:00:00Z TO *]", Range("metadata_modified", "2026-04-01T12:00:00Z", None)),
    ("metadata_modified:{2026-04-01 TO NOW]", Range("metadata_modified", "2026-04-01", "NOW", False, True)),
    ("organization:x OR organization:y", Or((Term("organization", "x"), Term("organization", "y")))),
    ("-organization:x", Not(Term("organization", "x"))),
    ("+state:active", Term("state", "active")),
    ("NOT groups:tran", Not(Term("groups", "tran"))),
    ("organization:(a OR b)", Or((Term("organization", "a"), Term("organization", "b")))),
    ("name:foo AND -id:1", And((Term("name", "foo"), Not(Term("id", "1"))))),
    ("res_format:CSV tags:x", And((Term("res_format", "CSV"), Term("tags", "x")))),
    ("a && b || c", Or((And((Text("a"), Text("b"))), Text("c")))),
    ("-(a OR b)", Not(Or((Text("a"), Text("b"))))),
    (r"name:foo\:bar", Term("name", "foo:bar")),
])
def test_parses_what_clients_send(text, expected):
    assert query.parse(text) == expected


@pytest.mark.parametrize("text", [
    "organization:", "(a OR b", "a OR", "[a TO b]", "x:[a TO]", "x:[a b c]", '"open', "x:y:z", "a)", "NOT",
    "(" * 30 + "a" + ")" * 30, "x" * 5000,
])
def test_malformed_queries_raise_a_syntax_error(text):
    with pytest.raises(QuerySyntaxError):
        query.parse(text)


def test_dates_in_solr_syntax():
    now = datetime(2026, 5, 10, 15, 30, tzinfo=UTC)
    assert query.parse_datetime("2026-04-01T12:00:00Z") == datetime(2026, 4, 1, 12, tzinfo=UTC)
    assert query.parse_datetime("2026-04-01T12:00:00.123Z").microsecond == 123000
    assert query.parse_datetime("NOW", now) == now
    assert query.parse_datetime("NOW-1DAY", now) == datetime(2026, 5, 9, 15, 30, tzinfo=UTC)
    assert query.parse_datetime("NOW/DAY", now) == datetime(2026, 5, 10, tzinfo=UTC)
    with pytest.raises(QuerySyntaxError):
        query.parse_datetime("gestern")


def test_fields_used():
    assert query.fields_used(query.parse("a tags:x -(organization:y OR res_format:CSV)")) == {
        "tags", "organization", "res_format"}

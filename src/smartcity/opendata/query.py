"""Parser for the Solr/Lucene query subset that CKAN clients and harvesters send in ``q`` and ``fq``.

Pure Python, no Django. Produces a small AST that ``search.py`` compiles into database filters.

Supported: free text and "phrases"; ``field:value``, ``field:"phrase"``, ``field:*``;
``field:(a OR b)``; ranges ``field:[lo TO hi]`` / ``{lo TO hi}`` with ``*`` and ``NOW[±n UNIT]``;
``AND``/``OR``/``NOT``/``&&``/``||``, prefix ``+``/``-``, parentheses, implicit AND between clauses
(CKAN sets ``q.op=AND``); ``*:*`` matches everything.
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta


class QuerySyntaxError(ValueError):
    """The query cannot be parsed; the message is meant for the API client."""


@dataclass(frozen=True)
class MatchAll:
    pass


@dataclass(frozen=True)
class Text:
    value: str
    phrase: bool = False


@dataclass(frozen=True)
class Term:
    field: str
    value: str  # "*" means "field has any value"
    phrase: bool = False


@dataclass(frozen=True)
class Range:
    field: str
    low: str | None  # None = open
    high: str | None
    include_low: bool = True
    include_high: bool = True


@dataclass(frozen=True)
class Not:
    node: "Node"


@dataclass(frozen=True)
class And:
    nodes: tuple["Node", ...]


@dataclass(frozen=True)
class Or:
    nodes: tuple["Node", ...]


Node = MatchAll | Text | Term | Range | Not | And | Or

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<lparen>\()
  | (?P<rparen>\))
  | (?P<lbracket>[\[{])
  | (?P<rbracket>[\]}])
  | (?P<phrase>"(?:[^"\\]|\\.)*")
  | (?P<and>&&)
  | (?P<or>\|\|)
  | (?P<word>(?:[^\s()\[\]{}":\\]|\\.|(?<=\d):(?=\d))+)
  | (?P<colon>:)
    """,
    re.VERBOSE,
)
MAX_QUERY_LENGTH = 4000
MAX_DEPTH = 20


@dataclass
class _Tok:
    kind: str
    text: str
    pos: int


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def tokenize(text: str) -> list[_Tok]:
    tokens: list[_Tok] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            raise QuerySyntaxError(f"Ungültiges Zeichen an Position {pos}: {text[pos]!r}")
        kind = m.lastgroup or ""
        if kind != "ws":
            value = m.group()
            if kind == "word":
                upper = value.upper()
                if value in ("AND", "OR", "NOT", "TO"):
                    kind = value.lower()
                elif upper in ("AND", "OR", "NOT") and value == upper:
                    kind = upper.lower()
            tokens.append(_Tok(kind, value, pos))
        pos = m.end()
    return tokens


class _Parser:
    def __init__(self, tokens: list[_Tok]):
        self.tokens = tokens
        self.i = 0
        self.depth = 0

    def peek(self, offset: int = 0) -> _Tok | None:
        j = self.i + offset
        return self.tokens[j] if j < len(self.tokens) else None

    def take(self, kind: str | None = None) -> _Tok:
        tok = self.peek()
        if tok is None:
            raise QuerySyntaxError("Unerwartetes Ende der Abfrage")
        if kind and tok.kind != kind:
            raise QuerySyntaxError(f"Erwartet {kind!r} an Position {tok.pos}, gefunden {tok.text!r}")
        self.i += 1
        return tok

    def parse(self) -> Node:
        if not self.tokens:
            return MatchAll()
        node = self.or_expr(None)
        if self.peek() is not None:
            tok = self.peek()
            raise QuerySyntaxError(f"Unerwartetes {tok.text!r} an Position {tok.pos}")
        return node

    def or_expr(self, field: str | None) -> Node:
        nodes = [self.and_expr(field)]
        while (tok := self.peek()) and tok.kind == "or":
            self.take()
            nodes.append(self.and_expr(field))
        return nodes[0] if len(nodes) == 1 else Or(tuple(nodes))

    def and_expr(self, field: str | None) -> Node:
        nodes = [self.unary(field)]
        while (tok := self.peek()) and tok.kind not in ("or", "rparen"):
            if tok.kind == "and":
                self.take()
            nodes.append(self.unary(field))
        return nodes[0] if len(nodes) == 1 else And(tuple(nodes))

    def unary(self, field: str | None) -> Node:
        tok = self.peek()
        if tok is None:
            raise QuerySyntaxError("Unerwartetes Ende der Abfrage")
        if tok.kind == "not":
            self.take()
            return Not(self.unary(field))
        if tok.kind == "word" and tok.text in ("-", "+", "!"):
            self.take()
            node = self.unary(field)
            return node if tok.text == "+" else Not(node)
        if tok.kind == "word" and tok.text[0] in "+-!" and len(tok.text) > 1:
            # "-organization:x" / "+state:active": split the sign off the word.
            sign = tok.text[0]
            self.tokens[self.i] = _Tok("word", tok.text[1:], tok.pos + 1)
            node = self.unary(field)
            return node if sign == "+" else Not(node)
        return self.primary(field)

    def primary(self, field: str | None) -> Node:
        tok = self.take()
        if tok.kind == "lparen":
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise QuerySyntaxError("Abfrage zu tief verschachtelt")
            node = self.or_expr(field)
            self.take("rparen")
            self.depth -= 1
            return node
        if tok.kind == "phrase":
            value = _unescape(tok.text[1:-1])
            return Term(field, value, phrase=True) if field else Text(value, phrase=True)
        if tok.kind == "lbracket":
            if not field:
                raise QuerySyntaxError(f"Bereich ohne Feld an Position {tok.pos}")
            return self.range(field, tok)
        if tok.kind == "word":
            nxt = self.peek()
            if nxt is not None and nxt.kind == "colon":
                if field:
                    raise QuerySyntaxError(f"Feld in Feld an Position {tok.pos}")
                self.take()
                return self.field_value(_unescape(tok.text))
            value = _unescape(tok.text)
            if field:
                return Term(field, value)
            return MatchAll() if value == "*" else Text(value)
        raise QuerySyntaxError(f"Unerwartetes {tok.text!r} an Position {tok.pos}")

    def field_value(self, field: str) -> Node:
        tok = self.peek()
        if tok is None:
            raise QuerySyntaxError(f"Wert für Feld {field!r} fehlt")
        if field == "*":
            val = self.take()
            if val.text != "*":
                raise QuerySyntaxError("Nur *:* ist als Platzhalterfeld erlaubt")
            return MatchAll()
        if tok.kind in ("lparen", "phrase", "lbracket", "word"):
            return self.primary(field)
        raise QuerySyntaxError(f"Ungültiger Wert für Feld {field!r} an Position {tok.pos}")

    def range(self, field: str, opener: _Tok) -> Range:
        low = self.take()
        to = self.take()
        high = self.take()
        closer = self.take()
        if low.kind not in ("word", "phrase") or to.kind != "to" or high.kind not in ("word", "phrase") \
                or closer.kind != "rbracket":
            raise QuerySyntaxError(f"Ungültiger Bereich für {field!r}; erwartet [a TO b]")

        def bound(t: _Tok) -> str | None:
            text = t.text[1:-1] if t.kind == "phrase" else _unescape(t.text)
            return None if text == "*" else text

        return Range(field, bound(low), bound(high), opener.text == "[", closer.text == "]")


def parse(text: str | None) -> Node:
    """Parse one q/fq string. Empty or ``*:*`` → MatchAll."""
    text = (text or "").strip()
    if text.count('"') % 2:
        raise QuerySyntaxError("Nicht geschlossenes Anführungszeichen")
    if len(text) > MAX_QUERY_LENGTH:
        raise QuerySyntaxError(f"Abfrage länger als {MAX_QUERY_LENGTH} Zeichen")
    if "\x00" in text:  # no database can compare it (PostgreSQL refuses NUL in text)
        raise QuerySyntaxError("Ungültiges Zeichen NUL in der Abfrage")
    return _Parser(tokenize(text)).parse()


_NOW_MATH = re.compile(r"^NOW(?:(?P<sign>[+-])(?P<n>\d+)(?P<unit>SECONDS?|MINUTES?|HOURS?|DAYS?|MONTHS?|YEARS?))?"
                       r"(?:/(?P<round>DAY|HOUR))?$")
_UNIT_SECONDS = {"SECOND": 1, "MINUTE": 60, "HOUR": 3600, "DAY": 86400, "MONTH": 30 * 86400, "YEAR": 365 * 86400}


def parse_datetime(value: str, now: datetime | None = None) -> datetime:
    """Solr date syntax: ISO 8601 with ``Z`` or offset, a date, or ``NOW[±n UNIT][/DAY]``. Returns aware UTC."""
    try:
        return _parse_datetime(value, now or datetime.now(UTC))
    except QuerySyntaxError:
        raise
    except (OverflowError, ValueError):  # NOW+99999999YEARS, 0001-01-01T00:00+01:00: outside the datetime range
        raise QuerySyntaxError(f"Datum außerhalb des gültigen Bereichs: {value[:60]!r}")


def _parse_datetime(value: str, now: datetime) -> datetime:
    m = _NOW_MATH.match(value.upper())
    if m:
        result = now
        if m.group("sign"):
            delta = timedelta(seconds=int(m.group("n")) * _UNIT_SECONDS[m.group("unit").rstrip("S")])
            result = result + delta if m.group("sign") == "+" else result - delta
        if m.group("round") == "DAY":
            result = result.replace(hour=0, minute=0, second=0, microsecond=0)
        elif m.group("round") == "HOUR":
            result = result.replace(minute=0, second=0, microsecond=0)
        return result
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise QuerySyntaxError(f"Ungültiges Datum: {value!r}")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def fields_used(node: Node) -> set[str]:
    """All field names in a query (used to reject unknown fields before touching the database)."""
    if isinstance(node, Term | Range):
        return {node.field}
    if isinstance(node, Not):
        return fields_used(node.node)
    if isinstance(node, And | Or):
        return set().union(*(fields_used(n) for n in node.nodes))
    return set()

"""A small parser for the OData subset SensorThings uses ($filter, $orderby, $expand, $select). Pure Python.

$filter grammar (precedence low → high):  or  →  and  →  not  →  comparison  →  primary
primary: ( expr ) | function(args) | literal | property path (Datastream/Thing/name)
Errors raise ODataError with a message meant for API clients (HTTP 400).
"""

import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime


class ODataError(ValueError):
    pass


@dataclass(frozen=True)
class Path:
    parts: tuple[str, ...]


@dataclass(frozen=True)
class Literal:
    value: object  # str, int, float, bool, None, datetime
    kind: str = "plain"  # or "geography"


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple


@dataclass(frozen=True)
class Compare:
    op: str  # eq ne gt ge lt le
    left: object
    right: object


@dataclass(frozen=True)
class BoolOp:
    op: str  # and / or
    items: tuple


@dataclass(frozen=True)
class Not:
    item: object


COMPARISONS = {"eq", "ne", "gt", "ge", "lt", "le"}
ARITHMETIC = {"add", "sub", "mul", "div", "mod"}
FUNCTIONS = {
    "substringof", "contains", "startswith", "endswith", "tolower", "toupper", "length",
    "year", "month", "day", "hour", "minute", "second", "date",
    "st_within", "st_intersects", "geo.intersects",
}

_TOKEN = re.compile(
    r"""\s*(?:
    (?P<geo>geography'(?:[^']|'')*')
    |(?P<str>'(?:[^']|'')*')
    |(?P<dt>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2}))
    |(?P<num>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
    |(?P<name>[A-Za-z_@][A-Za-z0-9_.]*(?:/[A-Za-z_][A-Za-z0-9_]*)*)
    |(?P<punct>[(),])
    )""",
    re.VERBOSE,
)


def tokenize(text: str) -> list[tuple[str, str]]:
    tokens, pos = [], 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise ODataError(f"$filter: unexpected character at position {pos}: {text[pos:pos + 15]!r}")
        kind = m.lastgroup
        tokens.append((kind, m.group(kind)))
        pos = m.end()
        while pos < len(text) and text[pos].isspace():
            pos += 1
    return tokens


def _time_literal(text: str) -> datetime:
    """A time literal; impossible dates (month 13) and instants beyond the representable range are client
    errors, not server errors."""
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
        value.astimezone(UTC)  # 9999-12-31T23:00:00-02:00 has no UTC instant in Python
    except (ValueError, OverflowError):
        raise ODataError(f"$filter: invalid date/time literal {text!r}")
    return value


BIGINT = 2**63 - 1


def _number_literal(text: str) -> int | float:
    """Numbers as the database can compare them: integers within 64 bits, floats finite."""
    try:
        number = float(text) if any(c in text for c in ".eE") else int(text)
    except ValueError:  # e.g. more digits than int() accepts
        raise ODataError(f"$filter: number out of range: {text[:20]!r}")
    if (isinstance(number, float) and not math.isfinite(number)) or (isinstance(number, int) and abs(number) > BIGINT):
        raise ODataError(f"$filter: number out of range: {text[:20]!r}")
    return number


class _Parser:
    def __init__(self, text: str):
        self.tokens = tokenize(text)
        self.i = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        tok = self.peek()
        if tok is None:
            raise ODataError("$filter: unexpected end of expression")
        self.i += 1
        return tok

    def expect(self, value: str) -> None:
        tok = self.take()
        if tok[1] != value:
            raise ODataError(f"$filter: expected {value!r}, found {tok[1]!r}")

    def is_word(self, word: str) -> bool:
        tok = self.peek()
        return tok is not None and tok[0] == "name" and tok[1] == word

    def parse(self) -> object:
        node = self.or_expr()
        if self.peek() is not None:
            raise ODataError(f"$filter: unexpected {self.peek()[1]!r}")
        return node

    def or_expr(self) -> object:
        items = [self.and_expr()]
        while self.is_word("or"):
            self.take()
            items.append(self.and_expr())
        return items[0] if len(items) == 1 else BoolOp("or", tuple(items))

    def and_expr(self) -> object:
        items = [self.not_expr()]
        while self.is_word("and"):
            self.take()
            items.append(self.not_expr())
        return items[0] if len(items) == 1 else BoolOp("and", tuple(items))

    def not_expr(self) -> object:
        if self.is_word("not"):
            self.take()
            return Not(self.not_expr())
        return self.comparison()

    def comparison(self) -> object:
        left = self.primary()
        tok = self.peek()
        if tok and tok[0] == "name" and tok[1] in COMPARISONS:
            self.take()
            return Compare(tok[1], left, self.primary())
        if tok and tok[0] == "name" and tok[1] in ARITHMETIC:
            raise ODataError(f"$filter: arithmetic operator {tok[1]!r} is not supported by this server")
        return left

    def primary(self) -> object:
        kind, value = self.take()
        if value == "(":
            node = self.or_expr()
            self.expect(")")
            return node
        if kind == "str":
            return Literal(value[1:-1].replace("''", "'"))
        if kind == "geo":
            return Literal(value[len("geography'"):-1].replace("''", "'"), "geography")
        if kind == "dt":
            return Literal(_time_literal(value))
        if kind == "num":
            return Literal(_number_literal(value))
        if kind == "name":
            if value in {"true", "false"}:
                return Literal(value == "true")
            if value == "null":
                return Literal(None)
            nxt = self.peek()
            if nxt and nxt[1] == "(":
                if value.lower() not in FUNCTIONS:
                    raise ODataError(f"$filter: function {value!r} is not supported")
                self.take()
                args = []
                if not (self.peek() and self.peek()[1] == ")"):
                    args.append(self.or_expr())
                    while self.peek() and self.peek()[1] == ",":
                        self.take()
                        args.append(self.or_expr())
                self.expect(")")
                return Call(value.lower(), tuple(args))
            return Path(tuple(value.split("/")))
        raise ODataError(f"$filter: unexpected {value!r}")


def parse_filter(text: str) -> object:
    if not text.strip():
        raise ODataError("$filter: empty expression")
    return _Parser(text).parse()


def split_top(text: str, sep: str) -> list[str]:
    """Split on ``sep`` outside parentheses and quotes."""
    parts, depth, quoted, buf = [], 0, False, []
    for ch in text:
        if ch == "'":
            quoted = not quoted
        elif not quoted and ch == "(":
            depth += 1
        elif not quoted and ch == ")":
            depth -= 1
            if depth < 0:
                raise ODataError(f"unbalanced parentheses in {text!r}")
        if ch == sep and depth == 0 and not quoted:
            parts.append("".join(buf).strip())
            buf = []
        else:
            buf.append(ch)
    if depth != 0:
        raise ODataError(f"unbalanced parentheses in {text!r}")
    parts.append("".join(buf).strip())
    return [p for p in parts if p]


@dataclass
class OrderItem:
    path: tuple[str, ...]
    descending: bool = False


def parse_orderby(text: str) -> list[OrderItem]:
    items = []
    for part in split_top(text, ","):
        words = part.split()
        if len(words) > 2 or (len(words) == 2 and words[1] not in {"asc", "desc"}):
            raise ODataError(f"$orderby: expected 'property [asc|desc]', found {part!r}")
        items.append(OrderItem(tuple(words[0].split("/")), len(words) == 2 and words[1] == "desc"))
    return items


@dataclass
class Expand:
    name: str
    options: dict[str, str] = field(default_factory=dict)
    children: list["Expand"] = field(default_factory=list)


_EXPAND_ITEM = re.compile(r"^(?P<path>[A-Za-z]+(?:/[A-Za-z]+)*)(?:\((?P<opts>.*)\))?$", re.S)


def parse_expand(text: str) -> list[Expand]:
    """``Datastreams($top=1;$expand=Observations),Locations`` and ``Datastreams/Sensor`` (slash = nested)."""
    result: list[Expand] = []
    for item in split_top(text, ","):
        m = _EXPAND_ITEM.match(item)
        if not m:
            raise ODataError(f"$expand: cannot read {item!r}")
        options: dict[str, str] = {}
        for opt in split_top(m.group("opts") or "", ";"):
            key, sep, value = opt.partition("=")
            if not sep or key not in {"$filter", "$select", "$orderby", "$skip", "$top", "$count", "$expand"}:
                raise ODataError(f"$expand: unsupported nested option {opt!r}")
            options[key] = value
        names = m.group("path").split("/")
        node = Expand(names[0])
        cursor = node
        for name in names[1:]:
            child = Expand(name)
            cursor.children.append(child)
            cursor = child
        cursor.options = options
        if "$expand" in options:
            cursor.children.extend(parse_expand(options.pop("$expand")))
        _merge(result, node)
    return result


def _merge(items: list[Expand], node: Expand) -> None:
    for existing in items:
        if existing.name == node.name:
            existing.options.update(node.options)
            for child in node.children:
                _merge(existing.children, child)
            return
    items.append(node)

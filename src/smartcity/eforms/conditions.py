"""A small, safe expression language for showing and hiding fields and steps. Pure Python, no eval.

Grammar (keywords are case-sensitive)::

    expr       := and_expr ("or" and_expr)*
    and_expr   := not_expr ("and" not_expr)*
    not_expr   := "not" not_expr | comparison
    comparison := operand [("==" | "!=" | "<" | "<=" | ">" | ">=" | "in" | "not in") operand]
    operand    := NUMBER | 'text' | "text" | true | false | null | name | "[" [operand ("," operand)*] "]"
                | "(" expr ")"

A name is a field key (letters, digits, underscore); it evaluates to the applicant's answer or null when the
field was not answered. Examples: ``rasse in ['rottweiler', 'bullterrier']``, ``anzahl > 1 and versand == 'post'``,
``not eigene_urkunde``. Comparisons between incompatible types (a number with a text) are false, never errors.
"""

import re
from dataclasses import dataclass
from typing import Any

_TOKEN = re.compile(r"""
    \s*(?:
      (?P<number>-?\d+(?:\.\d+)?)
    | (?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
    | (?P<op>==|!=|<=|>=|<|>|\[|\]|\(|\)|,)
    | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
    )""", re.VERBOSE)
KEYWORDS = {"and", "or", "not", "in", "true", "false", "null"}
MAX_LENGTH = 500


class ConditionError(ValueError):
    """The expression cannot be parsed; the message is German and names the position."""


@dataclass(frozen=True)
class Node:
    kind: str  # "literal" | "name" | "list" | "not" | "and" | "or" | "compare"
    value: Any = None
    children: tuple["Node", ...] = ()


def _tokenise(text: str) -> list[tuple[str, str, int]]:
    if len(text) > MAX_LENGTH:
        raise ConditionError(f"Die Bedingung ist länger als {MAX_LENGTH} Zeichen.")
    tokens, pos = [], 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise ConditionError(f"Unerwartetes Zeichen an Position {pos + 1}: „{text[pos:pos + 10].strip()}“.")
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind), match.start(kind)))
        pos = match.end()
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokenise(text)
        self.i = 0

    def peek(self, offset: int = 0) -> tuple[str, str, int] | None:
        j = self.i + offset
        return self.tokens[j] if j < len(self.tokens) else None

    def is_word(self, word: str, offset: int = 0) -> bool:
        token = self.peek(offset)
        return token is not None and token[0] in ("name", "op") and token[1] == word

    def expect(self, word: str) -> None:
        if not self.is_word(word):
            raise self.error(f"„{word}“ erwartet")
        self.i += 1

    def error(self, message: str) -> ConditionError:
        token = self.peek()
        where = f"an Position {token[2] + 1}" if token else "am Ende"
        return ConditionError(f"{message} ({where}) in „{self.text}“.")

    def parse(self) -> Node:
        if not self.tokens:
            raise ConditionError("Die Bedingung ist leer.")
        node = self.expr()
        if self.peek() is not None:
            raise self.error("Unerwarteter Rest")
        return node

    def expr(self) -> Node:
        node = self.and_expr()
        while self.is_word("or"):
            self.i += 1
            node = Node("or", children=(node, self.and_expr()))
        return node

    def and_expr(self) -> Node:
        node = self.not_expr()
        while self.is_word("and"):
            self.i += 1
            node = Node("and", children=(node, self.not_expr()))
        return node

    def not_expr(self) -> Node:
        if self.is_word("not") and not self.is_word("in", 1):
            self.i += 1
            return Node("not", children=(self.not_expr(),))
        return self.comparison()

    def comparison(self) -> Node:
        left = self.operand()
        for op in ("==", "!=", "<=", ">=", "<", ">", "in"):
            if self.is_word(op):
                self.i += 1
                return Node("compare", op, (left, self.operand()))
        if self.is_word("not") and self.is_word("in", 1):
            self.i += 2
            return Node("compare", "not in", (left, self.operand()))
        return left

    def operand(self) -> Node:
        token = self.peek()
        if token is None:
            raise self.error("Wert oder Feldname erwartet")
        kind, text, _ = token
        if kind == "number":
            self.i += 1
            return Node("literal", float(text) if "." in text else int(text))
        if kind == "string":
            self.i += 1
            return Node("literal", re.sub(r"\\(.)", r"\1", text[1:-1]))
        if kind == "op" and text == "(":
            self.i += 1
            node = self.expr()
            self.expect(")")
            return node
        if kind == "op" and text == "[":
            self.i += 1
            items: list[Node] = []
            while not self.is_word("]"):
                items.append(self.operand())
                if not self.is_word("]"):
                    self.expect(",")
            self.i += 1
            return Node("list", children=tuple(items))
        if kind == "name":
            literals = {"true": True, "false": False, "null": None}
            if text in literals:
                self.i += 1
                return Node("literal", literals[text])
            if text in KEYWORDS:
                raise self.error(f"„{text}“ ist hier nicht erlaubt")
            self.i += 1
            return Node("name", text)
        raise self.error(f"„{text}“ ist hier nicht erlaubt")


def parse(text: str) -> Node:
    return _Parser(text).parse()


def names(node: Node) -> set[str]:
    """Field keys an expression reads (used to check a definition's references)."""
    found = {node.value} if node.kind == "name" else set()
    for child in node.children:
        found |= names(child)
    return found


def _value(node: Node, data: dict[str, Any]) -> Any:
    if node.kind == "literal":
        return node.value
    if node.kind == "name":
        return data.get(node.value)
    if node.kind == "list":
        return [_value(child, data) for child in node.children]
    return _truth(node, data)


def _compare(op: str, left: Any, right: Any) -> bool:
    if op in ("in", "not in"):
        if isinstance(left, list) and isinstance(right, list):  # multiple choice: any overlap
            inside = any(item in right for item in left)
        elif isinstance(right, list):
            inside = left in right
        else:
            inside = isinstance(left, str) and isinstance(right, str) and left in right
        return inside if op == "in" else not inside
    if op == "==":
        return left == right
    if op == "!=":
        return left != right
    numeric = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (left, right))
    if not numeric and not (isinstance(left, str) and isinstance(right, str)):
        return False  # e.g. an unanswered number compared with 3: the condition is simply not met
    return {"<": left < right, "<=": left <= right, ">": left > right, ">=": left >= right}[op]


def _truth(node: Node, data: dict[str, Any]) -> bool:
    if node.kind == "and":
        return all(_truth(child, data) for child in node.children)
    if node.kind == "or":
        return any(_truth(child, data) for child in node.children)
    if node.kind == "not":
        return not _truth(node.children[0], data)
    if node.kind == "compare":
        left, right = (_value(child, data) for child in node.children)
        return _compare(node.value, left, right)
    return bool(_value(node, data))


def evaluate(expression: str | Node | None, data: dict[str, Any]) -> bool:
    """True when there is no condition or the condition holds for the answers in ``data``."""
    if expression is None or expression == "":
        return True
    node = parse(expression) if isinstance(expression, str) else expression
    return _truth(node, data)

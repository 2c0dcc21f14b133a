"""OData query options: `$select`, `$filter` (a small recursive-descent parser producing Q objects over
the entity's whitelisted attributes — nothing is ever eval'ed), `$orderby`, `$top`, `$expand`."""

from __future__ import annotations

import datetime
import re
import uuid
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Q

from .entities import BY_LOGICAL, Attr, Entity
from .errors import bad_request

MAX_FILTER_LENGTH = 4000
MAX_DEPTH = 40

TOKEN_RE = re.compile(
    r"""\s*(?:
      (?P<string>'(?:[^']|'')*')
    | (?P<guid>[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}(?![\w-]))
    | (?P<datetime>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?)
    | (?P<date>\d{4}-\d{2}-\d{2}(?![\w-]))
    | (?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?(?![\w.]))
    | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<punct>[(),])
    )""",
    re.VERBOSE,
)
COMPARISONS = {"eq": "exact", "ne": "exact", "gt": "gt", "ge": "gte", "lt": "lt", "le": "lte"}
FUNCTIONS = {"contains": "icontains", "startswith": "istartswith", "endswith": "iendswith"}
NUMERIC = ("money", "decimal", "integer", "picklist", "state", "status")


@dataclass
class Token:
    kind: str
    text: str
    pos: int


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        match = TOKEN_RE.match(text, pos)
        if not match or match.end() == pos:
            raise bad_request(f"$filter: unexpected character {text[pos : pos + 1]!r} at position {pos + 1}.")
        kind = match.lastgroup or ""
        tokens.append(Token(kind, match[kind], match.start(kind)))
        pos = match.end()
    return tokens


@dataclass
class FilterParser:
    entity: Entity
    tokens: list[Token]
    pos: int = 0
    depth: int = 0

    def peek(self) -> Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> Token:
        token = self.peek()
        if token is None:
            raise bad_request("$filter ends too early.")
        self.pos += 1
        return token

    def keyword(self, word: str) -> bool:
        token = self.peek()
        if token is not None and token.kind == "name" and token.text == word:
            self.pos += 1
            return True
        return False

    def expect(self, text: str) -> None:
        token = self.take()
        if token.text != text:
            raise bad_request(
                f"$filter: expected {text!r} at position {token.pos + 1}, found {token.text[:30]!r}."
            )

    def parse(self) -> Q:
        if not self.tokens:
            raise bad_request("$filter is empty.")
        q = self.or_expr()
        if self.peek() is not None:
            token = self.peek()
            raise bad_request(f"$filter: unexpected {token.text[:30]!r} at position {token.pos + 1}.")
        return q

    def or_expr(self) -> Q:
        q = self.and_expr()
        while self.keyword("or"):
            q = q | self.and_expr()
        return q

    def and_expr(self) -> Q:
        q = self.unary()
        while self.keyword("and"):
            q = q & self.unary()
        return q

    def unary(self) -> Q:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise bad_request("$filter is nested too deeply.")
        try:
            if self.keyword("not"):
                return ~self.unary()
            return self.primary()
        finally:
            self.depth -= 1

    def primary(self) -> Q:
        token = self.take()
        if token.kind == "punct" and token.text == "(":
            q = self.or_expr()
            self.expect(")")
            return q
        if token.kind == "name" and token.text in FUNCTIONS and self.peek() and self.peek().text == "(":
            self.expect("(")
            attr = self.attribute(self.take())
            self.expect(",")
            literal = self.take()
            self.expect(")")
            if attr[1] not in ("string", "memo") or literal.kind != "string":
                raise bad_request(
                    f"$filter: {token.text}() works on text attributes with a 'string' literal."
                )
            return Q(**{f"{attr[0]}__{FUNCTIONS[token.text]}": unquote(literal.text)})
        if token.kind != "name":
            raise bad_request(
                f"$filter: expected an attribute name at position {token.pos + 1}, found {token.text[:30]!r}."
            )
        orm, kind, q_for = self.attribute(token)
        op = self.take()
        if op.kind != "name" or op.text not in COMPARISONS:
            raise bad_request(
                f"$filter: expected eq, ne, gt, ge, lt or le after {token.text}, found {op.text[:30]!r}."
            )
        literal = self.take()
        value = self.literal(literal, kind, token.text)
        if value is None:
            if op.text not in ("eq", "ne"):
                raise bad_request(f"$filter: null can only be compared with eq or ne ({token.text}).")
            if orm.endswith("__isnull"):  # a computed boolean is never null
                q = Q(pk__in=[])
            else:
                q = q_for(None) if q_for else Q(**{f"{orm}__isnull": True})
            return ~q if op.text == "ne" else q
        if q_for and op.text not in ("eq", "ne"):
            raise bad_request(f"$filter: lookups can only be compared with eq or ne ({token.text}).")
        if orm.endswith("__isnull"):  # a computed boolean (isproductoverridden ⇔ no catalog product)
            if op.text not in ("eq", "ne") or not isinstance(value, bool):
                raise bad_request(f"$filter: {token.text} can only be compared with eq or ne true/false.")
            q = Q(**{orm: value})
        else:
            q = q_for(value) if q_for else Q(**{f"{orm}__{COMPARISONS[op.text]}": value})
        return ~q if op.text == "ne" else q

    def attribute(self, token: Token) -> tuple[str, str, Any]:
        if token.kind != "name":
            raise bad_request(f"$filter: expected an attribute name, found {token.text[:30]!r}.")
        name = token.text
        if name == self.entity.key:
            return "pk", "guid", None
        lookup = self.entity.lookup(name)
        if lookup is not None:
            return "", "guid", lookup.q
        attr = self.entity.attr(name)
        if attr is None or attr.orm is None:
            raise bad_request(
                f"$filter: {self.entity.logical} has no attribute {name[:60]!r} that can be filtered."
            )
        return attr.orm, attr.type, None

    def literal(self, token: Token, kind: str, name: str) -> Any:
        if token.kind == "name" and token.text == "null":
            return None
        if kind == "boolean":
            if token.kind == "name" and token.text in ("true", "false"):
                return token.text == "true"
        elif kind in ("string", "memo"):
            if token.kind == "string":
                return unquote(token.text)
        elif kind == "guid":
            if token.kind == "guid":
                return uuid.UUID(token.text)
            if token.kind == "string":
                try:
                    return uuid.UUID(unquote(token.text))
                except ValueError:
                    pass
        elif kind in NUMERIC:
            if token.kind == "number":
                try:
                    number = Decimal(token.text)
                except InvalidOperation:
                    number = None
                if number is not None and number.is_finite() and abs(number) < Decimal("1e15"):
                    return (
                        int(number)
                        if kind not in ("money", "decimal") and number == number.to_integral()
                        else number
                    )
        elif kind == "date":
            if token.kind in ("date", "datetime"):
                try:
                    return datetime.date.fromisoformat(token.text[:10])
                except ValueError:
                    pass
        elif kind == "datetime" and token.kind in ("date", "datetime"):
            try:
                moment = datetime.datetime.fromisoformat(token.text.replace("Z", "+00:00"))
                # in UTC now (no offset means UTC, as in Dataverse), so that an offset past the ends of
                # the calendar is refused here
                return (
                    moment.astimezone(datetime.UTC) if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)
                )
            except (ValueError, OverflowError):
                pass
        raise bad_request(f"$filter: {token.text[:40]!r} isn't a valid value for {name} ({kind}).")


def unquote(text: str) -> str:
    return text[1:-1].replace("''", "'")


def parse_filter(entity: Entity, text: str) -> Q:
    if len(text) > MAX_FILTER_LENGTH:
        raise bad_request(f"$filter is too long (at most {MAX_FILTER_LENGTH} characters).")
    return FilterParser(entity, tokenize(text)).parse()


def parse_select(entity: Entity, text: str | None) -> list[str] | None:
    """The names to return, or None for all of them."""
    if text is None:
        return None
    names = [n.strip() for n in text.split(",") if n.strip()]
    if not names:
        raise bad_request("$select is empty.")
    for name in names:
        if name != entity.key and entity.attr(name) is None and entity.lookup(name) is None:
            raise bad_request(f"$select: {entity.logical} has no attribute {name[:60]!r}.")
    return names


def parse_orderby(entity: Entity, text: str) -> list[str]:
    ordering = []
    for part in text.split(","):
        words = part.split()
        if not words or len(words) > 2 or (len(words) == 2 and words[1] not in ("asc", "desc")):
            raise bad_request(f"$orderby: {part.strip()[:60]!r} isn't 'attribute [asc|desc]'.")
        name = words[0]
        if name == entity.key:
            orm = "pk"
        elif (lookup := entity.lookup(name)) is not None:
            orm = f"{lookup.binds[0].field}_id"
        elif (attr := entity.attr(name)) is not None and attr.orm and not attr.orm.endswith("__isnull"):
            orm = attr.orm
        else:
            raise bad_request(f"$orderby: {entity.logical} has no sortable attribute {name[:60]!r}.")
        ordering.append(("-" if len(words) == 2 and words[1] == "desc" else "") + orm)
    return ordering


@dataclass
class Expand:
    nav: str
    entity: Entity
    select: list[str] | None = field(default=None)


EXPAND_RE = re.compile(r"^\s*(?P<nav>[A-Za-z_]+)\s*(?:\((?P<opts>[^()]*)\))?\s*$")


def parse_expand(entity: Entity, text: str) -> list[Expand]:
    out = []
    for part in _split_top_level(text):
        match = EXPAND_RE.match(part)
        if not match or match["nav"] not in entity.navs:
            navs = ", ".join(entity.navs) or "none"
            raise bad_request(f"$expand: {entity.logical} can expand {navs}; not {part.strip()[:60]!r}.")
        if any(e.nav == match["nav"] for e in out):
            raise bad_request(f"$expand: {match['nav']} is expanded more than once.")
        target = BY_LOGICAL[entity.navs[match["nav"]]]
        select = None
        for option in (match["opts"] or "").split(";"):
            if not option.strip():
                continue
            key, _, value = option.partition("=")
            if key.strip() != "$select":
                raise bad_request(f"$expand: only $select is supported inside {match['nav']}(…).")
            if select is not None:
                raise bad_request(f"$expand: $select is given more than once inside {match['nav']}(…).")
            select = parse_select(target, value)
        out.append(Expand(match["nav"], target, select))
    return out


def _split_top_level(text: str) -> list[str]:
    parts, depth, current = [], 0, []
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        if char == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [p for p in parts if p.strip()] or [""]


def select_attrs(entity: Entity, names: list[str] | None) -> tuple[list[Attr], list[Any]]:
    if names is None:
        return list(entity.attrs), list(entity.lookups)
    return (
        [x for x in entity.attrs if x.name in names],
        [x for x in entity.lookups if x.value_name in names],
    )

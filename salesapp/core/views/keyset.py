"""Pages of a list that may hold a million rows: keyset pagination and a count that stops at a cap.

An OFFSET page and a full COUNT both read every row before the page; here a page starts *after* (or
*before*) the sort-key value and primary key of a row of the page the user comes from, so the database
reads an index range of 51 rows whatever the depth (`?after=` / `?before=`, an opaque cursor). The count
is COUNT over a LIMIT subquery, shown as "5,000+" beyond the cap, as Dynamics 365 shows it.

Order: the sort key, then the primary key in the same direction (ties are broken, so no row is skipped
or repeated). NULLs rank above every value on both databases (PostgreSQL's default: last ascending,
first descending), so PostgreSQL walks its plain btree indexes and SQLite, whose default differs, agrees.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import F, Field, Q, QuerySet

from salesapp.core import formatting as fmt

COUNT_CAP = 5000  # D365 stops counting at 5,000 ("5,000+")


@dataclass(frozen=True)
class CappedCount:
    value: int  # exact up to the cap, cap + 1 beyond it
    cap: int = COUNT_CAP

    @property
    def capped(self) -> bool:
        return self.value > self.cap

    @property
    def label(self) -> str:
        """ "1 record", "120 records", "5,000+ records"."""
        shown = fmt.quantity(Decimal(min(self.value, self.cap)))
        if self.capped:
            return f"{shown}+ records"
        return f"{shown} record{'' if self.value == 1 else 's'}"


def capped_count(qs: QuerySet, cap: int = COUNT_CAP) -> CappedCount:
    """SELECT COUNT(*) FROM (… LIMIT cap + 1): reads at most cap + 1 rows."""
    return CappedCount(qs.order_by()[: cap + 1].count(), cap)


@dataclass(frozen=True)
class KeysetPage:
    ids: list[Any]  # the primary keys of the page's rows, in the list's order
    count: CappedCount
    number: int  # 1 for the first page; carried in the links, for display only
    next_cursor: str = ""
    previous_cursor: str = ""
    size: int = 50
    first: bool = True  # no cursor: the list's start

    @property
    def has_next(self) -> bool:
        return bool(self.next_cursor)

    @property
    def has_previous(self) -> bool:
        return bool(self.previous_cursor)

    @property
    def num_pages(self) -> int | None:
        """Known only while the count is exact."""
        if self.count.capped:
            return None
        return max(1, -(-self.count.value // self.size))


def _field(model: Any, path: str) -> tuple[Field, bool]:
    """The field at the end of `path` ("customer_account__name") and whether it can be NULL (itself or
    through a nullable relation, a LEFT JOIN)."""
    nullable = False
    field: Any = None
    for part in path.split("__"):
        field = model._meta.get_field(part)
        nullable = nullable or bool(getattr(field, "null", False))
        if field.is_relation and field.related_model is not None:
            model = field.related_model
    if field.is_relation:  # a bare foreign key sorts by its column
        field = field.target_field
    return field, nullable


def _encode(value: Any, pk: Any) -> str:
    if isinstance(value, Decimal):
        value = str(value)
    elif hasattr(value, "isoformat"):
        value = value.isoformat()
    raw = json.dumps([value, str(pk)], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str, field: Field, pk_field: Field) -> tuple[Any, Any] | None:
    """(sort-key value, pk) of a cursor; None when it isn't one of ours (tampered: the first page)."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value, pk = json.loads(raw)
        if value is not None:  # within the column's range (an integer over 2³¹ would be a 500)
            value = field.to_python(value)
            field.run_validators(value)
        pk = pk_field.to_python(pk)
        pk_field.run_validators(pk)
        return value, pk
    except (binascii.Error, ValueError, TypeError, ValidationError, UnicodeDecodeError):
        return None


def _beyond(key: str, descending: bool, nullable: bool, value: Any, pk: Any) -> Q:
    """The rows that come after (value, pk) in the order key ASC NULLS LAST, pk ASC (or its reverse,
    key DESC NULLS FIRST, pk DESC). `key <= value` is repeated outside the OR so that it bounds the
    index range."""
    op, pk_op = ("lt", "lt") if descending else ("gt", "gt")
    if value is None:
        same = Q(**{f"{key}__isnull": True}, **{f"pk__{pk_op}": pk})
        return same | Q(**{f"{key}__isnull": False}) if descending else same
    bound = Q(**{f"{key}__{op}e": value})
    after = bound & (Q(**{f"{key}__{op}": value}) | Q(**{f"pk__{pk_op}": pk}))
    return after | Q(**{f"{key}__isnull": True}) if nullable and not descending else after


def _order(key: str, descending: bool, nullable: bool) -> list[Any]:
    if not nullable:
        return [f"-{key}", "-pk"] if descending else [key, "pk"]
    if descending:
        return [F(key).desc(nulls_first=True), "-pk"]
    return [F(key).asc(nulls_last=True), "pk"]


def ordering(model: Any, sort: str) -> list[Any]:
    """The ORDER BY of a list sorted by `sort` ("-created_on"): the key, then the pk the same way."""
    key = sort.lstrip("-")
    return _order(key, sort.startswith("-"), _field(model, key)[1])


def keyset_page(qs: QuerySet, sort: str, params: Any, *, size: int = 50) -> KeysetPage:
    """The page of `qs` in `sort` order ("-created_on") that `params` (?after= / ?before=) asks for."""
    key = sort.lstrip("-")
    descending = sort.startswith("-")
    try:
        field, nullable = _field(qs.model, key)
    except FieldDoesNotExist:
        raise ValueError(f"{sort!r} is not a field of {qs.model.__name__}") from None
    pk_field = qs.model._meta.pk
    cursor, backwards = None, False
    for name, back in (("after", False), ("before", True)):
        if params.get(name):
            cursor = _decode(str(params.get(name)), field, pk_field)
            backwards = back and cursor is not None
            break
    number = _page_number(params.get("page")) if cursor else 1
    walk_descending = descending != backwards
    rows_qs = qs.order_by(*_order(key, walk_descending, nullable))
    if cursor is not None:
        rows_qs = rows_qs.filter(_beyond(key, walk_descending, nullable, *cursor))
    rows = list(rows_qs.values_list("pk", key)[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()
    has_next = (cursor is not None and backwards) or (more and not backwards)
    has_previous = cursor is not None and (more or not backwards)
    at_start = cursor is None or (backwards and not more)  # walked back to the start
    return KeysetPage(
        ids=[pk for pk, _ in rows],
        count=capped_count(qs, COUNT_CAP),
        number=1 if at_start else number,
        next_cursor=_encode(rows[-1][1], rows[-1][0]) if rows and has_next else "",
        previous_cursor=_encode(rows[0][1], rows[0][0]) if rows and has_previous else "",
        size=size,
        first=at_start,
    )


def _page_number(value: Any) -> int:
    text = str(value or "")
    return int(text) if text.isascii() and text.isdigit() and 0 < len(text) <= 6 and int(text) > 0 else 1

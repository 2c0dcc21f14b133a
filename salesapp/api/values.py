"""Turning JSON values into model values, one attribute at a time: wrong types, out-of-range numbers,
too many decimals and unknown option-set values are refused with a message naming the attribute."""

from __future__ import annotations

import datetime
import re
import uuid
from decimal import Decimal
from typing import Any

from .entities import Attr, Entity
from .errors import bad_request

BIND_RE = re.compile(
    r"^(?:.*/)?(?P<set>[A-Za-z_]+)\((?P<key>[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-"
    r"[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})\)$"
)
TYPE_WORDS = {
    "string": "a string",
    "memo": "a string",
    "money": "a number",
    "decimal": "a number",
    "integer": "a whole number",
    "boolean": "true or false",
    "date": "a date (YYYY-MM-DD)",
    "picklist": "an option-set value (a whole number)",
    "state": "a state code (a whole number)",
    "status": "a status reason code (a whole number)",
}


def parse_guid(value: Any, what: str) -> uuid.UUID:
    if not isinstance(value, str):
        raise bad_request(f"{what} must be a GUID string.")
    try:
        return uuid.UUID(value.strip("{}"))
    except ValueError as exc:
        raise bad_request(f"{what} isn't a valid GUID: {value[:60]!r}.") from exc


def _number(attr: Attr, value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise bad_request(f"The attribute {attr.name} must be {TYPE_WORDS[attr.type]}.")
    number = Decimal(value)
    if not number.is_finite():
        raise bad_request(f"The attribute {attr.name} must be a finite number.")
    low = attr.minimum if attr.minimum is not None else None
    high = attr.maximum
    if (high is not None and number > high) or (low is not None and number < low):
        raise bad_request(
            f"The attribute {attr.name} must be between {low} and {high}; {_short(number)} is out of range."
        )
    if abs(number) >= 10**15 or number != number.quantize(Decimal(1).scaleb(-attr.places)):
        raise bad_request(f"The attribute {attr.name} can have at most {attr.places} decimals.")
    return number


def _short(number: Decimal) -> str:
    text = format(number, "f")
    return text if len(text) <= 30 else f"{number:.6E}"


def coerce(entity: Entity, attr: Attr, value: Any) -> Any:
    """The model value for a JSON value written to `attr` (None clears a nullable attribute)."""
    if value is None:
        if attr.type in ("string", "memo"):
            return ""
        if attr.field is not None and entity.nullable(attr):
            return None
        raise bad_request(f"The attribute {attr.name} can't be empty (null).")
    kind = attr.type
    if kind in ("string", "memo"):
        if not isinstance(value, str):
            raise bad_request(f"The attribute {attr.name} must be a string.")
        if "\x00" in value:
            raise bad_request(f"The attribute {attr.name} can't contain NUL characters.")
        limit = entity.max_length(attr) or (500 if attr.field is None else 100_000)
        if len(value) > limit:
            raise bad_request(f"The attribute {attr.name} can have at most {limit} characters.")
        return value
    if kind in ("money", "decimal"):
        return _number(attr, value)
    if kind == "integer":
        if isinstance(value, bool) or not isinstance(value, int):
            raise bad_request(f"The attribute {attr.name} must be a whole number.")
        low = attr.minimum if attr.minimum is not None else 0
        high = attr.maximum if attr.maximum is not None else 2_000_000_000
        if not low <= value <= high:
            raise bad_request(f"The attribute {attr.name} must be between {low} and {high}.")
        return value
    if kind == "boolean":
        if not isinstance(value, bool):
            raise bad_request(f"The attribute {attr.name} must be true or false.")
        return value
    if kind == "date":
        if not isinstance(value, str):
            raise bad_request(f"The attribute {attr.name} must be a date (YYYY-MM-DD).")
        try:
            return (
                datetime.date.fromisoformat(value[:10])
                if re.fullmatch(r"\d{4}-\d{2}-\d{2}(T[0-9:.]+(Z|[+-]\d{2}:\d{2})?)?", value)
                else _bad_date(attr, value)
            )
        except ValueError as exc:
            raise bad_request(f"The attribute {attr.name} isn't a valid date: {value[:40]!r}.") from exc
    if kind in ("picklist", "state", "status"):
        if isinstance(value, bool) or not isinstance(value, int):
            raise bad_request(f"The attribute {attr.name} must be {TYPE_WORDS[kind]}.")
        options = entity.options(attr)
        if value not in options:
            allowed = ", ".join(f"{v} ({label})" for v, label in options.items())
            raise bad_request(f"{value} isn't a valid value for {attr.name}; use one of {allowed}.")
        return value
    raise bad_request(f"The attribute {attr.name} can't be written.")


def _bad_date(attr: Attr, value: str) -> None:
    raise bad_request(f"The attribute {attr.name} must be a date (YYYY-MM-DD), not {value[:40]!r}.")


def parse_bind(name: str, value: Any, target: str) -> uuid.UUID | None:
    """`/accounts(<guid>)` (relative or absolute) → the GUID; null clears the lookup."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise bad_request(f"{name}@odata.bind must be a string like /{target}(<guid>).")
    match = BIND_RE.match(value.strip())
    if not match:
        raise bad_request(f"{name}@odata.bind must look like /{target}(<guid>), not {value[:80]!r}.")
    if match["set"] != target:
        raise bad_request(f"{name}@odata.bind must point into /{target}, not /{match['set'][:40]}.")
    return uuid.UUID(match["key"])

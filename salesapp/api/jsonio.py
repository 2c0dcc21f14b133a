"""JSON in and out with exact decimals: parsed with parse_float=Decimal, written digit for digit."""

from __future__ import annotations

import datetime
import json
import re
import uuid
from decimal import Decimal
from typing import Any

from .errors import ApiError


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def loads(raw: bytes) -> Any:
    """Parse a request body; every failure is a 400 that says what is wrong."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ApiError(400, "The request body isn't UTF-8 encoded JSON.") from exc
    try:
        value = json.loads(text, parse_float=Decimal, parse_constant=_no_constants)
    except RecursionError as exc:
        raise ApiError(400, "The JSON body is nested too deeply.") from exc
    except ValueError as exc:  # JSONDecodeError, huge integers (int max str digits), NaN
        raise ApiError(400, f"The request body isn't valid JSON: {exc}.") from exc
    try:
        _check_text(value, "")
    except RecursionError as exc:
        raise ApiError(400, "The JSON body is nested too deeply.") from exc
    return value


# "\ud800" is valid JSON, but a lone UTF-16 surrogate isn't a character: no database can store it (UTF-8
# can't encode it). PostgreSQL can't store NUL either. Both are refused wherever they are in a body.
_UNSTORABLE_RE = re.compile(r"[\x00\ud800-\udfff]")


def _check_text(value: Any, where: str) -> None:
    if isinstance(value, str):
        if _UNSTORABLE_RE.search(value):
            raise ApiError(400, f"The attribute {where or 'value'} {_unstorable(value)}; nothing was saved.")
    elif isinstance(value, dict):
        for key, item in value.items():
            if _UNSTORABLE_RE.search(key):
                shown = key.encode("ascii", "backslashreplace").decode()[:60]
                raise ApiError(400, f"The property name {shown!r} {_unstorable(key)}.")
            _check_text(item, f"{where}.{key}" if where else key)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_text(item, f"{where}[{index}]")


def _unstorable(text: str) -> str:
    found = _UNSTORABLE_RE.search(text)
    char = found.group() if found else ""
    if char == "\x00":
        return "can't contain NUL characters (\\u0000)"
    return f"contains a lone UTF-16 surrogate (\\u{ord(char):04x}), which isn't a character"


# Decimals leave json.dumps (C speed) as a marker string that is then replaced by the exact digits.
# The marker starts and ends with NUL, which never occurs in stored text: the API and Django's form
# fields both refuse NUL characters, and PostgreSQL can't even store one.
_MARK = "\x00\x01"
_MARK_RE = re.compile(r'"\\u0000\\u0001(-?[0-9]+(?:\.[0-9]+)?)\\u0001\\u0000"')


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"{_MARK}{format(value, 'f')}{_MARK[::-1]}" if value.is_finite() else None
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(f"can't write {type(value).__name__} as JSON")


def dumps(value: Any) -> str:
    """JSON text with every Decimal written digit for digit (never through a binary float)."""
    text = json.dumps(value, default=_default, separators=(",", ":"), allow_nan=False)
    return _MARK_RE.sub(r"\1", text)

"""JSON in and out with exact decimals: parsed with parse_float=Decimal, written digit for digit."""

from __future__ import annotations

import datetime
import json
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
        return json.loads(text, parse_float=Decimal, parse_constant=_no_constants)
    except RecursionError as exc:
        raise ApiError(400, "The JSON body is nested too deeply.") from exc
    except ValueError as exc:  # JSONDecodeError, huge integers (int max str digits), NaN
        raise ApiError(400, f"The request body isn't valid JSON: {exc}.") from exc


def _write(value: Any, out: list[str]) -> None:
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, str):
        out.append(json.dumps(value))
    elif isinstance(value, Decimal):
        out.append(format(value, "f") if value.is_finite() else "null")
    elif isinstance(value, int):
        out.append(str(value))
    elif isinstance(value, float):  # never produced by our code; kept exact as Python prints it
        out.append(repr(value))
    elif isinstance(value, dict):
        out.append("{")
        for i, (key, item) in enumerate(value.items()):
            if i:
                out.append(",")
            out.append(json.dumps(str(key)))
            out.append(":")
            _write(item, out)
        out.append("}")
    elif isinstance(value, list | tuple):
        out.append("[")
        for i, item in enumerate(value):
            if i:
                out.append(",")
            _write(item, out)
        out.append("]")
    elif isinstance(value, datetime.datetime):
        out.append(json.dumps(value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")))
    elif isinstance(value, datetime.date):
        out.append(json.dumps(value.isoformat()))
    elif isinstance(value, uuid.UUID):
        out.append(json.dumps(str(value)))
    else:
        raise TypeError(f"can't write {type(value).__name__} as JSON")


def dumps(value: Any) -> str:
    out: list[str] = []
    _write(value, out)
    return "".join(out)

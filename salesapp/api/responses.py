"""Responses in the Web API's shape: JSON with the OData headers, 204s, errors, the service root URL.

Shared by the entry point (views) and the actions it dispatches to.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from .jsonio import dumps

HEADERS = {"OData-Version": "4.0"}


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> HttpResponse:
    response = HttpResponse(
        dumps(data), status=status, content_type="application/json; odata.metadata=minimal"
    )
    for key, value in {**HEADERS, **(headers or {})}.items():
        response[key] = value
    return response


def error_response(
    status: int, message: str, code: str, headers: dict[str, str] | None = None
) -> HttpResponse:
    return json_response({"error": {"code": code, "message": message}}, status=status, headers=headers)


def no_content(headers: dict[str, str] | None = None, status: int = 204) -> HttpResponse:
    response = HttpResponse(status=status)
    for key, value in {**HEADERS, **(headers or {})}.items():
        response[key] = value
    return response


def base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("api", kwargs={"path": ""}))

"""A command URL opened as a page (a bookmark, a link pasted into the address bar, Back onto a POST
result) gets a page that says what happened and leads back to the record, instead of the blank 405
Django's `require_POST` answers. The Web API keeps its own JSON errors."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve

# The pages a command's URL lives under, nearest first: the record, else its list, else home.
LANDING_SUFFIXES = ("_detail", "_list")


def landing_url(path: str) -> str:
    """The nearest page above `path` that shows a record or a list ("/quotes/<id>/activate/" →
    "/quotes/<id>/"); the dashboard when there is none."""
    parts = [part for part in path.split("/") if part]
    while parts:
        parts.pop()
        candidate = "/" + "/".join(parts) + ("/" if parts else "")
        try:
            match = resolve(candidate)
        except Resolver404:
            continue
        if (match.url_name or "").endswith(LANDING_SUFFIXES):
            return candidate
    return "/"


class CommandPageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code == 405
            and request.method in ("GET", "HEAD")
            and not request.path.startswith("/api/")
            and not getattr(response, "streaming", False)
            and not response.content
        ):
            page = render(
                request,
                "405.html",
                {"back_url": landing_url(request.path), "allowed": response.get("Allow", "")},
                status=405,
            )
            if response.has_header("Allow"):
                page["Allow"] = response["Allow"]
            return page
        return response

"""The Web API's one entry point: parse the OData URL, authenticate, run, answer in the D365 shape."""

from __future__ import annotations

import logging
import re
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DatabaseError, transaction
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from salesapp.core.exceptions import ConcurrentChange, DomainError, PermissionDeniedError
from salesapp.sales import services

from . import actions, metadata, openapi, records, writers
from .auth import authenticate
from .entities import BY_SET, ENTITIES, Entity
from .errors import RULE_CODE, ApiError, bad_request, not_found
from .jsonio import loads
from .query import parse_expand, parse_filter, parse_orderby, parse_select
from .responses import base_url, error_response, json_response, no_content
from .values import parse_guid

try:
    from django.contrib.auth.decorators import login_not_required
except ImportError:  # pragma: no cover - Django < 5.1

    def login_not_required(view):
        return view


log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024
MAX_PAGE = 5000
ENTITY_RE = re.compile(r"^(?P<set>[A-Za-z_]+)\((?P<key>[^()/]*)\)(?:/(?P<rest>.+))?$")
WRITE_METHODS = ("POST", "PATCH", "DELETE", "PUT")


@csrf_exempt
@login_not_required
def api(request: HttpRequest, path: str) -> HttpResponse:
    """Every /api/data/v9.2/… request. Writes run in one transaction: all or nothing."""
    if_match = request.headers.get("If-Match")
    try:
        if path == "openapi.json" and request.method == "GET":
            return json_response(openapi.document(base_url(request)))
        user = authenticate(request)
        request.user = user
        allowed = openapi.allowed_methods(path)
        if allowed and request.method not in allowed.split(", "):
            raise ApiError(405, f"{request.method} isn't supported here; use {allowed}.")
        check_query_options(request.GET)
        if request.method in WRITE_METHODS:
            with transaction.atomic():
                return dispatch(request, path, user)
        return dispatch(request, path, user)
    except ApiError as exc:
        response = error_response(exc.status, exc.message, exc.code, exc.headers)
        if exc.status == 405:
            response["Allow"] = openapi.allowed_methods(path)
        return response
    except ConcurrentChange as exc:
        if if_match and if_match.strip() != "*":
            return error_response(
                412,
                "The record changed since the @odata.etag you sent (If-Match). " + exc.message,
                "0x80060882",
            )
        return error_response(409, exc.message, "0x80060892")
    except PermissionDeniedError as exc:
        return error_response(403, exc.message, "0x80040220")
    except DomainError as exc:
        return error_response(400, _naming_attribute(path, exc), RULE_CODE)
    except DjangoValidationError as exc:
        return error_response(400, "; ".join(exc.messages)[:500], "0x80048d19")
    except DatabaseError as exc:  # a constraint the services didn't name, a value the column can't hold
        log.info("API request refused by the database: %s", exc)
        return error_response(
            400,
            "The database refused the values (a constraint or a value out of range); nothing was saved.",
            "0x80048d19",
        )


@csrf_exempt
@login_not_required
def unknown(request: HttpRequest, path: str = "") -> HttpResponse:
    """Any other URL under /api/ (another version, a typo): the API's JSON 404, not the HTML page."""
    return error_response(404, f"Resource not found for the segment {path[:100]!r}.", "0x8006088a")


def _naming_attribute(path: str, exc: DomainError) -> str:
    """The service's message, plus the API's name of the field it names (`Invoice Date` → datedelivered)."""
    match = re.match(r"[A-Za-z_]+", path)
    entity = BY_SET.get(match.group()) if match else None
    if entity is None or not exc.field:
        return exc.message
    names = [a.name for a in entity.attrs if a.field == exc.field]
    if not names or names[0] in exc.message:
        return exc.message
    return f"{exc.message} ({names[0]})"


# OData system query options the server reads; Dataverse's own options it doesn't implement (WEBAPI.md,
# "Unsupported options": a 400, never the unfiltered collection; $apply until it is implemented).
QUERY_OPTIONS = ("$select", "$filter", "$orderby", "$top", "$expand", "$count", "$skiptoken")
UNSUPPORTED = {
    "$skip": "use $top with the @odata.nextLink of each page (or Prefer: odata.maxpagesize) instead",
    "$search": "use $filter with contains() instead",
    "$apply": "aggregate on the client, or use $count=true",
    "fetchxml": "use $filter, $select, $orderby and $expand instead",
    "savedquery": "use $filter, $select, $orderby and $expand instead",
    "userquery": "use $filter, $select, $orderby and $expand instead",
}
NOT_SUPPORTED_CODE = "0x80060888"


def check_query_options(params: Any) -> None:
    """Refuse what would otherwise be silently ignored: an option the server doesn't implement (so a
    client never gets the unfiltered collection, even for a misspelt `filter=`), an option given twice,
    a NUL character."""
    for name in params:
        lowered = name.lower()
        if lowered in UNSUPPORTED:
            raise ApiError(
                400,
                f"The query option {name[:40]} is not supported by this server; {UNSUPPORTED[lowered]}.",
                code=NOT_SUPPORTED_CODE,
            )
        if name not in QUERY_OPTIONS and not name.startswith("@"):  # @p1: a parameter alias
            raise ApiError(
                400,
                f"The query option {name[:40]!r} is not supported; use {', '.join(QUERY_OPTIONS)}.",
                code=NOT_SUPPORTED_CODE,
            )
        values = params.getlist(name)
        if len(values) > 1:
            raise bad_request(f"The query option {name} is given more than once.")
        if any("\x00" in value for value in values):
            raise bad_request(f"The query option {name[:40]} can't contain NUL characters.")
        if name in QUERY_OPTIONS and not values[0].strip():
            raise bad_request(f"The query option {name} is empty.")
    if "$count" in params and params["$count"] not in ("true", "false"):
        raise bad_request("$count must be true or false.")


def read_body(request: HttpRequest, *, required: bool) -> Any:
    try:
        length = int(request.headers.get("Content-Length") or 0)
    except ValueError as exc:
        raise bad_request("Content-Length isn't a number.") from exc
    if length > MAX_BODY_BYTES:
        raise bad_request(f"The request body is too large (at most {MAX_BODY_BYTES} bytes).")
    try:
        raw = request.body
    except RequestDataTooBig as exc:
        raise bad_request(f"The request body is too large (at most {MAX_BODY_BYTES} bytes).") from exc
    if len(raw) > MAX_BODY_BYTES:
        raise bad_request(f"The request body is too large (at most {MAX_BODY_BYTES} bytes).")
    if not raw.strip():
        if required:
            raise bad_request("The request needs a JSON body.")
        return {}
    content_type = (request.content_type or "").lower()
    if content_type != "application/json":
        raise ApiError(415, "Send the body as JSON with 'Content-Type: application/json'.")
    return loads(raw)


def prefer(request: HttpRequest) -> dict[str, str]:
    out = {}
    for part in request.headers.get("Prefer", "").split(","):
        key, _, value = part.strip().partition("=")
        if key:
            out[key.strip().lower()] = value.strip().strip('"')
    return out


def dispatch(request: HttpRequest, path: str, user: Any) -> HttpResponse:
    method = request.method or "GET"
    if path in ("", "$metadata") or path.startswith("EntityDefinitions"):
        if method != "GET":
            raise ApiError(405, f"{method} isn't supported here.")
        if path == "":
            return json_response(
                {
                    "@odata.context": f"{base_url(request)}$metadata",
                    "value": [{"name": e.set_name, "kind": "EntitySet", "url": e.set_name} for e in ENTITIES],
                }
            )
        if path == "$metadata":
            raise not_found(
                "The CSDL $metadata document isn't served; see openapi.json and EntityDefinitions."
            )
        return json_response(metadata.handle(path, request.GET, base_url(request)))
    if path in BY_SET:
        entity = BY_SET[path]
        if method == "GET":
            return list_records(request, entity)
        if method == "POST":
            return create_record(request, entity, user)
        raise ApiError(405, f"{method} isn't supported on /{path}; use POST to create, or /{path}(<guid>).")
    match = ENTITY_RE.match(path)
    if match and match["set"] in BY_SET:
        entity = BY_SET[match["set"]]
        key = parse_guid(match["key"].removeprefix(f"{entity.key}="), f"The key of {entity.set_name}")
        if match["rest"]:
            return actions.bound(request, entity, key, match["rest"], user, read_body)
        if method == "GET":
            return retrieve(request, entity, key)
        if method == "PATCH":
            return update_record(request, entity, key, user)
        if method == "DELETE":
            return delete_record(request, entity, key, user)
        raise ApiError(
            405, f"{method} isn't supported on a single {entity.logical}; use GET, PATCH or DELETE."
        )
    name = path.removeprefix("Microsoft.Dynamics.CRM.")
    if name in actions.UNBOUND:
        if method != "POST":
            raise ApiError(405, f"{name} is an action: call it with POST.")
        return actions.unbound(request, name, read_body(request, required=False), user)
    raise not_found(f"Resource not found for the segment {path[:100]!r}.")


# --- reads ------------------------------------------------------------------------------------------


def list_records(request: HttpRequest, entity: Entity) -> HttpResponse:
    params = request.GET
    select = parse_select(entity, params.get("$select"))
    expands = parse_expand(entity, params["$expand"]) if "$expand" in params else []
    qs = records.queryset(entity, expands)
    if "$filter" in params:
        qs = qs.filter(parse_filter(entity, params["$filter"]))
    ordering = (
        parse_orderby(entity, params["$orderby"])
        if "$orderby" in params
        else list(entity.model._meta.ordering)
    )
    qs = qs.order_by(*ordering, "pk")
    top = _int_param(params, "$top", 0, MAX_PAGE)
    page_size = min(_page_size(request) or MAX_PAGE, MAX_PAGE)
    skip = _int_param(params, "$skiptoken", 0, 10**9) or 0
    limit = page_size if top is None else min(page_size, max(top - skip, 0))
    rows = list(qs[skip : skip + limit + 1]) if limit else []
    more = len(rows) > limit
    rows = rows[:limit]
    body: dict[str, Any] = {
        "@odata.context": records.context_url(base_url(request), entity, select, single=False)
    }
    if params.get("$count") == "true":
        body["@odata.count"] = qs.count()
    body["value"] = [records.serialize(entity, row, select, expands) for row in rows]
    headers = {}
    if _page_size(request):
        headers["Preference-Applied"] = f"odata.maxpagesize={page_size}"
    if more and (top is None or skip + limit < top):
        query = {k: v for k, v in params.items() if k != "$skiptoken"}
        query["$skiptoken"] = str(skip + limit)
        body["@odata.nextLink"] = f"{base_url(request)}{entity.set_name}?{urlencode(query)}"
    return json_response(body, headers=headers)


def _int_param(params: Any, name: str, low: int, high: int) -> int | None:
    if name not in params:
        return None
    text = params[name]
    if not _whole_number(text, high) or not low <= int(text) <= high:
        raise bad_request(f"{name} must be a whole number from {low} to {high}.")
    return int(text)


def _whole_number(text: str, high: int) -> bool:
    """ASCII digits only: str.isdigit() also accepts '²' and other digits int() can't read."""
    return text.isascii() and text.isdigit() and len(text) <= len(str(high))


def _page_size(request: HttpRequest) -> int | None:
    value = prefer(request).get("odata.maxpagesize")
    if value is None:
        return None
    if not _whole_number(value, MAX_PAGE) or not 1 <= int(value) <= MAX_PAGE:
        raise bad_request(f"Prefer: odata.maxpagesize must be a whole number from 1 to {MAX_PAGE}.")
    return int(value)


def get_object(entity: Entity, key: Any, expands: list = ()) -> Any:  # type: ignore[assignment]
    obj = records.queryset(entity, expands).filter(pk=key).first()
    if obj is None:
        raise not_found(f"{entity.logical} with id {key} does not exist.")
    return obj


def retrieve(request: HttpRequest, entity: Entity, key: Any) -> HttpResponse:
    select = parse_select(entity, request.GET.get("$select"))
    expands = parse_expand(entity, request.GET["$expand"]) if "$expand" in request.GET else []
    obj = get_object(entity, key)
    if entity.kind == "document" and services.common.needs_repricing(obj):
        # SPEC §6: an open, unlocked document shows current prices whenever it is viewed.
        with transaction.atomic():
            services.ensure_current_pricing(obj, by=request.user)
    if expands or entity.kind == "document":
        obj = get_object(entity, key, expands)
    return representation(request, entity, obj, select, expands)


def representation(
    request: HttpRequest,
    entity: Entity,
    obj: Any,
    select: list[str] | None,
    expands: list = (),
    status: int = 200,
    headers: dict[str, str] | None = None,  # type: ignore[assignment]
) -> HttpResponse:
    body = {
        "@odata.context": records.context_url(base_url(request), entity, select, single=True),
        **records.serialize(entity, obj, select, expands),
    }
    return json_response(body, status=status, headers={"ETag": body["@odata.etag"], **(headers or {})})


# --- writes -----------------------------------------------------------------------------------------


def entity_url(request: HttpRequest, entity: Entity, key: Any) -> str:
    return f"{base_url(request)}{entity.set_name}({key})"


def create_record(request: HttpRequest, entity: Entity, user: Any) -> HttpResponse:
    select = parse_select(entity, request.GET.get("$select"))
    body = read_body(request, required=True)
    obj = writers.create(entity, body, user)
    url = entity_url(request, entity, obj.pk)
    headers = {"OData-EntityId": url, "Location": url}
    if prefer(request).get("return") == "representation":
        return representation(
            request, entity, get_object(entity, obj.pk), select, status=201, headers=headers
        )
    return no_content(headers)


def if_match(request: HttpRequest, entity: Entity, obj: Any) -> int | None:
    """`*` only needs the record to exist; an etag must match the record's current one (else 412)."""
    header = request.headers.get("If-Match")
    if header is None or header.strip() == "*":
        return None
    if not header.strip():
        raise bad_request("If-Match is empty: send the record's @odata.etag, or * for any version.")
    if header.strip() != records.etag_value(entity, obj):
        raise ApiError(
            412,
            f"The {entity.logical} changed since the @odata.etag you sent (If-Match): "
            f"it is now {records.etag_value(entity, obj)}.",
        )
    return obj.row_version if entity.etag_field == "row_version" else None


def locked_object(entity: Entity, key: Any) -> Any:
    obj = entity.model.objects.select_for_update().filter(pk=key).first()
    if obj is None:
        raise not_found(f"{entity.logical} with id {key} does not exist.")
    return obj


def update_record(request: HttpRequest, entity: Entity, key: Any, user: Any) -> HttpResponse:
    select = parse_select(entity, request.GET.get("$select"))
    obj = locked_object(entity, key)
    body = read_body(request, required=True)
    if entity.kind != "readonly" and entity.updatable:
        writers.split_body(entity, body, creating=False)  # a body the writers refuse is a 400 before any 412
    expected = if_match(request, entity, obj)
    writers.update(entity, obj, body, user, expected_version=expected)
    url = entity_url(request, entity, key)
    if prefer(request).get("return") == "representation":
        return representation(
            request, entity, get_object(entity, key), select, headers={"OData-EntityId": url}
        )
    return no_content({"OData-EntityId": url})


def delete_record(request: HttpRequest, entity: Entity, key: Any, user: Any) -> HttpResponse:
    obj = locked_object(entity, key)
    if_match(request, entity, obj)
    writers.delete(entity, obj, user)
    return no_content()

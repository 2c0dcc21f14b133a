"""The OpenAPI 3.1 document of the Web API, generated from the entity tables and the action table,
so it can't drift from what the code does (a test calls every route it lists)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from .actions import ACTIONS, FACTURX_SETS, PDF_SETS, Action
from .entities import CREATE, ENTITIES, MONEY_LIMIT, RW, STATE_PARAM, Attr, Entity

GUID = {"type": "string", "format": "uuid"}
EXAMPLE_GUID = "00000000-0000-0000-0000-000000000001"
# What writers accept in `<lookup>@odata.bind` (values.BIND_RE): a relative or absolute URL of a record.
BIND_PATTERN = r"^(?:.*/)?{target}\([0-9A-Fa-f]{{8}}-[0-9A-Fa-f]{{4}}-[0-9A-Fa-f]{{4}}-[0-9A-Fa-f]{{4}}-[0-9A-Fa-f]{{12}}\)$"
ERR = {"$ref": "#/components/responses/Error"}


def attr_schema(entity: Entity, attr: Attr, *, for_write: bool = False) -> dict[str, Any]:
    kind = attr.type
    if kind in ("string", "memo"):
        schema: dict[str, Any] = {"type": "string"}
        if for_write and entity.max_length(attr):
            schema["maxLength"] = entity.max_length(attr)
    elif kind in ("money", "decimal"):
        schema = {"type": "number"}
        if for_write:
            schema.update(
                {
                    "minimum": attr.minimum if attr.minimum is not None else -MONEY_LIMIT,
                    "maximum": attr.maximum if attr.maximum is not None else MONEY_LIMIT,
                }
            )
    elif kind == "integer":
        schema = {"type": "integer"}
        if for_write:
            schema.update({"minimum": attr.minimum or 0, "maximum": attr.maximum or 2_000_000_000})
    elif kind == "boolean":
        schema = {"type": "boolean"}
    elif kind == "date":
        schema = {"type": "string", "format": "date"}
    elif kind == "datetime":
        schema = {"type": "string", "format": "date-time"}
    else:
        options = entity.options(attr)
        schema = {"type": "integer", "description": ", ".join(f"{v} = {t}" for v, t in options.items())}
        if for_write:
            schema["enum"] = list(options)
    if not for_write or kind in ("string", "memo") or (attr.field and entity.nullable(attr)):
        schema = {**schema, "type": [schema["type"], "null"]}
        if "enum" in schema:
            schema["enum"] = [*schema["enum"], None]
    return schema


def read_schema(entity: Entity) -> dict[str, Any]:
    props: dict[str, Any] = {"@odata.etag": {"type": "string"}, entity.key: GUID}
    for attr in entity.attrs:
        props[attr.name] = attr_schema(entity, attr)
    for lookup in entity.lookups:
        props[lookup.value_name] = {"type": ["string", "null"], "format": "uuid"}
    for nav, logical in entity.navs.items():
        props[nav] = {"type": "array", "items": {"$ref": f"#/components/schemas/{logical}"}}
    return {"type": "object", "properties": props, "required": ["@odata.etag", entity.key]}


def write_schema(entity: Entity, *, creating: bool) -> dict[str, Any]:
    props: dict[str, Any] = {"@odata.type": {"type": "string"}}
    for attr in entity.attrs:
        if (
            attr.access == RW
            or (creating and attr.access == CREATE)
            or (
                not creating
                and (attr.access == STATE_PARAM or (entity.kind == "document" and attr.is_option_set))
            )
        ):
            props[attr.name] = attr_schema(entity, attr, for_write=True)
    for lookup in entity.lookups:
        if lookup.access == RW or (creating and lookup.access == CREATE):
            for bind in lookup.binds:
                props[f"{bind.name}@odata.bind"] = {
                    "type": "string",
                    "pattern": BIND_PATTERN.format(target=bind.target),
                    "example": f"/{bind.target}({EXAMPLE_GUID})",
                }
    if creating and entity.kind == "document":
        for nav, logical in entity.navs.items():
            props[nav] = {"type": "array", "items": {"$ref": f"#/components/schemas/{logical}.create"}}
    return {"type": "object", "properties": props, "additionalProperties": False}


def _responses(*codes: int, ok: dict[str, Any] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for code in codes:
        if code in (200, 201) and ok is not None:
            out[str(code)] = ok
        elif code == 204:
            out["204"] = {"description": "Done; no content."}
        else:
            out[str(code)] = ERR
    return out


def _json_ok(schema: dict[str, Any], description: str = "OK") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _body(schema: dict[str, Any], required: bool = True) -> dict[str, Any]:
    return {"required": required, "content": {"application/json": {"schema": schema}}}


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


QUERY = [
    {"name": "$select", "in": "query", "schema": {"type": "string", "minLength": 1}},
    {"name": "$filter", "in": "query", "schema": {"type": "string", "minLength": 1}},
    {"name": "$orderby", "in": "query", "schema": {"type": "string", "minLength": 1}},
    {"name": "$top", "in": "query", "schema": {"type": "integer", "minimum": 0, "maximum": 5000}},
    {"name": "$expand", "in": "query", "schema": {"type": "string", "minLength": 1}},
    {"name": "$count", "in": "query", "schema": {"type": "string", "enum": ["true", "false"]}},
    # the position of the next page, as the @odata.nextLink of the page before gives it
    {"name": "$skiptoken", "in": "query", "schema": {"type": "string", "pattern": "^[0-9]{1,10}$"}},
    {"name": "Prefer", "in": "header", "schema": {"type": "string"}, "example": "odata.maxpagesize=50"},
]


def entity_paths(entity: Entity) -> dict[str, Any]:
    name = entity.logical
    key_param = {"name": "id", "in": "path", "required": True, "schema": GUID}
    collection: dict[str, Any] = {
        "get": {
            "operationId": f"list_{entity.set_name}",
            "tags": [entity.set_name],
            "parameters": QUERY,
            "responses": _responses(
                200,
                400,
                401,
                403,
                ok=_json_ok(
                    {
                        "type": "object",
                        "properties": {
                            "value": {"type": "array", "items": _ref(name)},
                            "@odata.nextLink": {"type": "string"},
                        },
                        "required": ["value"],
                    }
                ),
            ),
        },
    }
    single: dict[str, Any] = {
        "parameters": [key_param],
        "get": {
            "operationId": f"get_{name}",
            "tags": [entity.set_name],
            "parameters": [QUERY[0], QUERY[4]],
            "responses": _responses(200, 400, 401, 403, 404, ok=_json_ok(_ref(name))),
        },
    }
    writable = entity.kind != "readonly"
    if writable:
        collection["post"] = {
            "operationId": f"create_{name}",
            "tags": [entity.set_name],
            "description": "204 with OData-EntityId; 201 and the record with 'Prefer: return=representation'."
            + (" Sales manager only." if entity.manager_writes else ""),
            "parameters": [
                {
                    "name": "Prefer",
                    "in": "header",
                    "schema": {"type": "string"},
                    "example": "return=representation",
                }
            ],
            "requestBody": _body(_ref(f"{name}.create")),
            "responses": _responses(201, 204, 400, 401, 403, 415, ok=_json_ok(_ref(name))),
        }
    if writable and entity.updatable:
        single["patch"] = {
            "operationId": f"update_{name}",
            "tags": [entity.set_name],
            "parameters": [{"name": "If-Match", "in": "header", "schema": {"type": "string"}}],
            "requestBody": _body(_ref(f"{name}.update")),
            "responses": _responses(200, 204, 400, 401, 403, 404, 409, 412, 415, ok=_json_ok(_ref(name))),
        }
    if entity.deletable or entity.logical == "invoice":
        single["delete"] = {
            "operationId": f"delete_{name}",
            "tags": [entity.set_name],
            "description": "Invoices are never deleted (400)." if entity.logical == "invoice" else "",
            "parameters": [{"name": "If-Match", "in": "header", "schema": {"type": "string"}}],
            "responses": _responses(204, 400, 401, 403, 404, 412),
        }
    return {f"/{entity.set_name}": collection, f"/{entity.set_name}({{id}})": single}


def param_schema(action: Action, ptype: str) -> dict[str, Any]:
    if ptype == "guid":
        return GUID
    if ptype == "columnset":
        return {
            "type": "object",
            "properties": {
                "AllColumns": {"type": "boolean"},
                "Columns": {"type": "array", "items": {"type": "string"}},
            },
        }
    if ptype == "integer":
        return {"type": "integer"}
    if ptype == "date":
        return {"type": "string", "format": "date"}
    if ptype == "string":
        return {"type": "string"}
    if ptype == "addresses":
        return {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}
    if ptype == "creditlines":
        return {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "invoicedetailid": GUID,
                    "quantity": {"type": "number", "exclusiveMinimum": 0},
                },
                "required": ["invoicedetailid"],
            },
        }
    if ptype == "opportunityref":
        return {"type": "object", "properties": {"opportunityid": GUID}, "required": ["opportunityid"]}
    bind = {
        "entity:quoteclose": ("quoteid", "quotes"),
        "entity:opportunityclose": ("opportunityid", "opportunities"),
        "entity:orderclose": ("salesorderid", "salesorders"),
    }[ptype]
    return {
        "type": "object",
        "properties": {
            f"{bind[0]}@odata.bind": {"type": "string"},
            "subject": {"type": "string"},
            "description": {"type": "string"},
            "actualend": {"type": "string", "format": "date"},
        },
        "required": [f"{bind[0]}@odata.bind"],
    }


def action_paths() -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for action in ACTIONS:
        schema = {
            "type": "object",
            "additionalProperties": False,
            "properties": {p.name: param_schema(action, p.type) for p in action.params},
            "required": [p.name for p in action.params if p.required],
        }
        ok = _json_ok(_ref(action.returns)) if action.returns else None
        codes: tuple[int, ...] = (200,) if action.returns else (204,)
        if action.returns == "delivery":
            codes, ok = (202,), None
        op: dict[str, Any] = {
            "operationId": action.name,
            "tags": ["actions"],
            "description": action.description,
            "requestBody": _body(schema, required=bool(schema["required"])),
            "responses": _responses(*codes, 400, 401, 403, 404, 415, ok=ok),
        }
        if action.returns == "delivery":
            op["responses"]["202"] = _json_ok(
                {
                    "type": "object",
                    "required": ["deliveryid", "state"],
                    "properties": {"deliveryid": GUID, "state": {"type": "string"}},
                },
                "Queued",
            )
        if action.bound_to:
            op["parameters"] = [{"name": "id", "in": "path", "required": True, "schema": GUID}]
            paths[f"/{action.bound_to}({{id}})/Microsoft.Dynamics.CRM.{action.name}"] = {"post": op}
        else:
            paths[f"/{action.name}"] = {"post": op}
    return paths


def metadata_paths() -> dict[str, Any]:
    listing = _json_ok({"type": "object", "properties": {"value": {"type": "array"}}, "required": ["value"]})
    logical = {
        "name": "logicalname",
        "in": "path",
        "required": True,
        "schema": {"type": "string", "enum": [e.logical for e in ENTITIES]},
    }
    return {
        "/EntityDefinitions": {
            "get": {
                "operationId": "EntityDefinitions",
                "tags": ["metadata"],
                "parameters": [QUERY[0], QUERY[1]],
                "responses": _responses(200, 400, 401, ok=listing),
            }
        },
        "/EntityDefinitions(LogicalName='{logicalname}')": {
            "get": {
                "operationId": "EntityDefinition",
                "tags": ["metadata"],
                "parameters": [logical, QUERY[0]],
                "responses": _responses(
                    200,
                    400,
                    401,
                    404,
                    ok=_json_ok(
                        {"type": "object", "required": ["LogicalName", "EntitySetName", "MetadataId"]}
                    ),
                ),
            }
        },
        "/EntityDefinitions(LogicalName='{logicalname}')/Attributes/Microsoft.Dynamics.CRM.PicklistAttributeMetadata": {
            "get": {
                "operationId": "PicklistAttributes",
                "tags": ["metadata"],
                "parameters": [logical, QUERY[0], QUERY[4]],
                "responses": _responses(200, 400, 401, 404, ok=listing),
            }
        },
    }


@lru_cache(maxsize=4)
def document(server: str) -> dict[str, Any]:
    schemas: dict[str, Any] = {}
    paths: dict[str, Any] = {}
    for entity in ENTITIES:
        schemas[entity.logical] = read_schema(entity)
        if entity.kind != "readonly":
            schemas[f"{entity.logical}.create"] = write_schema(entity, creating=True)
            schemas[f"{entity.logical}.update"] = write_schema(entity, creating=False)
        paths.update(entity_paths(entity))
    paths.update(action_paths())
    paths.update(metadata_paths())
    for entity_set, noun in PDF_SETS.items():
        paths[f"/{entity_set}({{id}})/pdf"] = _document_file(
            f"{entity_set}_pdf", entity_set, f"(ours) The {noun} PDF.", "The PDF", "application/pdf", True
        )
    for entity_set in FACTURX_SETS:
        noun = PDF_SETS[entity_set]
        paths[f"/{entity_set}({{id}})/facturx.xml"] = _document_file(
            f"{entity_set}_facturx_xml",
            entity_set,
            f"(ours) The {noun}'s EN 16931 CII XML, as embedded in its Factur-X PDF.",
            "The Factur-X XML",
            "application/xml",
            False,
        )
    paths["/openapi.json"] = {
        "get": {
            "operationId": "openapi",
            "tags": ["metadata"],
            "security": [],
            "responses": {"200": _json_ok({"type": "object"})},
        }
    }
    schemas["Error"] = {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {"type": "string", "pattern": "^0x[0-9a-fA-F]{8}$"},
                    "message": {"type": "string"},
                },
            }
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "salesapp Web API",
            "version": "9.2",
            "description": "Dynamics 365 (Dataverse) Web API conventions for the quote-to-cash entities.",
        },
        "servers": [{"url": server.rstrip("/")}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": schemas,
            "responses": {
                "Error": {
                    "description": "An error in the Dataverse shape",
                    "content": {"application/json": {"schema": _ref("Error")}},
                }
            },
        },
    }


@lru_cache(maxsize=1)
def _routes() -> list[tuple[re.Pattern[str], str]]:
    routes = []
    for template, item in document("/").get("paths", {}).items():
        parts = re.split(r"\{[a-z]+\}", template.lstrip("/"))  # {id}, {logicalname}: any one segment
        pattern = "[^/]*".join(re.escape(part) for part in parts)
        methods = ", ".join(m.upper() for m in ("get", "post", "patch", "delete") if m in item)
        routes.append((re.compile(pattern), methods))
    return routes


def allowed_methods(path: str) -> str:
    """The `Allow` header of a 405: the methods the document lists for the path."""
    for pattern, methods in _routes():
        if pattern.fullmatch(path):
            return methods
    return ""


def _document_file(
    operation: str, entity_set: str, description: str, label: str, media: str, binary: bool
) -> dict[str, Any]:
    """(ours) GET <set>(<id>)/<file>: a document's PDF or Factur-X XML."""
    schema = {"type": "string", "format": "binary"} if binary else {"type": "string"}
    return {
        "get": {
            "operationId": operation,
            "tags": [entity_set],
            "description": description,
            "parameters": [{"name": "id", "in": "path", "required": True, "schema": GUID}],
            "responses": {
                "200": {"description": label, "content": {media: {"schema": schema}}},
                **_responses(400, 401, 403, 404),
            },
        }
    }

"""EntityDefinitions: what generic Dataverse clients read before anything else (WEBAPI.md: Metadata)."""

from __future__ import annotations

import re
import uuid
from typing import Any

from .entities import BY_LOGICAL, ENTITIES, Attr, Entity
from .errors import bad_request, not_found

NAMESPACE = uuid.UUID("6f1c3e0a-5a1e-4d1b-9a57-5a1e5a1e5a1e")
DEFINITION_FIELDS = (
    "LogicalName",
    "EntitySetName",
    "PrimaryIdAttribute",
    "PrimaryNameAttribute",
    "SchemaName",
    "MetadataId",
    "DisplayName",
    "LogicalCollectionName",
)
ATTRIBUTE_TYPES = {
    "string": "String",
    "memo": "Memo",
    "money": "Money",
    "decimal": "Decimal",
    "integer": "Integer",
    "boolean": "Boolean",
    "date": "DateTime",
    "datetime": "DateTime",
    "picklist": "Picklist",
    "state": "State",
    "status": "Status",
}
CASTS = {
    "Microsoft.Dynamics.CRM.PicklistAttributeMetadata": ("picklist", "state", "status"),
    "Microsoft.Dynamics.CRM.StateAttributeMetadata": ("state",),
    "Microsoft.Dynamics.CRM.StatusAttributeMetadata": ("status",),
    "Microsoft.Dynamics.CRM.LookupAttributeMetadata": (),
}
PATH_RE = re.compile(
    r"^EntityDefinitions(?:\((?:LogicalName='(?P<name>[a-z]+)'|(?P<id>[0-9a-fA-F-]{36}))\))?"
    r"(?:/Attributes(?:/(?P<cast>[A-Za-z.]+))?)?$"
)
TERM_RE = re.compile(r"^\s*(?P<field>[A-Za-z]+)\s+eq\s+'(?P<value>[^']*)'\s*$")


def metadata_id(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, ".".join(parts)))


def label(text: str) -> dict[str, Any]:
    localized = {"Label": text, "LanguageCode": 1033}
    return {"LocalizedLabels": [localized], "UserLocalizedLabel": localized}


def definition(entity: Entity) -> dict[str, Any]:
    return {
        "LogicalName": entity.logical,
        "EntitySetName": entity.set_name,
        "PrimaryIdAttribute": entity.key,
        "PrimaryNameAttribute": entity.primary_name,
        "SchemaName": entity.schema_name,
        "MetadataId": metadata_id(entity.logical),
        "DisplayName": label(entity.display),
        "LogicalCollectionName": entity.set_name,
    }


def attribute(entity: Entity, attr: Attr, with_options: bool) -> dict[str, Any]:
    kind = ATTRIBUTE_TYPES[attr.type]
    out: dict[str, Any] = {
        "@odata.type": f"#Microsoft.Dynamics.CRM.{kind if attr.is_option_set else ''}AttributeMetadata",
        "LogicalName": attr.name,
        "SchemaName": attr.name,
        "AttributeType": kind,
        "MetadataId": metadata_id(entity.logical, attr.name),
        "DisplayName": label(
            attr.label
            or (
                entity.model._meta.get_field(attr.field).verbose_name.capitalize()
                if attr.field
                else attr.name
            )
        ),
        "IsValidForCreate": attr.access in ("rw", "create"),
        "IsValidForUpdate": attr.access == "rw" or attr.type in ("state", "status"),
    }
    if with_options and attr.is_option_set:
        out["OptionSet"] = {
            "Name": f"{entity.logical}_{attr.name}",
            "MetadataId": metadata_id(entity.logical, attr.name, "optionset"),
            "Options": [
                {"Value": value, "Label": label(text)} for value, text in entity.options(attr).items()
            ],
        }
    return out


def lookup_attribute(entity: Entity, lookup: Any) -> dict[str, Any]:
    """A lookup (read as _<name>_value) and the tables it may point to."""
    from .entities import BY_SET

    kind = "Customer" if len(lookup.binds) > 1 else "Lookup"
    return {
        "@odata.type": "#Microsoft.Dynamics.CRM.LookupAttributeMetadata",
        "LogicalName": lookup.name,
        "SchemaName": lookup.name,
        "AttributeType": kind,
        "MetadataId": metadata_id(entity.logical, lookup.name),
        "DisplayName": label(lookup.name),
        "Targets": [BY_SET[b.target].logical for b in lookup.binds],
        "IsValidForCreate": lookup.access in ("rw", "create"),
        "IsValidForUpdate": lookup.access == "rw",
    }


def _select(row: dict[str, Any], select: str | None) -> dict[str, Any]:
    if not select:
        return row
    names = [n.strip() for n in select.split(",") if n.strip()]
    for name in names:
        if name not in row and name != "OptionSet":
            raise bad_request(f"$select: the metadata has no property {name[:60]!r}.")
    return {k: v for k, v in row.items() if k in names or k in ("@odata.type", "MetadataId", "OptionSet")}


def _matches(row: dict[str, Any], text: str) -> bool:
    """$filter over metadata: `Name eq 'value'` terms joined by `and` / `or`."""
    for alternative in re.split(r"\s+or\s+", text):
        ok = True
        for term in re.split(r"\s+and\s+", alternative):
            match = TERM_RE.match(term.strip("() "))
            if not match:
                raise bad_request("$filter on metadata supports Name eq 'value' joined by and / or.")
            if str(row.get(match["field"])) != match["value"]:
                ok = False
        if ok:
            return True
    return False


def handle(path: str, params: Any, base: str) -> dict[str, Any]:
    match = PATH_RE.match(path)
    if not match:
        raise not_found(f"Resource not found for the segment {path[:100]!r}.")
    if not match["name"] and not match["id"]:
        if "/Attributes" in path:
            raise not_found("Name the entity: EntityDefinitions(LogicalName='…')/Attributes.")
        rows = [definition(e) for e in ENTITIES]
        if params.get("$filter"):
            rows = [r for r in rows if _matches(r, params["$filter"])]
        return {
            "@odata.context": f"{base}$metadata#EntityDefinitions",
            "value": [_select(r, params.get("$select")) for r in rows],
        }
    entity = BY_LOGICAL.get(match["name"] or "")
    if match["id"]:
        entity = next((e for e in ENTITIES if metadata_id(e.logical) == match["id"].lower()), None)
    if entity is None:
        raise not_found(f"There is no entity {(match['name'] or match['id'])!r}.")
    if "/Attributes" not in path:
        return {
            "@odata.context": f"{base}$metadata#EntityDefinitions/$entity",
            **_select(definition(entity), params.get("$select")),
        }
    cast = match["cast"]
    if cast and cast not in CASTS:
        raise not_found(f"Unknown attribute metadata type {cast[:80]!r}.")
    expand = params.get("$expand", "")
    if expand and not expand.startswith("OptionSet"):
        raise bad_request("$expand on attributes supports OptionSet.")
    attrs = [x for x in entity.attrs if not cast or x.type in CASTS[cast]]
    rows = [attribute(entity, x, with_options=bool(expand)) for x in attrs]
    if cast in (None, "Microsoft.Dynamics.CRM.LookupAttributeMetadata"):
        rows = [r for r in rows if not cast] + [lookup_attribute(entity, lk) for lk in entity.lookups]
    if params.get("$filter"):
        rows = [r for r in rows if _matches(r, params["$filter"])]
    return {
        "@odata.context": f"{base}$metadata#EntityDefinitions('{entity.logical}')/Attributes",
        "value": [_select(r, params.get("$select")) for r in rows],
    }

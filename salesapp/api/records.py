"""Reading records: querysets with what each entity needs preloaded, etags, and the JSON shape."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Prefetch, QuerySet

from .entities import Entity
from .query import Expand, select_attrs

SELECT_RELATED: dict[str, tuple[str, ...]] = {
    "opportunity": ("price_list",),
    "quote": ("price_list",),
    "salesorder": ("price_list",),
    "invoice": ("price_list",),
    "systemuser": ("user",),
}
PREFETCH: dict[str, tuple[str, ...]] = {"uomschedule": ("units",)}


def queryset(entity: Entity, expands: list[Expand] = ()) -> QuerySet:  # type: ignore[assignment]
    qs = entity.model.objects.all()
    if entity.logical in SELECT_RELATED:
        qs = qs.select_related(*SELECT_RELATED[entity.logical])
    if entity.logical in PREFETCH:
        qs = qs.prefetch_related(*PREFETCH[entity.logical])
    for expand in expands:
        line_qs = expand.entity.model.objects.order_by("sequence", "created_on")
        qs = qs.prefetch_related(Prefetch("lines", queryset=line_qs))
    return qs


def etag_value(entity: Entity, obj: Any) -> str:
    value = getattr(obj, entity.etag_field)
    if isinstance(value, datetime.datetime):
        value = int(value.timestamp() * 1_000_000)
    return f'W/"{value}"'


def serialize(
    entity: Entity,
    obj: Any,
    select: list[str] | None = None,
    expands: list[Expand] = (),  # type: ignore[assignment]
) -> dict[str, Any]:
    attrs, lookups = select_attrs(entity, select)
    out: dict[str, Any] = {"@odata.etag": etag_value(entity, obj), entity.key: obj.pk}
    for attr in attrs:
        out[attr.name] = attr.getter(obj) if attr.getter else getattr(obj, attr.field)
    for lookup in lookups:
        out[lookup.value_name] = lookup.read(obj)
    for expand in expands:
        out[expand.nav] = [serialize(expand.entity, line, expand.select) for line in obj.lines.all()]
    return out


def context_url(base: str, entity: Entity, select: list[str] | None, *, single: bool) -> str:
    cols = f"({','.join(select)})" if select else ""
    return f"{base}$metadata#{entity.set_name}{cols}" + ("/$entity" if single else "")

"""Writes: every create, update, delete and state change goes to the same service the screens call.

This module only translates: D365 attribute names → keyword arguments, `@odata.bind` → rows,
`statecode`/`statuscode` → the matching transition service.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from salesapp.accounts.roles import is_manager
from salesapp.catalog import services as catalog_services
from salesapp.catalog.models import Discount, DiscountList, PriceList, PriceListItem, Product
from salesapp.core.models import OrganizationSettings
from salesapp.customers import services as customer_services
from salesapp.customers.models import Account, Contact
from salesapp.sales import services
from salesapp.sales.states import InvoiceState, InvoiceStatus, OpportunityState, OrderState, QuoteState

from .entities import BY_LOGICAL, BY_SET, CREATE, READ, STATE_PARAM, Entity
from .errors import ApiError, bad_request
from .values import coerce, parse_bind

MAX_NESTED_LINES = 500


def require_manager(user: Any, what: str) -> None:
    if not is_manager(user):
        raise ApiError(403, f"Only a Sales manager may {what}.")


@dataclass
class Body:
    """A request body split into model values, bound rows, state parameters and nested lines."""

    values: dict[str, Any] = field(default_factory=dict)  # model field -> value
    binds: dict[str, Any] = field(default_factory=dict)  # model field -> row (or None)
    extra: dict[str, Any] = field(default_factory=dict)  # computed / state attributes by D365 name
    nested: dict[str, list[Any]] = field(default_factory=dict)  # navigation property -> line bodies


def split_body(entity: Entity, body: Any, *, creating: bool) -> Body:
    if not isinstance(body, dict):
        raise bad_request(f"The body must be a JSON object with {entity.logical} attributes.")
    out = Body()
    for key, value in body.items():
        if key == "@odata.type":
            if value not in (
                f"Microsoft.Dynamics.CRM.{entity.logical}",
                f"#Microsoft.Dynamics.CRM.{entity.logical}",
            ):
                raise bad_request(f"@odata.type must be #Microsoft.Dynamics.CRM.{entity.logical}.")
            continue
        if key.endswith("@odata.bind"):
            found = entity.bind(key[: -len("@odata.bind")])
            if found is None:
                raise bad_request(f"{entity.logical} has no lookup {key[:80]!r}.")
            lookup, bind = found
            _check_access(entity, lookup.name, lookup.access, creating)
            if bind.field in out.binds and out.binds[bind.field] is not None:
                raise bad_request(f"{lookup.name} is bound twice.")
            row = resolve(bind.target, parse_bind(bind.name, value, bind.target), key)
            if row is None and (
                not entity.model._meta.get_field(bind.field).null or lookup.name == "customerid"
            ):
                raise bad_request(
                    f"{lookup.name} of {entity.logical} can't be cleared (null); bind another record."
                )
            out.binds[bind.field] = row
            continue
        if key in entity.navs and creating and entity.kind == "document":
            if not isinstance(value, list) or len(value) > MAX_NESTED_LINES:
                raise bad_request(f"{key} must be a list of at most {MAX_NESTED_LINES} line records.")
            out.nested[key] = value
            continue
        attr = entity.attr(key)
        if attr is None:
            if key == entity.key or entity.lookup(key) is not None:
                raise bad_request(f"{key} can't be written; bind lookups with <name>@odata.bind.")
            raise bad_request(f"{entity.logical} has no attribute {key[:80]!r}.")
        if attr.access == STATE_PARAM or (entity.kind == "document" and attr.type in ("state", "status")):
            out.extra[attr.name] = coerce(entity, attr, value)
            continue
        _check_access(entity, attr.name, attr.access, creating)
        if attr.field is None:
            out.extra[attr.name] = coerce(entity, attr, value)
        else:
            out.values[attr.field] = coerce(entity, attr, value)
    return out


def _check_access(entity: Entity, name: str, access: str, creating: bool) -> None:
    if access == READ:
        raise bad_request(f"{name} of {entity.logical} is read-only (the system sets it).")
    if access == CREATE and not creating:
        raise bad_request(f"{name} of {entity.logical} can only be set when the {entity.logical} is created.")


def resolve(set_name: str, key: Any, what: str) -> Any:
    if key is None:
        return None
    model = BY_SET[set_name].model
    row = model.objects.filter(pk=key).first()
    if row is None:
        raise bad_request(f"{what}: there is no record /{set_name}({key}).")
    return row


# --- create ---------------------------------------------------------------------------------------


def create(entity: Entity, body: Any, user: Any) -> Any:
    if entity.kind == "readonly":
        raise ApiError(405, f"{entity.set_name} are read-only through the Web API.")
    if entity.manager_writes:
        require_manager(user, f"change the catalog ({entity.set_name})")
    parts = split_body(entity, body, creating=True)
    return CREATORS[entity.kind](entity, parts, user)


def _create_document(entity: Entity, parts: Body, user: Any) -> Any:
    if parts.extra:
        name = sorted(parts.extra)[0]
        raise bad_request(
            f"{name} can't be set on create: a new {entity.logical} starts in its first state; "
            "change statecode afterwards."
        )
    binds = dict(parts.binds)
    account, contact = binds.pop("customer_account", None), binds.pop("customer_contact", None)
    if (account is None) == (contact is None):
        raise bad_request(
            "Give the customer with exactly one of customerid_account@odata.bind or "
            "customerid_contact@odata.bind."
        )
    doc = services.document_create(
        entity.model, by=user, customer=account or contact, **parts.values, **binds
    )
    for nav, lines in parts.nested.items():
        line_entity = BY_LOGICAL[entity.navs[nav]]
        for line_body in lines:
            line_parts = split_body(line_entity, line_body, creating=True)
            parent_field = line_entity.lookup(f"_{line_entity.parent}_value").binds[0].field
            if parent_field in line_parts.binds:
                raise bad_request(f"A line nested in {nav} can't bind {line_entity.parent}.")
            line_parts.binds[parent_field] = doc
            _create_line(line_entity, line_parts, user)
    doc.refresh_from_db()
    return doc


def _create_line(entity: Entity, parts: Body, user: Any) -> Any:
    parent_field = entity.lookup(f"_{entity.parent}_value").binds[0].field
    document = parts.binds.get(parent_field)
    if document is None:
        raise bad_request(f"Give the document with {entity.parent}@odata.bind.")
    values = dict(parts.values)
    product, unit = parts.binds.get("product"), parts.binds.get("unit")
    write_in = parts.extra.get("isproductoverridden")
    if write_in and product is not None:
        raise bad_request("A write-in line (isproductoverridden true) can't also bind productid.")
    if write_in is False and product is None:
        raise bad_request(
            "Bind productid@odata.bind, or set isproductoverridden to true for a write-in product."
        )
    if "quantity" not in values:
        raise bad_request("quantity is required.")
    sequence = values.pop("sequence", None)
    line = services.line_add(
        document=document,
        by=user,
        product=product,
        unit=unit,
        write_in_name=values.pop("write_in_name", ""),
        quantity=values.pop("quantity"),
        price_per_unit=values.pop("price_per_unit", None),
        is_price_overridden=values.pop("is_price_overridden", None),
        manual_discount=values.pop("manual_discount", None),
        tax=values.pop("tax", None),
        description=values.pop("description", ""),
    )
    if sequence is not None:
        line = services.line_update(line=line, by=user, sequence=sequence)
    return line


def _create_catalog(entity: Entity, parts: Body, user: Any) -> Any:
    fields = {**parts.values, **parts.binds}
    logical = entity.logical
    if logical == "uomschedule":
        base = parts.extra.get("baseuomname")
        if not base:
            raise bad_request("baseuomname (the name of the primary unit) is required.")
        return catalog_services.unit_group_create(
            name=fields.get("name", ""),
            base_unit_name=base,
            by=user,
            description=fields.get("description", ""),
        )
    if logical == "uom":
        if fields.get("group") is None:
            raise bad_request("Give the unit group with uomscheduleid@odata.bind.")
        if "quantity" not in fields:
            raise bad_request("quantity (how many base units this unit holds) is required.")
        return catalog_services.unit_create(
            group=fields["group"],
            name=fields.get("name", ""),
            quantity=fields["quantity"],
            base_unit=fields.get("base_unit"),
            by=user,
        )
    if logical == "product":
        if parts.extra.get("productstructure", 1) != 1:
            raise bad_request("Only productstructure 1 (Product) is supported.")
        unit, group = fields.get("default_unit"), fields.get("unit_group")
        if unit is not None and group is None:
            fields["unit_group"] = unit.group
        if group is not None and unit is None:
            fields["default_unit"] = group.base_unit
        return catalog_services.product_save(product=Product(), by=user, **fields)
    if logical == "pricelevel":
        if fields.get("currency") is None:
            fields["currency"] = OrganizationSettings.load().default_currency
            if fields["currency"] is None:
                raise bad_request("Give transactioncurrencyid@odata.bind: there is no default currency.")
        return catalog_services.price_list_save(price_list=PriceList(), by=user, **fields)
    if logical == "productpricelevel":
        for name, bind in (("price_list", "pricelevelid"), ("product", "productid")):
            if fields.get(name) is None:
                raise bad_request(f"{bind}@odata.bind is required.")
        return catalog_services.price_list_item_save(item=PriceListItem(), by=user, **fields)
    if logical == "discounttype":
        return catalog_services.discount_list_save(discount_list=DiscountList(), by=user, **fields)
    if logical == "discount":
        if fields.get("discount_list") is None:
            raise bad_request("discounttypeid@odata.bind is required.")
        return catalog_services.discount_save(discount=Discount(), by=user, **fields)
    raise ApiError(405, f"{entity.set_name} can't be created through the Web API.")


def _create_customer(entity: Entity, parts: Body, user: Any) -> Any:
    fields = {**parts.values, **parts.binds}
    if entity.logical == "account":
        return customer_services.account_save(account=Account(), by=user, **fields)
    return customer_services.contact_save(contact=Contact(), by=user, **fields)


CREATORS = {
    "document": _create_document,
    "line": _create_line,
    "catalog": _create_catalog,
    "customer": _create_customer,
}


# --- update -----------------------------------------------------------------------------------------


def update(entity: Entity, obj: Any, body: Any, user: Any, *, expected_version: int | None) -> Any:
    if entity.kind == "readonly" or not entity.updatable:
        raise ApiError(405, f"{entity.set_name} can't be changed through the Web API.")
    if entity.manager_writes:
        require_manager(user, f"change the catalog ({entity.set_name})")
    parts = split_body(entity, body, creating=False)
    if parts.extra and entity.kind != "document":
        raise bad_request(f"{sorted(parts.extra)[0]} can't be changed.")
    fields = {**parts.values, **parts.binds}
    if entity.kind == "document":
        return _update_document(entity, obj, parts, user, expected_version)
    if entity.kind == "line":
        return services.line_update(line=obj, by=user, expected_version=expected_version, **fields)
    if entity.kind == "customer":
        if entity.logical == "account":
            return customer_services.account_save(account=obj, by=user, **fields)
        return customer_services.contact_save(contact=obj, by=user, **fields)
    saver = {
        "uomschedule": lambda: catalog_services.unit_group_save(group=obj, by=user, **fields),
        "uom": lambda: catalog_services.unit_save(unit=obj, by=user, **fields),
        "product": lambda: catalog_services.product_save(product=obj, by=user, **fields),
        "pricelevel": lambda: catalog_services.price_list_save(price_list=obj, by=user, **fields),
        "productpricelevel": lambda: catalog_services.price_list_item_save(item=obj, by=user, **fields),
        "discounttype": lambda: catalog_services.discount_list_save(discount_list=obj, by=user, **fields),
        "discount": lambda: catalog_services.discount_save(discount=obj, by=user, **fields),
    }[entity.logical]
    return saver()


def _update_document(entity: Entity, doc: Any, parts: Body, user: Any, expected_version: int | None) -> Any:
    changes = {**parts.values, **parts.binds}
    account, contact = changes.pop("customer_account", None), changes.pop("customer_contact", None)
    if account is not None and contact is not None:
        raise bad_request("Bind only one of customerid_account and customerid_contact.")
    if account is not None or contact is not None:
        changes["customer"] = account or contact
    state = {k: v for k, v in parts.extra.items() if k in ("statecode", "statuscode")}
    params = {k: v for k, v in parts.extra.items() if k not in state}
    if params and not state:
        raise bad_request(
            f"{sorted(params)[0]} is set together with statecode/statuscode (e.g. marking it paid)."
        )
    # Manager-only transitions are refused before anything else changes.
    target_state = _target_state(entity, doc, state)
    if entity.logical == "invoice" and target_state in (InvoiceState.PAID, InvoiceState.CANCELED):
        require_manager(user, "mark an invoice paid or cancel it")
    if entity.logical == "salesorder" and target_state == OrderState.CANCELED:
        require_manager(user, "cancel an order")
    if changes:
        doc = services.document_update(doc, by=user, expected_version=expected_version, **changes)
        expected_version = None
    if state:
        doc = change_state(entity, doc, target_state, state.get("statuscode"), params, user, expected_version)
    return doc


def _target_state(entity: Entity, doc: Any, state: dict[str, int]) -> int | None:
    if not state:
        return None
    lifecycle = entity.model.lifecycle
    statecode, statuscode = state.get("statecode"), state.get("statuscode")
    if statuscode is not None:
        owner = lifecycle.state_of(statuscode)
        if statecode is None:
            statecode = owner
        elif owner != statecode:
            raise bad_request(
                f"statuscode {statuscode} doesn't belong to statecode {statecode} "
                f"({lifecycle.state_label(statecode)})."
            )
    return statecode


def change_state(
    entity: Entity,
    doc: Any,
    state: int,
    status: int | None,
    params: dict[str, Any],
    user: Any,
    expected_version: int | None,
) -> Any:
    """statecode/statuscode by PATCH → the transition the screen's button runs."""
    kw = {"by": user, "expected_version": expected_version}
    logical = entity.logical
    lifecycle = entity.model.lifecycle
    if state == doc.state and (status is None or status == doc.status):
        return doc
    if logical == "quote":
        if state == QuoteState.ACTIVE and doc.state == QuoteState.DRAFT:
            return services.quote_activate(quote=doc, **kw)
        if state == QuoteState.WON:
            return services.quote_win(quote=doc, **kw)
        if state == QuoteState.CLOSED and status in (None, 5, 6):
            return services.quote_close(quote=doc, status=status or 6, **kw)
    elif logical == "opportunity":
        if state == OpportunityState.WON:
            return services.opportunity_win(opportunity=doc, **kw)
        if state == OpportunityState.LOST:
            return services.opportunity_lose(opportunity=doc, status=status or 4, **kw)
        if state == OpportunityState.OPEN and doc.state != OpportunityState.OPEN:
            return services.opportunity_reopen(opportunity=doc, **kw)
    elif logical == "salesorder":
        if state == OrderState.FULFILLED:
            return services.order_fulfill(order=doc, status=status or 100001, **kw)
        if state == OrderState.CANCELED:
            return services.order_cancel(order=doc, **kw)
    elif logical == "invoice":
        if state == InvoiceState.ACTIVE and doc.state == InvoiceState.ACTIVE and status is not None:
            return services.invoice_set_status(invoice=doc, status=status, **kw)
        if state == InvoiceState.PAID:
            status = status or InvoiceStatus.COMPLETE
            amount = params.get("amountpaid")
            if status == InvoiceStatus.COMPLETE and amount is not None and amount != doc.total_amount:
                raise bad_request(
                    "amountpaid of a Complete payment is the invoice's totalamount; for less, "
                    "use statuscode 100002 (Partial)."
                )
            return services.invoice_mark_paid(
                invoice=doc,
                status=status,
                paid_on=params.get("datepaid"),
                amount=amount if status == InvoiceStatus.PARTIAL else None,
                **kw,
            )
        if state == InvoiceState.CANCELED:
            return services.invoice_cancel(invoice=doc, **kw)
    if params:
        raise bad_request(f"{sorted(params)[0]} only goes with marking an invoice paid.")
    target = lifecycle.state_label(state)
    hint = {"quote": "ReviseQuote", "salesorder": "ConvertSalesOrderToInvoice"}.get(logical, "")
    article = "An" if lifecycle.noun[0] in "aeiou" else "A"
    raise bad_request(
        f"{article} {lifecycle.noun} can't be set to {target} (statecode {state}) from {doc.state_label}"
        + (f"; use the {hint} action where it applies." if hint else ".")
    )


# --- delete ---------------------------------------------------------------------------------------


def delete(entity: Entity, obj: Any, user: Any) -> None:
    if entity.logical == "invoice":
        raise bad_request("Invoices are never deleted: cancel the invoice instead (statecode 3).")
    if not entity.deletable:
        raise ApiError(405, f"{entity.set_name} can't be deleted through the Web API.")
    if entity.manager_writes:
        require_manager(user, f"change the catalog ({entity.set_name})")
    if entity.kind == "line":
        services.line_delete(line=obj, by=user)
    elif entity.logical == "uom":
        catalog_services.unit_delete(unit=obj, by=user)
    elif entity.logical == "productpricelevel":
        catalog_services.price_list_item_delete(item=obj, by=user)
    elif entity.logical == "discount":
        catalog_services.discount_delete(discount=obj, by=user)

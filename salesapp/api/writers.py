"""Writes: every create, update, delete and state change goes to the same service the screens call.

This module only translates: D365 attribute names → keyword arguments, `@odata.bind` → rows,
`statecode`/`statuscode` → the matching transition service.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from salesapp.accounts.roles import is_manager
from salesapp.catalog import services as catalog_services
from salesapp.catalog.models import Currency, Discount, DiscountList, PriceList, PriceListItem, Product
from salesapp.customers import services as customer_services
from salesapp.customers.models import Account, Contact
from salesapp.sales import services
from salesapp.sales.models import Invoice
from salesapp.sales.services.lines import LINE_FIELDS
from salesapp.sales.states import Role

from . import ownership
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


def split_body(entity: Entity, body: Any, *, creating: bool, rows: Rows | None = None) -> Body:
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
            row = resolve(bind.target, parse_bind(bind.name, value, bind.target), key, rows)
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


Rows = dict[tuple[str, Any], Any]


def prefetch_binds(entity: Entity, bodies: list[Any]) -> Rows:
    """The rows the `@odata.bind`s of many bodies point at, one query per entity set (deep insert).

    Binds that don't parse are left for `split_body`, which refuses them by name.
    """
    wanted: dict[str, set[Any]] = {}
    for body in bodies:
        for key, value in body.items() if isinstance(body, dict) else ():
            found = entity.bind(key[: -len("@odata.bind")]) if key.endswith("@odata.bind") else None
            if found is None:
                continue
            bind = found[1]
            try:
                guid = parse_bind(bind.name, value, bind.target)
            except ApiError:
                continue
            if guid is not None:
                wanted.setdefault(bind.target, set()).add(guid)
    rows: Rows = {}
    for set_name, keys in wanted.items():
        query = BY_SET[set_name].model.objects.filter(pk__in=keys)
        if set_name == "products":
            query = query.select_related("unit_group", "default_unit")
        rows.update({(set_name, row.pk): row for row in query})
    return rows


def resolve(set_name: str, key: Any, what: str, rows: Rows | None = None) -> Any:
    if key is None:
        return None
    if rows is not None and (set_name, key) in rows:
        return rows[(set_name, key)]
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
    body, owner = ownership.take_owner(entity, body)
    parts = split_body(entity, body, creating=True)
    return ownership.assign(CREATORS[entity.kind](entity, parts, user), owner, user)


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
    lines: list[dict[str, Any]] = []
    for nav, bodies in parts.nested.items():
        line_entity = BY_LOGICAL[entity.navs[nav]]
        parent_field = _parent_field(line_entity)
        rows = prefetch_binds(line_entity, bodies)
        for body in bodies:
            line_parts = split_body(line_entity, body, creating=True, rows=rows)
            if parent_field in line_parts.binds:
                raise bad_request(f"A line nested in {nav} can't bind {line_entity.parent}.")
            lines.append(_line_fields(line_parts))
    return services.document_create(
        entity.model, by=user, customer=account or contact, lines=lines, **parts.values, **binds
    )


def _parent_field(entity: Entity) -> str:
    return entity.lookup(f"_{entity.parent}_value").binds[0].field


def _line_fields(parts: Body) -> dict[str, Any]:
    """A line body → the fields of one Quick Create (`build_line`)."""
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
    # the line's own columns, as a Quick Create takes them (product and unit come from the binds)
    fields = {name: values[name] for name in LINE_FIELDS if name in values}
    return {"product": product, "unit": unit, **fields}


def _create_line(entity: Entity, parts: Body, user: Any) -> Any:
    document = parts.binds.get(_parent_field(entity))
    if document is None:
        raise bad_request(f"Give the document with {entity.parent}@odata.bind.")
    fields = _line_fields(parts)
    sequence = fields.pop("sequence", None)
    line = services.line_add(document=document, by=user, **fields)
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
        if parts.extra.pop("productstructure", 1) != 1:
            raise bad_request("Only productstructure 1 (Product) is supported.")
        _product_state(parts)
        fields = {**parts.values, **parts.binds}
        return catalog_services.product_save(product=Product(), by=user, **fields)
    if logical == "pricelevel":
        return catalog_services.price_list_save(price_list=PriceList(), by=user, **fields)
    if logical == "productpricelevel":
        for name, bind in (("price_list", "pricelevelid"), ("product", "productid")):
            if fields.get(name) is None:
                raise bad_request(f"{bind}@odata.bind is required.")
        return catalog_services.price_list_item_save(item=PriceListItem(), by=user, **fields)
    if logical == "discounttype":
        return catalog_services.discount_list_save(discount_list=DiscountList(), by=user, **fields)
    if logical == "transactioncurrency":
        return catalog_services.currency_save(currency=Currency(), by=user, **fields)
    if logical == "discount":
        if fields.get("discount_list") is None:
            raise bad_request("discounttypeid@odata.bind is required.")
        return catalog_services.discount_save(discount=Discount(), by=user, **fields)
    raise ApiError(405, f"{entity.set_name} can't be created through the Web API.")


def _product_state(parts: Body) -> None:
    """statecode / statuscode of a product, written as a pair (SetState: publish, retire, revise)."""
    status = parts.extra.pop("statuscode", None)
    state = catalog_services.product_state(parts.values.get("state"), status)
    if state is not None:
        parts.values["state"] = state


def _create_customer(entity: Entity, parts: Body, user: Any) -> Any:
    fields = {**parts.values, **parts.binds}
    if entity.logical == "account":
        return customer_services.account_save(account=Account(), by=user, **fields)
    return customer_services.contact_save(contact=Contact(), by=user, **fields)


def _create_payment(entity: Entity, parts: Body, user: Any) -> Any:
    """POST invoicepayments: the same service as Invoice Paid / Add Payment on the screens. Which of
    the two it is, and so who may, is the lifecycle table's word for the invoice's state."""
    invoice = parts.binds.get("invoice")
    if invoice is None:
        raise bad_request("Give the invoice with invoiceid@odata.bind.")
    invoice = Invoice.objects.select_related("currency").get(pk=invoice.pk)
    lifecycle = invoice.lifecycle
    action = "pay" if lifecycle.can("pay", invoice.state) else "add_payment"
    if lifecycle.role(action) is Role.MANAGER:
        require_manager(user, lifecycle.actions[action].label)
    values = parts.values
    if "amount" not in values:
        raise bad_request("amount (the amount received) is required.")
    return services.payment_record(
        invoice=invoice,
        by=user,
        amount=values["amount"],
        paid_on=values.get("paid_on"),
        method=values.get("method"),
        reference=values.get("reference", ""),
    )


CREATORS = {
    "payment": _create_payment,
    "document": _create_document,
    "line": _create_line,
    "catalog": _create_catalog,
    "customer": _create_customer,
}


# --- update -----------------------------------------------------------------------------------------


def update(entity: Entity, obj: Any, body: Any, user: Any, *, expected_version: int | None) -> Any:
    """PATCH; `ownerid@odata.bind` assigns, after the other changes (checked against the version)."""
    body, owner = ownership.take_owner(entity, body)
    if owner is not None and body == {}:
        return ownership.assign(obj, owner, user, expected_version=expected_version)
    obj = _update(entity, obj, body, user, expected_version=expected_version)
    return ownership.assign(obj, owner, user)


def _update(entity: Entity, obj: Any, body: Any, user: Any, *, expected_version: int | None) -> Any:
    if entity.kind == "readonly" or not entity.updatable:
        raise ApiError(405, f"{entity.set_name} can't be changed through the Web API.")
    if entity.manager_writes:
        require_manager(user, f"change the catalog ({entity.set_name})")
    parts = split_body(entity, body, creating=False)
    if entity.logical == "product":
        _product_state(parts)
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
        "transactioncurrency": lambda: catalog_services.currency_save(currency=obj, by=user, **fields),
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
    # A transition needing a manager is refused before anything else changes.
    target_state = _target_state(entity, doc, state)
    action = None
    if state and not (target_state == doc.state and state.get("statuscode") in (None, doc.status)):
        action = _action(entity, doc, target_state, state.get("statuscode"))
        lifecycle = entity.model.lifecycle
        if lifecycle.role(action) is Role.MANAGER:
            require_manager(user, lifecycle.actions[action].label)
    if params and action != "pay":
        raise bad_request(f"{sorted(params)[0]} only goes with marking an invoice paid.")
    locked = changes.pop("prices_locked", None)
    if changes:
        doc = services.document_update(doc, by=user, expected_version=expected_version, **changes)
        expected_version = None
    if locked is not None and locked != doc.prices_locked:
        # The same services as Lock Pricing / Use Current Pricing (which reprices at once).
        toggle = services.lock_pricing if locked else services.use_current_pricing
        doc = toggle(document=doc, by=user, expected_version=expected_version)
        expected_version = None
    if action:
        run = STATE_CHANGES[(entity.logical, action)]
        doc = run(doc, state.get("statuscode"), params, {"by": user, "expected_version": expected_version})
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


def _action(entity: Entity, doc: Any, state: int, status: int | None) -> str:
    """statecode/statuscode by PATCH → the lifecycle action the screen's button runs."""
    lifecycle = entity.model.lifecycle
    action = lifecycle.action_to(state, status, doc.state)
    if action is not None:
        return action
    for name, row in lifecycle.actions.items():
        if row.target == state and row.by_patch:
            lifecycle.require(name, doc.state)  # says why not in this state, as the screen does
    target = lifecycle.state_label(state)
    hint = next(
        (row.message for row in lifecycle.actions.values() if row.target == state and not row.by_patch), ""
    )
    article = "An" if lifecycle.noun[0] in "aeiou" else "A"
    raise bad_request(
        f"{article} {lifecycle.noun} can't be set to {target} (statecode {state}) from {doc.state_label}"
        + (f"; use the {hint} action." if hint else ".")
    )


def _paid(doc: Any, status: int | None, params: dict[str, Any], kw: dict[str, Any]) -> Any:
    # (ours) Dynamics 365 has no amount paid: a Partial payment sends amountpaid with the PATCH.
    return services.invoice_mark_paid(
        invoice=doc, status=status, paid_on=params.get("datepaid"), amount=params.get("amountpaid"), **kw
    )


Run = Callable[[Any, int | None, dict[str, Any], dict[str, Any]], Any]
STATE_CHANGES: dict[tuple[str, str], Run] = {
    ("quote", "activate"): lambda d, s, p, kw: services.quote_activate(quote=d, status=s, **kw),
    ("quote", "win"): lambda d, s, p, kw: services.quote_win(quote=d, **kw),
    ("quote", "close"): lambda d, s, p, kw: services.quote_close(quote=d, status=s, **kw),
    ("opportunity", "win"): lambda d, s, p, kw: services.opportunity_win(opportunity=d, **kw),
    ("opportunity", "lose"): lambda d, s, p, kw: services.opportunity_lose(opportunity=d, status=s, **kw),
    ("opportunity", "reopen"): lambda d, s, p, kw: services.opportunity_reopen(opportunity=d, **kw),
    ("salesorder", "fulfill"): lambda d, s, p, kw: services.order_fulfill(order=d, status=s, **kw),
    ("opportunity", "set_status"): lambda d, s, p, kw: services.document_set_status(
        document=d, status=s, **kw
    ),
    ("salesorder", "set_status"): lambda d, s, p, kw: services.document_set_status(
        document=d, status=s, **kw
    ),
    ("invoice", "set_status"): lambda d, s, p, kw: services.document_set_status(document=d, status=s, **kw),
    ("invoice", "pay"): _paid,
    ("invoice", "cancel"): lambda d, s, p, kw: services.invoice_cancel(invoice=d, **kw),
}


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
    elif entity.kind == "document":
        services.document_delete(document=obj, by=user)
    elif entity.logical == "uom":
        catalog_services.unit_delete(unit=obj, by=user)
    elif entity.logical == "productpricelevel":
        catalog_services.price_list_item_delete(item=obj, by=user)
    elif entity.logical == "discount":
        catalog_services.discount_delete(discount=obj, by=user)

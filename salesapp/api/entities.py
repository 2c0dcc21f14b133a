"""The entity sets of the Web API, one declarative table per entity (WEBAPI.md: Entity sets).

Every attribute maps a Dynamics 365 logical name onto a model field. Serialising, `$select`,
`$filter`, `$orderby`, write validation, the metadata endpoints and the OpenAPI document are all
derived from these tables, so they can't disagree with each other.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.db import models

from salesapp.accounts import models as accounts
from salesapp.accounts.identity import systemuser_id, user_pk
from salesapp.catalog import models as catalog
from salesapp.core.addresses import ADDRESS_PARTS
from salesapp.customers import models as customers
from salesapp.sales import models as sales

# Access of an attribute: read only, settable on create only, or on create and update.
READ, CREATE, RW = "read", "create", "rw"
# Set only together with a state change (PATCH statecode/statuscode), e.g. an invoice's amountpaid.
STATE_PARAM = "state"

MONEY_LIMIT = 1_000_000_000_000  # SPEC §3.5: any amount beyond ±1,000,000,000,000 is refused


@dataclass(frozen=True)
class Attr:
    name: str  # D365 logical name
    field: str | None  # model field (None: computed)
    type: str  # string | memo | money | decimal | integer | boolean | date | datetime | picklist | state | status
    access: str = RW
    places: int = 4  # decimals allowed (money / decimal)
    minimum: Any = None
    maximum: Any = None
    getter: Callable[[Any], Any] | None = None  # computed read
    filter_field: str | None = None  # ORM path used by $filter / $orderby when it differs from `field`
    label: str = ""
    choices: tuple[tuple[int, str], ...] = ()  # a computed option set's values (else the field's)

    @property
    def is_option_set(self) -> bool:
        return self.type in ("picklist", "state", "status")

    @property
    def orm(self) -> str | None:
        return self.filter_field or self.field


@dataclass(frozen=True)
class Bind:
    """One `<name>@odata.bind` property: the entity set it points into and the model field it sets."""

    name: str
    target: str  # entity set
    field: str  # model field (ForeignKey)


@dataclass(frozen=True)
class Lookup:
    """A lookup read as `_<name>_value`, written through one or more `@odata.bind` properties."""

    name: str
    binds: tuple[Bind, ...]
    access: str = RW

    @property
    def value_name(self) -> str:
        return f"_{self.name}_value"

    def read(self, obj: Any) -> uuid.UUID | None:
        for bind in self.binds:
            value = getattr(obj, f"{bind.field}_id")
            if value is not None:
                return value
        return None

    def q(self, value: Any) -> models.Q:
        query = models.Q()
        for bind in self.binds:
            query |= models.Q(**{f"{bind.field}_id": value})
        return query


class OwnerLookup(Lookup):
    """`ownerid` (WEBAPI.md: Owner): read as the owner's systemuserid, derived from `owner_id` without a
    join; `ownerid@odata.bind` assigns (salesapp.api.ownership → the ownership services)."""

    def read(self, obj: Any) -> uuid.UUID | None:
        return systemuser_id(obj.owner_id)

    def q(self, value: Any) -> models.Q:
        return models.Q(owner_id=user_pk(value)) if value is not None else models.Q(owner__isnull=True)


OWNER = OwnerLookup("ownerid", (Bind("ownerid", "systemusers", "owner"),))


@dataclass
class Entity:
    logical: str
    set_name: str
    model: type[models.Model]
    attrs: tuple[Attr, ...]
    lookups: tuple[Lookup, ...] = ()
    kind: str = "catalog"  # document | line | catalog | customer | readonly
    primary_name: str = "name"
    etag_field: str = "modified_on"  # row_version for documents
    navs: dict[str, str] = field(default_factory=dict)  # navigation property -> line entity logical name
    parent: str | None = None  # for lines: the lookup naming the document
    manager_writes: bool = False  # catalog: only a Sales manager may write (SPEC §9)
    deletable: bool = False
    updatable: bool = True
    schema_name: str = ""
    display: str = ""
    key_name: str = ""  # the primary key attribute when it isn't <logical>id (activities: activityid)

    @property
    def key(self) -> str:
        return self.key_name or f"{self.logical}id"

    def attr(self, name: str) -> Attr | None:
        return self._attrs.get(name)

    def lookup(self, name: str) -> Lookup | None:
        return self._lookups.get(name)

    def bind(self, name: str) -> tuple[Lookup, Bind] | None:
        return self._binds.get(name)

    def __post_init__(self) -> None:
        self._attrs = {a.name: a for a in self.attrs}
        self._lookups = {lk.value_name: lk for lk in self.lookups}
        self._binds = {b.name: (lk, b) for lk in self.lookups for b in lk.binds}
        self.schema_name = self.schema_name or self.logical.capitalize()
        self.display = self.display or self.model._meta.verbose_name.title()

    def max_length(self, attr: Attr) -> int | None:
        if attr.field is None:
            return None
        return getattr(self.model._meta.get_field(attr.field), "max_length", None)

    def options(self, attr: Attr) -> dict[int, str]:
        """An option set's values and labels, from the model field's choices."""
        if attr.choices or attr.field is None:
            return dict(attr.choices)
        return {int(v): str(label) for v, label in self.model._meta.get_field(attr.field).choices or ()}

    def nullable(self, attr: Attr) -> bool:
        if attr.field is None:
            return True
        f = self.model._meta.get_field(attr.field)
        return bool(f.null)


def a(name: str, fld: str | None, typ: str, access: str = RW, **kw: Any) -> Attr:
    return Attr(name, fld, typ, access, **kw)


def money(name: str, fld: str, access: str = RW) -> Attr:
    return Attr(name, fld, "money", access, minimum=0, maximum=MONEY_LIMIT)


def lk(name: str, target: str, fld: str, access: str = RW, bind: str | None = None) -> Lookup:
    return Lookup(name, (Bind(bind or name, target, fld),), access)


def address(prefix: str, *, with_name: bool = False, access: str = RW) -> tuple[Attr, ...]:
    parts = (("name",) if with_name else ()) + ADDRESS_PARTS
    return tuple(Attr(f"{prefix}_{p}", f"{prefix}_{p}", "string", access) for p in parts)


AUDIT = (a("createdon", "created_on", "datetime", READ), a("modifiedon", "modified_on", "datetime", READ))

# --- documents ------------------------------------------------------------------------------------
PRICED = (
    a("name", "name", "string"),
    a("description", "description", "memo"),
    a("discountpercentage", "discount_percentage", "decimal", places=2, minimum=0, maximum=100),
    money("discountamount", "discount_amount"),
    money("freightamount", "freight_amount"),
    money("totallineitemamount", "total_line_item_amount", READ),
    money("totallineitemdiscountamount", "total_line_item_discount_amount", READ),
    money("totaldiscountamount", "total_discount_amount", READ),
    # Below zero while the header discounts exceed the products (SPEC §3.6).
    a(
        "totalamountlessfreight",
        "total_amount_less_freight",
        "money",
        READ,
        minimum=-MONEY_LIMIT,
        maximum=MONEY_LIMIT,
    ),
    money("totaltax", "total_tax", READ),
    a("totalamount", "total_amount", "money", READ, minimum=-MONEY_LIMIT, maximum=MONEY_LIMIT),
    a("pricingerrorcode", "pricing_error_code", "integer", READ),
    a("statecode", "state", "state"),
    a("statuscode", "status", "status"),
    a("versionnumber", "row_version", "integer", READ),
    *AUDIT,
)


def base_twins(model: type[models.Model]) -> tuple[Attr, ...]:
    """`exchangerate` and the `_base` twin of every money column in the model's BASE_TWINS (SPEC §10,
    WEBAPI.md "Currencies"): the amount divided by the rate, in the base currency; read only."""
    names = {a.field: a.name for a in (*PRICED, *EXTRA_MONEY)}
    return (
        a("exchangerate", "exchange_rate", "decimal", READ, places=10, label="Exchange Rate"),
        *(
            a(
                f"{names[twin]}_base",
                f"{twin}_base",
                "money",
                READ,
                minimum=-MONEY_LIMIT,
                maximum=MONEY_LIMIT,
                label=f"{model._meta.get_field(twin).verbose_name} (base)".capitalize(),
            )
            for twin in model.BASE_TWINS  # type: ignore[attr-defined]
        ),
    )


# Money columns beyond PRICED that have a `_base` twin (opportunity, invoice).
EXTRA_MONEY = (
    money("estimatedvalue", "estimated_value"),
    money("amountpaid", "amount_paid"),
    money("balancedue", "balance_due"),
)
PRICED_LOOKUPS = (
    Lookup(
        "customerid",
        (
            Bind("customerid_account", "accounts", "customer_account"),
            Bind("customerid_contact", "contacts", "customer_contact"),
        ),
    ),
    lk("pricelevelid", "pricelevels", "price_list"),
    lk("transactioncurrencyid", "transactioncurrencies", "currency"),
    OWNER,
)
SALES = (
    a("paymenttermscode", "payment_terms", "picklist"),
    a("freighttermscode", "freight_terms", "picklist"),
    a("shippingmethodcode", "shipping_method", "picklist"),
    *address("billto", with_name=True),
    *address("shipto", with_name=True),
)
SALES_LOOKUPS = (*PRICED_LOOKUPS, lk("opportunityid", "opportunities", "opportunity", CREATE))

OPPORTUNITY = Entity(
    "opportunity",
    "opportunities",
    sales.Opportunity,
    kind="document",
    deletable=True,  # Open / Draft / Active never invoiced: the ownership service says
    etag_field="row_version",
    attrs=(
        *PRICED,
        a("estimatedclosedate", "estimated_close_date", "date"),
        money("estimatedvalue", "estimated_value"),
        a("isrevenuesystemcalculated", "is_revenue_system_calculated", "boolean"),
        money("actualvalue", "actual_revenue", READ),
        a("actualclosedate", "actual_close_date", "date", READ),
        *base_twins(sales.Opportunity),
    ),
    lookups=PRICED_LOOKUPS,
    navs={"product_opportunities": "opportunityproduct"},
)
QUOTE = Entity(
    "quote",
    "quotes",
    sales.Quote,
    kind="document",
    deletable=True,  # Open / Draft / Active never invoiced: the ownership service says
    etag_field="row_version",
    attrs=(
        *PRICED,
        *SALES,
        a("quotenumber", "quote_number", "string", READ),
        a("revisionnumber", "revision_number", "integer", READ),
        a("effectivefrom", "effective_from", "date"),
        a("effectiveto", "effective_to", "date"),
        a("expireson", "due_by", "date", label="Due By"),
        a("requestdeliveryby", "requested_delivery_by", "date", label="Requested Delivery"),
        a("closedon", "closed_on", "date", READ),
        *base_twins(sales.Quote),
    ),
    lookups=SALES_LOOKUPS,
    navs={"quote_details": "quotedetail"},
)
SALESORDER = Entity(
    "salesorder",
    "salesorders",
    sales.SalesOrder,
    kind="document",
    deletable=True,  # Open / Draft / Active never invoiced: the ownership service says
    etag_field="row_version",
    schema_name="SalesOrder",
    attrs=(
        *PRICED,
        *SALES,
        a("ordernumber", "order_number", "string", READ),
        a("ispricelocked", "prices_locked", "boolean"),  # PATCH: Lock Pricing / Use Current Pricing
        a("requestdeliveryby", "requested_delivery_by", "date"),
        a("datefulfilled", "date_fulfilled", "date", READ),
        *base_twins(sales.SalesOrder),
    ),
    lookups=(*SALES_LOOKUPS, lk("quoteid", "quotes", "quote", READ)),
    navs={"order_details": "salesorderdetail"},
)
INVOICE = Entity(
    "invoice",
    "invoices",
    sales.Invoice,
    kind="document",
    etag_field="row_version",
    attrs=(
        *PRICED,
        *SALES,
        a("invoicenumber", "invoice_number", "string", READ),
        a("ispricelocked", "prices_locked", "boolean"),  # PATCH: Lock Pricing / Use Current Pricing
        # (ours) the invoice date — due dates count from it — sits where D365 has Date Delivered.
        a("datedelivered", "invoice_date", "date", label="Invoice Date"),
        a("duedate", "due_date", "date"),
        a("datepaid", "date_paid", "date", STATE_PARAM),
        money("amountpaid", "amount_paid", STATE_PARAM),
        # (ours, SPEC §10) kept by the payment and credit note services; Dynamics 365 has none of them.
        money("amountcredited", "amount_credited", READ),
        a(
            "balancedue",
            "balance_due",
            "money",
            READ,
            minimum=-MONEY_LIMIT,
            maximum=MONEY_LIMIT,
            label="Balance Due",
        ),
        *base_twins(sales.Invoice),
    ),
    lookups=(
        *SALES_LOOKUPS,
        lk("salesorderid", "salesorders", "sales_order", READ),
        lk("quoteid", "quotes", "quote", READ),
    ),
    navs={"invoice_details": "invoicedetail"},
)

# --- lines ------------------------------------------------------------------------------------------
LINE = (
    a("sequencenumber", "sequence", "integer", minimum=0, maximum=2_000_000_000),
    a("productdescription", "write_in_name", "string"),
    a(
        "isproductoverridden",
        None,
        "boolean",
        CREATE,
        getter=lambda line: line.product_id is None,
        filter_field="product__isnull",
    ),
    a("ispriceoverridden", "is_price_overridden", "boolean"),
    money("priceperunit", "price_per_unit"),
    a("quantity", "quantity", "decimal", places=5, minimum=0, maximum=MONEY_LIMIT),
    money("baseamount", "amount", READ),
    money("volumediscountamount", "volume_discount", READ),
    money("manualdiscountamount", "manual_discount"),
    money("tax", "tax"),
    # (ours) EN 16931: UNTDID 5305 VAT category, rate % (the tax follows from it), exemption reason.
    a("vatcategorycode", "vat_category", "string"),
    a("vatrate", "tax_rate", "decimal", minimum=0, maximum=100),
    a("vatexemptionreason", "vat_exemption_reason", "string"),
    money("extendedamount", "extended_amount", READ),
    a("description", "description", "memo"),
    a("pricingerrorcode", "pricing_error_code", "integer", READ),
    *AUDIT,
)
LINE_LOOKUPS = (lk("productid", "products", "product"), lk("uomid", "uoms", "unit"))


def line_entity(
    logical: str,
    set_name: str,
    model: type[models.Model],
    parent: str,
    parent_set: str,
    parent_field: str,
    schema: str,
) -> Entity:
    return Entity(
        logical,
        set_name,
        model,
        kind="line",
        attrs=LINE,
        primary_name="productdescription",
        lookups=(*LINE_LOOKUPS, lk(parent, parent_set, parent_field, CREATE)),
        parent=parent,
        deletable=True,
        schema_name=schema,
    )


OPPORTUNITYPRODUCT = line_entity(
    "opportunityproduct",
    "opportunityproducts",
    sales.OpportunityProduct,
    "opportunityid",
    "opportunities",
    "opportunity",
    "OpportunityProduct",
)
QUOTEDETAIL = line_entity(
    "quotedetail", "quotedetails", sales.QuoteDetail, "quoteid", "quotes", "quote", "QuoteDetail"
)
SALESORDERDETAIL = line_entity(
    "salesorderdetail",
    "salesorderdetails",
    sales.SalesOrderDetail,
    "salesorderid",
    "salesorders",
    "sales_order",
    "SalesOrderDetail",
)
INVOICEDETAIL = line_entity(
    "invoicedetail",
    "invoicedetails",
    sales.InvoiceDetail,
    "invoiceid",
    "invoices",
    "invoice",
    "InvoiceDetail",
)

# --- catalog ---------------------------------------------------------------------------------------
# WEBAPI.md "Currencies": writable by Sales managers, through catalog.services.currency_save.
# exchangerate: units of this currency per unit of the base currency (Dataverse: 0.0000000001 to
# 100,000,000,000, 10 decimals); the base currency's is always 1.
TRANSACTIONCURRENCY = Entity(
    "transactioncurrency",
    "transactioncurrencies",
    catalog.Currency,
    manager_writes=True,
    primary_name="currencyname",
    schema_name="TransactionCurrency",
    attrs=(
        a("isocurrencycode", "code", "string"),
        a("currencyname", "name", "string"),
        a("currencysymbol", "symbol", "string"),
        a("currencyprecision", "precision", "integer", minimum=0, maximum=4),
        a(
            "exchangerate",
            "exchange_rate",
            "decimal",
            places=10,
            minimum=Decimal("0.0000000001"),
            maximum=100_000_000_000,
            label="Exchange Rate",
        ),
        *AUDIT,
    ),
)


def _base_unit_name(group: catalog.UnitGroup) -> str | None:
    return next((u.name for u in group.units.all() if u.base_unit_id is None), None)


UOMSCHEDULE = Entity(
    "uomschedule",
    "uomschedules",
    catalog.UnitGroup,
    manager_writes=True,
    schema_name="UoMSchedule",
    attrs=(
        a("name", "name", "string"),
        a("description", "description", "memo"),
        a("baseuomname", None, "string", CREATE, getter=_base_unit_name),
        *AUDIT,
    ),
)
UOM = Entity(
    "uom",
    "uoms",
    catalog.Unit,
    manager_writes=True,
    deletable=True,
    schema_name="UoM",
    attrs=(
        a("name", "name", "string"),
        a("quantity", "quantity", "decimal", places=5, minimum=0, maximum=MONEY_LIMIT),
        a(
            "isschedulebaseuom",
            None,
            "boolean",
            READ,
            getter=lambda u: u.base_unit_id is None,
            filter_field="base_unit__isnull",
        ),
        *AUDIT,
    ),
    lookups=(lk("uomscheduleid", "uomschedules", "group", CREATE), lk("baseuom", "uoms", "base_unit")),
)
PRODUCT = Entity(
    "product",
    "products",
    catalog.Product,
    manager_writes=True,
    attrs=(
        a("productnumber", "product_number", "string"),
        a("name", "name", "string"),
        a("description", "description", "memo"),
        money("price", "list_price"),
        money("standardcost", "standard_cost"),
        money("currentcost", "current_cost"),
        a("quantitydecimal", "quantity_decimals", "integer", minimum=0, maximum=5),
        a("productstructure", None, "picklist", CREATE, getter=lambda p: 1, choices=((1, "Product"),)),
        a("statecode", "state", "picklist"),
        # Written as a pair with statecode (publish: 0/1, retire: 1/2, revise: 3/3, draft: 2/0).
        a(
            "statuscode",
            None,
            "picklist",
            getter=lambda p: p.status,
            choices=tuple(catalog.ProductStatus.choices),
        ),
        *AUDIT,
    ),
    lookups=(
        lk("defaultuomscheduleid", "uomschedules", "unit_group"),
        lk("defaultuomid", "uoms", "default_unit"),
        lk("pricelevelid", "pricelevels", "default_price_list"),
    ),
)
PRICELEVEL = Entity(
    "pricelevel",
    "pricelevels",
    catalog.PriceList,
    manager_writes=True,
    schema_name="PriceLevel",
    attrs=(
        a("name", "name", "string"),
        a("begindate", "start_date", "date"),
        a("enddate", "end_date", "date"),
        a("description", "description", "memo"),
        *AUDIT,
    ),
    lookups=(lk("transactioncurrencyid", "transactioncurrencies", "currency"),),
)
PRODUCTPRICELEVEL = Entity(
    "productpricelevel",
    "productpricelevels",
    catalog.PriceListItem,
    manager_writes=True,
    deletable=True,
    primary_name="productpricelevelid",
    schema_name="ProductPriceLevel",
    attrs=(
        money("amount", "amount"),
        a("percentage", "percentage", "decimal", minimum=-MONEY_LIMIT, maximum=MONEY_LIMIT),
        a("pricingmethodcode", "pricing_method", "picklist"),
        a("roundingpolicycode", "rounding_policy", "picklist"),
        a("roundingoptioncode", "rounding_option", "picklist"),
        money("roundingoptionamount", "rounding_amount"),
        a("quantitysellingcode", "quantity_selling", "picklist"),
        *AUDIT,
    ),
    lookups=(
        lk("pricelevelid", "pricelevels", "price_list", CREATE),
        lk("productid", "products", "product", CREATE),
        lk("uomid", "uoms", "unit"),
        lk("discounttypeid", "discounttypes", "discount_list"),
    ),
)
DISCOUNTTYPE = Entity(
    "discounttype",
    "discounttypes",
    catalog.DiscountList,
    manager_writes=True,
    schema_name="DiscountType",
    attrs=(
        a("name", "name", "string"),
        a("isamounttype", "is_amount_type", "boolean", CREATE),
        a("description", "description", "memo"),
        *AUDIT,
    ),
    lookups=(lk("transactioncurrencyid", "transactioncurrencies", "currency"),),
)
DISCOUNT = Entity(
    "discount",
    "discounts",
    catalog.Discount,
    manager_writes=True,
    deletable=True,
    primary_name="discountid",
    attrs=(
        a("lowquantity", "begin_quantity", "decimal", places=5, minimum=0, maximum=MONEY_LIMIT),
        a("highquantity", "end_quantity", "decimal", places=5, minimum=0, maximum=MONEY_LIMIT),
        a("percentage", "percentage", "decimal", minimum=0, maximum=100),
        money("amount", "amount"),
        *AUDIT,
    ),
    lookups=(lk("discounttypeid", "discounttypes", "discount_list", CREATE),),
)

# --- customers ---------------------------------------------------------------------------------------
ACCOUNT = Entity(
    "account",
    "accounts",
    customers.Account,
    kind="customer",
    attrs=(
        a("name", "name", "string"),
        a("accountnumber", "account_number", "string"),
        a("emailaddress1", "email", "string"),
        a("telephone1", "phone", "string"),
        a("websiteurl", "website", "string"),
        *address("address1"),
        *address("address2"),
        *AUDIT,
    ),
    lookups=(
        lk("primarycontactid", "contacts", "primary_contact"),
        lk("defaultpricelevelid", "pricelevels", "default_price_list"),
        OWNER,
    ),
)
CONTACT = Entity(
    "contact",
    "contacts",
    customers.Contact,
    kind="customer",
    primary_name="fullname",
    attrs=(
        a("firstname", "first_name", "string"),
        a("lastname", "last_name", "string"),
        a("fullname", None, "string", READ, getter=lambda c: c.full_name),
        a("emailaddress1", "email", "string"),
        a("telephone1", "phone", "string"),
        a("jobtitle", "job_title", "string"),
        *address("address1"),
        *AUDIT,
    ),
    lookups=(
        Lookup("parentcustomerid", (Bind("parentcustomerid_account", "accounts", "account"),)),
        lk("defaultpricelevelid", "pricelevels", "default_price_list"),
        OWNER,
    ),
)

# --- users ---------------------------------------------------------------------------------------------
# Read only (WEBAPI.md: Owner): users are managed in the admin; the Web API names them for ownerid.
SYSTEMUSER = Entity(
    "systemuser",
    "systemusers",
    accounts.SystemUser,
    kind="readonly",
    updatable=False,
    primary_name="fullname",
    schema_name="SystemUser",
    attrs=(
        a("fullname", None, "string", READ, getter=lambda u: u.fullname),
        a("domainname", None, "string", READ, getter=lambda u: u.domainname, filter_field="user__username"),
        *AUDIT,
    ),
)


def close_activity(
    logical: str, set_name: str, model: type[models.Model], schema: str, closes: Lookup, *extra: Attr
) -> Entity:
    """quoteclose / opportunityclose / orderclose: the activity a close action stores, read-only."""
    return Entity(
        logical,
        set_name,
        model,
        kind="readonly",
        updatable=False,
        primary_name="subject",
        schema_name=schema,
        key_name="activityid",
        attrs=(
            a("subject", "subject", "string", READ),
            a("description", "description", "memo", READ),
            a("actualend", "actual_end", "date", READ),
            *extra,
            *AUDIT,
        ),
        lookups=(closes,),
    )


QUOTECLOSE = close_activity(
    "quoteclose", "quotecloses", sales.QuoteClose, "QuoteClose", lk("quoteid", "quotes", "quote", READ)
)
OPPORTUNITYCLOSE = close_activity(
    "opportunityclose",
    "opportunitycloses",
    sales.OpportunityClose,
    "OpportunityClose",
    lk("opportunityid", "opportunities", "opportunity", READ),
    money("actualrevenue", "actual_revenue", READ),
)
ORDERCLOSE = close_activity(
    "orderclose",
    "ordercloses",
    sales.OrderClose,
    "OrderClose",
    lk("salesorderid", "salesorders", "sales_order", READ),
)

# --- money (ours, SPEC §10) -----------------------------------------------------------------------
# invoicepayment: one payment received; POST records it through services.payment_record (Invoice Paid
# on an Active invoice, Add Payment on a Paid · Partial one). Never changed or deleted afterwards.
INVOICEPAYMENT = Entity(
    "invoicepayment",
    "invoicepayments",
    sales.Payment,
    kind="payment",
    updatable=False,
    primary_name="reference",
    schema_name="InvoicePayment",
    display="Invoice Payment",
    attrs=(
        money("amount", "amount", CREATE),
        money("amount_base", "amount_base", READ),
        a("paidon", "paid_on", "date", CREATE, label="Payment Date"),
        a("paymentmethodcode", "method", "picklist", CREATE, label="Payment Method"),
        a("reference", "reference", "string", CREATE),
        *AUDIT,
    ),
    lookups=(
        lk("invoiceid", "invoices", "invoice", CREATE),
        # Who recorded it: read only (a payment isn't assigned).
        OwnerLookup("ownerid", (Bind("ownerid", "systemusers", "owner"),), READ),
    ),
)


def _read_only(attrs: tuple[Attr, ...]) -> tuple[Attr, ...]:
    return tuple(replace(x, access=READ) for x in attrs)


def _read_only_lookup(lookup: Lookup) -> Lookup:
    return replace(lookup, access=READ)


# creditnote / creditnotedetail: issued by POST invoices(<id>)/Microsoft.Dynamics.CRM.CreateCreditNote,
# read only (a credit note is never edited).
CREDITNOTE = Entity(
    "creditnote",
    "creditnotes",
    sales.CreditNote,
    kind="readonly",
    updatable=False,
    etag_field="row_version",
    schema_name="CreditNote",
    display="Credit Note",
    attrs=(
        *_read_only(PRICED),
        *_read_only(SALES),
        a("creditnotenumber", "credit_note_number", "string", READ),
        a("creditdate", "credit_date", "date", READ, label="Credit Date"),
        a("reason", "reason", "memo", READ),
        *base_twins(sales.CreditNote),
    ),
    lookups=(
        *(_read_only_lookup(x) for x in PRICED_LOOKUPS if x is not OWNER),
        OwnerLookup("ownerid", (Bind("ownerid", "systemusers", "owner"),), READ),
        lk("invoiceid", "invoices", "invoice", READ),
    ),
    navs={"creditnote_details": "creditnotedetail"},
)
CREDITNOTEDETAIL = Entity(
    "creditnotedetail",
    "creditnotedetails",
    sales.CreditNoteDetail,
    kind="readonly",
    updatable=False,
    primary_name="productdescription",
    schema_name="CreditNoteDetail",
    display="Credit Note Product",
    attrs=_read_only(LINE),
    lookups=(
        *(_read_only_lookup(x) for x in LINE_LOOKUPS),
        lk("creditnoteid", "creditnotes", "credit_note", READ),
        lk("invoicedetailid", "invoicedetails", "invoice_detail", READ),
    ),
    parent="creditnoteid",
)

ENTITIES: tuple[Entity, ...] = (
    TRANSACTIONCURRENCY,
    ACCOUNT,
    CONTACT,
    UOMSCHEDULE,
    UOM,
    PRODUCT,
    PRICELEVEL,
    PRODUCTPRICELEVEL,
    DISCOUNTTYPE,
    DISCOUNT,
    OPPORTUNITY,
    OPPORTUNITYPRODUCT,
    QUOTE,
    QUOTEDETAIL,
    SALESORDER,
    SALESORDERDETAIL,
    INVOICE,
    INVOICEDETAIL,
    QUOTECLOSE,
    OPPORTUNITYCLOSE,
    ORDERCLOSE,
    SYSTEMUSER,
    INVOICEPAYMENT,
    CREDITNOTE,
    CREDITNOTEDETAIL,
)
BY_SET = {e.set_name: e for e in ENTITIES}
BY_LOGICAL = {e.logical: e for e in ENTITIES}
BY_MODEL = {e.model: e for e in ENTITIES}

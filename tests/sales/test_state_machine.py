"""Random quote-to-cash sessions through the services, the Web API, the screens and the admin.

A hypothesis state machine edits the catalog under open documents (a price changes, an item is
deleted, a product retired, a current cost cleared), creates and converts documents, gets products,
locks and unlocks pricing, takes payments, sends email and views documents (which reprices them
lazily). A rule the domain refuses (DomainError, or a 400/409 from the API) is fine; anything else
a user would see as an error page is a failure. After every step:

(a) every document opens: its screen (as a salesperson), its Web API record and, for invoices, the
    print preview answer 200 — checked inside a savepoint that is rolled back, so looking does not
    reprice anything the next step relies on;
(b) stored totals equal the totals recomputed from the stored lines with salesapp.pricing;
(c) a frozen document's (locked, or read-only) lines never change their price per unit;
(d) no retired product is on a line created after it was retired;
(e) quote, order and invoice numbers are gapless (1..n per document type);
(f) once viewed, an open unlocked document shows the catalog's current price on every default-priced
    catalog line, or (when the catalog can't price it any more) keeps a price and carries a
    pricing error code (SPEC §3.6, §6).

Issuing actions (Activate, Create Order / Invoice, Invoice Paid, Send by Email) on an open, unlocked
document whose catalog can't price a line must be refused; conversions reprice their source first.

    SALESAPP_STATE_MACHINE_EXAMPLES=200 .venv/bin/pytest -q tests/sales/test_state_machine.py
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from django.forms.models import model_to_dict
from django.test import Client
from hypothesis import HealthCheck, note, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from salesapp import pricing
from salesapp.catalog import services as catalog
from salesapp.catalog.models import PriceList, PriceListItem, Product, ProductState
from salesapp.core.exceptions import DomainError
from salesapp.core.models import OrganizationSettings
from salesapp.customers.models import Account
from salesapp.documents import services as documents
from salesapp.reporting import store
from salesapp.sales import figures, services
from salesapp.sales.models import LINE_MODELS, Invoice, Opportunity, PricedDocument, Quote, SalesOrder
from salesapp.sales.states import InvoiceState, InvoiceStatus
from tests import factories
from tests.api.conftest import Api, token_for

EXAMPLES = int(os.environ.get("SALESAPP_STATE_MACHINE_EXAMPLES", "60"))
STEPS = int(os.environ.get("SALESAPP_STATE_MACHINE_STEPS", "25"))
MAX_DOCUMENTS = 7

MODELS: dict[str, type[PricedDocument]] = {
    "opportunity": Opportunity,
    "quote": Quote,
    "order": SalesOrder,
    "invoice": Invoice,
}
SCREEN_PATH = {Opportunity: "opportunities", Quote: "quotes", SalesOrder: "orders", Invoice: "invoices"}
API_SET = {Opportunity: "opportunities", Quote: "quotes", SalesOrder: "salesorders", Invoice: "invoices"}
API_LINE_SET = {
    Opportunity: "opportunityproducts",
    Quote: "quotedetails",
    SalesOrder: "salesorderdetails",
    Invoice: "invoicedetails",
}
API_PARENT = {
    Opportunity: "opportunityid",
    Quote: "quoteid",
    SalesOrder: "salesorderid",
    Invoice: "invoiceid",
}
API_NAV = {
    Opportunity: "product_opportunities",
    Quote: "quote_details",
    SalesOrder: "order_details",
    Invoice: "invoice_details",
}
NUMBER_FIELD = {Quote: "quote_number", SalesOrder: "order_number", Invoice: "invoice_number"}

# The catalog every example starts from: two currency-amount items and one "markup on current cost".
PRODUCTS = (
    ("Widget", pricing.PricingMethod.CURRENCY_AMOUNT, Decimal("100.00"), None),
    ("Gadget", pricing.PricingMethod.CURRENCY_AMOUNT, Decimal("40.00"), None),
    ("Service hour", pricing.PricingMethod.MARKUP_CURRENT_COST, None, Decimal("20")),
)
WRITE_IN = len(PRODUCTS)  # a product index meaning "a write-in line"

indexes = st.integers(min_value=0, max_value=30)
products = st.integers(min_value=0, max_value=len(PRODUCTS) - 1)
line_specs = st.tuples(st.integers(min_value=0, max_value=WRITE_IN), st.integers(min_value=1, max_value=4))


class HttpError(AssertionError):
    """The user would have seen an error page (HTTP 500) or an unexpected status."""


@dataclass
class World:
    """Rows every example shares (created once per test, outside the examples' savepoints)."""

    rep: User
    boss: User
    price_list_id: Any
    account_id: Any
    product_ids: list[Any]
    rep_screen: Client
    boss_screen: Client
    admin: Client
    api: Api

    @classmethod
    def build(cls) -> World:
        usd = factories.CurrencyFactory()
        org = OrganizationSettings.load()
        org.default_currency = usd
        org.seller_name = "Contoso Ltd"
        org.save()
        rep, boss = factories.salesperson(), factories.manager()
        superuser = User.objects.create_superuser("root", "root@example.com", "pw-salesapp-123")
        price_list = factories.PriceListFactory(currency=usd)
        product_ids = []
        for name, method, amount, percentage in PRODUCTS:
            product = factories.ProductFactory(name=name, current_cost=Decimal("70.00"))
            factories.PriceListItemFactory(
                price_list=price_list,
                product=product,
                pricing_method=method,
                amount=amount,
                percentage=percentage,
            )
            product_ids.append(product.pk)
        account = factories.AccountFactory(default_price_list=price_list)
        clients = []
        for user in (rep, boss, superuser):
            client = Client()
            client.force_login(user)
            clients.append(client)
        return cls(rep, boss, price_list.pk, account.pk, product_ids, *clients, Api(token_for(boss)))


def catalog_price(document: PricedDocument, line: Any, places: int) -> Decimal | None:
    """What the catalog prices this line at now, with the pure pricing package; None if it can't."""
    item = (
        PriceListItem.objects.filter(
            price_list_id=document.price_list_id, product_id=line.product_id, unit_id=line.unit_id
        )
        .select_related("product")
        .first()
    )
    if item is None:
        return None
    product = item.product
    try:
        return pricing.price_from_item(
            method=pricing.PricingMethod(item.pricing_method),
            amount=item.amount,
            percentage=item.percentage,
            list_price=product.list_price,
            current_cost=product.current_cost,
            standard_cost=product.standard_cost,
            rounding_policy=pricing.RoundingPolicy(item.rounding_policy),
            rounding_option=pricing.RoundingOption(item.rounding_option) if item.rounding_option else None,
            rounding_amount=item.rounding_amount,
            precision=places,
        )
    except pricing.PricingError:
        return None


def lines_of(document: PricedDocument) -> list[Any]:
    model = LINE_MODELS[type(document)]
    return list(
        model.objects.filter(**{model.parent_field: document})
        .select_related("product")
        .order_by("sequence", "created_on")
    )


def repriced_by_viewing(document: PricedDocument) -> bool:
    """SPEC §6: open (editable) and unlocked documents reprice when viewed or converted."""
    return document.is_editable and not document.is_price_locked and document.price_list_id is not None


def expected_totals(document: PricedDocument, lines: list[Any]) -> dict[str, Decimal]:
    """SPEC §3.4 from the stored lines, through salesapp.pricing (pre-freight may be below zero now)."""
    org = OrganizationSettings.load()
    method = pricing.DiscountMethod(org.discount_calculation)
    places = document.currency.precision
    inputs = [
        pricing.LineInput(
            price_per_unit=Decimal(x.price_per_unit),
            quantity=Decimal(x.quantity),
            volume_discount=Decimal(x.volume_discount),
            manual_discount=Decimal(x.manual_discount),
            tax=Decimal(x.tax),
        )
        for x in lines
    ]
    header = pricing.HeaderInput(
        discount_percentage=Decimal(document.discount_percentage),
        discount_amount=Decimal(document.discount_amount),
        freight_amount=Decimal(document.freight_amount),
    )
    line_totals = [pricing.line_totals(x, method=method, money_places=places) for x in inputs]
    out: dict[str, Decimal] = {}
    for n, (line, totals) in enumerate(zip(lines, line_totals, strict=True)):
        out[f"line {n + 1} ({line.product_name}) amount"] = totals.amount
        out[f"line {n + 1} ({line.product_name}) extended_amount"] = totals.extended_amount
    try:
        doc = pricing.document_totals(inputs, header, method=method, money_places=places)
        detail, percent = doc.detail_amount, doc.header_percent_discount
        pre_freight, tax, total = doc.pre_freight_amount, doc.total_tax, doc.total_amount
    except (
        pricing.PricingError
    ):  # a header discount larger than the lines: a pricing error now, not a refusal
        q = lambda v: pricing.round_half_up(v, places)  # noqa: E731
        detail = q(sum((t.amount - t.line_discount for t in line_totals), Decimal(0)))
        percent = q(detail * header.discount_percentage / 100)
        pre_freight = q(detail - percent - q(header.discount_amount))
        tax = q(sum((q(x.tax) for x in inputs), Decimal(0)))
        total = q(pre_freight + q(header.freight_amount) + tax)
    out.update(
        {
            "total_line_item_amount": detail,
            "header_percent_discount_amount": percent,
            "total_amount_less_freight": pre_freight,
            "total_tax": tax,
            "total_amount": total,
        }
    )
    return out


class QuoteToCash(RuleBasedStateMachine):
    world: World  # set by the test before running

    def __init__(self) -> None:
        super().__init__()
        # Each example runs in a savepoint rolled back in teardown: examples never see each other.
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.known: dict[type[PricedDocument], list[Any]] = {model: [] for model in MODELS.values()}
        self.frozen_prices: dict[Any, Decimal] = {}  # line pk -> price per unit while frozen
        self.lines_before_retirement: set[tuple[str, Any]] = set()

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    # --- helpers ----------------------------------------------------------------------------------

    @property
    def rep(self) -> User:
        return self.world.rep

    def product(self, index: int) -> Product:
        return Product.objects.get(pk=self.world.product_ids[index])

    def item(self, index: int) -> PriceListItem | None:
        return PriceListItem.objects.filter(
            price_list_id=self.world.price_list_id, product_id=self.world.product_ids[index]
        ).first()

    def account(self) -> Account:
        return Account.objects.get(pk=self.world.account_id)

    def doc(self, model: type[PricedDocument], index: int) -> PricedDocument | None:
        pks = self.known[model]
        return model.objects.get(pk=pks[index % len(pks)]) if pks else None

    def count_documents(self) -> int:
        return sum(model.objects.count() for model in MODELS.values())

    def counts(self) -> dict[str, int]:
        return {model.__name__: model.objects.count() for model in MODELS.values()}

    def sync(self) -> None:
        """Learn the documents created by the last step (in creation order)."""
        for model, pks in self.known.items():
            new = model.objects.exclude(pk__in=pks).order_by("created_on").values_list("pk", flat=True)
            pks.extend(new)

    def attempt(self, what: str, call: Any) -> Any:
        """Run a service; a DomainError is the domain refusing (fine), anything else propagates."""
        try:
            return call()
        except DomainError as exc:
            note(f"{what}: refused ({exc.message})")
            return None

    def api(self, method: str, path: str, body: Any = None, ok: tuple[int, ...] = (200, 201, 204)) -> Any:
        try:
            reply = self.world.api.call(method, path, body)
        except Exception as exc:  # the test client re-raises what would have been a 500
            raise HttpError(f"{method} {path} crashed (HTTP 500): {type(exc).__name__}: {exc}") from exc
        if reply.status in ok:
            return reply
        if reply.status in (400, 409):
            note(f"{method} {path}: refused ({reply.error})")
            return None
        raise HttpError(f"{method} {path} answered {reply.status}: {reply.body!r:.300}")

    def screen(self, client: Client, method: str, url: str, data: Any = None) -> Any:
        try:
            response = client.post(url, data or {}) if method == "POST" else client.get(url)
        except Exception as exc:
            raise HttpError(f"{method} {url} crashed (HTTP 500): {type(exc).__name__}: {exc}") from exc
        if response.status_code >= 500:
            raise HttpError(f"{method} {url} answered {response.status_code}")
        return response

    def line_kwargs(self, spec: tuple[int, int]) -> dict[str, Any]:
        product, quantity = spec
        if product == WRITE_IN:
            return {
                "write_in_name": "Installation",
                "price_per_unit": Decimal("50.00"),
                "quantity": Decimal(quantity),
            }
        return {"product": self.product(product), "quantity": Decimal(quantity)}

    def line_body(self, spec: tuple[int, int]) -> dict[str, Any]:
        product, quantity = spec
        if product == WRITE_IN:
            return {
                "isproductoverridden": True,
                "productdescription": "Installation",
                "priceperunit": Decimal("50.00"),
                "quantity": Decimal(quantity),
            }
        return {
            "productid@odata.bind": f"/products({self.world.product_ids[product]})",
            "quantity": Decimal(quantity),
        }

    def unpriceable(self, document: PricedDocument) -> list[str]:
        """Default-priced catalog lines the catalog can no longer price (only open, unlocked documents
        reprice, so only they can have a pricing error)."""
        if not repriced_by_viewing(document):
            return []
        places = OrganizationSettings.load().pricing_precision
        return [
            x.product.name
            for x in lines_of(document)
            if x.product_id and not x.is_price_overridden and catalog_price(document, x, places) is None
        ]

    def retired_on(self, document: PricedDocument) -> list[str]:
        return [
            x.product.name
            for x in lines_of(document)
            if x.product_id and x.product.state != ProductState.ACTIVE
        ]

    def check_current_prices(self, document: PricedDocument, why: str) -> None:
        """Default-priced catalog lines carry what the catalog prices now (where it can)."""
        places = OrganizationSettings.load().pricing_precision
        for line in lines_of(document):
            if line.product_id is None or line.is_price_overridden:
                continue
            expected = catalog_price(document, line, places)
            if expected is not None:
                assert line.price_per_unit == expected, (
                    f"{why}: {document.display_name} line {line.product.name} is priced "
                    f"{line.price_per_unit}, the price list says {expected} (a stale price)"
                )

    def must_refuse(self, action: str, document: PricedDocument, done: bool, unpriceable: list[str]) -> None:
        assert not (done and unpriceable), (
            f"{action} was accepted on {document.display_name} although the catalog can't price "
            f"{', '.join(unpriceable)} (a pricing error must block issuing, SPEC §3.6)"
        )

    # --- catalog ----------------------------------------------------------------------------------

    @rule(
        product=products,
        value=st.sampled_from(["5.00", "80.00", "100.00", "120.00"]),
        via=st.sampled_from(["service", "api", "admin"]),
    )
    def change_price(self, product: int, value: str, via: str) -> None:
        item = self.item(product)
        if item is None:
            return
        is_amount = item.pricing_method == pricing.PricingMethod.CURRENCY_AMOUNT
        change = {"amount": Decimal(value)} if is_amount else {"percentage": Decimal(value) / 4}
        if via == "service":
            self.attempt(
                "change price", lambda: catalog.price_list_item_save(item=item, by=self.world.boss, **change)
            )
        elif via == "api":
            body = {"amount": change["amount"]} if is_amount else {"percentage": change["percentage"]}
            self.api("PATCH", f"productpricelevels({item.pk})", body)
        else:
            self.admin_post(item, change)

    def admin_post(self, obj: Any, changes: dict[str, Any]) -> None:
        meta = obj._meta
        url = f"/admin/{meta.app_label}/{meta.model_name}/{obj.pk}/change/"
        data = {k: ("" if v is None else v) for k, v in model_to_dict(obj).items()}
        data.update({k: ("" if v is None else v) for k, v in changes.items()})
        data["_save"] = "Save"
        response = self.screen(self.world.admin, "POST", url, data)
        assert response.status_code in (200, 302, 403), f"admin POST {url} answered {response.status_code}"

    @rule(product=products, via=st.sampled_from(["service", "api"]))
    def delete_item(self, product: int, via: str) -> None:
        item = self.item(product)
        if item is None:
            return
        if via == "service":
            self.attempt("delete item", lambda: catalog.price_list_item_delete(item=item, by=self.world.boss))
        else:
            self.api("DELETE", f"productpricelevels({item.pk})")

    @rule(product=products)
    def restore_item(self, product: int) -> None:
        if self.item(product) is not None:
            return
        _, method, amount, percentage = PRODUCTS[product]
        p = self.product(product)
        self.attempt(
            "restore item",
            lambda: catalog.price_list_item_save(
                item=PriceListItem(price_list=PriceList.objects.get(pk=self.world.price_list_id), product=p),
                by=self.world.boss,
                unit=p.default_unit,
                pricing_method=method,
                amount=amount,
                percentage=percentage,
            ),
        )

    @rule(product=products, via=st.sampled_from(["service", "api"]))
    def retire_product(self, product: int, via: str) -> None:
        p = self.product(product)
        if p.state != ProductState.ACTIVE:
            return
        if via == "service":
            self.attempt(
                "retire",
                lambda: catalog.product_set_state(product=p, state=ProductState.RETIRED, by=self.world.boss),
            )
        else:
            self.api("PATCH", f"products({p.pk})", {"statecode": 1, "statuscode": 2})
        if Product.objects.get(pk=p.pk).state != ProductState.ACTIVE:
            for model, line_model in LINE_MODELS.items():
                for pk in line_model.objects.filter(product_id=p.pk).values_list("pk", flat=True):
                    self.lines_before_retirement.add((model.__name__, pk))

    @rule(via=st.sampled_from(["service", "admin"]))
    def clear_current_cost(self, via: str) -> None:
        p = self.product(2)  # the markup-on-current-cost product
        if p.current_cost is None:
            return
        if via == "service":
            self.attempt(
                "clear cost", lambda: catalog.product_save(product=p, by=self.world.boss, current_cost=None)
            )
        else:
            self.admin_post(p, {"current_cost": None})

    @rule()
    def restore_current_cost(self) -> None:
        p = self.product(2)
        if p.current_cost is None:
            self.attempt(
                "restore cost",
                lambda: catalog.product_save(product=p, by=self.world.boss, current_cost=Decimal("70.00")),
            )

    # --- documents --------------------------------------------------------------------------------

    @precondition(lambda self: self.count_documents() < MAX_DOCUMENTS)
    @rule(
        kind=st.sampled_from(list(MODELS)),
        lines=st.lists(line_specs, max_size=3),
        via=st.sampled_from(["service", "api"]),
    )
    def create_document(self, kind: str, lines: list[tuple[int, int]], via: str) -> None:
        model = MODELS[kind]
        if via == "service":
            doc = self.attempt(
                "create",
                lambda: services.document_create(
                    model, by=self.rep, customer=self.account(), name=f"New {kind}"
                ),
            )
            for spec in lines if doc else []:
                self.attempt(
                    "add line",
                    lambda spec=spec: services.line_add(document=doc, by=self.rep, **self.line_kwargs(spec)),
                )
            return
        before = self.counts()
        body = {
            "name": f"New {kind} (API)",
            "customerid_account@odata.bind": f"/accounts({self.world.account_id})",
            API_NAV[model]: [self.line_body(spec) for spec in lines],
        }
        if self.api("POST", API_SET[model], body) is None:
            assert self.counts() == before, "a refused deep insert left a partial write behind"

    @rule(
        kind=st.sampled_from(list(MODELS)),
        index=indexes,
        spec=line_specs,
        via=st.sampled_from(["service", "api"]),
    )
    def add_line(self, kind: str, index: int, spec: tuple[int, int], via: str) -> None:
        doc = self.doc(MODELS[kind], index)
        if doc is None:
            return
        if via == "service":
            self.attempt(
                "add line", lambda: services.line_add(document=doc, by=self.rep, **self.line_kwargs(spec))
            )
        else:
            body = {
                **self.line_body(spec),
                f"{API_PARENT[type(doc)]}@odata.bind": f"/{API_SET[type(doc)]}({doc.pk})",
            }
            self.api("POST", API_LINE_SET[type(doc)], body)

    @rule(kind=st.sampled_from(list(MODELS)), index=indexes, line=indexes, quantity=st.integers(1, 6))
    def change_quantity(self, kind: str, index: int, line: int, quantity: int) -> None:
        doc = self.doc(MODELS[kind], index)
        lines = lines_of(doc) if doc else []
        if lines:
            target = lines[line % len(lines)]
            self.attempt(
                "change quantity",
                lambda: services.line_update(line=target, by=self.rep, quantity=Decimal(quantity)),
            )

    @rule(kind=st.sampled_from(list(MODELS)), index=indexes, line=indexes)
    def delete_line(self, kind: str, index: int, line: int) -> None:
        doc = self.doc(MODELS[kind], index)
        lines = lines_of(doc) if doc else []
        if lines:
            target = lines[line % len(lines)]
            self.attempt("delete line", lambda: services.line_delete(line=target, by=self.rep))

    @rule(
        kind=st.sampled_from(list(MODELS)),
        index=indexes,
        amount=st.sampled_from(["0.00", "10.00", "500.00"]),
        via=st.sampled_from(["service", "api"]),
    )
    def header_discount(self, kind: str, index: int, amount: str, via: str) -> None:
        doc = self.doc(MODELS[kind], index)
        if doc is None:
            return
        if via == "service":
            self.attempt(
                "header discount",
                lambda: services.document_update(doc, by=self.rep, discount_amount=Decimal(amount)),
            )
        else:
            self.api("PATCH", f"{API_SET[type(doc)]}({doc.pk})", {"discountamount": Decimal(amount)})

    @rule(
        index=indexes,
        into=st.sampled_from(["quote", "order", "invoice"]),
        via=st.sampled_from(["service", "api"]),
    )
    def generate_from_opportunity(self, index: int, into: str, via: str) -> None:
        opp = self.doc(Opportunity, index)
        if opp is None:
            return
        unpriceable, retired = self.unpriceable(opp), self.retired_on(opp)
        before = self.counts()
        model = MODELS[into]
        if via == "service":
            service = {
                "quote": services.opportunity_generate_quote,
                "order": services.opportunity_generate_order,
                "invoice": services.opportunity_generate_invoice,
            }[into]
            created = self.attempt("generate", lambda: service(opportunity=opp, by=self.rep))
        else:
            action = {"quote": "Quote", "order": "SalesOrder", "invoice": "Invoice"}[into]
            reply = self.api(
                "POST",
                f"Generate{action}FromOpportunity",
                {"OpportunityId": str(opp.pk), "ColumnSet": {"AllColumns": True}},
            )
            key = {"quote": "quoteid", "order": "salesorderid", "invoice": "invoiceid"}[into]
            created = None if reply is None else model.objects.get(pk=reply.body[key])
        if created is None:
            assert self.counts() == before, "a refused Generate left a document behind"
            return
        assert not retired, f"Generate {into} copied the retired product(s) {retired} (SPEC §5)"
        if into != "quote":
            self.must_refuse(f"Generate {into} from the opportunity", opp, True, unpriceable)
        self.check_current_prices(
            model.objects.get(pk=created.pk), f"Generate {into} (a conversion reprices its source first)"
        )

    @rule(index=indexes, via=st.sampled_from(["service", "api"]))
    def activate_quote(self, index: int, via: str) -> None:
        quote = self.doc(Quote, index)
        if quote is None:
            return
        unpriceable = self.unpriceable(quote)
        if via == "service":
            self.attempt("activate", lambda: services.quote_activate(quote=quote, by=self.rep))
        else:
            self.api("PATCH", f"quotes({quote.pk})", {"statecode": 1})
        fresh = Quote.objects.get(pk=quote.pk)
        done = fresh.state != quote.state
        self.must_refuse("Activate", quote, done, unpriceable)
        if done and repriced_by_viewing(quote):
            self.check_current_prices(fresh, "Activate froze the draft quote")

    @rule(index=indexes, into=st.sampled_from(["order", "invoice"]), via=st.sampled_from(["service", "api"]))
    def convert_quote(self, index: int, into: str, via: str) -> None:
        quote = self.doc(Quote, index)
        if quote is None:
            return
        if via == "api" and into == "order":
            self.api(
                "POST",
                "ConvertQuoteToSalesOrder",
                {"QuoteId": str(quote.pk), "ColumnSet": {"AllColumns": True}},
            )
        else:
            service = services.quote_create_order if into == "order" else services.quote_create_invoice
            self.attempt(f"quote → {into}", lambda: service(quote=quote, by=self.rep))

    @rule(index=indexes, via=st.sampled_from(["service", "api", "screen"]))
    def order_to_invoice(self, index: int, via: str) -> None:
        order = self.doc(SalesOrder, index)
        if order is None:
            return
        unpriceable, reprices = self.unpriceable(order), repriced_by_viewing(order)
        before = Invoice.objects.count()
        if via == "service":
            self.attempt("order → invoice", lambda: services.order_create_invoice(order=order, by=self.rep))
        elif via == "api":
            self.api(
                "POST",
                "ConvertSalesOrderToInvoice",
                {"SalesOrderId": str(order.pk), "ColumnSet": {"AllColumns": True}},
            )
        else:
            url = f"/orders/{order.pk}/create-invoice/"
            self.screen(self.world.rep_screen, "POST", url, {"create-invoice-row_version": order.row_version})
        created = Invoice.objects.filter(sales_order=order).first()
        done = created is not None and Invoice.objects.count() > before
        self.must_refuse("Create Invoice (order)", order, done, unpriceable)
        if done and reprices:
            self.check_current_prices(created, "Create Invoice froze the unlocked order's stale price")

    @rule(
        kind=st.sampled_from(["quote", "order", "invoice"]),
        index=indexes,
        opp=indexes,
        via=st.sampled_from(["service", "api"]),
    )
    def get_products(self, kind: str, index: int, opp: int, via: str) -> None:
        doc, source = self.doc(MODELS[kind], index), self.doc(Opportunity, opp)
        if doc is None or source is None:
            return
        if via == "service":
            self.attempt(
                "get products", lambda: services.get_products(document=doc, opportunity=source, by=self.rep)
            )
        else:
            action = {
                "quote": "GetQuoteProductsFromOpportunity",
                "order": "GetSalesOrderProductsFromOpportunity",
                "invoice": "GetInvoiceProductsFromOpportunity",
            }[kind]
            self.api(
                "POST",
                f"{API_SET[type(doc)]}({doc.pk})/Microsoft.Dynamics.CRM.{action}",
                {"Opportunity": {"opportunityid": str(source.pk)}},
            )

    @rule(
        kind=st.sampled_from(["order", "invoice"]),
        index=indexes,
        lock=st.booleans(),
        via=st.sampled_from(["service", "api"]),
    )
    def lock_or_unlock(self, kind: str, index: int, lock: bool, via: str) -> None:
        doc = self.doc(MODELS[kind], index)
        if doc is None:
            return
        if via == "service":
            service = services.lock_pricing if lock else services.use_current_pricing
            self.attempt("lock/unlock", lambda: service(document=doc, by=self.rep))
            return
        entity = "SalesOrder" if kind == "order" else "Invoice"
        if lock:
            self.api("POST", f"{API_SET[type(doc)]}({doc.pk})/Microsoft.Dynamics.CRM.Lock{entity}Pricing", {})
        else:
            self.api("POST", f"Unlock{entity}Pricing", {f"{entity}Id": str(doc.pk)})

    @rule(
        index=indexes,
        complete=st.booleans(),
        typed=st.sampled_from(["none", "total", "one", "total+1"]),
        via=st.sampled_from(["service", "api", "screen"]),
    )
    def invoice_paid(self, index: int, complete: bool, typed: str, via: str) -> None:
        invoice = self.doc(Invoice, index)
        if invoice is None:
            return
        unpriceable = self.unpriceable(invoice)
        total = invoice.total_amount
        amount = {"none": None, "total": total, "one": Decimal("1.00"), "total+1": total + 1}[typed]
        status = InvoiceStatus.COMPLETE if complete else InvoiceStatus.PARTIAL
        if via == "service":
            self.attempt(
                "invoice paid",
                lambda: services.invoice_mark_paid(
                    invoice=invoice, by=self.world.boss, status=status, amount=amount
                ),
            )
        elif via == "api":
            body: dict[str, Any] = {"statecode": 2, "statuscode": int(status)}
            if amount is not None:
                body["amountpaid"] = amount
            self.api("PATCH", f"invoices({invoice.pk})", body)
        else:
            data = {"paid-row_version": invoice.row_version, "paid-status": int(status)}
            if amount is not None:
                data["paid-amount"] = str(amount)
            self.screen(self.world.boss_screen, "POST", f"/invoices/{invoice.pk}/paid/", data)
        fresh = Invoice.objects.get(pk=invoice.pk)
        done = fresh.state == InvoiceState.PAID and invoice.state != InvoiceState.PAID
        self.must_refuse("Invoice Paid", invoice, done, unpriceable)
        if done and fresh.status == InvoiceStatus.COMPLETE and amount is not None:
            assert amount == fresh.amount_paid, (
                f"Invoice Paid · Complete with the amount {amount} was accepted ({via}) and recorded "
                f"{fresh.amount_paid}: an amount that differs from the total must be refused"
            )

    @rule(index=indexes)
    def send_by_email(self, index: int) -> None:
        invoice = self.doc(Invoice, index)
        if invoice is None:
            return
        unpriceable = self.unpriceable(invoice)
        delivery = self.attempt(
            "send by email",
            lambda: documents.delivery_queue(
                invoice=invoice, by=self.rep, to="billing@customer.example", subject="Your invoice"
            ),
        )
        self.must_refuse("Send by Email", invoice, delivery is not None, unpriceable)

    @rule(kind=st.sampled_from(list(MODELS)), index=indexes, via=st.sampled_from(["screen", "api"]))
    def view(self, kind: str, index: int, via: str) -> None:
        """Looking at a document (for real: an open unlocked one reprices)."""
        doc = self.doc(MODELS[kind], index)
        if doc is None:
            return
        if via == "screen":
            response = self.screen(self.world.rep_screen, "GET", f"/{SCREEN_PATH[type(doc)]}/{doc.pk}/")
            assert response.status_code == 200, f"{doc.display_name}: screen answered {response.status_code}"
        else:
            self.api("GET", f"{API_SET[type(doc)]}({doc.pk})", ok=(200,))

    # --- invariants -------------------------------------------------------------------------------

    def documents(self) -> list[PricedDocument]:
        return [model.objects.get(pk=pk) for model, pks in self.known.items() for pk in pks]

    @invariant()
    def invariants_hold(self) -> None:
        self.sync()
        docs = self.documents()
        self.numbers_are_gapless()
        for doc in docs:
            self.totals_add_up(doc)
            self.frozen_prices_stay(doc)
        self.no_retired_product_entered()
        # the dashboard's summary table, kept by the services, equals a recomputation
        assert store.snapshot() == store.summed(figures.all_figures())
        with transaction.atomic():  # look, then forget: viewing reprices, the next step must not see it
            for doc in docs:
                self.opens_everywhere(doc)
            for doc in docs:
                self.shows_current_prices(type(doc).objects.get(pk=doc.pk))
            transaction.set_rollback(True)

    def numbers_are_gapless(self) -> None:
        for model, field in NUMBER_FIELD.items():
            numbers = sorted(
                {int(re.search(r"(\d+)$", n)[1]) for n in model.objects.values_list(field, flat=True)}
            )
            assert numbers == list(range(1, len(numbers) + 1)), (
                f"{model.__name__} numbers have gaps: {numbers}"
            )

    def totals_add_up(self, doc: PricedDocument) -> None:
        lines = lines_of(doc)
        expected = expected_totals(doc, lines)
        stored: dict[str, Decimal] = {}
        for n, line in enumerate(lines):
            stored[f"line {n + 1} ({line.product_name}) amount"] = line.amount
            stored[f"line {n + 1} ({line.product_name}) extended_amount"] = line.extended_amount
        for name in (
            "total_line_item_amount",
            "header_percent_discount_amount",
            "total_amount_less_freight",
            "total_tax",
            "total_amount",
        ):
            stored[name] = getattr(doc, name)
        wrong = {k: (stored[k], v) for k, v in expected.items() if stored[k] != v}
        assert not wrong, (
            f"{doc.display_name}: stored totals differ from the lines (stored, recomputed): {wrong}"
        )

    def frozen_prices_stay(self, doc: PricedDocument) -> None:
        frozen = doc.is_price_locked or not doc.is_editable
        for line in lines_of(doc):
            if not frozen:
                self.frozen_prices.pop(line.pk, None)
            elif line.pk in self.frozen_prices:
                assert line.price_per_unit == self.frozen_prices[line.pk], (
                    f"{doc.display_name} is {'locked' if doc.is_price_locked else doc.state_label}, yet "
                    f"{line.product_name} moved from {self.frozen_prices[line.pk]} to {line.price_per_unit}"
                )
            else:
                self.frozen_prices[line.pk] = line.price_per_unit

    def no_retired_product_entered(self) -> None:
        for model, line_model in LINE_MODELS.items():
            for line in (
                line_model.objects.exclude(product__state=ProductState.ACTIVE)
                .exclude(product=None)
                .select_related("product")
            ):
                assert (model.__name__, line.pk) in self.lines_before_retirement, (
                    f"the retired product {line.product.name} entered a {model.__name__} after it was retired"
                )

    def opens_everywhere(self, doc: PricedDocument) -> None:
        url = f"/{SCREEN_PATH[type(doc)]}/{doc.pk}/"
        response = self.screen(self.world.rep_screen, "GET", url)
        assert response.status_code == 200, f"{doc.display_name}: the screen answered {response.status_code}"
        self.api("GET", f"{API_SET[type(doc)]}({doc.pk})", ok=(200,))
        if isinstance(doc, Invoice):
            response = self.screen(self.world.rep_screen, "GET", f"/documents/invoices/{doc.pk}/print/")
            assert response.status_code == 200, (
                f"{doc.display_name}: the print preview answered {response.status_code}"
            )

    def shows_current_prices(self, doc: PricedDocument) -> None:
        if not repriced_by_viewing(doc):
            return
        places = OrganizationSettings.load().pricing_precision
        first_error = 0
        for line in lines_of(doc):
            if line.product_id is None or line.is_price_overridden:
                continue
            expected = catalog_price(doc, line, places)
            code = getattr(line, "pricing_error_code", None)
            if expected is None:
                assert code, (
                    f"{doc.display_name}: the catalog can't price {line.product.name} any more, yet the line "
                    f"carries no pricing error code (got {code!r})"
                )
            else:
                assert line.price_per_unit == expected, (
                    f"{doc.display_name} was viewed but {line.product.name} still shows {line.price_per_unit}; "
                    f"the price list says {expected}"
                )
                if line.product.state == ProductState.ACTIVE and code is not None:
                    assert code == 0, (
                        f"{doc.display_name}: {line.product.name} is priced yet has error {code}"
                    )
            first_error = first_error or (code or 0)
        if hasattr(doc, "pricing_error_code"):
            expected_code = first_error or (35 if doc.total_amount_less_freight < 0 else 0)
            assert doc.pricing_error_code == expected_code, (
                f"{doc.display_name}: pricingerrorcode {doc.pricing_error_code}, expected {expected_code}"
            )


@pytest.mark.django_db
def test_quote_to_cash_state_machine() -> None:
    QuoteToCash.world = World.build()
    run_state_machine_as_test(
        QuoteToCash,
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=STEPS,
            deadline=None,
            suppress_health_check=[
                HealthCheck.too_slow,
                HealthCheck.filter_too_much,
                HealthCheck.data_too_large,
            ],
        ),
    )

"""One record of every kind, built through the services, and URL kwargs for every screen URL."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

from salesapp.catalog import services as catalog_services
from salesapp.catalog.models import Discount, DiscountList, PriceList, PriceListItem, Product, Unit, UnitGroup
from salesapp.customers.models import Account, Contact
from salesapp.sales import services
from salesapp.sales.models import CreditNote, Invoice, Note, Opportunity, Quote, SalesOrder
from tests import factories

EXCLUDED = ("admin/", "api/", "documents/", "profile/", "login/", "logout/")


def screen_urls(*, with_views: bool = False) -> list[tuple]:
    """(route, url name, converters[, view]) of every browser screen, read from the URL resolver."""
    out: list[tuple] = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for p in patterns:
            route = prefix + str(p.pattern)
            if route.startswith(EXCLUDED):
                continue
            if isinstance(p, URLResolver):
                walk(p.url_patterns, route)
            elif isinstance(p, URLPattern):
                entry = (route, p.name, dict(p.pattern.converters))
                out.append((*entry, p.callback) if with_views else entry)

    walk(get_resolver().url_patterns, "")
    return out


@dataclass
class World:
    account: Account
    contact: Contact
    product: Product
    price_list: PriceList
    item: PriceListItem
    unit_group: UnitGroup
    unit: Unit
    discount_list: DiscountList
    discount: Discount
    opportunity: Opportunity
    quote: Quote
    order: SalesOrder
    invoice: Invoice
    credit_note: CreditNote  # of a second invoice (the world's invoice stays Active and uncredited)
    note: Note  # on the invoice, by the salesperson

    def document(self, name: str) -> Any:
        for prefix, doc in (
            ("opportunity_", self.opportunity),
            ("quote_", self.quote),
            ("order_", self.order),
            ("invoice_", self.invoice),
            ("creditnote_", self.credit_note),
        ):
            if name.startswith(prefix):
                return doc
        return None

    def kwargs(self, name: str, converters: dict[str, Any]) -> dict[str, str]:
        """URL kwargs for a screen URL; fails for a URL this table doesn't know (so none is forgotten)."""
        doc = self.document(name)
        if doc is not None:
            owner = doc
            line = doc.lines.order_by("sequence").first()
            values = {"pk": owner.pk, "line_pk": line.pk if line else None}
        elif name.startswith("note_"):
            values = {"note_pk": self.note.pk}
        elif name.startswith("account_"):
            values = {"pk": self.account.pk}
        elif name.startswith("contact_"):
            values = {"pk": self.contact.pk}
        elif name.startswith("product_"):
            values = {"pk": self.product.pk}
        elif name.startswith("price_list"):
            values = {"pk": self.price_list.pk, "item_pk": self.item.pk}
        elif name.startswith("unit_"):
            values = {"pk": self.unit_group.pk, "unit_pk": self.unit.pk}
        elif name.startswith("currency_"):
            values = {"pk": self.price_list.currency_id}
        elif name.startswith("discount"):
            values = {"pk": self.discount_list.pk, "discount_pk": self.discount.pk}
        elif not converters:
            values = {}
        else:
            raise AssertionError(f"tests/web/world.py doesn't know how to fill the URL {name}")
        missing = set(converters) - {k for k, v in values.items() if v is not None}
        assert not missing, f"no value for {missing} in URL {name}"
        return {k: str(values[k]) for k in converters}


def build_world(rep: Any, account: Account, product: Product, price_list: PriceList) -> World:
    contact = factories.ContactFactory(account=account)
    item = PriceListItem.objects.get(price_list=price_list, product=product)
    group = product.unit_group
    unit = catalog_services.unit_create(group=group, name="Box", quantity=Decimal("12"))
    dl = catalog_services.discount_list_save(discount_list=DiscountList(), name="Volume")
    discount = catalog_services.discount_save(
        discount=Discount(discount_list=dl),
        begin_quantity=Decimal("10"),
        end_quantity=Decimal("100"),
        percentage=Decimal("5"),
    )
    opportunity = services.document_create(Opportunity, by=rep, customer=account, name="World deal")
    services.line_add(document=opportunity, by=rep, product=product, quantity=Decimal("2"))
    quote = services.opportunity_generate_quote(opportunity=opportunity, by=rep)
    order = services.opportunity_generate_order(opportunity=opportunity, by=rep)
    invoice = services.opportunity_generate_invoice(opportunity=opportunity, by=rep)
    credited = services.opportunity_generate_invoice(opportunity=opportunity, by=rep)
    credit_note = services.credit_note_create(
        invoice=credited, by=factories.manager("world-manager"), reason="World credit"
    )
    opportunity.refresh_from_db()
    note = services.note_add(document=invoice, by=rep, text="World note")
    return World(
        account,
        contact,
        product,
        price_list,
        item,
        group,
        unit,
        dl,
        discount,
        opportunity,
        quote,
        order,
        invoice,
        credit_note,
        note,
    )

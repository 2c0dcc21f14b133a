"""Builders for documents in a given state, all through the services."""

from decimal import Decimal

from salesapp.sales import services
from salesapp.sales.models import Invoice, Opportunity, Quote, SalesOrder


def add_products(document, user, product, *, lines: int = 1) -> None:
    for n in range(lines):
        services.line_add(document=document, by=user, product=product, quantity=Decimal(n % 5 + 1))


def opportunity_in(state: str, *, opportunity: Opportunity, user) -> Opportunity:
    if state == "won":
        return services.opportunity_win(opportunity=opportunity, by=user)
    if state == "lost":
        return services.opportunity_lose(opportunity=opportunity, by=user)
    return opportunity


def quote_in(state: str, *, opportunity: Opportunity, user) -> Quote:
    quote = services.opportunity_generate_quote(opportunity=opportunity, by=user)
    if state == "draft":
        return quote
    quote = services.quote_activate(quote=quote, by=user)
    if state == "won":
        return services.quote_win(quote=quote, by=user)
    if state == "closed":
        return services.quote_close(quote=quote, by=user)
    return quote


def order_in(state: str, *, opportunity: Opportunity, user) -> SalesOrder:
    order = services.opportunity_generate_order(opportunity=opportunity, by=user)
    if state == "fulfilled":
        return services.order_fulfill(order=order, by=user)
    if state == "canceled":
        return services.order_cancel(order=order, by=user)
    if state == "invoiced":
        services.order_create_invoice(order=order, by=user)
        order.refresh_from_db()
    return order


def invoice_in(state: str, *, opportunity: Opportunity, user) -> Invoice:
    invoice = services.opportunity_generate_invoice(opportunity=opportunity, by=user)
    if state == "paid":  # Paid · Partial: half paid, so Add Payment and credit notes can follow
        half = (invoice.balance_due / 2).quantize(invoice.balance_due)
        return services.invoice_mark_paid(invoice=invoice, by=user, status=100002, amount=half)
    if state == "canceled":
        return services.invoice_cancel(invoice=invoice, by=user)
    return invoice

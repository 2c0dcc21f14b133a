"""The command bar's commands: each changes state through its service and shows the result."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from salesapp.catalog import services as catalog_services
from salesapp.catalog.models import PriceListItem
from salesapp.sales.models import Invoice, Opportunity, Quote, SalesOrder, TimelineEvent
from salesapp.sales.states import (
    InvoiceState,
    InvoiceStatus,
    OpportunityState,
    OpportunityStatus,
    OrderState,
    OrderStatus,
    QuoteState,
    QuoteStatus,
)

pytestmark = pytest.mark.django_db


def post(client, name, doc, data=None, prefix=None, **extra):
    prefix = prefix or name.split("_", 1)[1].replace("_", "-")
    payload = {f"{prefix}-row_version": doc.row_version}
    payload.update({f"{prefix}-{k}": v for k, v in (data or {}).items()})
    return client.post(reverse(name, args=[doc.pk]), payload, **extra)


def shown(client, response) -> str:
    assert response.status_code == 302, response.status_code
    page = client.get(response["Location"])
    assert page.status_code == 200
    return page.content.decode()


def test_order_create_invoice_opens_the_new_invoice_populated_from_the_order(client, rep, order):
    client.force_login(rep)
    response = post(client, "order_create_invoice", order)
    invoice = Invoice.objects.get(sales_order=order)
    assert response["Location"] == reverse("invoice_detail", args=[invoice.pk])
    page = shown(client, response)
    assert order.customer.name in page and "Installation" in page
    assert f'data-testid="total_amount">{invoice.total_amount:,.2f}<' in page
    assert invoice.total_amount == order.total_amount == Decimal("255.00")
    order.refresh_from_db()
    assert order.state == OrderState.INVOICED


def test_opportunity_commands(client, rep, opportunity):
    client.force_login(rep)
    page = shown(client, post(client, "opportunity_create_quote", opportunity))
    quote = Quote.objects.get(opportunity=opportunity)
    assert quote.quote_number in page
    opportunity.refresh_from_db()
    response = post(
        client,
        "opportunity_close_as_lost",
        opportunity,
        {"status": OpportunityStatus.OUT_SOLD, "competitor": "Fabrikam", "close_date": "2026-01-02"},
    )
    assert "Opportunity closed as lost." in shown(client, response)
    opportunity.refresh_from_db()
    assert (opportunity.state, opportunity.status, opportunity.competitor) == (
        OpportunityState.LOST,
        OpportunityStatus.OUT_SOLD,
        "Fabrikam",
    )
    shown(client, post(client, "opportunity_reopen", opportunity))
    opportunity.refresh_from_db()
    response = post(client, "opportunity_close_as_won", opportunity, {"actual_revenue": "1234.50"})
    shown(client, response)
    opportunity.refresh_from_db()
    assert opportunity.state == OpportunityState.WON and opportunity.actual_revenue == Decimal("1234.50")
    # a won opportunity can still generate its order and invoice
    shown(client, post(client, "opportunity_create_order", opportunity))
    opportunity.refresh_from_db()
    shown(client, post(client, "opportunity_create_invoice", opportunity))
    assert SalesOrder.objects.filter(opportunity=opportunity).count() == 1
    assert Invoice.objects.filter(opportunity=opportunity).count() == 1


def test_quote_commands(client, rep, quote, opportunity):
    client.force_login(rep)
    shown(client, post(client, "quote_activate", quote))
    quote.refresh_from_db()
    assert quote.state == QuoteState.ACTIVE
    page = client.get(reverse("quote_detail", args=[quote.pk])).content.decode()
    assert 'data-command="revise"' in page and 'data-command="activate"' not in page
    assert 'data-testid="read-only"' in page
    response = post(client, "quote_revise", quote)
    draft = Quote.objects.get(revised_from=quote)
    assert response["Location"] == reverse("quote_detail", args=[draft.pk])
    assert draft.quote_number == quote.quote_number and draft.revision_number == 1
    shown(client, post(client, "quote_activate", draft))
    draft.refresh_from_db()
    response = post(client, "quote_create_invoice", draft, {"close_opportunity": "on"})
    invoice = Invoice.objects.get(quote=draft)
    assert response["Location"] == reverse("invoice_detail", args=[invoice.pk])
    draft.refresh_from_db()
    opportunity.refresh_from_db()
    assert draft.state == QuoteState.WON and opportunity.state == OpportunityState.WON
    assert invoice.prices_locked


def test_close_quote_with_lost_and_the_opportunity(client, rep, quote, opportunity):
    client.force_login(rep)
    shown(client, post(client, "quote_activate", quote))
    quote.refresh_from_db()
    shown(client, post(client, "quote_close", quote, {"status": QuoteStatus.LOST, "close_opportunity": "on"}))
    quote.refresh_from_db()
    opportunity.refresh_from_db()
    assert (quote.state, quote.status) == (QuoteState.CLOSED, QuoteStatus.LOST)
    assert opportunity.state == OpportunityState.LOST


def test_order_fulfill_and_manager_cancel(client, rep, boss, order, opportunity):
    client.force_login(rep)
    shown(
        client,
        post(client, "order_fulfill", order, {"status": OrderStatus.PARTIAL, "date_fulfilled": "2026-03-01"}),
    )
    order.refresh_from_db()
    assert (order.state, order.status, str(order.date_fulfilled)) == (
        OrderState.FULFILLED,
        OrderStatus.PARTIAL,
        "2026-03-01",
    )
    client.force_login(boss)
    response = post(client, "order_cancel", order, {"reason": "late"})
    assert "isn&#x27;t possible" in shown(client, response) or "isn't possible" in shown(client, response)
    order.refresh_from_db()
    assert order.state == OrderState.FULFILLED  # refused by the state: nothing changed
    other = Opportunity.objects.get(pk=opportunity.pk)
    from salesapp.sales import services

    fresh = services.opportunity_generate_order(opportunity=other, by=rep)
    shown(client, post(client, "order_cancel", fresh, {"reason": "No money", "canceled_on": "2026-02-02"}))
    fresh.refresh_from_db()
    assert fresh.state == OrderState.CANCELED and fresh.cancel_reason == "No money"


def test_get_products_lists_opportunities_of_the_same_customer_and_appends_them(
    client, rep, invoice, opportunity
):
    client.force_login(rep)
    page = client.get(reverse("invoice_detail", args=[invoice.pk])).content.decode()
    assert f'value="{opportunity.pk}"' in page
    before = invoice.lines.count()
    page = shown(client, post(client, "invoice_get_products", invoice, {"opportunity": opportunity.pk}))
    assert invoice.lines.count() == before + 2
    invoice.refresh_from_db()
    assert invoice.total_amount == Decimal("510.00")
    assert 'data-testid="total_amount">510.00<' in page


def test_lock_pricing_keeps_prices_and_use_current_pricing_follows_the_price_list(
    client, rep, boss, invoice, product
):
    client.force_login(rep)
    shown(client, post(client, "invoice_lock_pricing", invoice))
    item = PriceListItem.objects.get(product=product)
    catalog_services.price_list_item_save(item=item, by=boss, amount=Decimal("120.00"))
    page = client.get(reverse("invoice_detail", args=[invoice.pk])).content.decode()
    assert 'data-testid="total_amount">255.00<' in page and "Use Current Pricing" in page
    invoice.refresh_from_db()
    page = shown(client, post(client, "invoice_use_current_pricing", invoice))
    assert 'data-testid="total_amount">295.00<' in page
    invoice.refresh_from_db()
    assert not invoice.prices_locked and invoice.total_amount == Decimal("295.00")


def test_viewing_an_unlocked_invoice_shows_the_current_price(client, rep, boss, invoice, product):
    item = PriceListItem.objects.get(product=product)
    catalog_services.price_list_item_save(item=item, by=boss, amount=Decimal("110.00"))
    client.force_login(rep)
    page = client.get(reverse("invoice_detail", args=[invoice.pk])).content.decode()
    assert 'data-testid="total_amount">275.00<' in page
    assert TimelineEvent.objects.filter(document_id=invoice.pk, kind="repriced").exists()


def test_invoice_paid_partial_then_read_only(client, boss, invoice):
    client.force_login(boss)
    response = post(
        client,
        "invoice_paid",
        invoice,
        {"status": InvoiceStatus.PARTIAL, "amount": "100.00", "paid_on": "2026-01-15"},
    )
    page = shown(client, response)
    invoice.refresh_from_db()
    assert (invoice.state, invoice.status, invoice.amount_paid) == (
        InvoiceState.PAID,
        InvoiceStatus.PARTIAL,
        Decimal("100.00"),
    )
    assert (
        'data-testid="read-only"' in page and "Add Product" not in page and 'data-command="paid"' not in page
    )
    assert 'data-testid="amount_paid">100.00<' in page
    # a header post to a read-only invoice changes nothing
    response = client.post(
        reverse("invoice_detail", args=[invoice.pk]), {"row_version": invoice.row_version, "name": "Changed"}
    )
    invoice.refresh_from_db()
    assert invoice.name != "Changed"


def test_invoice_paid_partial_with_a_bad_amount_shows_the_dialog_with_the_error(client, boss, invoice):
    client.force_login(boss)
    response = post(client, "invoice_paid", invoice, {"status": InvoiceStatus.PARTIAL, "amount": "9999"})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-open-dialog="paid"' in page and "less than the balance due" in page
    invoice.refresh_from_db()
    assert invoice.state == InvoiceState.ACTIVE


def test_cancel_invoice_asks_for_confirmation_and_cancels(client, boss, invoice):
    client.force_login(boss)
    page = client.get(reverse("invoice_detail", args=[invoice.pk])).content.decode()
    assert "A canceled invoice keeps its number" in page
    shown(client, post(client, "invoice_cancel", invoice))
    invoice.refresh_from_db()
    assert invoice.state == InvoiceState.CANCELED


def test_status_reason_change_among_active_reasons(client, rep, invoice):
    client.force_login(rep)
    shown(client, post(client, "invoice_status", invoice, {"status": InvoiceStatus.BILLED}))
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.BILLED
    response = post(client, "invoice_status", invoice, {"status": InvoiceStatus.COMPLETE})
    assert response.status_code == 200  # not a choice: the dialog comes back with the error
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.BILLED


def test_a_stale_row_version_is_refused_and_changes_nothing(client, rep, order):
    client.force_login(rep)
    stale = order.row_version
    shown(client, post(client, "order_lock_pricing", order))
    order.refresh_from_db()
    response = client.post(
        reverse("order_create_invoice", args=[order.pk]), {"create-invoice-row_version": stale}
    )
    page = shown(client, response)
    assert "changed after this page was loaded" in page
    assert not Invoice.objects.filter(sales_order=order).exists()


def test_double_click_on_create_invoice_creates_one_invoice(client, rep, order):
    client.force_login(rep)
    data = {"create-invoice-row_version": order.row_version}
    first = client.post(reverse("order_create_invoice", args=[order.pk]), data)
    second = client.post(reverse("order_create_invoice", args=[order.pk]), data)
    assert first.status_code == second.status_code == 302
    assert Invoice.objects.filter(sales_order=order).count() == 1


def test_header_money_shows_at_currency_precision(client, rep, invoice):
    client.force_login(rep)
    page = client.get(reverse("invoice_detail", args=[invoice.pk])).content.decode()
    assert 'name="freight_amount"' in page
    assert 'value="0.0000"' not in page and 'value="0.00"' in page


def test_locked_invoice_quick_create_offers_only_default_pricing(client, rep, invoice):
    from salesapp.sales import services

    client.force_login(rep)
    page = client.get(reverse("invoice_detail", args=[invoice.pk])).content.decode()
    assert "Override Price" in page
    services.lock_pricing(document=invoice, by=rep)
    page = client.get(reverse("invoice_detail", args=[invoice.pk])).content.decode()
    quick_create = page[page.index('name="add-pricing"') - 2000 :]
    assert "Pricing is locked" in page and "Override Price" not in quick_create.split("</form>")[0]

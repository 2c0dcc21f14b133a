"""A reversed date or quantity range, and a due date past 9999-12-31, are refused by the services with a
sentence naming the field (never the database constraint's internal name), on screens and the API."""

import datetime
from decimal import Decimal

import pytest

from salesapp.catalog import services as catalog_services
from salesapp.catalog.models import Discount, DiscountList, PriceList
from salesapp.core.exceptions import ValidationFailed
from salesapp.sales import services
from salesapp.sales.models import Invoice, PaymentTerms
from tests.api.conftest import Api, token_for

pytestmark = pytest.mark.django_db

JAN_1, FEB_1 = datetime.date(2026, 1, 1), datetime.date(2026, 2, 1)


def test_a_quote_effective_to_before_effective_from_names_the_field(opportunity, rep):
    quote = services.opportunity_generate_quote(opportunity=opportunity, by=rep)
    with pytest.raises(ValidationFailed) as exc:
        services.document_update(quote, by=rep, effective_from=FEB_1, effective_to=JAN_1)
    assert exc.value.field == "effective_to"
    assert "Effective To" in exc.value.message and "constraint" not in exc.value.message.lower()
    quote.refresh_from_db()
    assert (quote.effective_from, quote.effective_to) == (None, None)


def test_a_price_list_ending_before_it_starts_names_the_field(boss, price_list):
    with pytest.raises(ValidationFailed) as exc:
        catalog_services.price_list_save(price_list=price_list, by=boss, start_date=FEB_1, end_date=JAN_1)
    assert exc.value.field == "end_date" and "End Date" in exc.value.message
    with pytest.raises(ValidationFailed) as exc:
        catalog_services.price_list_save(
            price_list=PriceList(), by=boss, name="Reversed", start_date=FEB_1, end_date=JAN_1
        )
    assert exc.value.field == "end_date"
    assert not PriceList.objects.filter(name="Reversed").exists()


def test_a_discount_ending_below_its_start_names_the_field(boss):
    dl = catalog_services.discount_list_save(discount_list=DiscountList(), by=boss, name="Tiers")
    with pytest.raises(ValidationFailed) as exc:
        catalog_services.discount_save(
            discount=Discount(discount_list=dl),
            by=boss,
            begin_quantity=Decimal(5),
            end_quantity=Decimal(1),
            percentage=Decimal(1),
        )
    assert exc.value.field == "end_quantity"


@pytest.mark.parametrize("day", [datetime.date(9999, 12, 31), datetime.date(9999, 12, 15)])
def test_an_invoice_date_whose_due_date_would_pass_9999_names_the_field(opportunity, rep, day):
    invoice = services.opportunity_generate_invoice(opportunity=opportunity, by=rep)
    with pytest.raises(ValidationFailed) as exc:
        services.document_update(invoice, by=rep, invoice_date=day, payment_terms=PaymentTerms.NET_30)
    assert exc.value.field == "invoice_date" and "Invoice Date" in exc.value.message
    with pytest.raises(ValidationFailed):
        services.document_create(
            Invoice,
            by=rep,
            customer=opportunity.customer,
            name="Far future",
            invoice_date=day,
            payment_terms=PaymentTerms.NET_30,
        )
    assert not Invoice.objects.filter(name="Far future").exists()


def test_the_api_names_the_attribute(opportunity, rep, boss, price_list):
    api = Api(token_for(boss))
    quote = services.opportunity_generate_quote(opportunity=opportunity, by=rep)
    reply = api.patch(f"quotes({quote.pk})", {"effectivefrom": "2026-02-01", "effectiveto": "2026-01-01"})
    assert reply.status == 400
    message = reply.body["error"]["message"]
    assert "effectiveto" in message and "Effective To" in message and "quote_" not in message
    reply = api.patch(f"pricelevels({price_list.pk})", {"begindate": "2026-02-01", "enddate": "2026-01-01"})
    assert reply.status == 400 and "enddate" in reply.body["error"]["message"]
    invoice = services.opportunity_generate_invoice(opportunity=opportunity, by=rep)
    reply = api.patch(f"invoices({invoice.pk})", {"datedelivered": "9999-12-31", "paymenttermscode": 2})
    assert reply.status == 400 and "datedelivered" in reply.body["error"]["message"], reply.body

"""Record forms: create and edit every entity, bad input next to the field, double submit, stale versions."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from django.urls import reverse

from salesapp.catalog.models import Discount, DiscountList, PriceList, PriceListItem, Product, Unit, UnitGroup
from salesapp.core.models import OrganizationSettings
from salesapp.customers.models import Account, Contact
from salesapp.sales.models import Invoice, Opportunity

pytestmark = pytest.mark.django_db


def field_error(html: str, field: str) -> str:
    """The feedback crispy renders right after the field's input."""
    assert f'id="id_{field}"' in html, field
    block = html.split(f'id="id_{field}"', 1)[1][:800]
    assert "invalid-feedback" in block, block
    return block


def test_login_page_and_logout_post(client, rep):
    page = client.get(reverse("login"))
    assert page.status_code == 200 and "Sign in" in page.content.decode()
    response = client.post(reverse("login"), {"username": rep.username, "password": "pw-salesapp-123"})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    home = client.get(reverse("home")).content.decode()
    assert "My open opportunities" in home and f'action="{reverse("logout")}"' in home
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("home")).status_code == 302


def create_invoice(client, customer_value: str, token: str, name: str = "From scratch", **extra):
    return client.post(
        reverse("invoice_create"), {"form_token": token, "customer": customer_value, "name": name, **extra}
    )


def test_new_invoice_for_an_account_or_a_contact(client, rep, account, usd):
    from tests import factories

    contact = factories.ContactFactory()
    client.force_login(rep)
    page = client.get(reverse("invoice_create")).content.decode()
    assert "form_token" in page and account.name in page
    response = create_invoice(client, f"account:{account.pk}", str(uuid.uuid4()))
    invoice = Invoice.objects.get(customer_account=account)
    assert response["Location"] == reverse("invoice_detail", args=[invoice.pk])
    assert invoice.price_list == account.default_price_list and invoice.owner == rep
    create_invoice(client, f"contact:{contact.pk}", str(uuid.uuid4()), name="For a person")
    assert Invoice.objects.get(customer_contact=contact).currency == usd


def test_double_submit_of_the_create_form_creates_one_document(client, rep, account):
    client.force_login(rep)
    token = str(uuid.uuid4())
    first = create_invoice(client, f"account:{account.pk}", token)
    second = create_invoice(client, f"account:{account.pk}", token)
    assert Invoice.objects.count() == 1
    assert (
        first["Location"] == second["Location"] == reverse("invoice_detail", args=[Invoice.objects.get().pk])
    )


def test_create_form_bad_input_saves_nothing(client, rep, account):
    client.force_login(rep)
    response = create_invoice(client, "account:not-a-uuid", str(uuid.uuid4()))
    assert response.status_code == 200
    field_error(response.content.decode(), "customer")
    response = create_invoice(client, f"account:{account.pk}", str(uuid.uuid4()), name="   ")
    field_error(response.content.decode(), "name")
    assert not Invoice.objects.exists()


def test_create_form_currency_mismatch_names_the_price_list(client, rep, account, price_list):
    from tests import factories

    eur = factories.CurrencyFactory(code="EUR", name="Euro", symbol="€")
    client.force_login(rep)
    response = create_invoice(
        client, f"account:{account.pk}", str(uuid.uuid4()), price_list=price_list.pk, currency=eur.pk
    )
    assert "is in USD, not EUR" in field_error(response.content.decode(), "price_list")
    assert not Invoice.objects.exists()


def header(doc, **changes):
    from salesapp.sales.forms import HEADER_FORMS

    form = HEADER_FORMS[type(doc)](instance=doc)
    data = {}
    for name, _field in form.fields.items():
        value = form[name].value()
        if value is None or value is False:
            continue
        data[name] = value
    data.update(changes)
    return data


def test_header_save_changes_the_document_and_its_totals(client, rep, invoice):
    client.force_login(rep)
    response = client.post(
        reverse("invoice_detail", args=[invoice.pk]),
        header(invoice, name="Renamed", discount_percentage="10", freight_amount="7.50"),
    )
    assert response.status_code == 302
    invoice.refresh_from_db()
    assert invoice.name == "Renamed" and invoice.header_percent_discount_amount == Decimal("25.00")
    assert invoice.total_amount == Decimal("237.50")  # 250 - 25 + 7.50 freight + 5 tax


def test_header_bad_input_shows_the_field_and_saves_nothing(client, rep, invoice):
    client.force_login(rep)
    version = invoice.row_version
    response = client.post(
        reverse("invoice_detail", args=[invoice.pk]), header(invoice, discount_percentage="150")
    )
    assert response.status_code == 200
    field_error(response.content.decode(), "discount_percentage")
    response = client.post(
        reverse("invoice_detail", args=[invoice.pk]), header(invoice, discount_amount="-1")
    )
    field_error(response.content.decode(), "discount_amount")
    invoice.refresh_from_db()
    assert invoice.row_version == version and invoice.discount_percentage == 0


def test_header_from_a_stale_tab_is_refused(client, rep, invoice):
    client.force_login(rep)
    stale = header(invoice, name="Tab one")
    client.post(reverse("invoice_detail", args=[invoice.pk]), header(invoice, name="Tab two"))
    response = client.post(reverse("invoice_detail", args=[invoice.pk]), stale)
    page = response.content.decode()
    assert response.status_code == 200 and "changed after this page was loaded" in page
    assert f"last changed by {rep.get_full_name() or rep.get_username()}" in page  # not "someone else"
    invoice.refresh_from_db()
    assert invoice.name == "Tab two"


def test_opportunity_header_and_new(client, rep, account):
    client.force_login(rep)
    client.post(
        reverse("opportunity_create"),
        {"form_token": str(uuid.uuid4()), "customer": f"account:{account.pk}", "name": "Deal"},
    )
    opp = Opportunity.objects.get()
    response = client.post(
        reverse("opportunity_detail", args=[opp.pk]),
        header(opp, estimated_close_date="2026-12-31", name="Bigger deal"),
    )
    assert response.status_code == 302
    opp.refresh_from_db()
    assert opp.name == "Bigger deal" and str(opp.estimated_close_date) == "2026-12-31"


def test_accounts_and_contacts(client, rep, price_list):
    client.force_login(rep)
    response = client.post(reverse("account_create"), {"name": "Fabrikam", "email": "not-an-email"})
    field_error(response.content.decode(), "email")
    assert not Account.objects.exists()
    response = client.post(
        reverse("account_create"),
        {
            "name": "Fabrikam",
            "email": "ap@fabrikam.example",
            "default_price_list": price_list.pk,
            "address1_city": "Oslo",
        },
    )
    account = Account.objects.get()
    assert response["Location"] == reverse("account_detail", args=[account.pk]) and account.owner == rep
    client.post(reverse("contact_create"), {"first_name": "Ann", "last_name": "Lee", "account": account.pk})
    contact = Contact.objects.get()
    client.post(
        reverse("account_detail", args=[account.pk]), {"name": "Fabrikam Inc", "primary_contact": contact.pk}
    )
    account.refresh_from_db()
    assert account.name == "Fabrikam Inc" and account.primary_contact == contact


def test_manager_edits_the_catalog(client, boss, usd):
    client.force_login(boss)
    client.post(reverse("unit_group_create"), {"name": "Weight", "base_unit_name": "Gram"})
    group = UnitGroup.objects.get(name="Weight")
    client.post(reverse("unit_create", args=[group.pk]), {"name": "Kilogram", "quantity": "1000"})
    response = client.post(reverse("unit_create", args=[group.pk]), {"name": "Bad", "quantity": "0"})
    field_error(response.content.decode(), "quantity")
    assert sorted(group.units.values_list("name", flat=True)) == ["Gram", "Kilogram"]
    client.post(reverse("unit_group_detail", args=[group.pk]), {"name": "Mass"})
    group.refresh_from_db()
    assert group.name == "Mass"
    gram = Unit.objects.get(name="Gram")
    response = client.post(
        reverse("product_create"),
        {
            "product_number": "W-1",
            "name": "Flour",
            "unit_group": group.pk,
            "default_unit": gram.pk,
            "list_price": "-1",
            "quantity_decimals": "2",
            "state": "0",
        },
    )
    field_error(response.content.decode(), "list_price")
    client.post(
        reverse("product_create"),
        {
            "product_number": "W-1",
            "name": "Flour",
            "unit_group": group.pk,
            "default_unit": gram.pk,
            "list_price": "2.00",
            "standard_cost": "1.00",
            "current_cost": "1.20",
            "quantity_decimals": "2",
            "state": "0",
        },
    )
    flour = Product.objects.get(product_number="W-1")
    client.post(reverse("price_list_create"), {"name": "Wholesale", "currency": usd.pk})
    wholesale = PriceList.objects.get(name="Wholesale")
    client.post(reverse("discount_list_create"), {"name": "Bulk"})
    bulk = DiscountList.objects.get(name="Bulk")
    client.post(
        reverse("discount_create", args=[bulk.pk]),
        {"begin_quantity": "10", "end_quantity": "99", "percentage": "5"},
    )
    response = client.post(
        reverse("discount_create", args=[bulk.pk]),
        {"begin_quantity": "50", "end_quantity": "60", "percentage": "7"},
    )
    assert "overlaps" in field_error(response.content.decode(), "begin_quantity")
    assert Discount.objects.filter(discount_list=bulk).count() == 1
    response = client.post(
        reverse("price_list_item_create", args=[wholesale.pk]),
        {
            "product": flour.pk,
            "pricing_method": "3",
            "percentage": "50",
            "rounding_policy": "4",
            "rounding_option": "2",
            "rounding_amount": "0.05",
            "quantity_selling": "1",
            "discount_list": bulk.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    item = PriceListItem.objects.get(price_list=wholesale)
    assert (item.unit, item.percentage, item.discount_list) == (gram, Decimal("50"), bulk)
    kilogram = Unit.objects.get(name="Kilogram")
    response = client.post(
        reverse("price_list_item_create", args=[wholesale.pk]),
        {
            "product": flour.pk,
            "unit": kilogram.pk,
            "pricing_method": "1",
            "rounding_policy": "1",
            "quantity_selling": "1",
        },
    )
    field_error(response.content.decode(), "amount")
    client.post(reverse("price_list_item_delete", args=[wholesale.pk, item.pk]))
    assert not PriceListItem.objects.filter(price_list=wholesale).exists()


def test_organization_settings(client, boss, rep):
    client.force_login(rep)
    assert client.get(reverse("organization")).status_code == 200
    client.force_login(boss)
    data = {
        "seller_name": "Contoso",
        "locale": "en_US",
        "pricing_precision": "9",
        "discount_calculation": "line_item",
        "quote_prefix": "Q-",
        "order_prefix": "O-",
        "invoice_prefix": "I-",
        "email_subject_template": "Invoice {number}",
        "email_body_template": "Hello",
        "credit_note_prefix": "CN-",
        "reminder_days_after_due": "7",
        "reminder_interval_days": "7",
        "reminder_subject_template": "Reminder {number}",
        "reminder_body_template": "{balance} due",
    }
    field_error(client.post(reverse("organization"), data).content.decode(), "pricing_precision")
    assert client.post(reverse("organization"), {**data, "pricing_precision": "3"}).status_code == 302
    org = OrganizationSettings.load()
    assert org.pricing_precision == 3 and org.invoice_prefix == "I-"


def test_lists_search_filter_sort_and_survive_bad_parameters(client, rep, invoice, opportunity):
    client.force_login(rep)
    url = reverse("invoice_list")
    page = client.get(url, {"q": invoice.invoice_number}).content.decode()
    assert invoice.invoice_number in page
    page = client.get(url, {"q": "no such thing"}).content.decode()
    assert "No records found." in page
    for params in (
        {"sort": "password"},
        {"sort": "-owner__password"},
        {"page": "x"},
        {"page": "999"},
        {"state": "abc"},
        {"from": "2026-99-99"},
        {"owner": "'; drop"},
        {"to": "yesterday"},
    ):
        assert client.get(url, params).status_code == 200, params
    page = client.get(
        url, {"sort": "-total_amount", "state": "0", "owner": "me", "customer": invoice.customer.name[:5]}
    )
    assert invoice.invoice_number in page.content.decode()
    page = client.get(reverse("opportunity_list"), {"state": "1"}).content.decode()
    assert opportunity.name not in page


def test_output_is_escaped(client, rep, account):
    client.force_login(rep)
    client.post(
        reverse("invoice_create"),
        {
            "form_token": str(uuid.uuid4()),
            "customer": f"account:{account.pk}",
            "name": "<script>alert(1)</script>",
        },
    )
    invoice = Invoice.objects.get()
    page = client.get(reverse("invoice_detail", args=[invoice.pk])).content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert "&lt;script&gt;" in client.get(reverse("invoice_list")).content.decode()

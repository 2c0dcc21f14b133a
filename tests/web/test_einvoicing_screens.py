"""Screens (ours, EN 16931): VAT fields in Quick Create and the grid, the VAT banner, the settings."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from salesapp.core.models import OrganizationSettings
from salesapp.sales import services
from salesapp.sales.models import Invoice

from .test_forms import field_error
from .test_organization_settings import FORM
from .test_products_grid import HX, add, fresh

pytestmark = pytest.mark.django_db


@pytest.fixture
def empty_invoice(account, rep) -> Invoice:
    return services.document_create(Invoice, by=rep, customer=account, name="VAT grid")


def write_in(client, doc, **fields):
    return add(
        client,
        fresh(doc),
        line_type="write_in",
        write_in_name="Consulting",
        price_per_unit="250.00",
        **fields,
    )


def test_quick_create_takes_the_vat_category_and_rate_and_the_grid_shows_them(client, rep, empty_invoice):
    client.force_login(rep)
    page = client.get(reverse("invoice_detail", args=[empty_invoice.pk])).content.decode()
    assert 'name="add-vat_category"' in page and 'name="add-tax_rate"' in page
    html = write_in(client, empty_invoice, quantity="4", vat_category="S", tax_rate="19").content.decode()
    line = empty_invoice.lines.get()
    assert (line.vat_category, line.tax_rate, line.tax) == ("S", Decimal("19"), Decimal("190.00"))
    assert 'data-testid="line-vat">VAT S 19 %<' in html
    assert fresh(empty_invoice).total_amount == Decimal("1190.00")


def test_edit_form_shows_and_changes_the_vat_fields(client, rep, empty_invoice):
    client.force_login(rep)
    write_in(client, empty_invoice, vat_category="S", tax_rate="19")
    line = empty_invoice.lines.get()
    url = reverse("invoice_line_edit", args=[empty_invoice.pk, line.pk])
    form = client.get(url, **HX).content.decode()
    assert 'value="S" selected' in form
    data = {
        f"line-{line.pk}-{k}": v
        for k, v in {
            "row_version": fresh(empty_invoice).row_version,
            "line_type": "write_in",
            "write_in_name": "Consulting",
            "pricing": "override",
            "price_per_unit": "250.00",
            "quantity": "1",
            "vat_category": "E",
            "tax_rate": "0",
            "vat_exemption_reason": "Art. 132 VAT Directive",
        }.items()
    }
    assert client.post(url, data, **HX).status_code == 200
    line.refresh_from_db()
    assert (line.vat_category, line.tax, line.vat_exemption_reason) == (
        "E",
        Decimal("0.00"),
        "Art. 132 VAT Directive",
    )


def test_a_bad_rate_is_shown_next_to_its_field(client, rep, empty_invoice):
    client.force_login(rep)
    response = write_in(client, empty_invoice, vat_category="S", tax_rate="120")
    assert "between 0 and 100" in field_error(response.content.decode(), "add-tax_rate")
    assert not empty_invoice.lines.exists()


def test_mixed_lines_show_the_vat_banner_and_refuse_sending(client, rep, empty_invoice):
    client.force_login(rep)
    write_in(client, empty_invoice, vat_category="S", tax_rate="19")
    write_in(client, empty_invoice, tax="5.00")
    doc = fresh(empty_invoice)
    assert doc.pricing_error_code == 1001
    page = client.get(reverse("invoice_detail", args=[doc.pk])).content.decode()
    banner = page[page.index('data-testid="pricing-error"') :][:600]
    assert "some lines have a VAT category and others don&#x27;t" in banner
    assert "Give every line a VAT category" in banner


def test_the_manager_turns_einvoicing_on_with_an_iban(client, boss, usd):
    client.force_login(boss)
    response = client.post(
        reverse("organization"), {**FORM, "einvoicing": "on", "iban": "DE89 3704 0044 0532 0130 01"}
    )
    assert "check digits" in field_error(response.content.decode(), "iban")
    assert not OrganizationSettings.load().einvoicing
    response = client.post(
        reverse("organization"), {**FORM, "einvoicing": "on", "iban": "de89 3704 0044 0532 0130 00"}
    )
    assert response.status_code == 302
    org = OrganizationSettings.load()
    assert org.einvoicing and org.iban == "DE89370400440532013000"

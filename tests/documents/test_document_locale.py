"""Amounts and dates in the PDFs follow the organization's locale; addresses their own country."""

import io
import socket
from decimal import Decimal

import pypdf
import pytest

from salesapp.core import formatting as fmt
from salesapp.core.addresses import format_address
from salesapp.core.models import OrganizationSettings
from salesapp.documents import rendering
from salesapp.sales import services
from salesapp.sales.models import Quote


def test_addresses_print_in_their_countrys_order_without_network(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("address formatting tried to reach the network")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    us = format_address(
        name="Contoso", lines=["1 Main St"], city="Seattle", region="WA", postal_code="98101", country="USA"
    )
    de = format_address(
        lines=["Invalidenstr. 1"], city="Berlin", region="Berlin", postal_code="10115", country="Deutschland"
    )
    assert us == ["Contoso", "1 Main St", "Seattle, WA 98101", "USA"]
    assert de == ["Invalidenstr. 1", "10115 Berlin", "Deutschland"]
    # a country nobody can tell keeps every part
    assert format_address(lines=["x"], city="Atlantis", postal_code="1", country="Atlantis") == [
        "x",
        "1 Atlantis",
        "Atlantis",
    ]


def test_using_locale_sets_the_default_and_restores_it():
    before = fmt.default_locale()
    with fmt.using_locale("de_DE"):
        assert fmt.amount(Decimal("1234.5"), 2) == "1.234,50"
    assert fmt.default_locale() == before
    with fmt.using_locale("not a locale"):
        assert fmt.default_locale() == before


@pytest.mark.django_db
def test_quote_pdf_in_german_with_us_customer_and_german_seller(account, rep, usd):
    org = OrganizationSettings.load()
    org.locale = "de_DE"
    org.address_line1, org.address_city, org.address_postalcode, org.address_country = (
        "Invalidenstr. 1",
        "Berlin",
        "10115",
        "Deutschland",
    )
    org.save()
    quote = services.document_create(Quote, by=rep, customer=account, name="Angebot")
    services.line_add(
        document=quote,
        by=rep,
        write_in_name="Beratung",
        quantity=Decimal("1"),
        price_per_unit=Decimal("1234.50"),
    )
    Quote.objects.filter(pk=quote.pk).update(
        billto_line1="1 Main St",
        billto_city="Seattle",
        billto_stateorprovince="WA",
        billto_postalcode="98101",
        billto_country="US",
    )
    quote.refresh_from_db()

    pdf, _ = rendering.html_to_pdf(rendering.document_html(quote).html)
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)

    assert "1.234,50" in text and "1,234.50" not in text
    assert fmt.day(quote.created_on.date(), locale="de_DE") in text
    assert "10115 Berlin" in text and "Seattle, WA 98101" in text

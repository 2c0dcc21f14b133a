"""Fixtures for PDF and email tests: invoices built through the services."""

from decimal import Decimal

import pytest

from salesapp.sales import services
from salesapp.sales.models import Invoice, PaymentTerms


def make_invoice(*, customer, by, lines: int = 0, product=None, names: list[str] | None = None) -> Invoice:
    """An invoice for `customer` with `lines` catalog lines (or write-ins named `names`)."""
    invoice = services.document_create(
        Invoice, by=by, customer=customer, name="Consulting", payment_terms=PaymentTerms.NET_30
    )
    for i in range(lines):
        if product is not None:
            services.line_add(document=invoice, by=by, product=product, quantity=Decimal(i % 5 + 1))
        else:
            services.line_add(
                document=invoice,
                by=by,
                write_in_name=f"Service item {i + 1}",
                quantity=Decimal("1"),
                price_per_unit=Decimal("10.00"),
            )
    for name in names or []:
        services.line_add(
            document=invoice,
            by=by,
            write_in_name=name,
            quantity=Decimal("1"),
            price_per_unit=Decimal("12.50"),
        )
    invoice.refresh_from_db()
    return invoice


@pytest.fixture
def invoice(opportunity, rep) -> Invoice:
    """An active invoice generated from the conftest opportunity (2 × 100.00 + write-in 50.00 + 5.00 tax)."""
    inv = services.opportunity_generate_invoice(opportunity=opportunity, by=rep)
    inv.refresh_from_db()
    return inv


@pytest.fixture(autouse=True)
def plain_static(settings):
    """Pages extend base.html, which links static files: without a collectstatic run the manifest storage
    (on with DATABASE_URL and DEBUG off) would make every page a 500, so use the plain storage."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }

"""The Django admin can't change a price (or anything that prices a document) without the repricing
bookkeeping of the catalog services: it shows catalog rows, settings and documents read-only."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.db.models.fields.files import FieldFile
from django.forms.models import model_to_dict
from django.test import Client

from salesapp.catalog.models import PriceList, PriceListItem, Product, Unit
from salesapp.core.models import OrganizationSettings
from salesapp.sales import services
from salesapp.sales.models import Invoice

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_(db) -> Client:
    User.objects.create_superuser("root", "root@example.com", "pw-salesapp-123")
    client = Client()
    client.force_login(User.objects.get(username="root"))
    return client


def change_url(obj) -> str:
    return f"/admin/{obj._meta.app_label}/{obj._meta.model_name}/{obj.pk}/change/"


def form_data(obj, **changes) -> dict:
    data = {
        k: ("" if v is None else v) for k, v in model_to_dict(obj).items() if not isinstance(v, FieldFile)
    }
    data.update(changes)
    data["_save"] = "Save"
    return data


def test_a_superuser_cannot_change_a_price_list_item_amount(admin_client_, product, price_list, account, rep):
    # given a price list item at 100.00 and an open invoice priced from it
    item = PriceListItem.objects.get(product=product, price_list=price_list)
    invoice = services.document_create(Invoice, by=rep, customer=account, name="Priced")
    services.line_add(document=invoice, by=rep, product=product, quantity=Decimal("1"))
    revision = PriceList.objects.get(pk=price_list.pk).revision
    # when a superuser opens the admin change page and posts a new amount
    assert admin_client_.get(change_url(item)).status_code == 200
    response = admin_client_.post(change_url(item), form_data(item, amount="1.00"))
    # then the admin refuses (403) and nothing moved
    assert response.status_code == 403
    item.refresh_from_db()
    assert item.amount == Decimal("100.00")
    assert PriceList.objects.get(pk=price_list.pk).revision == revision


def test_the_admin_can_neither_add_nor_delete_price_list_items(admin_client_, product, price_list):
    item = PriceListItem.objects.get(product=product, price_list=price_list)
    assert admin_client_.get("/admin/catalog/pricelistitem/add/").status_code == 403
    delete = f"/admin/catalog/pricelistitem/{item.pk}/delete/"
    assert admin_client_.post(delete, {"post": "yes"}).status_code == 403
    assert PriceListItem.objects.filter(pk=item.pk).exists()


@pytest.mark.parametrize("what", ["product", "price list", "unit", "currency", "organization settings"])
def test_catalog_rows_and_settings_are_read_only_in_the_admin(admin_client_, product, price_list, what):
    org = OrganizationSettings.load()
    obj, change = {
        "product": (product, {"current_cost": ""}),
        "price list": (price_list, {"name": "Renamed"}),
        "unit": (Unit.objects.get(pk=product.default_unit_id), {"name": "Renamed"}),
        "currency": (price_list.currency, {"precision": 4}),
        "organization settings": (org, {"pricing_precision": 4}),
    }[what]
    before = form_data(type(obj).objects.get(pk=obj.pk))
    assert admin_client_.get(change_url(obj)).status_code == 200
    response = admin_client_.post(change_url(obj), form_data(obj, **change))
    assert response.status_code == 403, what
    assert form_data(type(obj).objects.get(pk=obj.pk)) == before


def test_documents_stay_read_only_in_the_admin(admin_client_, account, product, rep):
    invoice = services.document_create(Invoice, by=rep, customer=account, name="Read only")
    assert admin_client_.get(change_url(invoice)).status_code == 200
    response = admin_client_.post(change_url(invoice), form_data(invoice, total_amount="0.01"))
    assert response.status_code == 403
    assert Invoice.objects.get(pk=invoice.pk).total_amount == Decimal("0.00")


def test_product_retirement_through_the_admin_is_refused(admin_client_, product):
    response = admin_client_.post(change_url(product), form_data(product, state=1))
    assert response.status_code == 403
    assert Product.objects.get(pk=product.pk).state == 0


def test_payments_and_credit_notes_stay_read_only_in_the_admin(admin_client_, account, product, rep, boss):
    """Money moves through Invoice Paid / Add Payment / Create Credit Note only: the admin shows it."""
    invoice = services.document_create(Invoice, by=rep, customer=account, name="Paid in part")
    services.line_add(document=invoice, by=rep, product=product, quantity=Decimal("2"))
    payment = services.payment_record(invoice=invoice, by=boss, amount=Decimal("50.00"))
    note = services.credit_note_create(invoice=Invoice.objects.get(pk=invoice.pk), by=boss)
    for obj, change in ((payment, {"amount": "1.00"}), (note, {"total_amount": "0.01"})):
        assert admin_client_.get(change_url(obj)).status_code == 200
        assert admin_client_.post(change_url(obj), form_data(obj, **change)).status_code == 403
    assert admin_client_.get("/admin/sales/payment/add/").status_code == 403
    payment.refresh_from_db()
    note.refresh_from_db()
    assert (payment.amount, note.total_amount) == (Decimal("50.00"), Decimal("200.00"))

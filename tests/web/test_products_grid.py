"""Products grid and Quick Create: Existing / Write-In, Use Default / Override, edit, delete, totals."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from salesapp.sales import services
from salesapp.sales.models import Invoice

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def empty_invoice(account, rep) -> Invoice:
    return services.document_create(Invoice, by=rep, customer=account, name="Grid")


def add(client, doc, **fields):
    data = {
        "add-row_version": doc.row_version,
        "add-quantity": "1",
        "add-line_type": "existing",
        "add-pricing": "default",
    }
    data.update({f"add-{k}": v for k, v in fields.items()})
    return client.post(reverse("invoice_line_add", args=[doc.pk]), data, **HX)


def fresh(doc):
    doc.refresh_from_db()
    return doc


def test_add_existing_product_at_the_price_list_price(client, rep, empty_invoice, product):
    client.force_login(rep)
    response = add(client, empty_invoice, product=product.pk, quantity="3")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="line-row"' in html and product.name in html
    assert 'data-testid="total_amount">300.00<' in html
    assert 'hx-swap-oob="true"' in html  # command bar and header version follow the change
    timeline = html[html.index('id="timeline"') :]
    assert timeline.startswith(
        'id="timeline" class="list-group list-group-flush" data-testid="timeline" hx-swap-oob="true"'
    )
    assert f"Added {product.name} × 3" in timeline  # the timeline follows it too, newest first
    line = empty_invoice.lines.get()
    assert (line.price_per_unit, line.quantity, line.is_price_overridden, line.unit) == (
        Decimal("100.00"),
        Decimal("3"),
        False,
        product.default_unit,
    )
    assert fresh(empty_invoice).total_amount == Decimal("300.00")


def test_override_price_and_write_in_with_discount_and_tax(client, rep, empty_invoice, product):
    client.force_login(rep)
    add(client, empty_invoice, product=product.pk, quantity="2", pricing="override", price_per_unit="80.00")
    response = add(
        client,
        fresh(empty_invoice),
        line_type="write_in",
        write_in_name="Consulting",
        price_per_unit="250.00",
        quantity="4",
        manual_discount="100.00",
        tax="150.00",
    )
    html = response.content.decode()
    lines = list(empty_invoice.lines.order_by("sequence"))
    assert [(x.product_name, x.is_price_overridden, x.price_per_unit) for x in lines] == [
        (product.name, True, Decimal("80.00")),
        ("Consulting", True, Decimal("250.00")),
    ]
    assert lines[1].extended_amount == Decimal("1050.00")
    doc = fresh(empty_invoice)
    assert (doc.total_line_item_amount, doc.total_tax, doc.total_amount) == (
        Decimal("1060.00"),
        Decimal("150.00"),
        Decimal("1210.00"),
    )
    assert 'data-testid="total_amount">1,210.00<' in html
    assert 'data-testid="total_line_item_discount_amount">100.00<' in html


def test_edit_and_delete_lines(client, rep, invoice):
    client.force_login(rep)
    line = invoice.lines.order_by("sequence").first()
    form = client.get(reverse("invoice_line_edit", args=[invoice.pk, line.pk]), **HX)
    assert form.status_code == 200 and 'data-testid="line-edit-form"' in form.content.decode()
    prefix = f"line-{line.pk}"
    data = {
        f"{prefix}-row_version": invoice.row_version,
        f"{prefix}-line_type": "existing",
        f"{prefix}-product": line.product_id,
        f"{prefix}-unit": line.unit_id,
        f"{prefix}-pricing": "default",
        f"{prefix}-quantity": "5",
        f"{prefix}-manual_discount": "20",
        f"{prefix}-tax": "0",
    }
    response = client.post(reverse("invoice_line_edit", args=[invoice.pk, line.pk]), data, **HX)
    assert response.status_code == 200
    line.refresh_from_db()
    assert (line.quantity, line.manual_discount, line.amount) == (
        Decimal("5"),
        Decimal("20"),
        Decimal("500.00"),
    )
    assert fresh(invoice).total_amount == Decimal("535.00")  # 480 + 50 + 5 tax
    response = client.post(
        reverse("invoice_line_delete", args=[invoice.pk, line.pk]),
        {"row_version": fresh(invoice).row_version},
        **HX,
    )
    assert response.status_code == 200
    assert invoice.lines.count() == 1 and fresh(invoice).total_amount == Decimal("55.00")
    assert 'data-testid="total_amount">55.00<' in response.content.decode()


def test_without_htmx_the_grid_posts_and_redirects(client, rep, empty_invoice):
    client.force_login(rep)
    data = {
        "add-row_version": empty_invoice.row_version,
        "add-line_type": "write_in",
        "add-write_in_name": "Fee",
        "add-pricing": "override",
        "add-price_per_unit": "10",
        "add-quantity": "2",
    }
    response = client.post(reverse("invoice_line_add", args=[empty_invoice.pk]), data)
    assert response.status_code == 302
    assert fresh(empty_invoice).total_amount == Decimal("20.00")


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"quantity": "0", "line_type": "write_in", "write_in_name": "X", "price_per_unit": "1"},
            "quantity",
            "uantity",
        ),
        (
            {"quantity": "abc", "line_type": "write_in", "write_in_name": "X", "price_per_unit": "1"},
            "quantity",
            "Enter a number",
        ),
        ({"line_type": "write_in", "write_in_name": "X", "price_per_unit": "-5"}, "price_per_unit", ""),
        (
            {"line_type": "write_in", "write_in_name": "X", "price_per_unit": "10", "manual_discount": "50"},
            "manual_discount",
            "",
        ),
        (
            {"line_type": "write_in", "write_in_name": "", "price_per_unit": "10"},
            "write_in_name",
            "Name the write-in",
        ),
        ({"line_type": "existing"}, "product", "Choose a product"),
        ({"line_type": "existing", "product": "not-a-key"}, "product", "is not a valid"),
        (
            {"line_type": "existing", "product": "00000000-0000-0000-0000-000000000001"},
            "product",
            "Select a valid choice",
        ),
    ],
)
def test_bad_line_input_shows_the_message_next_to_the_field_and_saves_nothing(
    client, rep, empty_invoice, fields, field, message
):
    client.force_login(rep)
    response = add(client, empty_invoice, **fields)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="id_add-{field}"' in html
    error_block = html.split(f'id="id_add-{field}"', 1)[1][:600]
    assert "invalid-feedback" in error_block, error_block
    assert message in error_block
    assert not empty_invoice.lines.exists()
    assert fresh(empty_invoice).total_amount == Decimal("0")


def test_a_catalog_product_without_a_price_is_refused_by_name(client, rep, empty_invoice):
    from tests import factories

    unpriced = factories.ProductFactory(name="Unpriced widget")
    client.force_login(rep)
    html = add(client, empty_invoice, product=unpriced.pk).content.decode()
    assert "Unpriced widget has no price" in html
    assert not empty_invoice.lines.exists()


def test_stale_grid_is_refused(client, rep, empty_invoice):
    client.force_login(rep)
    stale = empty_invoice.row_version
    add(client, empty_invoice, line_type="write_in", write_in_name="A", price_per_unit="1")
    data = {
        "add-row_version": stale,
        "add-line_type": "write_in",
        "add-write_in_name": "B",
        "add-pricing": "override",
        "add-price_per_unit": "1",
        "add-quantity": "1",
    }
    html = client.post(reverse("invoice_line_add", args=[empty_invoice.pk]), data, **HX).content.decode()
    assert "changed after this page was loaded" in html
    assert list(empty_invoice.lines.values_list("write_in_name", flat=True)) == ["A"]


def options(html: str, select_id: str) -> list[str]:
    """The option texts of one <select> of a page."""
    import re

    body = html.split(f'id="{select_id}"', 1)[1].split("</select>", 1)[0]
    return re.findall(r"<option[^>]*>([^<]*)</option>", body)


def test_a_big_catalog_offers_its_first_products_and_a_search_for_the_rest(
    client, rep, empty_invoice, price_list
):
    from salesapp.sales.forms import LOOKUP_LIMIT
    from tests import factories

    for n in range(LOOKUP_LIMIT + 5):
        factories.PriceListItemFactory(
            price_list=price_list,
            amount=Decimal("10.00"),
            product=factories.ProductFactory(name=f"Bolt {n:03d}"),
        )
    last = factories.PriceListItemFactory(
        price_list=price_list, amount=Decimal("7.00"), product=factories.ProductFactory(name="Zeta gear")
    ).product
    client.force_login(rep)
    page = client.get(reverse("invoice_detail", args=[empty_invoice.pk])).content.decode()
    offered = options(page, "id_add-product")
    assert len(offered) == LOOKUP_LIMIT + 1 and "Zeta gear" not in " ".join(offered)  # + the empty choice
    assert 'data-testid="product-search"' in page

    found = client.get(reverse("product_lookup"), {"q": "zeta"}).content.decode()
    assert (
        found
        == f'<option value="">---------</option><option value="{last.pk}" selected>Zeta gear ({last.product_number})</option>'
    )
    many = client.get(reverse("product_lookup"), {"q": "bolt"}).content.decode()
    assert (
        many.count('<option value="') == LOOKUP_LIMIT + 2 and "type more of the name" in many
    )  # empty + more
    assert (
        "No active product matches"
        in client.get(reverse("product_lookup"), {"q": "nothing"}).content.decode()
    )

    # Any active product can be added, offered first or not, and its line's edit form shows it chosen.
    add(client, empty_invoice, product=last.pk, quantity="2")
    line = empty_invoice.lines.get()
    assert (line.product, line.price_per_unit) == (last, Decimal("7.00"))
    form = client.get(reverse("invoice_line_edit", args=[empty_invoice.pk, line.pk]), **HX).content.decode()
    assert f'<option value="{last.pk}" selected>Zeta gear' in form


def test_the_product_lookup_escapes_and_offers_active_products_only(client, rep):
    from salesapp.catalog.models import ProductState
    from tests import factories

    factories.ProductFactory(name="<b>Bold</b> & co", product_number="X-1")
    factories.ProductFactory(name="Bold draft", state=ProductState.DRAFT)
    client.force_login(rep)
    html = client.get(reverse("product_lookup"), {"q": "bold"}).content.decode()
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; co (X-1)" in html and "<b>" not in html
    assert "Bold draft" not in html
    by_number = client.get(reverse("product_lookup"), {"q": "x-1"}).content.decode()
    assert "&lt;b&gt;Bold" in by_number
    assert client.post(reverse("product_lookup"), {"q": "bold"}).status_code == 405

"""Catalog screens: salespeople read, sales managers edit (SPEC §9)."""

from collections.abc import Callable
from decimal import Decimal

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from salesapp.accounts.decorators import manager_required, manager_required_for_writes, salesperson_required
from salesapp.accounts.roles import is_manager
from salesapp.core import formatting as fmt
from salesapp.core.exceptions import DomainError
from salesapp.core.forms import OrganizationSettingsForm
from salesapp.core.models import OrganizationSettings
from salesapp.core.views.lists import Column, ListPage, render_list
from salesapp.core.views.records import edit_page, run_form

from . import selectors, services
from .forms import (
    CurrencyForm,
    DiscountForm,
    DiscountListForm,
    PriceListForm,
    PriceListItemForm,
    ProductForm,
    UnitForm,
    UnitGroupForm,
)
from .models import (
    Currency,
    Discount,
    DiscountList,
    PriceList,
    PriceListItem,
    Product,
    ProductState,
    Unit,
    UnitGroup,
)

LIST_PRICE_PLACES = 2  # a product's list price has no currency of its own; two decimals, as always

PRODUCTS = ListPage(
    title="Products",
    url_name="product_list",
    create_url_name="product_create",
    create_needs_manager=True,
    queryset=selectors.product_list,
    detail_url=lambda p: reverse("product_detail", args=[p.pk]),
    search_fields=("name", "product_number", "description"),
    default_sort="name",
    date_field="created_on",
    state_choices=ProductState.choices,
    columns=(
        Column("Name", lambda p: p.name, sort="name", link=True),
        Column("Product ID", lambda p: p.product_number, sort="product_number"),
        Column("Unit Group", lambda p: p.unit_group.name, sort="unit_group__name"),
        Column("Default Unit", lambda p: p.default_unit.name),
        Column(
            "List Price",
            lambda p: fmt.amount(p.list_price, LIST_PRICE_PLACES),
            sort="list_price",
            numeric=True,
        ),
        Column("Status", lambda p: p.get_state_display(), sort="state"),
        Column("Created On", lambda p: fmt.day(p.created_on), sort="created_on"),
    ),
)

PRICE_LISTS = ListPage(
    title="Price Lists",
    url_name="price_list_list",
    create_url_name="price_list_create",
    create_needs_manager=True,
    queryset=selectors.price_list_list,
    detail_url=lambda p: reverse("price_list_detail", args=[p.pk]),
    search_fields=("name", "description"),
    default_sort="name",
    date_field="start_date",
    date_label="Start Date",
    columns=(
        Column("Name", lambda p: p.name, sort="name", link=True),
        Column("Currency", lambda p: p.currency.code, sort="currency__code"),
        Column("Start Date", lambda p: fmt.day(p.start_date), sort="start_date"),
        Column("End Date", lambda p: fmt.day(p.end_date), sort="end_date"),
        Column("Items", lambda p: p.item_count, sort="item_count", numeric=True),
    ),
)

UNIT_GROUPS = ListPage(
    title="Unit Groups",
    url_name="unit_group_list",
    create_url_name="unit_group_create",
    create_needs_manager=True,
    queryset=selectors.unit_group_list,
    detail_url=lambda g: reverse("unit_group_detail", args=[g.pk]),
    search_fields=("name", "description"),
    default_sort="name",
    date_field="created_on",
    columns=(
        Column("Name", lambda g: g.name, sort="name", link=True),
        Column("Units", lambda g: g.unit_count, sort="unit_count", numeric=True),
        Column("Created On", lambda g: fmt.day(g.created_on), sort="created_on"),
    ),
)

DISCOUNT_LISTS = ListPage(
    title="Discount Lists",
    url_name="discount_list_list",
    create_url_name="discount_list_create",
    create_needs_manager=True,
    queryset=selectors.discount_list_list,
    detail_url=lambda d: reverse("discount_list_detail", args=[d.pk]),
    search_fields=("name", "description"),
    default_sort="name",
    date_field="created_on",
    columns=(
        Column("Name", lambda d: d.name, sort="name", link=True),
        Column("Type", lambda d: "Amount" if d.is_amount_type else "Percentage", sort="is_amount_type"),
        Column("Currency", lambda d: d.currency.code if d.currency_id else ""),
        Column("Rows", lambda d: d.row_count, sort="row_count", numeric=True),
    ),
)


RATE_PLACES = 10  # as stored (Currency.exchange_rate)


def rate_text(rate: Decimal) -> str:
    """An exchange rate with the decimals it has (0.92, 0.9215), at least two and at most ten."""
    exponent = rate.normalize().as_tuple().exponent
    places = min(max(-exponent if isinstance(exponent, int) else 0, 2), RATE_PLACES)
    return fmt.amount(rate, places)


def _base_code() -> str:
    base = OrganizationSettings.load().default_currency
    return base.code if base else ""


def currencies_page(base_code: str) -> ListPage:
    """The rate column reads "1 USD = 0.92 EUR": the base currency is the organization's."""
    return ListPage(
        title="Currencies",
        url_name="currency_list",
        create_url_name="currency_create",
        create_needs_manager=True,
        queryset=lambda: Currency.objects.all(),
        detail_url=lambda c: reverse("currency_detail", args=[c.pk]),
        search_fields=("code", "name"),
        default_sort="code",
        owner_filter=False,
        columns=(
            Column("ISO Code", lambda c: c.code, sort="code", link=True),
            Column("Name", lambda c: c.name, sort="name"),
            Column("Symbol", lambda c: c.symbol),
            Column("Precision", lambda c: c.precision, sort="precision", numeric=True),
            Column(
                "Exchange Rate",
                lambda c: (
                    f"1 {base_code} = {rate_text(c.exchange_rate)} {c.code}"
                    + (" (base currency)" if c.code == base_code else "")
                ),
                sort="exchange_rate",
                numeric=True,
            ),
        ),
    )


@salesperson_required
def currency_list(request: HttpRequest) -> HttpResponse:
    return render_list(request, currencies_page(_base_code()))


def _currency_page(request: HttpRequest, currency: Currency) -> HttpResponse:
    form = CurrencyForm(request.POST or None, instance=currency, base_code=_base_code())
    return edit_page(
        request,
        form=form,
        template="catalog/record.html",
        save=lambda data: services.currency_save(currency=currency, by=request.user, **data),
        context={
            "record": currency,
            "title": f"{currency.code} – {currency.name}" if not currency._state.adding else "New Currency",
            "list_url": reverse("currency_list"),
            "new_url": reverse("currency_create"),
        },
        success=lambda obj: reverse("currency_detail", args=[obj.pk]),
        can_edit=is_manager(request.user),
    )


@manager_required
def currency_create(request: HttpRequest) -> HttpResponse:
    return _currency_page(request, Currency())


@manager_required_for_writes
def currency_detail(request: HttpRequest, pk: str) -> HttpResponse:
    return _currency_page(request, get_object_or_404(Currency, pk=pk))


@salesperson_required
def product_list(request: HttpRequest) -> HttpResponse:
    return render_list(request, PRODUCTS)


@salesperson_required
def price_list_list(request: HttpRequest) -> HttpResponse:
    return render_list(request, PRICE_LISTS)


@salesperson_required
def unit_group_list(request: HttpRequest) -> HttpResponse:
    return render_list(request, UNIT_GROUPS)


@salesperson_required
def discount_list_list(request: HttpRequest) -> HttpResponse:
    return render_list(request, DISCOUNT_LISTS)


# --- products ----------------------------------------------------------------------------------


def _product_page(request: HttpRequest, product: Product) -> HttpResponse:
    form = ProductForm(request.POST or None, instance=product)
    return edit_page(
        request,
        form=form,
        template="catalog/record.html",
        save=lambda data: services.product_save(product=product, by=request.user, **data),
        context={
            "record": product,
            "title": product.name if not product._state.adding else "New Product",
            "list_url": reverse("product_list"),
            "new_url": reverse("product_create"),
        },
        success=lambda obj: reverse("product_detail", args=[obj.pk]),
        can_edit=is_manager(request.user),
    )


@manager_required
def product_create(request: HttpRequest) -> HttpResponse:
    return _product_page(request, Product())


@manager_required_for_writes
def product_detail(request: HttpRequest, pk: str) -> HttpResponse:
    return _product_page(request, get_object_or_404(Product, pk=pk))


# --- price lists and their items ---------------------------------------------------------------


def _price_list_page(request: HttpRequest, price_list: PriceList) -> HttpResponse:
    form = PriceListForm(request.POST or None, instance=price_list)
    items = list(selectors.price_list_items(price_list)) if not price_list._state.adding else []
    return edit_page(
        request,
        form=form,
        template="catalog/price_list.html",
        save=lambda data: services.price_list_save(price_list=price_list, by=request.user, **data),
        context={
            "record": price_list,
            "title": price_list.name if not price_list._state.adding else "New Price List",
            "items": items,
            "list_url": reverse("price_list_list"),
            "new_url": reverse("price_list_create"),
        },
        success=lambda obj: reverse("price_list_detail", args=[obj.pk]),
        can_edit=is_manager(request.user),
    )


@manager_required
def price_list_create(request: HttpRequest) -> HttpResponse:
    return _price_list_page(request, PriceList())


@manager_required_for_writes
def price_list_detail(request: HttpRequest, pk: str) -> HttpResponse:
    return _price_list_page(request, get_object_or_404(PriceList.objects.select_related("currency"), pk=pk))


def _item_page(request: HttpRequest, price_list: PriceList, item: PriceListItem) -> HttpResponse:
    form = PriceListItemForm(request.POST or None, instance=item)
    return edit_page(
        request,
        form=form,
        template="catalog/record.html",
        save=lambda data: services.price_list_item_save(
            item=item, by=request.user, price_list=price_list, **data
        ),
        context={
            "record": item,
            "parent": price_list,
            "parent_url": reverse("price_list_detail", args=[price_list.pk]),
            "title": f"{price_list.name}: {item.product.name if item.product_id else 'New Price List Item'}",
            "list_url": reverse("price_list_detail", args=[price_list.pk]),
        },
        success=lambda obj: reverse("price_list_detail", args=[price_list.pk]),
        can_edit=is_manager(request.user),
        saved_message="Price list item saved.",
    )


@manager_required
def price_list_item_create(request: HttpRequest, pk: str) -> HttpResponse:
    price_list = get_object_or_404(PriceList, pk=pk)
    return _item_page(request, price_list, PriceListItem(price_list=price_list))


@manager_required_for_writes
def price_list_item_detail(request: HttpRequest, pk: str, item_pk: str) -> HttpResponse:
    item = get_object_or_404(
        PriceListItem.objects.select_related("price_list", "product"), pk=item_pk, price_list_id=pk
    )
    return _item_page(request, item.price_list, item)


def _delete(request: HttpRequest, delete: Callable[[], None], *, done: str, back: str) -> HttpResponse:
    """Run one delete service and go back to the parent record; a refusal is flashed, naming why."""
    try:
        delete()
        messages.success(request, done)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(back)


@require_POST
@manager_required
def price_list_item_delete(request: HttpRequest, pk: str, item_pk: str) -> HttpResponse:
    item = get_object_or_404(PriceListItem, pk=item_pk, price_list_id=pk)
    return _delete(
        request,
        lambda: services.price_list_item_delete(item=item, by=request.user),
        done="Price list item deleted.",
        back=reverse("price_list_detail", args=[pk]),
    )


# --- unit groups and units --------------------------------------------------------------------


def _save_unit_group(group: UnitGroup, request: HttpRequest, data: dict) -> UnitGroup:
    if not group._state.adding:
        return services.unit_group_save(group=group, by=request.user, **data)
    return services.unit_group_create(by=request.user, **data)


def _unit_group_page(
    request: HttpRequest, group: UnitGroup, unit_form: UnitForm | None = None
) -> HttpResponse:
    posting_group = request.method == "POST" and unit_form is None
    form = UnitGroupForm(request.POST if posting_group else None, instance=group)
    units = (
        list(group.units.select_related("base_unit").order_by("quantity", "name"))
        if not group._state.adding
        else []
    )
    return edit_page(
        request,
        posted=posting_group,
        form=form,
        template="catalog/unit_group.html",
        save=lambda data: _save_unit_group(group, request, data),
        context={
            "record": group,
            "title": group.name if not group._state.adding else "New Unit Group",
            "units": units,
            "unit_form": unit_form or (UnitForm(group=group) if not group._state.adding else None),
            "list_url": reverse("unit_group_list"),
            "new_url": reverse("unit_group_create"),
        },
        success=lambda obj: reverse("unit_group_detail", args=[obj.pk]),
        can_edit=is_manager(request.user),
    )


@manager_required
def unit_group_create(request: HttpRequest) -> HttpResponse:
    return _unit_group_page(request, UnitGroup())


@manager_required_for_writes
def unit_group_detail(request: HttpRequest, pk: str) -> HttpResponse:
    return _unit_group_page(request, get_object_or_404(UnitGroup, pk=pk))


@require_POST
@manager_required
def unit_create(request: HttpRequest, pk: str) -> HttpResponse:
    group = get_object_or_404(UnitGroup, pk=pk)
    form = UnitForm(request.POST, group=group)
    unit = run_form(request, form, lambda data: services.unit_create(group=group, by=request.user, **data))
    if unit is None:
        return _unit_group_page(request, group, unit_form=form)
    messages.success(request, f"Unit {unit.name} added.")
    return redirect("unit_group_detail", pk=pk)


@manager_required_for_writes
def unit_detail(request: HttpRequest, pk: str, unit_pk: str) -> HttpResponse:
    unit = get_object_or_404(Unit.objects.select_related("group", "base_unit"), pk=unit_pk, group_id=pk)
    group = unit.group
    group_url = reverse("unit_group_detail", args=[group.pk])
    form = UnitForm(request.POST or None, instance=unit, group=group)
    return edit_page(
        request,
        form=form,
        template="catalog/record.html",
        save=lambda data: services.unit_save(unit=unit, by=request.user, **data),
        context={
            "record": unit,
            "parent": group,
            "parent_url": group_url,
            "title": f"{group.name}: {unit.name}",
            "list_url": group_url,
        },
        success=lambda obj: group_url,
        can_edit=is_manager(request.user),
        saved_message="Unit saved.",
    )


@require_POST
@manager_required
def unit_delete(request: HttpRequest, pk: str, unit_pk: str) -> HttpResponse:
    unit = get_object_or_404(Unit, pk=unit_pk, group_id=pk)
    return _delete(
        request,
        lambda: services.unit_delete(unit=unit, by=request.user),
        done=f"Unit {unit.name} deleted.",
        back=reverse("unit_group_detail", args=[pk]),
    )


# --- discount lists and their rows -----------------------------------------------------------


def _discount_list_page(
    request: HttpRequest, dl: DiscountList, row_form: DiscountForm | None = None
) -> HttpResponse:
    posting_list = request.method == "POST" and row_form is None
    form = DiscountListForm(request.POST if posting_list else None, instance=dl)
    rows = list(dl.discounts.order_by("begin_quantity")) if not dl._state.adding else []
    return edit_page(
        request,
        posted=posting_list,
        form=form,
        template="catalog/discount_list.html",
        save=lambda data: services.discount_list_save(discount_list=dl, by=request.user, **data),
        context={
            "record": dl,
            "title": dl.name if not dl._state.adding else "New Discount List",
            "rows": rows,
            "row_form": row_form or (DiscountForm() if not dl._state.adding else None),
            "list_url": reverse("discount_list_list"),
            "new_url": reverse("discount_list_create"),
        },
        success=lambda obj: reverse("discount_list_detail", args=[obj.pk]),
        can_edit=is_manager(request.user),
    )


@manager_required
def discount_list_create(request: HttpRequest) -> HttpResponse:
    return _discount_list_page(request, DiscountList())


@manager_required_for_writes
def discount_list_detail(request: HttpRequest, pk: str) -> HttpResponse:
    return _discount_list_page(request, get_object_or_404(DiscountList, pk=pk))


@require_POST
@manager_required
def discount_create(request: HttpRequest, pk: str) -> HttpResponse:
    dl = get_object_or_404(DiscountList, pk=pk)
    form = DiscountForm(request.POST)
    row = run_form(
        request,
        form,
        lambda data: services.discount_save(
            discount=Discount(discount_list=dl, owner=request.user), by=request.user, **data
        ),
    )
    if row is None:
        return _discount_list_page(request, dl, row_form=form)
    messages.success(request, "Discount row added.")
    return redirect("discount_list_detail", pk=pk)


@require_POST
@manager_required
def discount_delete(request: HttpRequest, pk: str, discount_pk: str) -> HttpResponse:
    row = get_object_or_404(
        Discount.objects.select_related("discount_list"), pk=discount_pk, discount_list_id=pk
    )
    return _delete(
        request,
        lambda: services.discount_delete(discount=row, by=request.user),
        done="Discount row deleted.",
        back=reverse("discount_list_detail", args=[pk]),
    )


@manager_required_for_writes
def organization_settings(request: HttpRequest) -> HttpResponse:
    org = OrganizationSettings.load()
    form = OrganizationSettingsForm(request.POST or None, request.FILES or None, instance=org)
    return edit_page(
        request,
        form=form,
        save=lambda data: services.organization_settings_save(by=request.user, **data),
        template="core/organization.html",
        context={"title": "Organization settings"},
        success=lambda obj: "organization",
        can_edit=is_manager(request.user),
    )

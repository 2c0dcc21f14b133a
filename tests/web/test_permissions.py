"""Every screen URL × {anonymous, no role, salesperson, manager}, read from the URL resolver."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.urls import NoReverseMatch, resolve, reverse

from salesapp.sales.states import InvoiceState, OrderState
from salesapp.sales.views.documents import document_command
from salesapp.sales.views.kinds import INVOICE, KINDS

from .world import build_world, screen_urls

pytestmark = pytest.mark.django_db

# URLs a salesperson may not use at all (any method).
MANAGER_ONLY = {
    "invoice_paid",
    "invoice_add_payment",
    "invoice_credit",
    "invoice_cancel",
    "order_cancel",
    "product_create",
    "price_list_create",
    "price_list_item_create",
    "price_list_item_delete",
    "unit_group_create",
    "unit_create",
    "unit_delete",
    "discount_list_create",
    "discount_create",
    "discount_delete",
    "currency_create",
}
# Salespeople read these; only managers post to them.
MANAGER_WRITES = {
    "product_detail",
    "price_list_detail",
    "price_list_item_detail",
    "unit_group_detail",
    "unit_detail",
    "discount_list_detail",
    "organization",
    "currency_detail",
}
SNAPSHOT_APPS = ("catalog", "customers", "sales", "core")


@pytest.fixture
def world(rep, account, product, price_list):
    return build_world(rep, account, product, price_list)


def urls(world: Any) -> list[tuple[str, str]]:
    return [(name, reverse(name, kwargs=world.kwargs(name, conv))) for _route, name, conv in screen_urls()]


def snapshot() -> dict[str, list[tuple]]:
    """Every row of the domain tables, to prove a refused request changed nothing."""
    out = {}
    for app in SNAPSHOT_APPS:
        for model in apps.get_app_config(app).get_models():
            out[model._meta.label] = sorted(map(repr, model.objects.values_list()))
    return out


def test_the_resolver_lists_the_screens(world):
    names = {name for name, _ in urls(world)}
    assert {
        "home",
        "invoice_list",
        "invoice_detail",
        "invoice_paid",
        "order_create_invoice",
        "organization",
        "product_list",
        "price_list_item_detail",
    } <= names
    assert names >= MANAGER_ONLY | MANAGER_WRITES
    assert len(names) > 60


def test_every_screen_view_checks_a_role():
    for _route, name, _conv, view in screen_urls(with_views=True):
        expected = (
            "manager"
            if name in MANAGER_ONLY
            else "manager for writes"
            if name in MANAGER_WRITES
            else "salesperson"
        )
        assert getattr(view, "required_role", None) == expected, name


def test_each_document_url_serves_its_kind_and_each_command_url_guards_the_commands_role():
    pk = uuid.uuid4()
    for kind in KINDS:
        assert resolve(kind.list_url()).kwargs == {"kind": kind}
        assert resolve(reverse(kind.url_name("detail"), args=[pk])).kwargs["kind"] is kind
        if kind.read_only:  # credit notes: made by a command, never edited
            for view in ("create", "line_add"):
                with pytest.raises(NoReverseMatch):
                    reverse(kind.url_name(view), args=[] if view == "create" else [pk])
        else:
            assert resolve(kind.create_url()).kwargs == {"kind": kind}
            assert resolve(reverse(kind.url_name("line_add"), args=[pk])).kwargs["kind"] is kind
            for view in ("line_edit", "line_delete"):
                assert resolve(reverse(kind.url_name(view), args=[pk, pk])).kwargs["kind"] is kind
        for command in kind.commands:
            match = resolve(reverse(kind.url_name(command.name), args=[pk]))
            assert match.kwargs == {"kind": kind, "pk": pk, "command": command.name}
            role = "manager" if command.manager_only else "salesperson"
            assert match.func.required_role == role, match.url_name


def test_the_salesperson_door_still_refuses_a_manager_command(rep):
    """Should urls.py route Invoice Paid through document_command, the command's own role still holds."""
    request = RequestFactory().post("/", {"paid-row_version": 1})
    request.user = rep
    with pytest.raises(PermissionDenied):
        document_command(request, kind=INVOICE, pk=uuid.uuid4(), command="paid")


def test_anonymous_is_sent_to_login_everywhere(client, world):
    for name, url in urls(world):
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 302, (name, response.status_code)
            assert response["Location"].startswith(reverse("login")), name


def test_a_user_without_a_sales_role_gets_403_everywhere(client, world, nobody):
    client.force_login(nobody)
    before = snapshot()
    for name, url in urls(world):
        assert client.post(url).status_code == 403, name
        assert client.get(url).status_code in (403, 405), name
    assert snapshot() == before


def test_salesperson_pages(client, world, rep):
    client.force_login(rep)
    for name, url in urls(world):
        status = client.get(url).status_code
        if name in MANAGER_ONLY:
            assert status in (403, 405), (name, status)
        else:
            assert status in (200, 405), (name, status)


def test_manager_pages(client, world, boss):
    client.force_login(boss)
    for name, url in urls(world):
        status = client.get(url).status_code
        assert status in (200, 405), (name, status)


def test_commands_and_deletes_are_post_only(client, world, boss):
    commands = {k.url_name(c.name) for k in KINDS for c in k.commands}
    post_only = (
        commands
        | {k.url_name(n) for k in KINDS if not k.read_only for n in ("line_add", "line_delete")}
        | {"price_list_item_delete", "unit_create", "unit_delete", "discount_create", "discount_delete"}
        | {"note_delete"}
    )
    client.force_login(boss)
    every = urls(world)
    # the notes and bulk Assign of every list: POST too
    post_only |= {name for name, _ in every if name.endswith(("_note_add", "_bulk_assign"))}
    refused = {name for name, url in every if client.get(url).status_code == 405}
    assert refused == post_only


def test_salesperson_posting_to_manager_urls_gets_403_and_nothing_changes(client, world, rep):
    client.force_login(rep)
    before = snapshot()
    for name, url in urls(world):
        if name in MANAGER_ONLY or name in MANAGER_WRITES:
            assert client.post(url, {"row_version": 99}).status_code == 403, name
    assert snapshot() == before


def test_salesperson_cannot_mark_paid_or_cancel_even_with_a_valid_form(client, world, rep, boss):
    inv, order = world.invoice, world.order
    client.force_login(rep)
    paid = {"paid-row_version": inv.row_version, "paid-status": 100001}
    assert client.post(reverse("invoice_paid", args=[inv.pk]), paid).status_code == 403
    assert (
        client.post(
            reverse("invoice_cancel", args=[inv.pk]), {"cancel-row_version": inv.row_version}
        ).status_code
        == 403
    )
    assert (
        client.post(
            reverse("order_cancel", args=[order.pk]), {"cancel-row_version": order.row_version}
        ).status_code
        == 403
    )
    inv.refresh_from_db()
    order.refresh_from_db()
    assert inv.state == InvoiceState.ACTIVE and order.state == OrderState.ACTIVE
    # …and the same form works for a manager.
    client.force_login(boss)
    response = client.post(reverse("invoice_paid", args=[inv.pk]), paid)
    assert response.status_code == 302
    inv.refresh_from_db()
    assert inv.state == InvoiceState.PAID and inv.amount_paid == inv.total_amount


def test_salesperson_reads_the_catalog_read_only(client, world, rep):
    client.force_login(rep)
    page = client.get(reverse("product_detail", args=[world.product.pk])).content.decode()
    assert "Read-only" in page and "disabled" in page
    assert ">Save<" not in page
    response = client.post(
        reverse("product_detail", args=[world.product.pk]), {"name": "Renamed", "list_price": "1"}
    )
    assert response.status_code == 403
    world.product.refresh_from_db()
    assert world.product.name != "Renamed" and world.product.list_price == Decimal("100.00")


def test_command_bar_offers_manager_commands_only_to_managers(client, world, rep, boss):
    url = reverse("invoice_detail", args=[world.invoice.pk])
    client.force_login(rep)
    page = client.get(url).content.decode()
    assert "Invoice Paid" not in page and "Cancel Invoice" not in page
    assert "Lock Pricing" in page and "Get Products" in page
    client.force_login(boss)
    page = client.get(url).content.decode()
    assert "Invoice Paid" in page and "Cancel Invoice" in page

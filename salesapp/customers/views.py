from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse

from salesapp.accounts.decorators import salesperson_required
from salesapp.accounts.roles import is_salesperson
from salesapp.core.views.lists import BulkAction, Column, ListPage, ListView, date_column, render_list
from salesapp.core.views.records import edit_page

from . import selectors, services
from .forms import AccountForm, ContactForm
from .models import Account, Contact


def _owner(obj) -> str:
    return obj.owner.username if obj.owner_id else ""


def owner_views(title: str) -> tuple[ListView, ...]:
    """The view selector of a customer list (accounts and contacts have no state: no "Active" view)."""
    return (
        ListView("all", f"All {title}", lambda user: Q()),
        ListView("my", f"My {title}", lambda user: Q(owner_id=user.pk)),
    )


# Assign of the ticked rows: the view (salesapp.sales.views.assign) and the service check the role.
def bulk_assign(entity: str) -> BulkAction:
    return BulkAction("assign", "Assign", f"{entity}_bulk_assign", is_salesperson)


ACCOUNTS = ListPage(
    title="Accounts",
    url_name="account_list",
    create_url_name="account_create",
    queryset=selectors.account_list,
    detail_url=lambda a: reverse("account_detail", args=[a.pk]),
    search_fields=("name", "account_number", "email", "address1_city"),
    default_sort="name",
    date_field="created_on",
    columns=(
        Column("Account Name", lambda a: a.name, sort="name", link=True),
        Column("Account Number", lambda a: a.account_number, sort="account_number"),
        Column("Main Phone", lambda a: a.phone),
        Column("Email", lambda a: a.email, sort="email"),
        Column("City", lambda a: a.address1_city, sort="address1_city"),
        Column("Primary Contact", lambda a: a.primary_contact.full_name if a.primary_contact_id else ""),
        Column("Owner", _owner, sort="owner__username"),
        date_column("Created On", lambda a: a.created_on, sort="created_on"),
    ),
    views=owner_views("Accounts"),
    bulk_actions=(bulk_assign("account"),),
)

CONTACTS = ListPage(
    title="Contacts",
    url_name="contact_list",
    create_url_name="contact_create",
    queryset=selectors.contact_list,
    detail_url=lambda c: reverse("contact_detail", args=[c.pk]),
    search_fields=("first_name", "last_name", "email", "account__name"),
    default_sort="last_name",
    customer_fields=("account__name",),
    date_field="created_on",
    columns=(
        Column("Full Name", lambda c: c.full_name, sort="last_name", link=True),
        Column("Email", lambda c: c.email, sort="email"),
        Column("Business Phone", lambda c: c.phone),
        Column("Job Title", lambda c: c.job_title, sort="job_title"),
        Column("Account Name", lambda c: c.account.name if c.account_id else "", sort="account__name"),
        Column("Owner", _owner, sort="owner__username"),
        date_column("Created On", lambda c: c.created_on, sort="created_on"),
    ),
    views=owner_views("Contacts"),
    bulk_actions=(bulk_assign("contact"),),
)


@salesperson_required
def account_list(request: HttpRequest) -> HttpResponse:
    return render_list(request, ACCOUNTS)


@salesperson_required
def contact_list(request: HttpRequest) -> HttpResponse:
    return render_list(request, CONTACTS)


def _account_page(request: HttpRequest, account: Account) -> HttpResponse:
    form = AccountForm(request.POST or None, instance=account)
    contacts = (
        list(account.contacts.order_by("last_name", "first_name")[:50]) if not account._state.adding else []
    )
    return edit_page(
        request,
        form=form,
        template="customers/account_form.html",
        save=lambda data: services.account_save(account=account, by=request.user, **data),
        context={
            "record": account,
            "title": account.name if not account._state.adding else "New Account",
            "contacts": contacts,
            "list_url": reverse("account_list"),
            "new_url": reverse("account_create"),
        },
        success=lambda obj: reverse("account_detail", args=[obj.pk]),
        can_edit=True,
    )


def _contact_page(request: HttpRequest, contact: Contact) -> HttpResponse:
    form = ContactForm(request.POST or None, instance=contact)
    return edit_page(
        request,
        form=form,
        template="customers/contact_form.html",
        save=lambda data: services.contact_save(contact=contact, by=request.user, **data),
        context={
            "record": contact,
            "title": contact.full_name if not contact._state.adding else "New Contact",
            "list_url": reverse("contact_list"),
            "new_url": reverse("contact_create"),
        },
        success=lambda obj: reverse("contact_detail", args=[obj.pk]),
        can_edit=True,
    )


@salesperson_required
def account_create(request: HttpRequest) -> HttpResponse:
    return _account_page(request, Account())


@salesperson_required
def account_detail(request: HttpRequest, pk: str) -> HttpResponse:
    return _account_page(request, get_object_or_404(selectors.account_list(), pk=pk))


@salesperson_required
def contact_create(request: HttpRequest) -> HttpResponse:
    return _contact_page(request, Contact())


@salesperson_required
def contact_detail(request: HttpRequest, pk: str) -> HttpResponse:
    return _contact_page(request, get_object_or_404(selectors.contact_list(), pk=pk))

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from salesapp.accounts.decorators import manager_required_for_writes, salesperson_required
from salesapp.accounts.roles import is_manager
from salesapp.core import selectors, services
from salesapp.core.models import OrganizationSettings

from .records import edit_page


@salesperson_required
def home(request: HttpRequest) -> HttpResponse:
    from salesapp.sales.views.kinds import url_of

    context = selectors.dashboard(request.user)
    for key in ("opportunities", "quotes", "orders", "invoices", "overdue"):
        for doc in context[key]:
            doc.url = url_of(doc)
    return render(request, "home.html", context)


@manager_required_for_writes
def organization_settings(request: HttpRequest) -> HttpResponse:
    from salesapp.core.forms import OrganizationSettingsForm  # core.forms builds on .records: import late

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

"""The home dashboard: the user's open opportunities and active quotes, the orders and invoices in play."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from salesapp.accounts.decorators import salesperson_required

from .. import selectors
from .kinds import url_of


@salesperson_required
def home(request: HttpRequest) -> HttpResponse:
    context = selectors.dashboard(request.user)
    for key in ("opportunities", "quotes", "orders", "invoices", "overdue"):
        for doc in context[key]:
            doc.url = url_of(doc)
    return render(request, "home.html", context)

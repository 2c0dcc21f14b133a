"""The product lookup of Quick Create: type a name or number, the select offers the matches.

The select itself renders only the first LOOKUP_LIMIT active products (plus the line's own), so a
catalog of thousands doesn't weigh on every document page; the form still accepts any active product.
"""

from __future__ import annotations

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from salesapp.accounts.decorators import salesperson_required
from salesapp.sales.forms import LOOKUP_LIMIT, LineForm, option_html

MAX_QUERY = 100


@salesperson_required
@require_GET
def product_lookup(request: HttpRequest) -> HttpResponse:
    """`<option>`s of the active products whose name or number contains `q` (htmx swaps them into the select)."""
    field = LineForm.base_fields["product"]
    query = (request.GET.get("q") or "").replace("\x00", "").strip()[:MAX_QUERY]  # PostgreSQL refuses NUL
    products = field.queryset
    if query:
        products = products.filter(Q(name__icontains=query) | Q(product_number__icontains=query))
    found = list(products[: LOOKUP_LIMIT + 1])
    options = [option_html("", field.empty_label)] if found or not query else []
    only = bool(query) and len(found) == 1  # one match: it is the choice
    options += [option_html(p.pk, field.label_from_instance(p), selected=only) for p in found[:LOOKUP_LIMIT]]
    if not found and query:
        options.append(option_html("", f"No active product matches “{query}”", selected=True))
    elif len(found) > LOOKUP_LIMIT:
        options.append(option_html("", "… more: type more of the name or number", disabled=True))
    return HttpResponse("".join(options))

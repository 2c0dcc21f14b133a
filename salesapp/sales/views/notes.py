"""Add and delete notes on a record's timeline (htmx: the form and the timeline come back in place;
without JavaScript: back to the record page). Who may is the services' rule (`services.notes`)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from salesapp.accounts.decorators import salesperson_required
from salesapp.core.exceptions import DomainError, PermissionDeniedError
from salesapp.core.views.records import add_domain_error
from salesapp.sales import services
from salesapp.sales.forms import NoteForm
from salesapp.sales.models import Note, PricedDocument

from .documents import DOCUMENT_TEMPLATE, document_context, load, timeline_context
from .kinds import KIND_OF_TYPE, Kind

NOTES_TEMPLATE = "sales/_notes_response.html"
TIMELINE_PARTIAL = "sales/document_detail.html#timeline"


@require_POST
@salesperson_required
def note_add(request: HttpRequest, kind: Kind, pk: Any) -> HttpResponse:
    doc = load(kind, pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.note_add(document=doc, by=request.user, **form.cleaned_data)
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from exc
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            form = NoteForm()
            if not request.headers.get("HX-Request"):
                messages.success(request, "Note added.")
                return redirect(kind.url(doc))
    return _respond(request, kind, doc, form)


@require_POST
@salesperson_required
def note_delete(request: HttpRequest, note_pk: Any) -> HttpResponse:
    note = get_object_or_404(Note, pk=note_pk)
    kind = KIND_OF_TYPE.get(note.document_type)
    if kind is None:
        raise Http404("No such record.")
    doc = load(kind, note.document_id)
    try:
        services.note_delete(note=note, by=request.user)
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    if not request.headers.get("HX-Request"):
        messages.success(request, "Note deleted.")
        return redirect(kind.url(doc))
    return render(request, TIMELINE_PARTIAL, timeline_context(request, kind, doc))


def _respond(request: HttpRequest, kind: Kind, doc: PricedDocument, form: NoteForm) -> HttpResponse:
    """htmx: the form (blank, or with its errors) in place and the timeline out of band."""
    if request.headers.get("HX-Request"):
        context = {"doc": doc, "oob": True, **timeline_context(request, kind, doc, form)}
        return render(request, NOTES_TEMPLATE, context)
    return render(request, DOCUMENT_TEMPLATE, document_context(request, kind, doc, note_form=form))

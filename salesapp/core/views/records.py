"""Record forms: parse, call one service, map its DomainError back onto the form, redirect."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import Any

from django import forms
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from salesapp.core.exceptions import ConcurrentChange, DomainError
from salesapp.core.models import IdempotencyKey


class ServiceValidated:
    """A ModelForm that only parses: the service sets the fields and applies the model's rules,
    naming the field it refuses (so the message lands next to it, not at the top)."""

    def _post_clean(self) -> None:
        pass


def add_domain_error(form: forms.Form, exc: DomainError, aliases: Mapping[str, str] | None = None) -> None:
    """Show a service's message next to the field it names, else as a non-field error."""
    name = (aliases or {}).get(exc.field or "", exc.field)
    if name and name in form.fields and not form.fields[name].disabled:
        form.add_error(name, exc.message)
    else:
        form.add_error(None, exc.message)


def run_form(
    request: HttpRequest,
    form: forms.Form,
    save: Callable[[dict[str, Any]], Any],
    aliases: Mapping[str, str] | None = None,
) -> Any:
    """Validate, call `save(cleaned_data)` (one service), return its result, or None with errors on the form."""
    if not form.is_valid():
        return None
    try:
        return save(form.cleaned_data)
    except ConcurrentChange as exc:
        form.add_error(None, exc.message)
        return None
    except DomainError as exc:
        add_domain_error(form, exc, aliases)
        return None


def disable_all(form: forms.Form) -> forms.Form:
    for field in form.fields.values():
        field.disabled = True
    return form


def edit_page(
    request: HttpRequest,
    *,
    form: forms.Form,
    save: Callable[[dict[str, Any]], Any],
    template: str,
    context: dict[str, Any],
    success: Callable[[Any], str],
    can_edit: bool,
    aliases: Mapping[str, str] | None = None,
    saved_message: str = "Saved.",
    posted: bool | None = None,
) -> HttpResponse:
    """GET shows the record form (read-only when the user may not edit); POST saves through `save`.

    `posted=False` re-renders the page after a child form (a unit, a discount row) failed.
    """
    if not can_edit:
        disable_all(form)
    if posted is None:
        posted = request.method == "POST"
    if posted and can_edit:
        result = run_form(request, form, save, aliases)
        if result is not None:
            messages.success(request, saved_message)
            return redirect(success(result))
    instance = getattr(form, "instance", None)
    is_new = bool(instance is not None and instance._state.adding)
    return render(request, template, {**context, "form": form, "can_edit": can_edit, "is_new": is_new})


def new_form_token() -> str:
    return str(uuid.uuid4())


class OneTimeTokenField(forms.UUIDField):
    """A hidden one-time token: the same create form submitted twice creates one record."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "error_messages",
            {
                "required": "The form is out of date: open it again and resubmit.",
                "invalid": "The form is out of date: open it again and resubmit.",
            },
        )
        super().__init__(initial=new_form_token, **kwargs)


def remembered(token: uuid.UUID | None) -> IdempotencyKey | None:
    if token is None:
        return None
    return IdempotencyKey.objects.filter(key=token).first()


def create_once(token: uuid.UUID, result_type: str, create: Callable[[], Any]) -> tuple[Any, bool]:
    """Run `create` once per token. Returns (record or remembered key, created?).

    The key row is inserted in the same transaction as the record, so a second submit (even a
    concurrent one) either finds the key or fails on its primary key and rolls its record back.
    """
    key = remembered(token)
    if key is not None:
        return key, False
    try:
        with transaction.atomic():
            result = create()
            IdempotencyKey.objects.create(key=token, result_type=result_type, result_id=result.pk)
    except IntegrityError:
        key = remembered(token)
        if key is None:
            raise
        return key, False
    return result, True


def next_url(request: HttpRequest, fallback: str) -> str:
    """Where a form sends the user back to (`next`): a URL of this site only, else `fallback`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback

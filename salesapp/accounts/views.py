"""Sign-in throttling's locked-out page and the password change page (SPEC §9)."""

from __future__ import annotations

import math
from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.messages.views import SuccessMessageMixin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse_lazy

LOCKED_OUT_TEMPLATE = "registration/locked_out.html"


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """What django-axes answers (AXES_LOCKOUT_CALLABLE) once a user or an address is locked out:
    the sign-in page saying why and for how long, with 429 and Retry-After."""
    minutes = max(1, math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60))
    context = {"failure_limit": settings.AXES_FAILURE_LIMIT, "cooloff_minutes": minutes}
    response = render(request, LOCKED_OUT_TEMPLATE, context, status=429)
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    return response


class PasswordChange(SuccessMessageMixin, auth_views.PasswordChangeView):
    """Every signed-in user may change their password (old one, then the new one twice)."""

    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("profile")
    success_message = "Your password was changed."

"""The user's profile page: personal API tokens are created, listed and revoked here."""

import datetime

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from .models import ApiToken

# What the profile page offers for a new token's lifetime: days, or "" for never.
LIFETIMES = [("30", "30 days"), ("90", "90 days"), ("365", "1 year"), ("", "Never expires")]
DEFAULT_LIFETIME = "90"


@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    """GET lists the tokens; POST creates one and shows it once (it is stored only as a hash)."""
    new_token = None
    error = ""
    lifetime = DEFAULT_LIFETIME
    if request.method == "POST":
        name = request.POST.get("name", "").strip()
        lifetime = request.POST.get("lifetime", DEFAULT_LIFETIME)
        if not name:
            error = "Name the token (e.g. the integration that will use it)."
        elif len(name) > 100:
            error = "The name can have at most 100 characters."
        elif lifetime not in dict(LIFETIMES):
            error = "Choose how long the token is valid from the list."
            lifetime = DEFAULT_LIFETIME
        else:
            days = datetime.timedelta(days=int(lifetime)) if lifetime else None
            _, new_token = ApiToken.issue(user=request.user, name=name, lifetime=days)
    tokens = ApiToken.objects.filter(user=request.user)
    context = {
        "tokens": tokens,
        "new_token": new_token,
        "error": error,
        "lifetimes": LIFETIMES,
        "lifetime": lifetime,
    }
    return render(request, "api/profile.html", context, status=400 if error else 200)


@require_POST
def revoke_token(request: HttpRequest, token_id: str) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    token.revoke()
    messages.success(request, f"The token {token.name} was revoked.")
    return redirect("profile")

"""/api/data/v9.2/… — one view parses the OData URL (entity sets, keys, actions, metadata)."""

from django.urls import re_path

from . import views

urlpatterns = [
    # [\s\S]: every character, a line break too (an encoded %0A in a key must reach the API's own 404)
    re_path(r"^(?P<path>[\s\S]*)\Z", views.api, name="api"),
]

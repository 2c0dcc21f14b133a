"""/api/data/v9.2/… — one view parses the OData URL (entity sets, keys, actions, metadata)."""

from django.urls import re_path

from . import views

urlpatterns = [
    re_path(r"^(?P<path>.*)$", views.api, name="api"),
]

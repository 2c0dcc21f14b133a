"""The user's profile page (API tokens live there). Owned by the Web API work."""

from django.urls import path
from django.views.generic import TemplateView

urlpatterns = [
    path("", TemplateView.as_view(template_name="api/profile.html"), name="profile"),
]

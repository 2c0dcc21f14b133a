"""The user's profile page (API tokens live there). Owned by the Web API work."""

from django.urls import path

from . import profile_views

urlpatterns = [
    path("", profile_views.profile, name="profile"),
    path("tokens/<uuid:token_id>/revoke/", profile_views.revoke_token, name="api_token_revoke"),
]

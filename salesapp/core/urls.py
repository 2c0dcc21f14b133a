from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("settings/organization/", views.organization_settings, name="organization"),
]

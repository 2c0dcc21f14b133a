"""Browser screens (issue 3: the Sales Professional screens). Each app adds its own urls module here."""

from django.urls import include, path

urlpatterns = [
    path("", include("salesapp.customers.urls")),
    path("", include("salesapp.catalog.urls")),
    path("", include("salesapp.sales.urls")),
]

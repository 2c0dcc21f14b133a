from django.apps import AppConfig


class SalesConfig(AppConfig):
    name = "salesapp.sales"
    label = "sales"

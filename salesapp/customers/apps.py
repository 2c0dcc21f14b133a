from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "salesapp.customers"
    label = "customers"

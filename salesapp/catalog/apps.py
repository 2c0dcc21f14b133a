from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "salesapp.catalog"
    label = "catalog"

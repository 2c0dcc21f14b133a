from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "salesapp.api"
    label = "api"

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "salesapp.core"
    label = "core"

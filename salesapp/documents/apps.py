from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "salesapp.documents"
    label = "documents"

from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "salesapp.documents"
    label = "documents"

    def ready(self) -> None:
        # Register the Celery tasks in every process, web included: services enqueue the email task
        # by its name (services._enqueue).
        from . import tasks  # noqa: F401

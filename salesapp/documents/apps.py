from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "salesapp.documents"
    label = "documents"

    def ready(self) -> None:
        # Register the Celery tasks in every process, web included: services enqueue the email task
        # by its name (services._enqueue).
        from django.core.signals import request_finished

        from . import liveness, tasks  # noqa: F401

        # A web request that ran a task in-process (no broker) doesn't keep a liveness connection.
        request_finished.connect(liveness.close, dispatch_uid="documents.liveness.close")

from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import post_save


def _create_systemuser(sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    """Every new user gets its Web API identity (models.SystemUser) with it."""
    if created and not raw:
        from .models import SystemUser

        SystemUser.for_user(instance)


class AccountsConfig(AppConfig):
    name = "salesapp.accounts"
    label = "accounts"

    def ready(self) -> None:
        post_save.connect(
            _create_systemuser, sender=settings.AUTH_USER_MODEL, dispatch_uid="accounts_create_systemuser"
        )

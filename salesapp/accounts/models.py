"""Users are django.contrib.auth users; this app adds what the Web API needs to name them."""

from django.conf import settings
from django.db import models

from .identity import systemuser_id


class SystemUser(models.Model):
    """A user as the Web API's `systemusers` entity set shows it (WEBAPI.md: Owner).

    Its key is the user's derived GUID (identity.py), so documents name their owner's GUID without a
    join. The row exists so that the generic entity machinery (read by key, `$filter`, `$orderby`,
    `@odata.bind`) treats `systemusers` like every other set: one per user, created with the user
    (apps.py) and by the migration for users that existed before.
    """

    id = models.UUIDField(primary_key=True, editable=False)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="systemuser")
    created_on = models.DateTimeField(auto_now_add=True)
    modified_on = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "system user"
        ordering = ["user__username"]

    def __str__(self) -> str:
        return self.user.get_username()

    @property
    def fullname(self) -> str:
        return self.user.get_full_name() or self.user.get_username()

    @property
    def domainname(self) -> str:
        return self.user.get_username()

    @classmethod
    def for_user(cls, user) -> "SystemUser":
        row, _ = cls.objects.get_or_create(id=systemuser_id(user), defaults={"user": user})
        return row

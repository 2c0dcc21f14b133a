"""Personal API tokens (WEBAPI.md: Base and auth). Only a SHA-256 hash of a token is stored."""

import datetime
import hashlib
import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

TOKEN_PREFIX = "sat_"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


class ApiToken(models.Model):
    """A bearer token a user created on their profile page (or with manage.py create_api_token)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, help_text="The start of the token, to tell tokens apart.")
    token_hash = models.CharField(max_length=64, unique=True)
    created_on = models.DateTimeField(auto_now_add=True)
    last_used_on = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    expires_on = models.DateTimeField(null=True, blank=True, help_text="Empty: the token never expires.")

    class Meta:
        ordering = ["-created_on"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and not self.is_expired

    @property
    def is_expired(self) -> bool:
        return self.expires_on is not None and self.expires_on <= timezone.now()

    @classmethod
    def issue(cls, *, user, name: str, lifetime: datetime.timedelta | None = None) -> tuple["ApiToken", str]:
        """Create a token, valid for `lifetime` (None: until revoked); the plain text is returned once
        and never stored."""
        plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user,
            name=name.strip()[:100] or "API token",
            prefix=plain[:12],
            token_hash=hash_token(plain),
            expires_on=timezone.now() + lifetime if lifetime is not None else None,
        )
        return token, plain

    def revoke(self) -> None:
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])

"""python manage.py create_api_token USERNAME [--name N] [--days D]: print a new personal API token."""

import datetime

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from salesapp.api.models import ApiToken


class Command(BaseCommand):
    help = "Create a personal Web API token for a user and print it (it is shown only once)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="Command line token")
        parser.add_argument(
            "--days", type=int, default=None, help="Days until the token expires (default: never)."
        )

    def handle(self, *args, **options):
        User = get_user_model()
        try:
            user = User.objects.get(username=options["username"])
        except User.DoesNotExist as exc:
            raise CommandError(f"No user named {options['username']!r}; nothing was created.") from exc
        if not user.is_active:
            raise CommandError(f"The user {user.username!r} is inactive; nothing was created.")
        days = options["days"]
        if days is not None and days < 1:
            raise CommandError("--days must be 1 or more; leave it out for a token that never expires.")
        lifetime = datetime.timedelta(days=days) if days is not None else None
        _, plain = ApiToken.issue(user=user, name=options["name"], lifetime=lifetime)
        self.stdout.write(plain)

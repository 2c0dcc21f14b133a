"""Enqueue again email deliveries whose Celery task went missing (run from cron every few minutes)."""

from datetime import timedelta

from django.core.management.base import BaseCommand

from salesapp.documents.services import delivery_requeue_stale


class Command(BaseCommand):
    help = "Enqueue again deliveries stuck in queued (15 min by default) or sending (longer than a task may run)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--queued-minutes", type=float, default=15)

    def handle(self, *args, **options) -> None:
        stale = delivery_requeue_stale(queued_for=timedelta(minutes=options["queued_minutes"]))
        self.stdout.write(f"{len(stale)} deliveries enqueued again")

"""The Celery app, configured from Django settings (the CELERY_* block of salesapp/settings.py).

Without CELERY_BROKER_URL tasks run in-process (task_always_eager), so `make run` needs no broker;
with it the web process only enqueues and `celery -A salesapp worker` does the work. The settings
make tasks acknowledged late (a task whose worker dies comes back), prefetch one at a time, reject
on worker loss, cap run time and the memory of each worker child. Tasks are enqueued from services
with `transaction.on_commit`, so a worker never sees a row that isn't committed yet.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesapp.settings")

app = Celery("salesapp")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

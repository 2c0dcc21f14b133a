"""One mail connection per worker process, reused from one delivery to the next.

Opening an SMTP session (TCP, greeting, EHLO, STARTTLS, AUTH) costs several round trips; a worker
sending a batch of invoices would pay them for every message. `send` keeps the connection open after
a message and uses it for the next one, unless

* it has been idle longer than `EMAIL_CONNECTION_IDLE_SECONDS` (servers drop idle clients, typically
  after a few minutes): it is closed and a new one opened;
* a send failed: the connection is closed, whatever the error, so the next message starts on a clean
  session (a half-finished DATA or a reply we didn't read can't leak into it);
* a quick NOOP on a reused SMTP session fails (the server hung up meanwhile): a new one is opened
  before anything of the message is sent, so the message itself is never sent twice because of it.

Per thread, which under Celery's prefork pool is per process. The backend is `EMAIL_BACKEND`, so the
file and in-memory backends of development and tests go through the same path (they are not kept
open: they have no session to save, and the file backend would put every message in one file).
"""

from __future__ import annotations

import contextlib
import smtplib
import threading
import time
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend

_local = threading.local()


def idle_limit() -> float:
    return float(getattr(settings, "EMAIL_CONNECTION_IDLE_SECONDS", 60))


def _alive(backend: Any) -> bool:
    """False when a reused SMTP session no longer answers (other backends have no session)."""
    session = getattr(backend, "connection", None)
    if not isinstance(session, smtplib.SMTP):
        return True
    try:
        code, _ = session.noop()
    except (smtplib.SMTPException, OSError):
        return False
    return code == 250


def _connection() -> Any:
    backend = getattr(_local, "backend", None)
    last_used = getattr(_local, "last_used", 0.0)
    if backend is not None and (time.monotonic() - last_used > idle_limit() or not _alive(backend)):
        close()
        backend = None
    if backend is None:
        backend = get_connection(fail_silently=False)
        backend.open()
        _local.backend = backend
        _local.opened = getattr(_local, "opened", 0) + 1
    return backend


def send(message: EmailMessage) -> None:
    """Send one message on this process's connection (opened or renewed as the module says).
    Errors propagate (the caller classifies them); the connection is closed after one."""
    backend = _connection()
    message.connection = backend
    try:
        sent = backend.send_messages([message])
    except BaseException:
        close()
        raise
    _local.last_used = time.monotonic()
    if not isinstance(backend, SmtpBackend):
        close()  # a file or memory backend has no session worth keeping (one file per message)
    elif not sent:  # Django's SMTP backend returns 0 when it could not use its connection
        close()
        raise smtplib.SMTPServerDisconnected("the mail connection was not usable")


def close() -> None:
    """Close this process's connection (if any); the next send opens a new one."""
    backend = getattr(_local, "backend", None)
    _local.backend = None
    if backend is not None:
        with contextlib.suppress(Exception):
            backend.close()


def connections_opened() -> int:
    """How many connections this thread has opened (for tests and benchmarks)."""
    return int(getattr(_local, "opened", 0))

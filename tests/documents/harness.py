"""Real services for the email integration tests and bench/email.py: an SMTP server (aiosmtpd) on
localhost that can refuse or hang, and `celery worker` subprocesses."""

from __future__ import annotations

import asyncio
import contextlib
import email
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from email import policy
from pathlib import Path

from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SmtpHandler:
    """Records the messages it accepted. `refuse` replies to the next N messages with an error;
    `block` makes the next DATA wait until `release` is set (or the client hangs up — then aiosmtpd
    cancels this coroutine and the message is never accepted, as a real MTA would drop it).
    `delay` makes every DATA answer that many seconds late (a slow server); `sessions` counts the
    SMTP connections messages arrived on."""

    def __init__(self) -> None:
        self.messages: list[bytes] = []
        self.refuse: list[str] = []
        self.block = False
        self.data_started = threading.Event()
        self.release = threading.Event()
        self.aborted = 0
        self.delay = 0.0
        self.peers: set[tuple[str, int]] = set()
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:
        self.peers.add(tuple(session.peer))  # the client's (address, port): one per connection
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.refuse:
            return self.refuse.pop(0)
        if self.block:
            self.block = False
            self.data_started.set()
            try:
                while not self.release.is_set():
                    await asyncio.sleep(0.02)
            except asyncio.CancelledError:
                self.aborted += 1
                raise
        with self._lock:
            self.messages.append(envelope.original_content or envelope.content)
        return "250 Message accepted for delivery"

    @property
    def sessions(self) -> int:
        return len(self.peers)

    def parsed(self) -> list[email.message.EmailMessage]:
        return [email.message_from_bytes(raw, policy=policy.default) for raw in list(self.messages)]

    def wait_for(self, count: int, timeout: float) -> bool:
        return wait_until(lambda: len(self.messages) >= count, timeout)


def start_smtp(port: int | None = None) -> tuple[Controller, SmtpHandler]:
    handler = SmtpHandler()
    controller = Controller(
        handler, hostname="127.0.0.1", port=port or free_port(), data_size_limit=50_000_000
    )
    controller.start()
    return controller, handler


def wait_until(predicate: Callable[[], bool], timeout: float, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


def worker_env(
    *, database_url: str, broker_url: str, queue: str, smtp_port: int, **extra: str
) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if k not in ("SALESAPP_TEST_DB_NAME", "SALESAPP_TEST_SQLITE_FILE")
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "salesapp.settings",
            "DATABASE_URL": database_url,
            "CELERY_BROKER_URL": broker_url,
            "CELERY_QUEUE": queue,
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_port),
            "EMAIL_TIMEOUT": "10",
            "EMAIL_DELIVERY_MAX_RETRIES": "3",
            "EMAIL_DELIVERY_RETRY_BACKOFF": "0.3",
            "EMAIL_DELIVERY_RETRY_BACKOFF_MAX": "2",
            "CELERY_VISIBILITY_TIMEOUT": "30",
            "CELERY_UNACKED_RESTORE_INTERVAL": "1",
            "CELERY_UNACKED_RESTORE_THROTTLE": "1",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra)
    return env


class Worker:
    """`celery -A salesapp worker --pool=prefork` in its own process group, logging to a file."""

    def __init__(self, env: dict[str, str], *, concurrency: int = 1, log_dir: Path | None = None) -> None:
        log_dir = log_dir or ROOT / "var" / "test-workers"
        log_dir.mkdir(parents=True, exist_ok=True)
        self.name = f"w{uuid.uuid4().hex[:8]}"
        self.log_path = log_dir / f"{self.name}.log"
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        celery = str(Path(sys.executable).with_name("celery"))
        self.proc = subprocess.Popen(
            [
                celery,
                "-A",
                "salesapp",
                "worker",
                "--pool=prefork",
                f"--concurrency={concurrency}",
                "--loglevel=INFO",
                "-n",
                f"{self.name}@%h",
                "-Q",
                env["CELERY_QUEUE"],
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_ready(self, timeout: float = 60) -> None:
        if not wait_until(lambda: " ready." in self.log() or self.proc.poll() is not None, timeout):
            raise TimeoutError(f"worker not ready after {timeout}s:\n{self.log()[-3000:]}")
        if self.proc.poll() is not None:
            raise RuntimeError(f"worker exited with {self.proc.returncode}:\n{self.log()[-3000:]}")

    def kill(self) -> None:
        """SIGKILL the worker and its pool children at once: no shutdown, no acknowledgement."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # warm shutdown of the main process
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(20)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)  # and no pool child left behind
        if self.proc.poll() is None:
            self.proc.wait(10)
        self._log.close()


@contextlib.contextmanager
def celery_enqueues_to(url: str, queue: str):
    """This process's Celery app publishes to `queue` on the Redis at `url` instead of running tasks
    in-process; the previous configuration (and kombu's producer pools) are restored afterwards."""
    from salesapp.celery import app

    def forget_producers() -> None:  # kombu keeps pools per connection URL
        app._pool = None
        app.amqp._producer_pool = None

    keys = ("broker_url", "task_always_eager", "task_default_queue")
    saved = {key: app.conf[key] for key in keys}
    forget_producers()
    app.conf.update(broker_url=url, task_always_eager=False, task_default_queue=queue)
    try:
        yield
    finally:
        app.conf.update(saved)
        forget_producers()
        import redis

        redis.Redis.from_url(url).delete(queue)

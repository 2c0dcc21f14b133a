"""Liveness locks: "is the process working on this delivery still alive?", answered without a
database transaction or a row lock.

A delivery attempt holds its delivery's liveness lock from before its claim until it has stored the
outcome, SMTP conversation included. The lock belongs to the process (its session or its open file),
not to a transaction, so nothing else in the database waits on it, and the operating system or the
database server releases it the moment that process dies. Another attempt (a redelivered task, the
stale-delivery sweep) that can't take the lock knows the holder is alive and backs off; one that can
knows any `sending` row it finds was left by a dead attempt and may take it over.

* PostgreSQL: a session advisory lock (`pg_try_advisory_lock`) on a connection of its own in
  autocommit mode (one per thread, kept between attempts). The server releases it when that session
  ends, however it ends.
* SQLite (one machine by construction): `fcntl.flock` on a file under `LIVENESS_LOCK_DIR`
  (`var/locks/`). The kernel releases it when the file is closed or the process dies.

Both refuse a second `hold` of the same name from the same thread, as they do from another process
(flock treats every `open` independently; advisory locks would otherwise nest within a session).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.db import connection


class _Backend(Protocol):
    def acquire(self, name: str) -> bool: ...

    def release(self, name: str) -> None: ...

    def close(self) -> None: ...


def _key(name: str) -> int:
    """A stable signed 64-bit key for `name` (advisory locks take a bigint)."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True)


class _PostgresLocks:
    """Session advisory locks on a dedicated autocommit connection per thread, kept between holds.

    Opening a connection costs several milliseconds (and a server process); a worker sends email
    after email from one thread, so it keeps its connection. `close()` ends it: web requests do so
    when they finish (tasks run in-process without a broker), and tests after each test.
    """

    def __init__(self) -> None:
        self._local = threading.local()

    def _held(self) -> set[str]:
        held: set[str] | None = getattr(self._local, "held", None)
        if held is None:
            held = self._local.held = set()
        return held

    def _connection(self) -> Any:
        import psycopg

        conn = getattr(self._local, "conn", None)
        if conn is None or conn.closed or conn.broken:
            params = connection.get_connection_params()
            for django_only in ("cursor_factory", "context"):
                params.pop(django_only, None)
            conn = self._local.conn = psycopg.connect(**params, autocommit=True)
            self._held().clear()  # a new session holds nothing
        return conn

    def acquire(self, name: str) -> bool:
        held = self._held()
        if name in held:
            return False
        try:
            row = self._connection().execute("SELECT pg_try_advisory_lock(%s)", [_key(name)]).fetchone()
        except Exception:
            self.close()
            raise
        if row and row[0]:
            held.add(name)
            return True
        return False

    def release(self, name: str) -> None:
        held = self._held()
        if name not in held:
            return
        held.discard(name)
        try:
            self._connection().execute("SELECT pg_advisory_unlock(%s)", [_key(name)])
        except Exception:  # a broken session releases its locks by ending
            self.close()

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        self._local.conn = None
        self._held().clear()
        if conn is not None:
            with contextlib.suppress(Exception):
                conn.close()


class _FileLocks:
    """flock(2) on one file per name; the file is removed by the holder when it lets go."""

    def __init__(self) -> None:
        self._local = threading.local()

    def _path(self, name: str) -> Path:
        folder = Path(getattr(settings, "LIVENESS_LOCK_DIR", settings.VAR_DIR / "locks"))
        folder.mkdir(parents=True, exist_ok=True)
        safe = hashlib.sha256(name.encode()).hexdigest()[:32]
        return folder / f"{safe}.lock"

    def _open(self) -> dict[str, int]:
        files: dict[str, int] | None = getattr(self._local, "files", None)
        if files is None:
            files = self._local.files = {}
        return files

    def acquire(self, name: str) -> bool:
        files = self._open()
        if name in files:
            return False
        path = self._path(name)
        while True:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                os.close(fd)
                if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    return False
                raise
            # The previous holder may have unlinked the file between our open and our lock: then we
            # hold a lock on a file nobody else will open. Start again on the file now at `path`.
            try:
                same = os.stat(path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if same:
                files[name] = fd
                return True
            os.close(fd)

    def close(self) -> None:
        for name in list(self._open()):
            self.release(name)

    def release(self, name: str) -> None:
        fd = self._open().pop(name, None)
        if fd is None:
            return
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self._path(name))  # while still locked: a waiter re-checks the inode
        os.close(fd)


_backends: dict[str, _Backend] = {}


def _backend() -> _Backend:
    vendor = connection.vendor
    if vendor not in _backends:
        _backends[vendor] = _PostgresLocks() if vendor == "postgresql" else _FileLocks()
    return _backends[vendor]


@contextlib.contextmanager
def hold(name: str) -> Iterator[bool]:
    """Try to take the liveness lock `name` without waiting; yields whether it was taken and keeps it
    until the block ends (or the process dies)."""
    backend = _backend()
    taken = backend.acquire(name)
    try:
        yield taken
    finally:
        if taken:
            backend.release(name)


def close(**_: Any) -> None:
    """Let go of this thread's liveness connection and locks (connected to `request_finished`)."""
    for backend in _backends.values():
        backend.close()


def delivery_lock_name(delivery_id: object) -> str:
    return f"salesapp.delivery.{delivery_id}"

"""Integration tests use real services. Locally a missing service skips the test with the reason;
on CI (SALESAPP_REQUIRE_SERVICES=1, set by .ci/run) it fails it: nothing is skipped there."""

import os
import shutil
import socket

import pytest

REQUIRED = os.environ.get("SALESAPP_REQUIRE_SERVICES") == "1" or os.environ.get("CI") == "true"
REDIS_URL = os.environ.get("SALESAPP_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
CHROMIUM = os.environ.get("CHROMIUM_PATH", shutil.which("chromium") or "/usr/bin/chromium")


def unavailable(what: str) -> None:
    """Skip locally, fail on CI."""
    if REQUIRED:
        pytest.fail(f"required service unavailable on CI: {what}")
    pytest.skip(f"service unavailable: {what}")


def port_open(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex((host, port)) == 0


def require_redis() -> str:
    from urllib.parse import urlparse

    url = urlparse(REDIS_URL)
    if not port_open(url.hostname or "127.0.0.1", url.port or 6379):
        unavailable(f"Redis at {REDIS_URL}")
    return REDIS_URL


def require_postgres() -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        unavailable("PostgreSQL (set DATABASE_URL)")


def require_chromium() -> str:
    if not os.path.exists(CHROMIUM):
        unavailable(f"Chromium at {CHROMIUM} (apt-get install chromium)")
    return CHROMIUM


def database_url() -> str:
    """The test database, as another process (a worker, a child measuring memory) reaches it."""
    from django.db import connection

    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"

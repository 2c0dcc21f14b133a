"""`manage.py check --deploy` with production settings reports nothing."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    # The browser tests' DJANGO_ALLOW_ASYNC_UNSAFE belongs to the test process, not to production.
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "SECRET_KEY": "x" * 20 + "-production-secret-key-for-the-check-0123456789",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "sales.example.com",
        "DATABASE_URL": os.environ.get("DATABASE_URL", f"sqlite:///{tmp_path}/db.sqlite3"),
        "SALESAPP_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_embedded_defaults_need_no_services(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "EMAIL_HOST", "SECRET_KEY"}
    }
    env["SALESAPP_VAR_DIR"] = str(tmp_path)
    code = (
        "from django.conf import settings as s; print(s.DATABASES['default']['ENGINE'], "
        "s.CELERY_TASK_ALWAYS_EAGER, s.EMAIL_BACKEND, s.EMAIL_FILE_PATH)"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    engine, eager, backend, path = result.stdout.strip().splitlines()[-1].split()
    assert engine.endswith("sqlite3") and eager == "True"
    assert backend.endswith("filebased.EmailBackend") and path.startswith(str(tmp_path))


def test_production_variables_switch_the_shape(tmp_path):
    env = {
        **os.environ,
        "SALESAPP_VAR_DIR": str(tmp_path),
        "DATABASE_URL": "postgres://u@db.example:5432/sales",
        "CELERY_BROKER_URL": "redis://redis.example:6379/0",
        "EMAIL_HOST": "smtp.example.com",
        "EMAIL_PORT": "2525",
    }
    code = (
        "from django.conf import settings as s; print(s.DATABASES['default']['ENGINE'], "
        "s.CELERY_TASK_ALWAYS_EAGER, s.EMAIL_BACKEND, s.EMAIL_PORT)"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    engine, eager, backend, port = result.stdout.strip().splitlines()[-1].split()
    assert engine.endswith("postgresql") and eager == "False"
    assert backend.endswith("smtp.EmailBackend") and port == "2525"

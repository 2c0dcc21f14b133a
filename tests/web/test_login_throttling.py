"""Sign-in throttling (SPEC §9, django-axes): after LOGIN_FAILURE_LIMIT failures for a user or from an
address, sign-in is refused for the cool-off, even with the right password, and the page says why."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

PASSWORD = "pw-salesapp-123"  # tests.factories.UserFactory's password

LIMIT = 5


@pytest.fixture(autouse=True)
def throttled(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = LIMIT
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)


def sign_in(client: Client, username: str, password: str, address: str = "10.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_a_few_failures_still_let_the_right_password_in(rep):
    client = Client()
    for _ in range(LIMIT - 1):
        response = sign_in(client, rep.username, "wrong")
        assert response.status_code == 200 and "correct username and password" in response.text
    response = sign_in(client, rep.username, PASSWORD)
    assert response.status_code == 302 and signed_in(client)


def test_the_limit_th_failure_locks_the_user_out_with_a_message_saying_so(rep):
    client = Client()
    for _ in range(LIMIT - 1):
        sign_in(client, rep.username, "wrong")

    response = sign_in(client, rep.username, "wrong")

    assert response.status_code == 429
    assert "Sign-in is locked for 15 minutes" in response.text
    assert f"There were {LIMIT} failed attempts" in response.text
    assert response["Retry-After"] == "900"
    assert "<html" in response.text and "Back to sign in" in response.text  # the site's page, not a bare 403


def test_the_right_password_is_refused_until_the_cool_off_has_passed(rep, settings):
    client = Client()
    for _ in range(LIMIT):
        sign_in(client, rep.username, "wrong")

    response = sign_in(client, rep.username, PASSWORD)
    assert response.status_code == 429 and not signed_in(client)

    # Pretend the cool-off has passed: failures older than it no longer count.
    from axes.models import AccessAttempt

    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=16)
    )
    response = sign_in(client, rep.username, PASSWORD)
    assert response.status_code == 302 and signed_in(client)


def test_a_locked_user_is_locked_from_every_address(rep):
    for number in range(LIMIT):
        sign_in(Client(), rep.username, "wrong", address=f"10.0.1.{number}")

    response = sign_in(Client(), rep.username, PASSWORD, address="10.0.2.1")

    assert response.status_code == 429


def test_an_address_guessing_many_usernames_is_locked_out_for_every_user(rep, boss):
    for number in range(LIMIT):
        sign_in(Client(), f"guess{number}", "wrong", address="10.9.9.9")

    assert sign_in(Client(), boss.username, PASSWORD, address="10.9.9.9").status_code == 429
    # … while the same user from elsewhere still gets in: only the address is locked.
    assert sign_in(Client(), boss.username, PASSWORD, address="10.9.9.10").status_code == 302


def test_a_successful_sign_in_forgets_earlier_failures(rep):
    client = Client()
    for _ in range(LIMIT - 1):
        sign_in(client, rep.username, "wrong")
    assert sign_in(client, rep.username, PASSWORD).status_code == 302
    client.logout()

    for _ in range(LIMIT - 1):
        sign_in(client, rep.username, "wrong", address="10.0.0.2")
    assert sign_in(client, rep.username, PASSWORD, address="10.0.0.2").status_code == 302


def test_cool_off_and_limit_come_from_the_environment(tmp_path):
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "SALESAPP_VAR_DIR": str(tmp_path),
        "LOGIN_FAILURE_LIMIT": "7",
        "LOGIN_COOLOFF_MINUTES": "30",
    }
    code = "from django.conf import settings as s; print(s.AXES_FAILURE_LIMIT, s.AXES_COOLOFF_TIME)"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.strip().splitlines()[-1] == "7 0:30:00"

"""Personal API tokens: the profile page and manage.py create_api_token."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from salesapp.api.models import ApiToken, hash_token
from tests.api.conftest import Api


@pytest.mark.django_db
def test_command_prints_a_working_token_stored_hashed(rep):
    out = StringIO()
    call_command("create_api_token", rep.username, "--name", "ERP", stdout=out)
    plain = out.getvalue().strip()
    token = ApiToken.objects.get(user=rep)
    assert token.name == "ERP" and token.token_hash == hash_token(plain) and plain not in token.token_hash
    assert Api(plain).get("accounts").status == 200
    assert ApiToken.objects.get(pk=token.pk).last_used_on is not None


@pytest.mark.django_db
def test_command_with_an_unknown_user_fails_and_saves_nothing(db):
    with pytest.raises(CommandError, match="No user named 'ghost'"):
        call_command("create_api_token", "ghost", stdout=StringIO())
    assert not ApiToken.objects.exists()


def test_command_exit_code_is_non_zero_for_an_unknown_user(tmp_path):
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "SALESAPP_TEST_SQLITE_FILE": "",
        "DATABASE_URL": "",
        "SALESAPP_VAR_DIR": str(tmp_path),
    }
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], env=env, check=True, timeout=120)
    result = subprocess.run(
        [sys.executable, "manage.py", "create_api_token", "ghost"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0 and "No user named 'ghost'" in result.stderr and not result.stdout


@pytest.fixture
def plain_static(settings):
    """Render pages without a collected static manifest (DEBUG off + DATABASE_URL would ask for one)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.mark.django_db
def test_profile_page_creates_shows_once_lists_and_revokes(rep, plain_static):
    client = Client(enforce_csrf_checks=False)
    client.force_login(rep)
    response = client.post(reverse("profile"), {"name": "Zapier <b>"})
    assert response.status_code == 200
    plain = response.context["new_token"]
    assert plain.startswith("sat_") and plain.encode() in response.content
    assert b"Zapier &lt;b&gt;" in response.content  # escaped
    assert Api(plain).get("accounts").status == 200
    page = client.get(reverse("profile"))
    assert plain.encode() not in page.content and b"Zapier" in page.content  # shown once only
    token = ApiToken.objects.get(user=rep)
    assert client.post(reverse("api_token_revoke", args=[token.pk])).status_code == 302
    assert Api(plain).get("accounts").status == 401
    assert client.post(reverse("profile"), {"name": ""}).status_code == 400


@pytest.mark.django_db
def test_profile_page_needs_login_and_csrf(rep, boss, plain_static):
    anonymous = Client()
    assert anonymous.get(reverse("profile")).status_code == 302
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(rep)
    assert strict.post(reverse("profile"), {"name": "x"}).status_code == 403
    assert not ApiToken.objects.exists()
    # a user can't revoke another user's token
    token, plain = ApiToken.issue(user=boss, name="boss")
    lax = Client()
    lax.force_login(rep)
    assert lax.post(reverse("api_token_revoke", args=[token.pk])).status_code == 404
    assert Api(plain).get("accounts").status == 200

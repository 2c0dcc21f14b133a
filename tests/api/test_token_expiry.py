"""API tokens can expire: chosen on the profile page or with `create_api_token --days` (SPEC §9)."""

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from salesapp.api.models import ApiToken
from tests.api.conftest import Api


def test_an_expired_token_gets_401_saying_it_expired(rep):
    token, plain = ApiToken.issue(user=rep, name="ERP", lifetime=datetime.timedelta(days=30))
    assert Api(plain).get("accounts").status == 200

    ApiToken.objects.filter(pk=token.pk).update(expires_on=timezone.now() - datetime.timedelta(seconds=1))
    reply = Api(plain).get("accounts")

    assert reply.status == 401 and reply.body["error"]["code"] == "0x80072560"
    assert "The API token expired on" in reply.error and "profile page" in reply.error


def test_a_token_without_expiry_never_expires(rep):
    token, plain = ApiToken.issue(user=rep, name="ERP")
    assert token.expires_on is None and not token.is_expired
    assert Api(plain).get("accounts").status == 200


@pytest.mark.parametrize("choice, days", [("30", 30), ("90", 90), ("365", 365), ("", None)])
def test_the_profile_page_creates_a_token_with_the_chosen_lifetime(rep, choice, days):
    client = Client()
    client.force_login(rep)

    response = client.post(reverse("profile"), {"name": "ERP", "lifetime": choice})

    assert response.status_code == 200
    token = ApiToken.objects.get(user=rep)
    if days is None:
        assert token.expires_on is None and "never" in response.text
    else:
        expected = timezone.now() + datetime.timedelta(days=days)
        assert abs(token.expires_on - expected) < datetime.timedelta(minutes=1)


def test_the_profile_page_offers_90_days_by_default_and_refuses_other_lifetimes(rep):
    client = Client()
    client.force_login(rep)
    assert '<option value="90" selected>90 days</option>' in client.get(reverse("profile")).text

    response = client.post(reverse("profile"), {"name": "ERP", "lifetime": "100000"})

    assert response.status_code == 400 and "Choose how long the token is valid" in response.text
    assert not ApiToken.objects.exists()


def test_the_profile_page_shows_an_expired_token_as_expired_without_revoke(rep):
    token, _ = ApiToken.issue(user=rep, name="Old ERP")
    ApiToken.objects.filter(pk=token.pk).update(expires_on=timezone.now() - datetime.timedelta(days=1))
    client = Client()
    client.force_login(rep)

    page = client.get(reverse("profile")).text

    assert "Expired" in page and reverse("api_token_revoke", args=[token.pk]) not in page


def test_the_command_takes_days(rep):
    out = StringIO()
    call_command("create_api_token", rep.username, "--days", "7", stdout=out)
    token = ApiToken.objects.get(user=rep)
    expected = timezone.now() + datetime.timedelta(days=7)
    assert abs(token.expires_on - expected) < datetime.timedelta(minutes=1)
    assert Api(out.getvalue().strip()).get("accounts").status == 200


def test_the_command_without_days_makes_a_token_that_never_expires(rep):
    call_command("create_api_token", rep.username, stdout=StringIO())
    assert ApiToken.objects.get(user=rep).expires_on is None


def test_the_command_refuses_zero_days(rep):
    with pytest.raises(CommandError, match="--days must be 1 or more"):
        call_command("create_api_token", rep.username, "--days", "0", stdout=StringIO())
    assert not ApiToken.objects.exists()

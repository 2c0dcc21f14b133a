"""Repeated bad tokens from an address are answered 429 for a while, even with a good token (SPEC §9)."""

import json
import time

import pytest
from django.test import Client

from salesapp.api.models import ApiToken

LIMIT = 3
URL = "/api/data/v9.2/accounts"


@pytest.fixture(autouse=True)
def throttled(settings):
    settings.API_TOKEN_FAILURE_LIMIT = LIMIT
    settings.API_TOKEN_LOCKOUT_MINUTES = 15


@pytest.fixture
def good_token(rep) -> str:
    return ApiToken.issue(user=rep, name="ERP")[1]


def call(token: str, address: str = "10.1.1.1", **extra):
    return Client().get(URL, HTTP_AUTHORIZATION=f"Bearer {token}", REMOTE_ADDR=address, **extra)


def error_of(response) -> dict:
    return json.loads(response.content)["error"]


def test_bad_tokens_below_the_limit_get_401_and_a_good_one_still_works(good_token):
    for _ in range(LIMIT - 1):
        assert call("sat_guess").status_code == 401
    assert call(good_token).status_code == 200


def test_past_the_limit_the_address_gets_429_in_the_dataverse_shape_even_with_a_good_token(good_token):
    for _ in range(LIMIT):
        assert call("sat_guess").status_code == 401

    response = call(good_token)

    assert response.status_code == 429
    error = error_of(response)
    assert error["code"] == "0x80072322"
    assert "Too many requests with an unknown, revoked or expired API token" in error["message"]
    assert 890 <= int(response["Retry-After"]) <= 900
    assert response["OData-Version"] == "4.0"


def test_other_addresses_are_not_affected(good_token):
    for _ in range(LIMIT):
        call("sat_guess", address="10.1.1.1")
    assert call(good_token, address="10.1.1.2").status_code == 200


def test_revoked_and_expired_tokens_count_too(rep, good_token):
    revoked, revoked_plain = ApiToken.issue(user=rep, name="old")
    revoked.revoke()
    expired, expired_plain = ApiToken.issue(user=rep, name="short")
    ApiToken.objects.filter(pk=expired.pk).update(expires_on="2000-01-01T00:00:00Z")

    assert call(revoked_plain).status_code == 401
    assert call(expired_plain).status_code == 401
    assert call("sat_guess").status_code == 401
    assert call(good_token).status_code == 429


def test_requests_without_a_token_are_not_counted(good_token):
    for _ in range(LIMIT + 2):
        assert Client().get(URL, REMOTE_ADDR="10.1.1.1").status_code == 401
    assert call(good_token).status_code == 200


def test_the_block_ends_when_the_window_has_passed(settings, good_token):
    settings.API_TOKEN_LOCKOUT_MINUTES = 1 / 60  # one second
    for _ in range(LIMIT):
        call("sat_guess")
    assert call(good_token).status_code == 429

    time.sleep(1.2)

    assert call(good_token).status_code == 200


def test_the_address_behind_trusted_proxies_is_the_one_the_outer_proxy_saw(settings, good_token):
    settings.TRUSTED_PROXY_COUNT = 1
    for number in range(LIMIT):
        # The client forges a different left-most address each time; the proxy appends the real one.
        call("sat_guess", address="10.0.0.254", HTTP_X_FORWARDED_FOR=f"1.2.3.{number}, 203.0.113.7")

    blocked = call(good_token, address="10.0.0.254", HTTP_X_FORWARDED_FOR="203.0.113.7")
    other_client = call(good_token, address="10.0.0.254", HTTP_X_FORWARDED_FOR="203.0.113.8")

    assert blocked.status_code == 429 and other_client.status_code == 200

"""Every signed-in user can change their password from the profile page (SPEC §9)."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

PASSWORD = "pw-salesapp-123"  # tests.factories.UserFactory's password
NEW = "a-much-Longer-pass-2024"


@pytest.fixture
def client_of(db):
    def make(user) -> Client:
        client = Client(enforce_csrf_checks=True)
        client.force_login(user)
        return client

    return make


def change(client: Client, old: str, new1: str, new2: str | None = None):
    client.get(reverse("password_change"))  # sets the CSRF cookie, as the browser's visit does
    token = client.cookies["csrftoken"].value
    return client.post(
        reverse("password_change"),
        {
            "old_password": old,
            "new_password1": new1,
            "new_password2": new2 or new1,
            "csrfmiddlewaretoken": token,
        },
        follow=True,
    )


def test_the_profile_page_links_to_it(client_of, rep):
    page = client_of(rep).get(reverse("profile"))
    assert f'href="{reverse("password_change")}"' in page.text


@pytest.mark.parametrize("who", ["rep", "nobody"])
def test_any_user_changes_their_password_and_stays_signed_in(client_of, rep, who):
    user = rep if who == "rep" else get_user_model().objects.create_user("norole", password=PASSWORD)
    client = client_of(user)

    response = change(client, PASSWORD, NEW)

    assert response.redirect_chain[-1][0] == reverse("profile")
    assert "Your password was changed." in response.text
    user.refresh_from_db()
    assert user.check_password(NEW) and not user.check_password(PASSWORD)
    assert client.get(reverse("profile")).status_code == 200  # the session survived the change
    fresh = Client()
    assert fresh.post(reverse("login"), {"username": user.username, "password": NEW}).status_code == 302


def test_a_wrong_old_password_changes_nothing(client_of, rep):
    response = change(client_of(rep), "not-it", NEW)
    assert response.status_code == 200 and "Your old password was entered incorrectly" in response.text
    rep.refresh_from_db()
    assert rep.check_password(PASSWORD)


def test_a_weak_or_mismatched_new_password_is_refused(client_of, rep):
    client = client_of(rep)
    assert "too common" in change(client, PASSWORD, "password").text
    assert "didn’t match" in change(client, PASSWORD, NEW, NEW + "x").text
    rep.refresh_from_db()
    assert rep.check_password(PASSWORD)


def test_a_post_without_the_csrf_token_is_refused(client_of, rep):
    response = client_of(rep).post(
        reverse("password_change"), {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW}
    )
    assert response.status_code == 403
    rep.refresh_from_db()
    assert rep.check_password(PASSWORD)


def test_anonymous_users_are_sent_to_sign_in(db):
    response = Client().get(reverse("password_change"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))

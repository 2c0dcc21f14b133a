"""A command URL opened by GET (bookmark, pasted link, Back): a page that says nothing was changed and
leads to the record — not Django's blank 405 (issue #13, item 3)."""

import pytest
from django.urls import reverse

from salesapp.core.middleware import landing_url

pytestmark = pytest.mark.django_db


def test_a_command_opened_as_a_page_explains_and_links_to_the_record(client, rep, invoice):
    client.force_login(rep)
    version = invoice.row_version

    response = client.get(reverse("invoice_lock_pricing", args=[invoice.pk]))

    page = response.content.decode()
    assert response.status_code == 405 and "POST" in response["Allow"]
    assert "This address runs a command" in page and "nothing was changed" in page
    assert f'href="{reverse("invoice_detail", args=[invoice.pk])}"' in page
    invoice.refresh_from_db()
    assert invoice.row_version == version and not invoice.is_price_locked


def test_the_landing_page_is_the_nearest_record_or_list():
    record = "/quotes/8f1c2a3e-0000-4000-8000-000000000001/"
    assert landing_url(record + "activate/") == record
    assert landing_url(record + "lines/8f1c2a3e-0000-4000-8000-000000000002/delete/") == record
    assert landing_url("/no/such/place/") == "/"

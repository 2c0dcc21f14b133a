"""A list of invoices with $top=50 and $expand of their lines costs a fixed number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.api.helpers import clone_invoices, invoice_with_lines

URL = "invoices?$top=50&$expand=invoice_details&$orderby=invoicenumber"


def queries_for(api, url: str = URL) -> tuple[int, dict]:
    api.get(url)  # warm: the token's last-used time is written at most once a minute
    with CaptureQueriesContext(connection) as ctx:
        reply = api.get(url)
    assert reply.status == 200, reply.body
    return len(ctx.captured_queries), reply.body


@pytest.mark.django_db
@pytest.mark.parametrize("lines", [1, 5])
def test_query_count_does_not_grow_with_invoices_or_lines(rep_api, rep, account, product, lines):
    template = invoice_with_lines(by=rep, customer=account, product=product, lines=lines)
    clone_invoices(template, 99)
    small, body = queries_for(rep_api)
    assert len(body["value"]) == 50 and all(len(x["invoice_details"]) == lines for x in body["value"])
    clone_invoices(template, 900, start=1000)
    large, body = queries_for(rep_api)
    assert len(body["value"]) == 50
    assert small == large
    assert large <= 5  # token + roles, invoices, their lines


@pytest.mark.django_db
def test_query_count_is_the_same_for_one_and_five_lines(rep_api, rep, account, product):
    counts = []
    for lines in (1, 5):
        template = invoice_with_lines(by=rep, customer=account, product=product, lines=lines)
        clone_invoices(template, 60, start=lines * 1000)
        count, body = queries_for(
            rep_api,
            URL + f"&$filter=_customerid_value eq {account.pk} and totalamount eq {template.total_amount}",
        )
        assert {len(x["invoice_details"]) for x in body["value"]} == {lines}
        counts.append(count)
    assert counts[0] == counts[1]


@pytest.mark.django_db
def test_paging_with_maxpagesize_and_next_link(rep_api, rep, account, product):
    template = invoice_with_lines(by=rep, customer=account, product=product, lines=1)
    clone_invoices(template, 11)
    seen = []
    url = "invoices?$select=invoicenumber&$orderby=invoicenumber desc"
    while url:
        reply = rep_api.get(url, Prefer="odata.maxpagesize=5")
        assert reply.status == 200, reply.body
        assert reply.headers["Preference-Applied"] == "odata.maxpagesize=5"
        seen += [x["invoicenumber"] for x in reply.body["value"]]
        assert set(reply.body["value"][0]) == {"@odata.etag", "invoiceid", "invoicenumber"}
        url = reply.body.get("@odata.nextLink")
    assert len(seen) == 12 and seen == sorted(seen, reverse=True)
    reply = rep_api.get("invoices?$top=7&$select=invoicenumber", Prefer="odata.maxpagesize=5")
    assert len(reply.body["value"]) == 5
    second = rep_api.get(reply.body["@odata.nextLink"], Prefer="odata.maxpagesize=5")
    assert len(second.body["value"]) == 2 and "@odata.nextLink" not in second.body

"""WEBAPI.md Additions, money (SPEC §10): invoicepayments, creditnotes + CreateCreditNote, writable
transactioncurrencies, exchangerate and the `_base` twins.

The opportunity fixture is 2 × 100.00 + a write-in 50.00 with 5.00 tax: invoices from it total 255.00.
"""

import datetime
from decimal import Decimal

import pytest

from salesapp.catalog import services as catalog
from salesapp.catalog.models import Currency
from salesapp.sales import services
from salesapp.sales.models import CreditNote, Invoice, Payment
from salesapp.sales.states import InvoiceState, InvoiceStatus
from tests import factories
from tests.api.test_fuzz import fingerprint

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


@pytest.fixture
def invoice(opportunity, rep) -> Invoice:
    inv = services.opportunity_generate_invoice(opportunity=opportunity, by=rep)
    assert inv.total_amount == Decimal("255.00")
    return inv


def fresh(invoice: Invoice) -> Invoice:
    return Invoice.objects.get(pk=invoice.pk)


def pay(api, invoice: Invoice, **values):
    return api.post(
        "invoicepayments",
        {"invoiceid@odata.bind": f"/invoices({invoice.pk})", **values},
        Prefer="return=representation",
    )


# --- invoicepayments ---------------------------------------------------------------------------------


def test_three_partial_payments_make_the_invoice_paid_complete(boss_api, boss, invoice):
    first = pay(boss_api, invoice, amount=100, paidon=str(TODAY), paymentmethodcode=2, reference="R-1")
    assert first.status == 201, first.body
    assert first.body["amount"] == Decimal("100") and first.body["paymentmethodcode"] == 2
    assert first.body["reference"] == "R-1" and first.body["paidon"] == str(TODAY)
    assert first.body["_invoiceid_value"] == str(invoice.pk)
    assert first.body["_ownerid_value"] == str(boss.systemuser.pk)
    assert first.body["amount_base"] == Decimal("100")
    # the first payment on an Active invoice is Invoice Paid: Paid · Partial
    assert (fresh(invoice).state, fresh(invoice).status) == (InvoiceState.PAID, InvoiceStatus.PARTIAL)
    assert pay(boss_api, invoice, amount=Decimal("100.00")).status == 201
    last = pay(boss_api, invoice, amount=Decimal("55.00"))
    assert last.status == 201, last.body
    after = boss_api.get(
        f"invoices({invoice.pk})?$select=statecode,statuscode,amountpaid,balancedue,datepaid"
    )
    assert after.body["statecode"] == InvoiceState.PAID and after.body["statuscode"] == InvoiceStatus.COMPLETE
    assert after.body["amountpaid"] == Decimal("255") and after.body["balancedue"] == Decimal("0")
    assert after.body["datepaid"] == str(TODAY)
    listed = boss_api.get(f"invoicepayments?$filter=_invoiceid_value eq {invoice.pk}&$orderby=amount desc")
    assert [p["amount"] for p in listed.body["value"]] == [Decimal("100"), Decimal("100"), Decimal("55")]
    single = boss_api.get(f"invoicepayments({first.body['invoicepaymentid']})?$select=amount,createdon")
    assert single.status == 200 and set(single.body) >= {"amount", "createdon", "invoicepaymentid"}


@pytest.mark.parametrize(
    "values, column",
    [
        ({"amount": Decimal("255.01")}, "amount"),  # overpayment
        ({"amount": 0}, "amount"),
        ({"amount": Decimal("1.001")}, "amount"),
        ({"amount": 10, "paidon": str(TODAY + datetime.timedelta(days=1))}, "paidon"),
        ({"amount": 10, "paymentmethodcode": 99}, "paymentmethodcode"),
        ({"amount": 10, "reference": "x" * 101}, "reference"),
        ({}, "amount"),
        ({"amount": 10, "amount_base": 10}, "amount_base"),
        (
            {"amount": 10, "ownerid@odata.bind": "/systemusers(00000000-0000-0000-0000-000000000000)"},
            "ownerid",
        ),
    ],
)
def test_a_refused_payment_names_the_column_and_saves_nothing(boss_api, invoice, values, column):
    before = fingerprint()
    reply = pay(boss_api, invoice, **values)
    assert reply.status == 400, reply.body
    assert column in reply.error and reply.body["error"]["code"].startswith("0x")
    assert fingerprint() == before and not Payment.objects.exists()
    assert fresh(invoice).state == InvoiceState.ACTIVE


def test_overpaying_a_partly_paid_invoice_is_refused(boss_api, invoice):
    assert pay(boss_api, invoice, amount=200).status == 201
    reply = pay(boss_api, invoice, amount=Decimal("55.01"))
    assert reply.status == 400 and "amount" in reply.error and "balance due" in reply.error
    assert Payment.objects.count() == 1 and fresh(invoice).amount_paid == Decimal("200")


def test_a_salesperson_may_not_record_a_payment(rep_api, boss_api, invoice):
    reply = pay(rep_api, invoice, amount=10)
    assert reply.status == 403 and "Invoice Paid" in reply.error
    assert pay(boss_api, invoice, amount=10).status == 201
    reply = pay(rep_api, invoice, amount=10)  # now Paid · Partial: Add Payment, managers only too
    assert reply.status == 403 and "Add Payment" in reply.error
    assert Payment.objects.count() == 1


def test_payments_are_never_changed_or_deleted(boss_api, invoice):
    key = pay(boss_api, invoice, amount=10).body["invoicepaymentid"]
    assert boss_api.patch(f"invoicepayments({key})", {"reference": "x"}).status == 405
    assert boss_api.delete(f"invoicepayments({key})").status == 405
    assert boss_api.post("invoicepayments", {"amount": 10}).status == 400  # no invoice


def test_no_payment_on_a_canceled_invoice(boss_api, invoice):
    services.invoice_cancel(invoice=invoice, by=None)
    reply = pay(boss_api, invoice, amount=10)
    assert reply.status == 400 and not Payment.objects.exists()


# --- credit notes ----------------------------------------------------------------------------------------


def test_create_credit_note_of_chosen_lines(boss_api, invoice):
    catalog_line = invoice.lines.get(product__isnull=False)
    reply = boss_api.post(
        f"invoices({invoice.pk})/Microsoft.Dynamics.CRM.CreateCreditNote",
        {"Lines": [{"invoicedetailid": str(catalog_line.pk), "quantity": 1}], "Reason": "One returned"},
    )
    assert reply.status == 200, reply.body
    assert reply.body["@odata.context"].endswith("$metadata#creditnotes/$entity")
    note = CreditNote.objects.get()
    assert reply.body["creditnoteid"] == str(note.pk)
    assert reply.body["creditnotenumber"] == note.credit_note_number
    assert reply.body["_invoiceid_value"] == str(invoice.pk) and reply.body["reason"] == "One returned"
    assert reply.body["totalamount"] == Decimal("100") and reply.body["totalamount_base"] == Decimal("100")
    assert reply.body["exchangerate"] == Decimal("1") and reply.body["creditdate"] == str(TODAY)
    after = boss_api.get(f"invoices({invoice.pk})?$select=amountcredited,balancedue,balancedue_base")
    assert after.body["amountcredited"] == Decimal("100") and after.body["balancedue"] == Decimal("155")
    assert after.body["balancedue_base"] == Decimal("155")
    expanded = boss_api.get(f"creditnotes({note.pk})?$expand=creditnote_details($select=quantity)")
    details = expanded.body["creditnote_details"]
    assert [d["quantity"] for d in details] == [Decimal("1")]
    line = boss_api.get(f"creditnotedetails({details[0]['creditnotedetailid']})").body
    assert line["_invoicedetailid_value"] == str(catalog_line.pk) and line["_creditnoteid_value"] == str(
        note.pk
    )
    listed = boss_api.get(f"creditnotes?$filter=_invoiceid_value eq {invoice.pk}&$select=creditnotenumber")
    assert [n["creditnotenumber"] for n in listed.body["value"]] == [note.credit_note_number]


def test_create_credit_note_of_everything_by_default(boss_api, invoice):
    reply = boss_api.post(f"invoices({invoice.pk})/Microsoft.Dynamics.CRM.CreateCreditNote", {})
    assert reply.status == 200 and reply.body["totalamount"] == Decimal("255")
    again = boss_api.post(f"invoices({invoice.pk})/Microsoft.Dynamics.CRM.CreateCreditNote")
    assert again.status == 400 and CreditNote.objects.count() == 1


@pytest.mark.parametrize(
    "body, words",
    [
        ({"Lines": [{"invoicedetailid": "LINE", "quantity": 3}]}, "Lines[0].quantity"),
        ({"Lines": [{"invoicedetailid": "LINE", "quantity": 0}]}, "Lines[0].quantity"),
        ({"Lines": [{"invoicedetailid": "LINE", "quantity": "1"}]}, "Lines[0].quantity"),
        ({"Lines": [{"invoicedetailid": "LINE"}, {"invoicedetailid": "LINE"}]}, "Lines[1].invoicedetailid"),
        (
            {"Lines": [{"invoicedetailid": "00000000-0000-0000-0000-000000000000"}]},
            "Lines[0].invoicedetailid",
        ),
        ({"Lines": [{"invoicedetailid": "nope"}]}, "Lines[0].invoicedetailid"),
        ({"Lines": [{"quantity": 1}]}, "Lines[0].invoicedetailid"),
        ({"Lines": [{"invoicedetailid": "LINE", "nosuch": 1}]}, "Lines[0]"),
        ({"Lines": []}, "Lines"),
        ({"Lines": "all"}, "Lines"),
        ({"CreditDate": str(TODAY + datetime.timedelta(days=1))}, "CreditDate"),
        ({"Reason": "a\x00b"}, "Reason"),
        ({"Nosuch": 1}, "Nosuch"),
    ],
)
def test_a_refused_credit_note_names_the_field_and_saves_nothing(boss_api, invoice, body, words):
    line = str(invoice.lines.get(product__isnull=False).pk)
    if "Lines" in body and isinstance(body["Lines"], list):
        body = {"Lines": [{k: (line if v == "LINE" else v) for k, v in x.items()} for x in body["Lines"]]}
    before = fingerprint()
    reply = boss_api.post(f"invoices({invoice.pk})/Microsoft.Dynamics.CRM.CreateCreditNote", body)
    assert reply.status == 400, reply.body
    assert words in reply.error
    assert fingerprint() == before and not CreditNote.objects.exists()


def test_a_salesperson_may_not_create_a_credit_note(rep_api, invoice):
    reply = rep_api.post(f"invoices({invoice.pk})/Microsoft.Dynamics.CRM.CreateCreditNote", {})
    assert reply.status == 403 and "Create Credit Note" in reply.error
    assert not CreditNote.objects.exists()


def test_credit_notes_are_read_only(boss_api, invoice):
    note = services.credit_note_create(invoice=invoice, by=None)
    assert boss_api.patch(f"creditnotes({note.pk})", {"name": "x"}).status == 405
    assert boss_api.delete(f"creditnotes({note.pk})").status == 405
    assert boss_api.post("creditnotedetails", {"quantity": 1}).status == 405


# --- currencies ---------------------------------------------------------------------------------------


def test_a_manager_creates_and_changes_a_currency(boss_api, usd):
    body = {
        "isocurrencycode": "EUR",
        "currencyname": "Euro",
        "currencysymbol": "€",
        "currencyprecision": 2,
        "exchangerate": Decimal("0.8"),
    }
    reply = boss_api.post("transactioncurrencies", body, Prefer="return=representation")
    assert reply.status == 201, reply.body
    assert reply.body["exchangerate"] == Decimal("0.8") and reply.body["isocurrencycode"] == "EUR"
    key = reply.body["transactioncurrencyid"]
    assert boss_api.patch(f"transactioncurrencies({key})", {"exchangerate": Decimal("0.85")}).status == 204
    eur = Currency.objects.get(pk=key)
    assert (eur.exchange_rate, eur.rate_revision) == (Decimal("0.85"), 1)


def test_a_salesperson_may_not_write_currencies(rep_api, usd):
    before = fingerprint()
    assert rep_api.post("transactioncurrencies", {"isocurrencycode": "EUR"}).status == 403
    assert rep_api.patch(f"transactioncurrencies({usd.pk})", {"currencyname": "x"}).status == 403
    assert rep_api.get(f"transactioncurrencies({usd.pk})").status == 200
    assert fingerprint() == before


@pytest.mark.parametrize("rate", [0, -1, Decimal("0.00000000001"), 10**12, "1"])
def test_a_bad_rate_names_exchangerate(boss_api, usd, rate):
    body = {"isocurrencycode": "EUR", "currencyname": "Euro", "currencysymbol": "€", "exchangerate": rate}
    reply = boss_api.post("transactioncurrencies", body)
    assert reply.status == 400 and "exchangerate" in reply.error, reply.body
    assert not Currency.objects.filter(code="EUR").exists()


def test_the_base_currency_keeps_rate_1(boss_api, usd):
    reply = boss_api.patch(f"transactioncurrencies({usd.pk})", {"exchangerate": 2})
    assert reply.status == 400 and "exchangerate" in reply.error
    assert Currency.objects.get(pk=usd.pk).exchange_rate == 1


# --- exchangerate and _base twins ---------------------------------------------------------------------


def test_base_totals_of_an_eur_invoice(boss_api, usd, rep):
    eur = catalog.currency_save(
        currency=Currency(), code="EUR", name="Euro", symbol="€", precision=2, exchange_rate=Decimal("0.8")
    )
    price_list = factories.PriceListFactory(currency=eur)
    product = factories.PriceListItemFactory(price_list=price_list, amount=Decimal("99.99")).product
    account = factories.AccountFactory(default_price_list=price_list)
    inv = services.document_create(Invoice, by=rep, customer=account, name="In euros", currency=eur)
    services.line_add(document=inv, by=rep, product=product, quantity=Decimal("3"))
    body = boss_api.get(f"invoices({inv.pk})").body
    assert body["exchangerate"] == Decimal("0.8") and body["totalamount"] == Decimal("299.97")
    assert body["totalamount_base"] == Decimal("374.96")  # 299.97 / 0.8 = 374.9625, half up to 2 places
    assert body["totallineitemamount_base"] == Decimal("374.96")
    assert body["balancedue_base"] == Decimal("374.96") and body["amountpaid_base"] == Decimal("0")
    for name in (
        "totaldiscountamount_base",
        "totaltax_base",
        "freightamount_base",
        "discountamount_base",
        "totalamountlessfreight_base",
        "totallineitemdiscountamount_base",
    ):
        assert name in body
    payment = pay(boss_api, inv, amount=Decimal("100.00"))
    assert payment.body["amount_base"] == Decimal("125")
    filtered = boss_api.get("invoices?$filter=totalamount_base gt 374&$select=totalamount_base")
    assert [x["totalamount_base"] for x in filtered.body["value"]] == [Decimal("374.96")]
    refused = boss_api.patch(f"invoices({inv.pk})", {"totalamount_base": 1})
    assert refused.status == 400 and "read-only" in refused.error


def test_every_priced_document_exposes_its_rate_and_base_twins(rep_api, opportunity, rep):
    quote = services.opportunity_generate_quote(opportunity=opportunity, by=rep)
    order = services.opportunity_generate_order(opportunity=opportunity, by=rep)
    for url in (f"opportunities({opportunity.pk})", f"quotes({quote.pk})", f"salesorders({order.pk})"):
        body = rep_api.get(url).body
        assert body["exchangerate"] == Decimal("1") and body["totalamount_base"] == body["totalamount"], url
    assert rep_api.get(f"opportunities({opportunity.pk})").body["estimatedvalue_base"] is not None


def test_metadata_and_openapi_list_the_money_additions(rep_api):
    names = {d["EntitySetName"] for d in rep_api.get("EntityDefinitions").body["value"]}
    assert {"invoicepayments", "creditnotes", "creditnotedetails"} <= names
    doc = rep_api.get("openapi.json").body
    assert "/invoices({id})/Microsoft.Dynamics.CRM.CreateCreditNote" in doc["paths"]
    assert "post" in doc["paths"]["/invoicepayments"] and "post" in doc["paths"]["/transactioncurrencies"]
    assert "post" not in doc["paths"]["/creditnotes"]
    schemas = doc["components"]["schemas"]
    assert {"amountcredited", "balancedue", "datepaid", "totalamount_base"} <= set(
        schemas["invoice"]["properties"]
    )
    assert set(schemas["invoicepayment.create"]["properties"]) >= {
        "amount",
        "paidon",
        "paymentmethodcode",
        "reference",
        "invoiceid@odata.bind",
    }


def test_lists_of_payments_and_credit_notes_cost_a_fixed_number_of_queries(boss_api, boss, invoice):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(url: str) -> int:
        boss_api.get(url)  # warm: the token's last-used time is written at most once a minute
        with CaptureQueriesContext(connection) as ctx:
            assert boss_api.get(url).status == 200
        return len(ctx.captured_queries)

    payments = "invoicepayments?$top=50"
    notes = "creditnotes?$top=50&$expand=creditnote_details"
    services.payment_record(invoice=invoice, by=boss, amount=Decimal("10.00"))
    line = invoice.lines.get(product__isnull=False)
    services.credit_note_create(invoice=invoice, by=boss, lines=[{"invoice_detail": line.pk, "quantity": 1}])
    small = (count(payments), count(notes))
    for _ in range(4):
        services.payment_record(invoice=invoice, by=boss, amount=Decimal("1.00"))
    services.credit_note_create(invoice=invoice, by=boss)
    assert len(boss_api.get(notes).body["value"]) == 2
    assert (count(payments), count(notes)) == small


@pytest.mark.parametrize(
    "body, words",
    [
        ({"Lines": None}, "Lines"),
        ({"Reason": None}, "Reason"),
        ({"CreditDate": None}, "CreditDate"),
        ({"CreditDate": "2020-01-01xyz"}, "CreditDate"),
        ({"CreditDate": 20200101}, "CreditDate"),
    ],
)
def test_null_or_malformed_credit_note_parameters_are_refused(boss_api, invoice, body, words):
    reply = boss_api.post(f"invoices({invoice.pk})/Microsoft.Dynamics.CRM.CreateCreditNote", body)
    assert reply.status == 400 and words in reply.error, reply.body
    assert not CreditNote.objects.exists()

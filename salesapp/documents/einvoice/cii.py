"""The UN/CEFACT Cross Industry Invoice (CII D16B) of an invoice or credit note, Factur-X EN 16931 profile.

Built element by element with lxml, in the order the Factur-X XSD requires. Amounts come from the
stored document (SPEC §3.4: nobody recomputes), the VAT breakdown from
`salesapp.sales.services.einvoice.vat_breakdown`; `einvoice_problems` is checked by the caller.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from lxml import etree

from salesapp import pricing
from salesapp.core.addresses import country_code
from salesapp.core.models import OrganizationSettings
from salesapp.sales.models import CreditNote, DocumentLine, Invoice
from salesapp.sales.services.common import lines_of
from salesapp.sales.services.einvoice import vat_breakdown

RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
QDT = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
NSMAP = {"rsm": RSM, "ram": RAM, "udt": UDT, "qdt": QDT}
GUIDELINE_EN16931 = "urn:cen.eu:en16931:2017"
INVOICE_TYPE = "380"  # UNTDID 1001: commercial invoice
CREDIT_NOTE_TYPE = "381"  # credit note
SEPA_CREDIT_TRANSFER = "58"  # UNTDID 4461
PAYMENT_NOT_DEFINED = "1"

# Our unit names (any case, singular or plural) → UN/ECE Recommendation 20 codes; C62 ("one") else.
UNIT_CODES = {
    "each": "C62",
    "unit": "C62",
    "piece": "H87",
    "pc": "H87",
    "pcs": "H87",
    "hour": "HUR",
    "hr": "HUR",
    "h": "HUR",
    "minute": "MIN",
    "min": "MIN",
    "day": "DAY",
    "week": "WEE",
    "month": "MON",
    "year": "ANN",
    "kilogram": "KGM",
    "kg": "KGM",
    "gram": "GRM",
    "g": "GRM",
    "tonne": "TNE",
    "metre": "MTR",
    "meter": "MTR",
    "m": "MTR",
    "kilometre": "KMT",
    "kilometer": "KMT",
    "km": "KMT",
    "square metre": "MTK",
    "square meter": "MTK",
    "cubic metre": "MTQ",
    "cubic meter": "MTQ",
    "litre": "LTR",
    "liter": "LTR",
    "l": "LTR",
    "dozen": "DZN",
    "pair": "PR",
    "set": "SET",
    "box": "XBX",
    "pack": "XPK",
    "package": "XPK",
    "carton": "XCT",
    "pallet": "XPX",
    "lump sum": "LS",
    "job": "E48",
    "service": "E48",
}


def unit_code(name: str | None) -> str:
    """The UN/ECE Rec 20 code of one of our unit names ("Hours" → HUR), C62 when we can't tell."""
    key = " ".join((name or "").split()).casefold()
    if key in UNIT_CODES:
        return UNIT_CODES[key]
    if key.endswith("es") and key[:-2] in UNIT_CODES:
        return UNIT_CODES[key[:-2]]
    if key.endswith("s") and key[:-1] in UNIT_CODES:
        return UNIT_CODES[key[:-1]]
    return "C62"


class _Builder:
    """Small helpers over lxml's SubElement for the ram/udt/qdt vocabulary."""

    def __init__(self, currency: str, places: int) -> None:
        self.currency = currency
        self.places = places

    @staticmethod
    def el(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
        prefix, name = tag.split(":")
        node = etree.SubElement(parent, f"{{{NSMAP[prefix]}}}{name}", attrs)
        if text is not None:
            node.text = text
        return node

    def text(self, parent: etree._Element, tag: str, value: str | None) -> None:
        """An optional text element: left out when empty."""
        value = " ".join((value or "").split())
        if value:
            self.el(parent, tag, value)

    def money(self, value: Decimal) -> str:
        return str(pricing.round_half_up(Decimal(value), self.places))

    def amount(self, parent: etree._Element, tag: str, value: Decimal, *, currency: bool = False) -> None:
        if currency:
            self.el(parent, tag, self.money(value), currencyID=self.currency)
        else:
            self.el(parent, tag, self.money(value))

    def date(
        self, parent: etree._Element, tag: str, value: datetime.date, *, qualified: bool = False
    ) -> None:
        node = self.el(parent, tag)
        self.el(
            node,
            "qdt:DateTimeString" if qualified else "udt:DateTimeString",
            value.strftime("%Y%m%d"),
            format="102",
        )

    def indicator(self, parent: etree._Element, charge: bool) -> None:
        node = self.el(parent, "ram:ChargeIndicator")
        self.el(node, "udt:Indicator", "true" if charge else "false")

    def tax(
        self,
        parent: etree._Element,
        category: str,
        rate: Decimal | None,
        *,
        reason: str = "",
        calculated: Decimal | None = None,
        basis: Decimal | None = None,
    ) -> None:
        """An ApplicableTradeTax / CategoryTradeTax body, in the XSD's order."""
        if calculated is not None:
            self.amount(parent, "ram:CalculatedAmount", calculated)
        self.el(parent, "ram:TypeCode", "VAT")
        self.text(parent, "ram:ExemptionReason", reason)
        if basis is not None:
            self.amount(parent, "ram:BasisAmount", basis)
        self.el(parent, "ram:CategoryCode", category)
        if rate is not None:
            self.el(parent, "ram:RateApplicablePercent", _percent(rate))


def _percent(rate: Decimal) -> str:
    text = format(Decimal(rate).normalize(), "f")
    return text if "." in text else f"{text}.00"


def _party(
    b: _Builder,
    parent: etree._Element,
    tag: str,
    *,
    name: str,
    address: dict[str, str],
    vat_id: str,
    email: str = "",
) -> None:
    party = b.el(parent, tag)
    b.el(party, "ram:Name", " ".join(name.split()))
    postal = b.el(party, "ram:PostalTradeAddress")
    b.text(postal, "ram:PostcodeCode", address.get("postalcode"))
    b.text(postal, "ram:LineOne", address.get("line1"))
    b.text(postal, "ram:LineTwo", address.get("line2"))
    b.text(postal, "ram:LineThree", address.get("line3"))
    b.text(postal, "ram:CityName", address.get("city"))
    b.el(postal, "ram:CountryID", country_code(address.get("country")))
    b.text(postal, "ram:CountrySubDivisionName", address.get("stateorprovince"))
    if email.strip():
        uri = b.el(party, "ram:URIUniversalCommunication")
        b.el(uri, "ram:URIID", email.strip(), schemeID="EM")
    if vat_id.strip():
        registration = b.el(party, "ram:SpecifiedTaxRegistration")
        b.el(registration, "ram:ID", "".join(vat_id.split()), schemeID="VA")


def _address(record: Any, prefix: str) -> dict[str, str]:
    parts = ("line1", "line2", "line3", "city", "stateorprovince", "postalcode", "country")
    return {part: str(getattr(record, f"{prefix}_{part}", "") or "") for part in parts}


def _line(b: _Builder, transaction: etree._Element, line: DocumentLine, *, per_unit: bool) -> None:
    item = b.el(transaction, "ram:IncludedSupplyChainTradeLineItem")
    document = b.el(item, "ram:AssociatedDocumentLineDocument")
    b.el(document, "ram:LineID", str(line.sequence))
    product = b.el(item, "ram:SpecifiedTradeProduct")
    if line.product is not None and line.product.product_number:
        b.el(product, "ram:SellerAssignedID", line.product.product_number)
    b.el(product, "ram:Name", " ".join(line.product_name.split()) or "Item")
    b.text(product, "ram:Description", line.description)

    agreement = b.el(item, "ram:SpecifiedLineTradeAgreement")
    if line.volume_discount:
        gross = b.el(agreement, "ram:GrossPriceProductTradePrice")
        b.el(gross, "ram:ChargeAmount", str(line.price_per_unit))
        discount = b.el(gross, "ram:AppliedTradeAllowanceCharge")
        b.indicator(discount, charge=False)
        b.el(discount, "ram:ActualAmount", str(line.volume_discount))
        b.el(discount, "ram:Reason", "Volume discount")
    net = b.el(agreement, "ram:NetPriceProductTradePrice")
    b.el(net, "ram:ChargeAmount", str(line.net_price_per_unit))

    delivery = b.el(item, "ram:SpecifiedLineTradeDelivery")
    b.el(
        delivery,
        "ram:BilledQuantity",
        format(Decimal(line.quantity).normalize(), "f"),
        unitCode=unit_code(line.unit.name if line.unit else ""),
    )

    settlement = b.el(item, "ram:SpecifiedLineTradeSettlement")
    category = pricing.VatCategory(line.vat_category)
    rate = None if category is pricing.VatCategory.NOT_SUBJECT else Decimal(line.tax_rate or 0)
    b.tax(b.el(settlement, "ram:ApplicableTradeTax"), category.value, rate)
    line_discount = Decimal(line.manual_discount) * (Decimal(line.quantity) if per_unit else 1)
    line_discount = pricing.round_half_up(line_discount, b.places)
    if line_discount:
        allowance = b.el(settlement, "ram:SpecifiedTradeAllowanceCharge")
        b.indicator(allowance, charge=False)
        b.amount(allowance, "ram:ActualAmount", line_discount)
        b.el(allowance, "ram:Reason", "Discount")
    summation = b.el(settlement, "ram:SpecifiedTradeSettlementLineMonetarySummation")
    b.amount(summation, "ram:LineTotalAmount", Decimal(line.amount) - line_discount)


def _allowance_charge(
    b: _Builder,
    settlement: etree._Element,
    row: pricing.VatBreakdownRow,
    amount: Decimal,
    *,
    charge: bool,
    reason: str,
) -> None:
    node = b.el(settlement, "ram:SpecifiedTradeAllowanceCharge")
    b.indicator(node, charge=charge)
    b.amount(node, "ram:ActualAmount", amount)
    b.el(node, "ram:Reason", reason)
    b.tax(b.el(node, "ram:CategoryTradeTax"), row.category.value, row.rate)


def cii_xml(
    document: Invoice | CreditNote,
    *,
    org: OrganizationSettings | None = None,
    lines: Sequence[DocumentLine] | None = None,
    rows: Sequence[pricing.VatBreakdownRow] | None = None,
) -> bytes:
    """The Factur-X EN 16931 CII XML of an invoice (380) or a credit note (381, naming its invoice).
    `rows`: its VAT breakdown, when the caller has computed it for the same lines (the PDF's)."""
    org = org or OrganizationSettings.load()
    lines = list(lines) if lines is not None else lines_of(document)
    rows = list(rows) if rows is not None else vat_breakdown(document, lines)
    places = document.currency.precision
    b = _Builder(document.currency.code, places)
    per_unit = org.discount_calculation == pricing.DiscountMethod.PER_UNIT
    is_credit_note = isinstance(document, CreditNote)
    issued = document.credit_date if isinstance(document, CreditNote) else document.invoice_date
    issued = issued or document.created_on.date()

    root = etree.Element(f"{{{RSM}}}CrossIndustryInvoice", nsmap=NSMAP)
    context = b.el(root, "rsm:ExchangedDocumentContext")
    b.el(b.el(context, "ram:GuidelineSpecifiedDocumentContextParameter"), "ram:ID", GUIDELINE_EN16931)

    header = b.el(root, "rsm:ExchangedDocument")
    b.el(header, "ram:ID", document.number)
    b.el(header, "ram:TypeCode", CREDIT_NOTE_TYPE if is_credit_note else INVOICE_TYPE)
    b.date(header, "ram:IssueDateTime", issued)
    for note in (document.description, getattr(document, "reason", "")):
        if note and note.strip():
            b.el(b.el(header, "ram:IncludedNote"), "ram:Content", note.strip())

    transaction = b.el(root, "rsm:SupplyChainTradeTransaction")
    for line in lines:
        _line(b, transaction, line, per_unit=per_unit)

    agreement = b.el(transaction, "ram:ApplicableHeaderTradeAgreement")
    _party(
        b,
        agreement,
        "ram:SellerTradeParty",
        name=org.seller_name,
        address=_address(org, "address"),
        vat_id=org.tax_id,
        email=org.email,
    )
    buyer = document.customer
    _party(
        b,
        agreement,
        "ram:BuyerTradeParty",
        name=document.billto_name or str(getattr(buyer, "name", "")),
        address=_address(document, "billto"),
        vat_id=str(getattr(buyer, "tax_id", "") or ""),
    )
    order = getattr(document, "sales_order", None)
    if order is not None:
        b.el(b.el(agreement, "ram:SellerOrderReferencedDocument"), "ram:IssuerAssignedID", order.number)

    delivery = b.el(transaction, "ram:ApplicableHeaderTradeDelivery")
    if any(getattr(document, f"shipto_{part}") for part in ("line1", "city", "country")) and country_code(
        document.shipto_country
    ):
        ship_to = b.el(delivery, "ram:ShipToTradeParty")
        b.text(ship_to, "ram:Name", document.shipto_name)
        postal = b.el(ship_to, "ram:PostalTradeAddress")
        address = _address(document, "shipto")
        b.text(postal, "ram:PostcodeCode", address["postalcode"])
        b.text(postal, "ram:LineOne", address["line1"])
        b.text(postal, "ram:CityName", address["city"])
        b.el(postal, "ram:CountryID", country_code(address["country"]))

    settlement = b.el(transaction, "ram:ApplicableHeaderTradeSettlement")
    b.el(settlement, "ram:PaymentReference", document.number)
    b.el(settlement, "ram:InvoiceCurrencyCode", document.currency.code)
    means = b.el(settlement, "ram:SpecifiedTradeSettlementPaymentMeans")
    if org.iban:
        b.el(means, "ram:TypeCode", SEPA_CREDIT_TRANSFER)
        b.el(means, "ram:Information", "SEPA credit transfer")
        b.el(b.el(means, "ram:PayeePartyCreditorFinancialAccount"), "ram:IBANID", org.iban)
        if org.bic:
            b.el(b.el(means, "ram:PayeeSpecifiedCreditorFinancialInstitution"), "ram:BICID", org.bic)
    else:
        b.el(means, "ram:TypeCode", PAYMENT_NOT_DEFINED)
        b.text(means, "ram:Information", org.payment_instructions)
    for row in rows:
        b.tax(
            b.el(settlement, "ram:ApplicableTradeTax"),
            row.category.value,
            row.rate,
            reason=row.reason,
            calculated=row.tax,
            basis=row.basis,
        )
    percent = Decimal(document.discount_percentage).normalize()
    for row in rows:
        if row.percent_discount:
            _allowance_charge(
                b, settlement, row, row.percent_discount, charge=False, reason=f"Discount {percent:f} %"
            )
        if row.discount_amount:
            _allowance_charge(b, settlement, row, row.discount_amount, charge=False, reason="Discount")
        if row.freight:
            _allowance_charge(b, settlement, row, row.freight, charge=True, reason="Freight")

    due_date = getattr(document, "due_date", None)
    if due_date is not None or document.payment_terms:
        terms = b.el(settlement, "ram:SpecifiedTradePaymentTerms")
        b.text(
            terms, "ram:Description", document.get_payment_terms_display() if document.payment_terms else ""
        )
        if due_date is not None:
            b.date(terms, "ram:DueDateDateTime", due_date)

    total = Decimal(document.total_amount)
    paid = Decimal(getattr(document, "amount_paid", 0))
    allowances = sum((row.percent_discount + row.discount_amount for row in rows), Decimal(0))
    charges = sum((row.freight for row in rows), Decimal(0))
    line_total = sum((row.line_total for row in rows), Decimal(0))
    summation = b.el(settlement, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    b.amount(summation, "ram:LineTotalAmount", line_total)
    b.amount(summation, "ram:ChargeTotalAmount", charges)
    b.amount(summation, "ram:AllowanceTotalAmount", allowances)
    b.amount(summation, "ram:TaxBasisTotalAmount", line_total - allowances + charges)
    b.amount(summation, "ram:TaxTotalAmount", Decimal(document.total_tax), currency=True)
    b.amount(summation, "ram:GrandTotalAmount", total)
    b.amount(summation, "ram:TotalPrepaidAmount", paid)
    b.amount(summation, "ram:DuePayableAmount", total - paid)

    if isinstance(document, CreditNote):
        invoice = document.invoice
        referenced = b.el(settlement, "ram:InvoiceReferencedDocument")
        b.el(referenced, "ram:IssuerAssignedID", invoice.number)
        if invoice.invoice_date:
            b.date(referenced, "ram:FormattedIssueDateTime", invoice.invoice_date, qualified=True)

    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))

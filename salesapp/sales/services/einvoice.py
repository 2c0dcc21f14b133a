"""E-invoicing (EN 16931, Factur-X; ours): what an invoice or credit note needs before it can be one.

The XML itself is built in `salesapp.documents.einvoice`; this module holds the business checks
(`einvoice_problems`) that refuse Send by Email and Download PDF with a sentence saying what to fix,
and the VAT breakdown the documents print (`vat_breakdown`).
"""

from __future__ import annotations

from collections.abc import Sequence

from salesapp import pricing
from salesapp.core.addresses import country_code
from salesapp.core.exceptions import ValidationFailed
from salesapp.core.models import OrganizationSettings
from salesapp.sales.models import CreditNote, DocumentLine, Invoice, PricedDocument

from .common import PricingContext, compute_totals, lines_of

# Categories EN 16931 allows only between parties that both have a VAT id (BR-AE-02, BR-IC-02).
BUYER_VAT_ID_CATEGORIES = {pricing.VatCategory.REVERSE_CHARGE, pricing.VatCategory.INTRA_COMMUNITY}


def einvoicing_on(document: PricedDocument, org: OrganizationSettings | None = None) -> bool:
    """Is this document's PDF a Factur-X e-invoice? Invoices and credit notes, when the setting is on."""
    return isinstance(document, Invoice | CreditNote) and (org or OrganizationSettings.load()).einvoicing


def vat_breakdown(
    document: PricedDocument, lines: Sequence[DocumentLine] | None = None
) -> list[pricing.VatBreakdownRow]:
    """The document's VAT breakdown per (category, rate), for the PDF's VAT table and the XML.

    Empty when its lines have no VAT category or the categories can't make one (a pricing error).
    """
    lines = list(lines) if lines is not None else lines_of(document)
    vat = compute_totals(document, lines, PricingContext.for_document(document)).vat
    if vat is None or vat.error_code:
        return []
    return list(vat.rows)


def einvoice_problems(
    document: PricedDocument,
    *,
    lines: Sequence[DocumentLine] | None = None,
    org: OrganizationSettings | None = None,
) -> list[str]:
    """Why this document can't be a valid EN 16931 e-invoice, one sentence per problem ([] when it can).

    Checks what the schematron would refuse and the user can fix: the seller's VAT id and country,
    the buyer's name and country, a VAT category on every line (with an exemption reason for exempt
    ones), VAT rates that fit their categories, and the currency's decimals (EN 16931 allows 2).
    """
    org = org or OrganizationSettings.load()
    lines = list(lines) if lines is not None else lines_of(document)
    problems: list[str] = []
    if not org.tax_id.strip():
        problems.append("Your organization has no VAT id: enter it in Settings (Tax / VAT id).")
    if not country_code(org.address_country):
        problems.append("Your organization's address has no country we recognise: set it in Settings.")
    buyer = document.customer
    if buyer is None or not str(buyer.name).strip():
        problems.append("The customer has no name.")
    if not country_code(getattr(document, "billto_country", "")):
        problems.append("The bill-to address has no country we recognise: enter its country.")
    if document.currency.precision > 2:
        problems.append(
            f"The currency {document.currency.code} has {document.currency.precision} decimals; "
            "EN 16931 e-invoices allow at most 2."
        )
    if not lines:
        problems.append("The document has no lines.")
    for line in lines:
        where = f"Line {line.sequence}, {line.product_name}"
        if not line.vat_category:
            problems.append(f"{where}, has no VAT category: choose one (S with its rate for taxed products).")
        elif line.vat_category == pricing.VatCategory.EXEMPT and not line.vat_exemption_reason.strip():
            problems.append(
                f"{where}, is exempt from VAT: give the exemption reason (the law that exempts it)."
            )
    categories = {line.vat_category for line in lines}
    if categories & BUYER_VAT_ID_CATEGORIES and not str(getattr(buyer, "tax_id", "") or "").strip():
        problems.append(
            "Reverse-charge and intra-community lines need the customer's VAT id: enter it on the account."
        )
    code = pricing.PricingErrorCode(document.pricing_error_code)
    if code >= pricing.PricingErrorCode.MIXED_VAT_CATEGORIES and all(line.vat_category for line in lines):
        problems.append(
            f"The document has a pricing error: {code.description}. {pricing.ERROR_ADVICE.get(code, '')}"
        )
    return problems


def require_einvoice_ready(
    document: PricedDocument,
    action: str = "Send by Email",
    *,
    always: bool = False,
    org: OrganizationSettings | None = None,
    lines: Sequence[DocumentLine] | None = None,
) -> None:
    """Refuse `action` when e-invoicing is on (or `always`) and this document can't be a valid e-invoice."""
    org = org or OrganizationSettings.load()
    if not (always or einvoicing_on(document, org)):
        return
    problems = einvoice_problems(document, org=org, lines=lines)
    if problems:
        raise ValidationFailed(
            f"{action} isn't possible: this {document.lifecycle.noun} can't be a valid EN 16931 e-invoice "
            f"yet{'' if always else ' (e-invoicing is on)'}. {' '.join(problems)}",
            field="lines",
        )

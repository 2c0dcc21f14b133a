"""The line table can't break (issue 12): read the PDF's laid-out text and boxes with pdfplumber.

For each of the four document types, with 12-digit amounts, 4 pricing decimals, a 300-character
product name without spaces and every optional column: the header cells (their grey backgrounds)
don't overlap and each header's glyphs stay inside its own cell; every glyph is inside the page's
printable box; every amount prints whole on one line (the VAT breakdown's too). Without discounts,
VAT rates or tax on any line, those columns aren't printed at all.
"""

import io
from decimal import Decimal

import pdfplumber
import pytest

from salesapp.core import formatting as fmt
from salesapp.core.models import OrganizationSettings
from salesapp.documents import rendering
from salesapp.sales import services
from salesapp.sales.models import LINE_MODELS, Invoice, Quote, SalesOrder
from salesapp.sales.services.einvoice import vat_breakdown

MM = 72 / 25.4
PAGE_WIDTH, PAGE_HEIGHT = 210 * MM, 297 * MM
LEFT, RIGHT = 15 * MM, PAGE_WIDTH - 15 * MM  # document.css: @page margins 15 mm left and right
PRINTABLE_TOP, PRINTABLE_BOTTOM = 5 * MM, PAGE_HEIGHT - 5 * MM  # what any office printer prints
EPS = 0.5  # pt: anti-aliasing of box edges
LONG_NAME = ("Cat6PatchCableShieldedSFTP" * 12)[:300]
PRICE = Decimal("987654321098.7654")
MANUAL = Decimal("12345678901.23")
TAX = Decimal("12345678901.23")
VOLUME = Decimal("1234567890.1234")
VAT_RATE = Decimal("1.25")  # of a 12-digit amount: an 11-digit tax, the total still below 10¹²
EXEMPTION = "Exempt under Article 261 C of the French tax code"
OPTIONAL_HEADERS = ("Volume discount", "Manual discount", "VAT %", "Tax")


def _add_lines(document, by, *, extreme: bool) -> None:
    if extreme:
        services.line_add(
            document=document,
            by=by,
            write_in_name=LONG_NAME,
            quantity=Decimal("1"),
            price_per_unit=PRICE,
            manual_discount=MANUAL,
            vat_category="S",
            tax_rate=VAT_RATE,  # the tax follows from the rate
            description="A description long enough to wrap " * 4,
        )
    services.line_add(
        document=document,
        by=by,
        write_in_name="Cat6 / Patch Cable",
        quantity=Decimal("3.5"),
        price_per_unit=Decimal("19.9900"),
        **({"vat_category": "E", "vat_exemption_reason": EXEMPTION} if extreme else {}),
    )
    if extreme:  # volume discounts come from the catalog; the PDF prints what the line stores
        line_model = LINE_MODELS[type(document)]
        line_model.objects.filter(**{line_model.parent_field: document}, write_in_name=LONG_NAME).update(
            volume_discount=VOLUME
        )


def make_document(kind: str, *, customer, rep, boss, extreme: bool):
    if kind in ("quote", "salesorder", "invoice"):
        model = {"quote": Quote, "salesorder": SalesOrder, "invoice": Invoice}[kind]
        document = services.document_create(model, by=rep, customer=customer, name="Network refit")
        _add_lines(document, rep, extreme=extreme)
        document.refresh_from_db()
        return document
    invoice = services.document_create(Invoice, by=rep, customer=customer, name="Network refit")
    _add_lines(invoice, rep, extreme=extreme)
    return services.credit_note_create(invoice=invoice, by=boss, reason="Returned")


def pdf_of(document) -> bytes:
    pdf, _ = rendering.html_to_pdf(rendering.document_html(document).html)
    return pdf


def header_cells(page) -> list[dict]:
    """The line table's header cells: the light grey backgrounds of its <th>s, left to right."""
    cells = [
        r
        for r in page.rects
        if r.get("fill") and _grey(r.get("non_stroking_color")) and r["height"] > 5 and r["width"] > 3
    ]
    return sorted(cells, key=lambda r: (round(r["top"]), r["x0"]))


def _grey(color) -> bool:
    values = list(color) if isinstance(color, list | tuple) else [color]
    return bool(values) and all(isinstance(v, int | float) and 0.9 < v < 0.97 for v in values)


def overlap(a: dict, b: dict) -> float:
    width = min(a["x1"], b["x1"]) - max(a["x0"], b["x0"])
    height = min(a["bottom"], b["bottom"]) - max(a["top"], b["top"])
    return min(width, height)


@pytest.fixture
def four_decimals(usd):
    org = OrganizationSettings.load()
    org.pricing_precision = 4
    org.save()
    return org


KINDS = ("quote", "salesorder", "invoice", "creditnote")


@pytest.mark.parametrize("kind", KINDS)
def test_line_table_stays_inside_the_page_with_extreme_values(kind, account, rep, boss, four_decimals):
    document = make_document(kind, customer=account, rep=rep, boss=boss, extreme=True)
    pdf = pdf_of(document)

    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        words, product_text = [], ""
        for page in doc.pages:
            # every glyph inside the printable box (the line table's columns inside the margins)
            for ch in page.chars:
                if not ch["text"].strip():
                    continue
                assert ch["x0"] >= LEFT - EPS and ch["x1"] <= RIGHT + EPS, (
                    page.page_number,
                    ch["text"],
                    ch["x0"],
                )
                assert ch["top"] >= PRINTABLE_TOP and ch["bottom"] <= PRINTABLE_BOTTOM
            cells = header_cells(page)
            if not cells:
                continue
            # all columns, the optional ones included, in one header row that repeats on every page
            assert len(cells) == 10, [round(c["x0"]) for c in cells]
            for a, b in zip(cells, cells[1:], strict=False):
                assert overlap(a, b) <= EPS, ("header cells overlap", a["x0"], b["x0"])
            for cell in cells:
                assert cell["x0"] >= LEFT - EPS and cell["x1"] <= RIGHT + EPS
            band_top, band_bottom = cells[0]["top"], cells[0]["bottom"]
            for ch in page.chars:
                if ch["text"].strip() and band_top - EPS <= ch["top"] and ch["bottom"] <= band_bottom + EPS:
                    inside = [c for c in cells if c["x0"] - EPS <= ch["x0"] and ch["x1"] <= c["x1"] + EPS]
                    assert len(inside) == 1, ("a header glyph runs out of its cell", ch["text"], ch["x0"])
            words.extend(w["text"] for w in page.extract_words(x_tolerance=1.5))
            product = cells[1]
            in_product_column = [
                ch
                for ch in page.chars
                if ch["top"] > band_bottom
                and product["x0"] - EPS <= ch["x0"]
                and ch["x1"] <= product["x1"] + EPS
            ]
            product_text += "".join(
                ch["text"] for ch in sorted(in_product_column, key=lambda c: (round(c["top"]), c["x0"]))
            )

    cur, places = document.currency, 4
    amounts = [rendering.money(document.total_amount, cur)]
    for line in rendering.document_lines(document):  # as stored (the price is rounded when stored)
        amounts += [
            fmt.money(line.price_per_unit, places, symbol=cur.symbol),
            rendering.money(line.extended_amount, cur),
        ]
        if line.product_name == LONG_NAME:
            assert line.volume_discount and line.manual_discount and line.tax
            amounts += [
                fmt.money(line.volume_discount, places, symbol=cur.symbol),
                rendering.money(line.manual_discount, cur),
                rendering.money(line.tax, cur),
            ]
            assert line.price_per_unit >= 10**11  # a 12-digit amount
    breakdown = vat_breakdown(document)
    assert [(row.category, row.rate) for row in breakdown] == [("S", VAT_RATE), ("E", 0)]
    for row in breakdown:  # the breakdown printed under the lines, each amount whole
        amounts += [rendering.money(row.basis, cur), rendering.money(row.tax, cur)]
    assert breakdown[0].basis >= 10**11 and breakdown[0].tax >= 10**10
    for amount in amounts:
        assert amount in words, f"{amount} is split or missing"
    for header in ("Extended", "amount", *" ".join(OPTIONAL_HEADERS).split()):
        assert header in words
    assert "1.25%" in words and "0% E" in " ".join(words)  # the lines' VAT % cells
    assert "Standard rate" in " ".join(words) and "Article 261 C" in " ".join(words)
    # the 300-character name is all there, broken across lines inside its own column
    assert LONG_NAME in "".join(product_text.split())


@pytest.mark.parametrize("kind", KINDS)
def test_columns_without_values_are_left_out(kind, account, rep, boss, usd):
    document = make_document(kind, customer=account, rep=rep, boss=boss, extreme=False)

    with pdfplumber.open(io.BytesIO(pdf_of(document))) as doc:
        page = doc.pages[0]
        cells = header_cells(page)
        band = [
            w["text"]
            for w in page.extract_words()
            if cells[0]["top"] - EPS <= w["top"] and w["bottom"] <= cells[0]["bottom"] + EPS
        ]
        text = page.extract_text()

    assert len(cells) == 6
    assert "Tax" not in band and "Volume" not in band and "Manual" not in band and "VAT" not in band
    assert "Standard rate" not in text and "Basis" not in text  # no VAT breakdown without categories
    assert "Quantity" in band and "Extended" in band
    assert "Cat6 / Patch Cable" in text  # a name with spaces wraps between words, not inside one

"""Factur-X PDF: a PDF/A-3b with `factur-x.xml` embedded, in ONE WeasyPrint `write_pdf`.

WeasyPrint writes the PDF/A-3b structure (output intent, embedded fonts, the /AF array with each
attachment's AFRelationship) itself; we hand it the XML as an attachment and append the Factur-X
XMP (the fx: properties and the PDF/A extension schema that declares them) to its metadata. No
second pass over the PDF bytes.
"""

from __future__ import annotations

from typing import Any

from lxml import etree
from weasyprint import Attachment

FILENAME = "factur-x.xml"
FX_NAMESPACE = "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#"
FX_VERSION = "1.0"
CONFORMANCE_LEVEL = "EN 16931"
RELATIONSHIP = "Alternative"  # the XML is the same invoice as the PDF (Factur-X 1.0, EN 16931 profile)
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
PDFA_EXTENSION = "http://www.aiim.org/pdfa/ns/extension/"
PDFA_SCHEMA = "http://www.aiim.org/pdfa/ns/schema#"
PDFA_PROPERTY = "http://www.aiim.org/pdfa/ns/property#"

# The fx: properties and how the PDF/A extension schema describes them.
FX_PROPERTIES = (
    ("DocumentType", "INVOICE", "The type of the hybrid document: INVOICE"),
    ("DocumentFileName", FILENAME, "The name of the embedded XML invoice file"),
    ("Version", FX_VERSION, "The version of the Factur-X XML schema"),
    ("ConformanceLevel", CONFORMANCE_LEVEL, "The conformance level (profile) of the embedded XML"),
)


def _sub(
    parent: etree._Element, namespace: str, name: str, text: str | None = None, **attrs: str
) -> etree._Element:
    node = etree.SubElement(parent, f"{{{namespace}}}{name}", attrs)
    if text is not None:
        node.text = text
    return node


def facturx_xmp() -> bytes:
    """The rdf:RDF block WeasyPrint appends inside its x:xmpmeta: fx: values + their extension schema."""
    rdf = etree.Element(
        f"{{{RDF}}}RDF",
        nsmap={
            "rdf": RDF,
            "fx": FX_NAMESPACE,
            "pdfaExtension": PDFA_EXTENSION,
            "pdfaSchema": PDFA_SCHEMA,
            "pdfaProperty": PDFA_PROPERTY,
        },
    )
    values = _sub(rdf, RDF, "Description", **{f"{{{RDF}}}about": ""})
    for name, value, _ in FX_PROPERTIES:
        _sub(values, FX_NAMESPACE, name, value)

    extension = _sub(rdf, RDF, "Description", **{f"{{{RDF}}}about": ""})
    schemas = _sub(_sub(extension, PDFA_EXTENSION, "schemas"), RDF, "Bag")
    schema = _sub(schemas, RDF, "li", **{f"{{{RDF}}}parseType": "Resource"})
    _sub(schema, PDFA_SCHEMA, "schema", "Factur-X PDFA Extension Schema")
    _sub(schema, PDFA_SCHEMA, "namespaceURI", FX_NAMESPACE)
    _sub(schema, PDFA_SCHEMA, "prefix", "fx")
    properties = _sub(_sub(schema, PDFA_SCHEMA, "property"), RDF, "Seq")
    for name, _, description in FX_PROPERTIES:
        prop = _sub(properties, RDF, "li", **{f"{{{RDF}}}parseType": "Resource"})
        _sub(prop, PDFA_PROPERTY, "name", name)
        _sub(prop, PDFA_PROPERTY, "valueType", "Text")
        _sub(prop, PDFA_PROPERTY, "category", "external")
        _sub(prop, PDFA_PROPERTY, "description", description)
    return bytes(etree.tostring(rdf, encoding="UTF-8"))


_XMP = facturx_xmp()  # the same for every document


def write_facturx_pdf(document: Any, xml: bytes) -> bytes:
    """Write a rendered WeasyPrint document as a Factur-X PDF/A-3b carrying `xml` as factur-x.xml."""
    document.metadata.xmp_metadata = [*getattr(document.metadata, "xmp_metadata", []), _XMP]
    attachment = Attachment(
        string=xml,
        name=FILENAME,
        description="Factur-X invoice (EN 16931)",
        relationship=RELATIONSHIP,
    )
    pdf: bytes = document.write_pdf(pdf_variant="pdf/a-3b", attachments=[attachment], finisher=_finish)
    return pdf


def _finish(document: Any, pdf: Any) -> None:
    """Before the trailer is written: list each associated file once in the catalog's /AF (WeasyPrint's
    PDF/A step adds an embedded file both from the name tree and as a file specification), and give
    the XML the MIME type Factur-X names, text/xml."""
    associated = pdf.catalog.get("AF")
    if associated is not None:
        unique = list(dict.fromkeys(associated))
        associated.clear()
        associated.extend(unique)
    for pdf_object in pdf.objects:
        if isinstance(pdf_object, dict) and pdf_object.get("Type") == "/Filespec":
            stream = pdf.objects[int(pdf_object["EF"]["F"].split()[0])]
            stream.extra["Subtype"] = "/text#2Fxml"

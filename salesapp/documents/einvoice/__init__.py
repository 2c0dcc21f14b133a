"""Factur-X / EN 16931 e-invoices (ours): the CII XML (`cii`) and the PDF/A-3b that carries it (`pdf`)."""

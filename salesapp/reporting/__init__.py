"""Figures kept for the dashboard: counts and base-currency sums of documents, per owner, state,
status and month, maintained in the same transaction as the documents (see `store`)."""

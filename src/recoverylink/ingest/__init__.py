"""Ingest: read, validate, archive and load submissions; reports and safety limits."""

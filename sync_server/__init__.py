"""Sync server: enrollment, exactly-once ingest, routing, department workspace."""

"""Scanning pipeline: capture → rectify → quality → OCR → codes → classify → extract → compress."""

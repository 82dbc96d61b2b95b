"""Routing engine: which department may legally decide a submission, and why."""

from .engine import Decision, decide
from .service import reassign, route_new
from .snapshot import CatalogSnapshot, catalog_snapshot

__all__ = ["CatalogSnapshot", "Decision", "catalog_snapshot", "decide", "reassign", "route_new"]

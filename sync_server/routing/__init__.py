"""Routing engine: which department may legally decide a submission, and why."""

from .engine import Decision, decide
from .service import reassign, route_submission

__all__ = ["Decision", "decide", "reassign", "route_submission"]

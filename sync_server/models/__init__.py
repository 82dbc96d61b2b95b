"""Every server table, imported here so ``Base.metadata`` knows them all (Alembic needs it)."""

from .catalog import CatalogRelease, Department, DepartmentMatter, Division, Entrustment, Matter, Station
from .feedback import Feedback
from .handovers import Handover
from .holidays import HolidayTableRow
from .kiosks import EnrollmentCode, Kiosk, KioskHeartbeat, ServerSetting
from .mailings import OriginalMailing
from .rate_limits import RateLimitWindow
from .rectifications import Rectification, RectificationEscalation, RectificationEvent
from .scan_jobs import ScanJob
from .submissions import (
    Blob,
    Evaluation,
    FeedEntry,
    RoutingDecision,
    Submission,
    SubmissionEvent,
    SubmissionLookup,
    SubmissionPage,
    Supplement,
    SupplementLookupAttempt,
)
from .tier_reviews import TierProposal, TierReview

__all__ = [
    "Blob",
    "CatalogRelease",
    "Department",
    "DepartmentMatter",
    "Division",
    "EnrollmentCode",
    "Entrustment",
    "Evaluation",
    "FeedEntry",
    "Feedback",
    "Handover",
    "HolidayTableRow",
    "Kiosk",
    "KioskHeartbeat",
    "Matter",
    "OriginalMailing",
    "RateLimitWindow",
    "Rectification",
    "RectificationEscalation",
    "RectificationEvent",
    "RoutingDecision",
    "ScanJob",
    "ServerSetting",
    "Station",
    "Submission",
    "SubmissionEvent",
    "SubmissionLookup",
    "SubmissionPage",
    "Supplement",
    "SupplementLookupAttempt",
    "TierProposal",
    "TierReview",
]

"""Every server table, imported here so ``Base.metadata`` knows them all (Alembic needs it)."""

from .catalog import CatalogRelease, Department, DepartmentMatter, Division, Entrustment, Matter, Station
from .holidays import HolidayTableRow
from .kiosks import EnrollmentCode, Kiosk, KioskHeartbeat, ServerSetting
from .submissions import (
    Blob,
    Evaluation,
    FeedEntry,
    RoutingDecision,
    Submission,
    SubmissionEvent,
    SubmissionPage,
)

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
    "HolidayTableRow",
    "Kiosk",
    "KioskHeartbeat",
    "Matter",
    "RoutingDecision",
    "ServerSetting",
    "Station",
    "Submission",
    "SubmissionEvent",
    "SubmissionPage",
]

# The department workspace's tables (staff, audit log, results, SMS outbox), issue 6.
from ..workspace import models as _workspace_models  # noqa: F401

"""Pages a resident uploads to answer a correction notice, held until the supplement is sent.

One row per page of one notice item of one correction round of a case, with the scan job
that reads it (``pages.queue_scans``: the same upload, decoding, bomb and type checks and
scan queue as an application's pages). The rows are a draft: the supplement itself is
what ``correct.send`` stores on the case, exactly once.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from shared_schema.bounds import REQUIREMENT_CODE_LEN

from ..db import Base, utcnow
from ..scan_jobs import job_view
from ..workspace.errors import WorkspaceError
from .apply import MAX_PAGES_PER_MATERIAL, PageState
from .models import UploadedPage
from .pages import StoredPage, owner_of


class CorrectionPage(UploadedPage, Base):
    """A page uploaded for one item of a correction notice, not yet sent as a supplement."""

    __tablename__ = "online_correction_pages"
    __table_args__ = (
        UniqueConstraint(
            "submission_id", "correction_round", "item_key", "sha256", name="uq_online_correction_pages_page"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"), index=True)
    correction_round: Mapped[int] = mapped_column(Integer)
    item_key: Mapped[str] = mapped_column(String(REQUIREMENT_CODE_LEN))


def add(
    session: Session, submission_id: int, round_no: int, key: str, pages: list[StoredPage], jobs: list[str]
) -> int:
    """Attach uploaded pages to an item (a page sent twice is kept once); how many are new."""
    where = (
        CorrectionPage.submission_id == submission_id,
        CorrectionPage.correction_round == round_no,
        CorrectionPage.item_key == key,
    )
    have = set(session.scalars(select(CorrectionPage.sha256).where(*where)))
    new = [(p, job) for p, job in zip(pages, jobs, strict=True) if p.sha256 not in have]
    if len(have) + len(new) > MAX_PAGES_PER_MATERIAL:
        raise WorkspaceError("too many pages", f"每项补正材料最多{MAX_PAGES_PER_MATERIAL}页", 413)
    now = utcnow()
    for page, job in new:
        session.add(
            CorrectionPage(
                submission_id=submission_id, correction_round=round_no, item_key=key, sha256=page.sha256,
                content_type=page.content_type, size=page.size, width=page.width, height=page.height,
                job_id=job, created_at=now,
            )
        )  # fmt: skip
    session.flush()
    return len(new)


def remove(session: Session, submission_id: int, round_no: int, page_id: int) -> None:
    page = session.get(CorrectionPage, page_id)
    if page is None or (page.submission_id, page.correction_round) != (submission_id, round_no):
        raise WorkspaceError("no such page", "找不到这一页", 404)
    session.delete(page)


def states(session: Session, submission_id: int, round_no: int, phone: str) -> dict[str, list[PageState]]:
    """Each item's pages in upload order, with what its scan says so far."""
    found: dict[str, list[PageState]] = defaultdict(list)
    owner = owner_of(phone)
    for page in session.scalars(
        select(CorrectionPage)
        .where(CorrectionPage.submission_id == submission_id, CorrectionPage.correction_round == round_no)
        .order_by(CorrectionPage.id)
    ):
        found[page.item_key].append(PageState(page, job_view(session, page.job_id, owner)))  # type: ignore[arg-type]
    return dict(found)

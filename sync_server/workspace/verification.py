"""What the public verification page may say about a result, found by its code.

Only what a bank or police desk needs to tell a genuine printout from a forgery: the
matter, the issuing department, the date, the SHA-256 of the document as issued and a
masked name (张*明). The stored bytes are hashed again on every lookup, so a result
whose blob was altered shows as tampered instead of vouching for the altered file.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..blobstore import BlobStore
from ..models import Department, Matter, Submission
from ..workdays import local_date
from .models import CaseResult
from .verify_code import display


@dataclass(frozen=True)
class Verified:
    code: str
    genuine: bool  # the stored document still hashes to what was issued
    matter_name: str
    department_name: str
    issued_on: date
    sha256: str
    applicant: str  # masked

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(code=display(self.code), issued_on=self.issued_on.isoformat(),
                    status="genuine" if self.genuine else "tampered")  # fmt: skip
        return data


def mask_name(name: str) -> str:
    """张三 → 张*, 张小明 → 张*明, 欧阳小明 → 欧**明: enough to match, not to learn."""
    name = name.strip()
    if len(name) <= 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def _hash_of(store: BlobStore, sha256: str) -> str | None:
    if not store.has(sha256):
        return None
    digest = hashlib.sha256()
    with store.open(sha256) as fh:
        for chunk in iter(lambda: fh.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


def lookup(session: Session, store: BlobStore, code: str) -> tuple[Verified, int] | None:
    """The result with verification code ``code`` and its submission id; None if none."""
    row = session.execute(
        select(CaseResult, Submission.id, Submission.applicant_name, Matter.name, Department.name)
        .join(Submission, Submission.id == CaseResult.submission_id)
        .outerjoin(Matter, Matter.code == Submission.matter_code)
        .outerjoin(Department, Department.code == Submission.department_code)
        .where(CaseResult.verify_code == code)
    ).first()
    if row is None or row[0].sha256 is None:
        return None
    result, submission_id, applicant, matter, department = row
    found = Verified(
        code=code, genuine=_hash_of(store, result.sha256) == result.sha256,
        matter_name=matter or "", department_name=department or "",
        issued_on=local_date(result.created_at), sha256=result.sha256, applicant=mask_name(applicant),
    )  # fmt: skip
    return found, submission_id

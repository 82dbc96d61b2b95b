"""Search by ID number without scanning plaintext: a keyed hash per submission.

The key is random per installation, kept in ``server_settings`` and created on first
use, so a leaked digest table cannot be reversed by enumerating the ~10⁹ plausible
resident ID numbers. A row is written whenever a submission is inserted: ingest (API and
bundle import) writes it beside the submission with Core statements
(:func:`identity_digest`), anything that adds a submission through the ORM gets it from
an ``after_insert`` listener.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from sqlalchemy import Connection, event, insert, select
from sqlalchemy.exc import IntegrityError

from .models.kiosks import ServerSetting
from .models.submissions import Submission, SubmissionLookup

KEY_SETTING = "id_lookup_key"
_keys: dict[str, bytes] = {}


def normalize_identity(value: str) -> str:
    return "".join(value.split()).upper()


def digest(key: bytes, identity: str) -> str:
    return hmac.new(key, normalize_identity(identity).encode("ascii", "replace"), hashlib.sha256).hexdigest()


def lookup_key(connection: Connection) -> bytes:
    """This installation's key (created once, race-safe between workers)."""
    cache_key = connection.engine.url.render_as_string(hide_password=True)
    if cache_key in _keys:
        return _keys[cache_key]
    query = select(ServerSetting.value).where(ServerSetting.key == KEY_SETTING)
    value = connection.execute(query).scalar()
    if value is None:
        try:
            with connection.begin_nested():
                value = secrets.token_hex(32)
                connection.execute(insert(ServerSetting).values(key=KEY_SETTING, value=value))
        except IntegrityError:
            value = connection.execute(query).scalar_one()
    _keys[cache_key] = bytes.fromhex(value)
    return _keys[cache_key]


def identity_of(submission: Submission) -> str | None:
    return submission.applicant_id_number or submission.applicant_uscc


def identity_digest(connection: Connection, submission: Submission) -> str | None:
    """The digest to index ``submission`` under, or None when it names no identity."""
    identity = identity_of(submission)
    return digest(lookup_key(connection), identity) if identity else None


@event.listens_for(Submission, "after_insert")
def _index_identity(_mapper: Any, connection: Connection, target: Submission) -> None:
    id_digest = identity_digest(connection, target)
    if id_digest:
        connection.execute(insert(SubmissionLookup).values(submission_id=target.id, id_digest=id_digest))

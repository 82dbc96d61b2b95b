"""Search by ID number without scanning plaintext: a keyed hash per submission.

The key is random per installation, kept in ``server_settings`` and created on first
use, so a leaked digest table cannot be reversed by enumerating the ~10⁹ plausible
resident ID numbers. Ingest (API and bundle import), the only way a submission enters,
writes the row beside the submission with Core statements (:func:`identity_digest`).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy import Connection, insert, select
from sqlalchemy.exc import IntegrityError

from .models.kiosks import ServerSetting
from .models.submissions import Submission

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

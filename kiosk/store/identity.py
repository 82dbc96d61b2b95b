"""Who this kiosk is: its enrollment credentials, kept in the kiosk home with mode 0600.

The secret authenticates every request and signs sneakernet bundles; anyone who can read
it can speak for the kiosk, so the file is readable by the kiosk's user only.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from shared_schema.receipts import kiosk_short_of

from .fsutil import atomic_write

CREDENTIALS_FILE = "credentials.json"


class NotEnrolled(Exception):
    """The kiosk has no credentials yet: run ``tongban kiosk enroll`` first."""


@dataclass(frozen=True)
class KioskIdentity:
    kiosk_id: str
    station_code: str
    secret: str
    server_url: str
    kiosk_short: str = ""
    server_key_id: str | None = None
    bundle_key: str | None = None  # seals sneakernet bundles (docs/sync-protocol.md)
    enrolled_at: str | None = None

    @property
    def receipt_prefix_short(self) -> str:
        return self.kiosk_short or kiosk_short_of(self.kiosk_id)

    def public(self) -> dict[str, str | None]:
        """Everything but the secret, for ``status`` output."""
        data = asdict(self)
        data.pop("secret")
        data.pop("bundle_key")
        return data


def save_identity(home: Path, identity: KioskIdentity) -> None:
    raw = json.dumps(asdict(identity), ensure_ascii=False, indent=2).encode("utf-8")
    atomic_write(home / CREDENTIALS_FILE, raw, mode=0o600)


def load_identity(home: Path) -> KioskIdentity:
    path = home / CREDENTIALS_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise NotEnrolled(f"kiosk at {home} is not enrolled; run 'tongban kiosk enroll'") from None
    except (ValueError, OSError) as exc:
        raise NotEnrolled(f"credentials file {path} is unreadable: {exc}") from None
    known = set(KioskIdentity.__dataclass_fields__)
    return KioskIdentity(**{k: v for k, v in data.items() if k in known})

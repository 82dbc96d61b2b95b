"""The kiosk's local store: outbox database, sealed page files and manifests.

Entry points for the UI and the CLI: :class:`KioskStore` (open a kiosk home),
:class:`Drafts` (reserve a receipt number, finalize a manifest), :class:`Outbox` (states, listing).
"""

from . import meta
from .db import StoreCorrupt
from .drafts import Draft, Drafts
from .home import KioskStore
from .identity import KioskIdentity, NotEnrolled, load_identity, save_identity
from .outbox import Outbox, OutboxEntry, UnknownSubmission
from .states import IllegalTransition, OutboxState

__all__ = [
    "Draft",
    "Drafts",
    "IllegalTransition",
    "KioskIdentity",
    "KioskStore",
    "NotEnrolled",
    "Outbox",
    "OutboxEntry",
    "OutboxState",
    "StoreCorrupt",
    "UnknownSubmission",
    "load_identity",
    "meta",
    "save_identity",
]

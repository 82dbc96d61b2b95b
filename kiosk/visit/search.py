"""Find a matter by Chinese text or pinyin, the way residents type on a kiosk.

Many older residents cannot type hanzi; they can type initials ("ylbx" → 养老保险) or
whole syllables ("yanglao"). High-frequency matters come first because they are what
most people came for (5.2 of the standard).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from shared_schema import Catalog, FrequencyTier, Matter

from .pinyin_index import columns, compute
from .pinyin_index import normalise as _normalise

_TIER_RANK = {FrequencyTier.high: 0, FrequencyTier.medium: 1, FrequencyTier.low: 2}


def initials(text: str) -> str:
    """Pinyin initials of the hanzi in ``text``: 养老保险 → ylbx (other chars kept)."""
    return compute([text])[text][0]


def full_pinyin(text: str) -> str:
    return compute([text])[text][1]


@dataclass
class _Entry:
    matter: Matter
    hanzi: tuple[str, ...]
    initials: tuple[str, ...] = ()
    pinyin: tuple[str, ...] = ()


@dataclass(frozen=True)
class Hit:
    matter: Matter
    score: int  # lower is better: 0 exact name, 1 text, 2 initials prefix, 3 initials, 4 pinyin


class CatalogSearch:
    """An index over the matters a channel may take: a kiosk the offline ones (default),
    the server's online zone those whose guide allows online handling."""

    def __init__(
        self,
        catalog: Catalog,
        cache_dir: Path | None = None,
        offered: Callable[[Matter], bool] = lambda m: m.offline,
    ) -> None:
        self.catalog = catalog
        self.cache_dir = cache_dir
        self._entries = [
            _Entry(m, tuple(_normalise(t) for t in (m.name, *m.keywords, m.domain)))
            for m in catalog.matters
            if offered(m)
        ]
        self._pinyin_ready = False
        self._lock = threading.Lock()

    def prepare(self) -> None:
        """Pinyin columns now (the app's warm-up), else on the first Latin query."""
        with self._lock:
            if self._pinyin_ready:
                return
            texts = [t for entry in self._entries for t in entry.hanzi]
            found = compute(texts) if self.cache_dir is None else columns(texts, self.cache_dir)
            for entry in self._entries:
                entry.initials = tuple(found[t][0] for t in entry.hanzi)
                entry.pinyin = tuple(found[t][1] for t in entry.hanzi)
            self._pinyin_ready = True

    def _ensure_pinyin(self) -> None:
        if not self._pinyin_ready:
            self.prepare()

    @staticmethod
    def _order(matter: Matter) -> tuple[int, str]:
        return (_TIER_RANK[matter.frequency], matter.code)

    def _score(self, entry: _Entry, query: str) -> int | None:
        if query == entry.hanzi[0]:
            return 0
        if any(query in text for text in entry.hanzi):
            return 1
        if query.isascii():
            self._ensure_pinyin()
            if any(text.startswith(query) for text in entry.initials):
                return 2
            if any(query in text for text in entry.initials):
                return 3
            if len(query) >= 2 and any(query in text for text in entry.pinyin):
                return 4
        return None

    def search(self, query: str, limit: int = 20) -> list[Hit]:
        """Matters matching ``query``; an empty query lists the high-frequency ones first."""
        q = _normalise(query)
        if not q:
            return [Hit(e.matter, 9) for e in sorted(self._entries, key=lambda e: self._order(e.matter))][
                :limit
            ]
        hits = []
        for entry in self._entries:
            score = self._score(entry, q)
            if score is not None:
                hits.append(Hit(entry.matter, score))
        hits.sort(key=lambda h: (h.score, *self._order(h.matter)))
        return hits[:limit]

    def frequent(self, limit: int = 8) -> list[Matter]:
        """What the home screen shows first: high-frequency matters."""
        ranked = sorted((e.matter for e in self._entries), key=self._order)
        return [m for m in ranked if m.frequency is FrequencyTier.high][:limit] or ranked[:limit]

    def domains(self) -> list[str]:
        """Business areas, most-used first (by how many high-frequency matters they hold)."""
        counts: dict[str, list[int]] = {}
        for entry in self._entries:
            rank = counts.setdefault(entry.matter.domain, [0, 0])
            rank[0] -= entry.matter.frequency is FrequencyTier.high
            rank[1] -= 1
        return sorted(counts, key=lambda d: (counts[d][0], counts[d][1], d))

    def offered(self) -> list[Matter]:
        """Every matter this kiosk may collect (the home screen's tiles sort them)."""
        return [e.matter for e in self._entries]

    def in_domain(self, domain: str) -> list[Matter]:
        return sorted((e.matter for e in self._entries if e.matter.domain == domain), key=self._order)

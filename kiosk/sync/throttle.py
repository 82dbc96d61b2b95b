"""An optional bandwidth cap on uploads: a token bucket read by the request body.

A village link is often shared with the station's own work; the cap keeps the kiosk from
filling it. The body object has a length, so requests still sends Content-Length.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

CHUNK = 16 * 1024


class TokenBucket:
    """``rate`` bytes per second on average, bursts of at most ``burst`` bytes."""

    def __init__(
        self,
        rate: float,
        burst: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = float(rate)
        self.burst = float(burst if burst is not None else max(rate / 4, CHUNK))
        self._tokens = self.burst
        self._clock, self._sleep = clock, sleep
        self._last = clock()
        self._lock = threading.Lock()

    def take(self, amount: int) -> None:
        """Block until ``amount`` bytes may be sent."""
        with self._lock:
            now = self._clock()
            self._tokens = min(self.burst, self._tokens + (now - self._last) * self.rate)
            self._last = now
            self._tokens -= amount
            debt = -self._tokens
        if debt > 0:
            self._sleep(debt / self.rate)


class ThrottledBody:
    """Bytes handed to requests chunk by chunk, each chunk paid for in the bucket."""

    def __init__(self, data: bytes, bucket: TokenBucket | None, chunk: int = CHUNK) -> None:
        self._data = memoryview(data)
        self._bucket = bucket
        self._chunk = chunk
        self._pos = 0

    def __len__(self) -> int:
        return len(self._data)

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            size = len(self._data) - self._pos
        size = min(size, self._chunk, len(self._data) - self._pos)
        if size <= 0:
            return b""
        if self._bucket is not None:
            self._bucket.take(size)
        piece = bytes(self._data[self._pos : self._pos + size])
        self._pos += size
        return piece

    def __iter__(self) -> Iterator[bytes]:
        while piece := self.read(self._chunk):
            yield piece

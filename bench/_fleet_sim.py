"""The fleet simulator (issue 16): ``IDENTITIES`` really enrolled kiosks, each standing for
``fleet / IDENTITIES`` kiosks by running a kiosk's day that many times faster, open loop
(every request starts at its scheduled time whatever the answers before it).

A kiosk: heartbeat every 60 s, status feed every 30 s, catalog check every 10 min (ETag),
20 submissions a day of 3 × 80 KB pages in 8 working hours (pages missing? → 3 × PUT →
commit). Against a server whose heartbeat answers ``feed_next`` the kiosk reads its feed
only when that is past its cursor, as ``kiosk/sync/feed_position.py`` does; against an
older server it polls every 30 s.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from PIL import Image

from tests.server.factories import make_manifest

HEARTBEAT_S, FEED_S, CATALOG_S = 60.0, 30.0, 600.0
SUBMISSION_S = 8 * 3600 / 20  # 20 a day in 8 working hours
TIMEOUT_S = 30.0


def page_template() -> bytes:
    """A noise PNG of ~80 KB (made unique per page by bytes after its end)."""
    image = Image.frombytes("RGB", (165, 165), random.Random(7).randbytes(165 * 165 * 3))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@dataclass
class Identity:
    kiosk_id: str
    station_code: str
    secret: str
    cursor: int = 0
    known: int | None = None  # feed_next of the last heartbeat; None: poll
    etag: str | None = None
    seq: int = 0

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.kiosk_id}:{self.secret}"}


@dataclass
class Tally:
    latency: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    late: int = 0


async def enroll(session: aiohttp.ClientSession, base: str, codes: list[tuple[str, str]]) -> list[Identity]:
    out = []
    for code, _station in codes:
        async with session.post(f"{base}/enroll", json={"code": code, "name": "bench"}) as resp:
            body = await resp.json()
            if resp.status != 201:
                raise RuntimeError(f"enrollment refused: {resp.status} {body}")
            out.append(Identity(body["kiosk_id"], body["station_code"], body["secret"]))
    return out


class Fleet:
    def __init__(self, base: str, identities: list[Identity], fleet: int, page: bytes) -> None:
        self.base, self.identities, self.page = base, identities, page
        self.speed = fleet / len(identities)
        self.tally = Tally()
        self.counting = False

    async def _call(self, session: aiohttp.ClientSession, kind: str, method: str, path: str,
                    ok: tuple[int, ...] = (200,), **kwargs: Any) -> tuple[int, Any]:  # fmt: skip
        started = time.perf_counter()
        try:
            async with session.request(method, self.base + path, **kwargs) as resp:
                body = await resp.read()
                status = resp.status
        except (TimeoutError, aiohttp.ClientError) as exc:
            if self.counting:
                self.tally.errors[f"{kind}: {type(exc).__name__}"] += 1
            return 0, None
        if self.counting:
            self.tally.latency[kind].append(time.perf_counter() - started)
            if status not in ok:
                self.tally.errors[f"{kind}: {status}"] += 1
        return status, body

    async def _every(self, period: float, action: Any, ident: Identity, stop: float) -> None:
        period /= self.speed
        next_at = time.monotonic() + random.uniform(0, period)
        tasks = set()
        while next_at < stop:
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))
            task = asyncio.ensure_future(action(ident))  # open loop: do not wait for it
            tasks.add(task)
            task.add_done_callback(tasks.discard)
            next_at += period
        if tasks:
            await asyncio.gather(*tasks)

    async def heartbeat(self, ident: Identity) -> None:
        beat = {"queue_length": 0, "app_version": "0.1.0", "disk_free_bytes": 10**10}
        status, body = await self._call(self.session, "heartbeat", "POST", "/heartbeat",
                                        json=beat, headers=ident.headers)  # fmt: skip
        if status == 200:
            ident.known = json.loads(body).get("feed_next")

    async def feed(self, ident: Identity) -> None:
        if ident.known is not None and ident.known <= ident.cursor:
            return
        status, body = await self._call(self.session, "feed", "GET", f"/status-feed?after={ident.cursor}",
                                        headers=ident.headers)  # fmt: skip
        if status == 200:
            ident.cursor = max(ident.cursor, json.loads(body)["next"])

    async def catalog(self, ident: Identity) -> None:
        headers = {**ident.headers, **({"If-None-Match": ident.etag} if ident.etag else {})}
        started = time.perf_counter()
        try:
            async with self.session.get(self.base + "/catalog", headers=headers) as resp:
                await resp.read()
                ident.etag = resp.headers.get("ETag", ident.etag)
                status = resp.status
        except (TimeoutError, aiohttp.ClientError) as exc:
            if self.counting:
                self.tally.errors[f"catalog: {type(exc).__name__}"] += 1
            return
        if self.counting:
            self.tally.latency["catalog"].append(time.perf_counter() - started)
            if status not in (200, 304):
                self.tally.errors[f"catalog: {status}"] += 1

    async def submit(self, ident: Identity) -> None:
        ident.seq += 1
        pages = [self.page + os.urandom(16) for _ in range(3)]
        manifest, blobs = make_manifest(ident.kiosk_id, ident.station_code, seq=ident.seq, pages=pages)
        h = ident.headers
        await self._call(self.session, "blobs/missing", "POST", "/blobs/missing",
                         json={"hashes": list(blobs)}, headers=h)  # fmt: skip
        for sha, data in blobs.items():
            await self._call(self.session, "blob put", "PUT", f"/blobs/{sha}", ok=(200, 201), data=data,
                             headers={**h, "Content-Type": "image/png"})  # fmt: skip
        body = manifest.model_dump_json()
        await self._call(self.session, "submission", "POST", "/submissions", ok=(200, 201), data=body,
                         headers={**h, "Content-Type": "application/json"})  # fmt: skip

    async def run(self, warm_s: float, measure_s: float) -> Tally:
        connector = aiohttp.TCPConnector(limit=0)
        timeout = aiohttp.ClientTimeout(total=TIMEOUT_S)
        async with aiohttp.ClientSession(connector=connector, timeout=timeout) as self.session:
            start = time.monotonic()
            stop = start + warm_s + measure_s

            async def measure() -> None:
                await asyncio.sleep(warm_s)
                self.counting = True

            jobs = [measure()]
            for ident in self.identities:
                jobs += [
                    self._every(HEARTBEAT_S, self.heartbeat, ident, stop),
                    self._every(FEED_S, self.feed, ident, stop),
                    self._every(CATALOG_S, self.catalog, ident, stop),
                    self._every(SUBMISSION_S, self.submit, ident, stop),
                ]
            await asyncio.gather(*jobs)
        return self.tally

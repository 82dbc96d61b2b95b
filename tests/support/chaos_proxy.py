"""A TCP proxy on loopback that misbehaves on purpose, reproducibly (seeded).

Put it between a client and a server to get what a village uplink does: connections
dropped at once, reset (RST) or cut off (FIN) part-way through a transfer, and chunks
delayed. Each new connection draws its fate from one seeded RNG; ``stats`` counts what
happened and every byte that passed in each direction (the bytes "on the wire").

    proxy = ChaosProxy(("127.0.0.1", server_port), Chaos(reset=0.2, seed=7)).start()
    proxy = ChaosProxy(upstream, Chaos(cut_range=(900, 900)), script=["ok", "truncate"])
    ... client talks to proxy.url ...
    proxy.chaos = Chaos()  # calm: let everything through
    proxy.stop()
"""

from __future__ import annotations

import contextlib
import random
import socket
import struct
import threading
import time
from dataclasses import dataclass, field

CHUNK = 16 * 1024


@dataclass(frozen=True)
class Chaos:
    drop: float = 0.0  # close a new connection before forwarding anything
    reset: float = 0.0  # RST the connection after a random number of bytes
    truncate: float = 0.0  # FIN (clean close) after a random number of bytes
    delay: float = 0.0  # per chunk: chance of a pause
    delay_range: tuple[float, float] = (0.0, 0.05)
    cut_range: tuple[int, int] = (0, 300_000)  # bytes (both directions) before a reset/truncate
    # A kept-alive connection carries many requests; with a lifetime, even a connection
    # that drew no fault is reset or cut after this many bytes (a link that drops now and
    # then), so faults keep coming however long connections live. None: "ok" lives on.
    lifetime_range: tuple[int, int] | None = None
    seed: int = 0


@dataclass
class Stats:
    connections: int = 0
    drops: int = 0
    resets: int = 0
    truncations: int = 0
    delays: int = 0
    bytes_up: int = 0  # client -> server
    bytes_down: int = 0  # server -> client
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, name: str, amount: int = 1) -> None:
        with self.lock:
            setattr(self, name, getattr(self, name) + amount)


class _Link:
    """One proxied connection: two pumps sharing a byte budget before its planned fault."""

    def __init__(self, proxy: ChaosProxy, client: socket.socket, fate: str, budget: int, rng: random.Random):
        self.proxy, self.client, self.fate, self.budget, self.rng = proxy, client, fate, budget, rng
        self.lock = threading.Lock()
        self.closed = False
        self.upstream = socket.create_connection(proxy.upstream, timeout=10)
        self.upstream.settimeout(None)
        # Forward at once, like a router forwarding packets: with Nagle's algorithm a
        # re-sent tail waits for an ACK the peer delays (~40 ms per kept-alive request).
        for sock in (client, self.upstream):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def run(self) -> None:
        threading.Thread(target=self.pump, args=(self.client, self.upstream, "bytes_up"), daemon=True).start()
        threading.Thread(
            target=self.pump, args=(self.upstream, self.client, "bytes_down"), daemon=True
        ).start()

    def _allowance(self, n: int) -> int:
        """How many of ``n`` bytes may pass before the planned fault (n when none)."""
        with self.lock:
            if self.fate == "ok":
                return n
            allowed = max(0, min(n, self.budget))
            self.budget -= allowed
            return allowed

    def pump(self, src: socket.socket, dst: socket.socket, counter: str) -> None:
        chaos = self.proxy.chaos
        try:
            while True:
                data = src.recv(CHUNK)
                if not data:
                    dst.shutdown(socket.SHUT_WR)
                    return
                if chaos.delay and self.rng.random() < chaos.delay:
                    self.proxy.stats.add("delays")
                    time.sleep(self.rng.uniform(*chaos.delay_range))
                allowed = self._allowance(len(data))
                if allowed:
                    dst.sendall(data[:allowed])
                    self.proxy.stats.add(counter, allowed)
                if allowed < len(data):
                    self.fault(src, dst)
                    return
        except OSError:
            self.close()

    def fault(self, src: socket.socket, dst: socket.socket) -> None:
        """Break the link: ``src``'s peer gets an RST (reset) or a FIN (truncate); ``dst``
        is shut down first so the other pump, blocked reading it, wakes up at once."""
        if self.fate == "reset":
            self.proxy.stats.add("resets")
            with contextlib.suppress(OSError):  # linger 0: close sends RST instead of FIN
                src.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        else:
            self.proxy.stats.add("truncations")
            with contextlib.suppress(OSError):
                src.shutdown(socket.SHUT_RDWR)
        self.close()

    def close(self) -> None:
        with self.lock:
            if self.closed:
                return
            self.closed = True
        for sock in (self.client, self.upstream):
            with contextlib.suppress(OSError):
                if sock.getsockopt(socket.SOL_SOCKET, socket.SO_LINGER) == 0:
                    sock.shutdown(socket.SHUT_RDWR)  # wakes a pump blocked in recv on it
            with contextlib.suppress(OSError):
                sock.close()


class ChaosProxy:
    def __init__(
        self, upstream: tuple[str, int], chaos: Chaos | None = None, script: list[str] | None = None
    ) -> None:
        self.upstream = upstream
        self.chaos = chaos or Chaos()
        #: fates ("ok", "drop", "reset", "truncate") for the next connections, before any dice
        self.script = list(script or [])
        self.stats = Stats()
        self._rng = random.Random(self.chaos.seed)
        self._rng_lock = threading.Lock()
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.settimeout(0.2)
        self.port = self._server.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, name="chaos-proxy", daemon=True)

    def start(self) -> ChaosProxy:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self._server.close()

    def _fate(self) -> tuple[str, int, random.Random]:
        chaos = self.chaos
        with self._rng_lock:
            roll = self._rng.random()
            budget = self._rng.randint(*chaos.cut_range)
            conn_rng = random.Random(self._rng.getrandbits(64))
            scripted = self.script.pop(0) if self.script else None
        if scripted is not None:
            return scripted, budget, conn_rng
        if roll < chaos.drop:
            return "drop", 0, conn_rng
        if roll < chaos.drop + chaos.reset:
            return "reset", budget, conn_rng
        if roll < chaos.drop + chaos.reset + chaos.truncate:
            return "truncate", budget, conn_rng
        if chaos.lifetime_range is not None:
            fate = "reset" if conn_rng.random() < 0.5 else "truncate"
            return fate, conn_rng.randint(*chaos.lifetime_range), conn_rng
        return "ok", 0, conn_rng

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.stats.add("connections")
            fate, budget, rng = self._fate()
            if fate == "drop":
                self.stats.add("drops")
                client.close()
                continue
            try:
                _Link(self, client, fate, budget, rng).run()
            except OSError:  # upstream down (server killed): the client sees a closed socket
                client.close()

"""A stand-in for what sits between a kiosk and the internet: a captive portal or a
proxy that answers 200, optionally signing with a given secret, optionally relaying
everything but one path to the real server."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests

from shared_schema.protocol import SIGNATURE_HEADER, sign

HOP_HEADERS = ("content-length", "transfer-encoding", "connection", "server", "date")


class Portal:
    """Answers 200 + ``body``; with ``upstream``, only requests whose path contains
    ``intercept`` get that answer and the rest are relayed to the real server."""

    def __init__(
        self,
        body: bytes,
        content_type: str = "application/json",
        secret: str | None = None,
        upstream: str | None = None,
        intercept: str = "",
    ) -> None:
        portal = self
        self.requests: list[str] = []

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                data = self.rfile.read(length) if length else b""
                portal.requests.append(f"{self.command} {self.path}")
                if upstream and intercept not in self.path:
                    self._relay(upstream, data)
                    return
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                if secret is not None:
                    self.send_header(SIGNATURE_HEADER, sign(secret, body))
                self.end_headers()
                self.wfile.write(body)

            def _relay(self, base: str, data: bytes) -> None:
                headers = {
                    k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")
                }
                resp = requests.request(
                    self.command, base + self.path, data=data, headers=headers, timeout=30
                )
                self.send_response(resp.status_code)
                for key, value in resp.headers.items():
                    if key.lower() not in HOP_HEADERS:
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(resp.content)))
                self.end_headers()
                self.wfile.write(resp.content)

            do_GET = do_POST = do_PUT = _answer

            def log_message(self, *args: object) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

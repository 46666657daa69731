"""`--serve`: the preview server for site/, with live reload after each finished rebuild.

HTML responses get a small script injected on the way out (never written into site/). It
listens on /__newsdigest/events (server-sent events) and reloads the page when the build
epoch moves on. The epoch moves only after a rebuild has finished, so the browser never
reloads onto a half-built site. A rebuild that warned shows its warnings in a banner on the
page; the next clean rebuild clears it.
"""

from __future__ import annotations

import html
import json
import mimetypes
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

EVENTS = "/__newsdigest/events"
_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".txt": "text/plain; charset=utf-8",
}


class BuildState:
    """What the browser needs to know: the build epoch and the last build's warnings."""

    def __init__(self) -> None:
        self.epoch = 0
        self.warnings: list[str] = []
        self.changed = threading.Condition()

    def finished(self, warnings: list[str]) -> None:
        with self.changed:
            self.epoch += 1
            self.warnings = list(warnings)
            self.changed.notify_all()

    def wait(self, seen: int, timeout: float) -> int:
        with self.changed:
            self.changed.wait_for(lambda: self.epoch != seen, timeout=timeout)
            return self.epoch


def _snippet(state: BuildState) -> bytes:
    banner = ""
    if state.warnings:
        items = "".join(f"<li>{html.escape(w)}</li>" for w in state.warnings[:20])
        banner = (
            f'<div id="newsdigest-warnings" role="alert" '
            f'style="position:fixed;left:0;right:0;bottom:0;'
            f"z-index:9999;max-height:40vh;overflow:auto;background:#fff3cd;color:#3d2c00;"
            f'font:14px/1.4 system-ui,sans-serif;padding:.75rem 1rem;border-top:2px solid #c89600">'
            f"<strong>The last rebuild warned:</strong><ul>{items}</ul></div>"
        )
    script = (
        f"<script>(function(){{var epoch={state.epoch};var es=new EventSource('{EVENTS}');"
        "es.onmessage=function(m){var "
        "d=JSON.parse(m.data);if(d.epoch!==epoch){location.reload();}};})();"
        "</script>"
    )
    return (banner + script).encode("utf-8")


def make_handler(
    site: Path, state: BuildState, base_path: str = "/"
) -> type[BaseHTTPRequestHandler]:
    """`base_path`: the path of the site's base URL ("/digest/"). The site is served at the
    root and under it too, so the 404 page's links, which start from it, work here."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # quiet: the build talks
            return

        def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
            path = unquote(urlsplit(self.path).path)
            if base_path != "/" and path.startswith(base_path):
                path = "/" + path[len(base_path) :]
            if path == EVENTS:
                self._events()
                return
            target = self._resolve(path)
            if target is None:
                self._send(HTTPStatus.NOT_FOUND, site / "404.html")
                return
            self._send(HTTPStatus.OK, target)

        def _resolve(self, path: str) -> Path | None:
            candidate = (site / path.lstrip("/")).resolve()
            if site.resolve() not in (candidate, *candidate.parents):
                return None  # outside site/
            if candidate.is_dir():
                candidate = candidate / "index.html"
            return candidate if candidate.is_file() else None

        def _send(self, status: HTTPStatus, file: Path) -> None:
            try:
                body = file.read_bytes()
            except OSError:
                body, file = (
                    b"<!doctype html><title>Not found</title><h1>Not found</h1>",
                    Path("x.html"),
                )
            kind = (
                _TYPES.get(file.suffix)
                or mimetypes.guess_type(file.name)[0]
                or "application/octet-stream"
            )
            if file.suffix == ".html":
                marker = body.rfind(b"</body>")
                body = (
                    body[:marker] + _snippet(state) + body[marker:]
                    if marker >= 0
                    else body + _snippet(state)
                )
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def _events(self) -> None:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.send_header("Connection", "close")
            self.end_headers()
            seen = -1
            try:
                while not getattr(self.server, "closing", False):
                    epoch = state.wait(seen, timeout=15)
                    if epoch != seen:
                        payload = json.dumps({"epoch": epoch, "warnings": len(state.warnings)})
                        self.wfile.write(f"data: {payload}\n\n".encode())
                        seen = epoch
                    else:
                        self.wfile.write(b": keep-alive\n\n")
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                return

    return Handler


class PreviewServer:
    """ThreadingHTTPServer on 127.0.0.1 in a background thread."""

    def __init__(self, site: Path, port: int, state: BuildState, base_path: str = "/") -> None:
        self.httpd = ThreadingHTTPServer(
            ("127.0.0.1", port), make_handler(site, state, base_path)
        )  # OSError if taken
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="preview", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/"

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.httpd.closing = True  # type: ignore[attr-defined]
        self.httpd.shutdown()
        self.httpd.server_close()

"""The HTTPS unsubscribe endpoint of `List-Unsubscribe`: a small WSGI app, and `weekly unsubscribe-server`.

RFC 8058 one-click: the mail client POSTs `List-Unsubscribe=One-Click` to the link. A GET only
shows a confirmation form, because link scanners and previews fetch every URL in a message and
must not unsubscribe anyone by looking.

The server faces the internet (behind a proxy), so no client may hold it: a thread per connection,
a timeout on every socket read and a DEADLINE for the whole connection, at most MAX_CONNECTIONS at
once (the newest beyond that is closed at once), a body read only when its Content-Length is a
number within MAX_BODY, and a token found by an index (one hash, one look-up) rather than by
checking it against every subscriber.
"""

from __future__ import annotations

import contextlib
import html
import queue
import re
import socket
import sqlite3
import sys
import threading
from collections.abc import Callable, Iterable
from socketserver import ThreadingMixIn
from typing import Any
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

from generator.delivery import subscribers
from generator.errors import InputError
from generator.report import Report

StartResponse = Callable[[str, list[tuple[str, str]]], Any]
PATH = "/unsubscribe"
MAX_BODY = 4096  # the one-click body is 26 bytes; anything much larger is not a mail client
TIMEOUT = 10.0  # seconds a client may keep one read of its request waiting
DEADLINE = 30.0  # seconds a connection may last in all: a byte every few seconds does not keep it
MAX_CONNECTIONS = 64
_LENGTH = re.compile(r"^[0-9]{1,9}$")  # digits only: "-1", "+5", " 5" and "²" are not lengths
_TOKEN = re.compile(r"^[0-9a-f]{64}$")
_METHODS = frozenset({"GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "PATCH"})


def _page(title: str, body: str) -> bytes:
    return (
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        "<meta name=\"robots\" content=\"noindex\">"
        f"<title>{html.escape(title)}</title>"
        "<style>body{font:1.05rem/1.5 system-ui,sans-serif;max-width:34rem;margin:4rem auto;padding:0 1rem}"
        "button{font:inherit;padding:.5rem 1rem}</style></head>"
        f"<body><h1>{html.escape(title)}</h1>{body}</body></html>"
    ).encode()


def make_app(report: Report, secret: bytes) -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    """A WSGI app for `<site_url>unsubscribe?token=TOKEN` that applies one-click unsubscribes."""
    title = report.title
    # Opening the database costs more than the look-up itself: connections are kept for reuse,
    # one per request in flight at most (each is used by one thread at a time).
    idle: queue.SimpleQueue[sqlite3.Connection] = queue.SimpleQueue()

    def lookup(token: str) -> tuple[str, bool] | None:
        try:
            conn = idle.get_nowait()
        except queue.Empty:
            conn = subscribers.connect(report.slug, shared=True)
        try:
            return subscribers.unsubscribe(conn, secret, token)
        finally:
            idle.put(conn)

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        def reply(status: str, page: bytes, extra: tuple[tuple[str, str], ...] = ()) -> list[bytes]:
            start_response(status, [("Content-Type", "text/html; charset=utf-8"),
                                    ("Content-Length", str(len(page))),
                                    ("Cache-Control", "no-store"), *extra])
            return [page]

        if environ.get("PATH_INFO", "") != PATH:
            return reply("404 Not Found", _page("Not found", "<p>There is nothing here.</p>"))
        token = (parse_qs(environ.get("QUERY_STRING", "")).get("token") or [""])[0]
        method = environ.get("REQUEST_METHOD", "GET")
        if method == "GET":
            form = (f"<p>Stop receiving {html.escape(title)} by email?</p>"
                    f"<form method=\"post\" action=\"?token={html.escape(token)}\">"
                    "<input type=\"hidden\" name=\"List-Unsubscribe\" value=\"One-Click\">"
                    "<button type=\"submit\">Unsubscribe</button></form>")
            return reply("200 OK", _page(f"Unsubscribe from {title}", form))
        if method != "POST":
            return reply("405 Method Not Allowed", _page("Not allowed", "<p>Use the link in the email.</p>"),
                         (("Allow", "GET, POST"),))
        length_text = str(environ.get("CONTENT_LENGTH") or "").strip()
        if not length_text:
            return reply("411 Length Required", _page("Length required", "<p>Send a Content-Length.</p>"))
        if not _LENGTH.match(length_text):
            return reply("400 Bad Request", _page("Bad request", "<p>Content-Length is not a length.</p>"))
        if int(length_text) > MAX_BODY:
            return reply("413 Content Too Large", _page("Too large", "<p>Expected a one-click body.</p>"))
        try:
            body = environ["wsgi.input"].read(int(length_text))
        except (OSError, ValueError):  # the client stalled past the timeout or went away
            return reply("408 Request Timeout", _page("Timed out", "<p>The request did not arrive.</p>"))
        form_data = parse_qs(body.decode("utf-8", "replace"))
        if form_data.get("List-Unsubscribe") != ["One-Click"]:
            return reply("400 Bad Request", _page("Bad request", "<p>Expected a one-click unsubscribe.</p>"))
        found = None
        if _TOKEN.match(token.strip().lower()):  # anything else cannot be a token: no database work
            found = lookup(token)
        if found is None:
            unknown = "<p>This unsubscribe link is not valid for any subscriber.</p>"
            return reply("404 Not Found", _page("Unknown link", unknown))
        return reply("200 OK", _page("Unsubscribed",
                                     f"<p>You will receive no more email from {html.escape(title)}.</p>"))

    return app


def _cut(connection: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed: the request ended in time
        connection.shutdown(socket.SHUT_RDWR)


class _Handler(WSGIRequestHandler):
    """One connection: reads time out, and the log shows method and status, never the request line."""

    def setup(self) -> None:
        super().setup()
        self.request.settimeout(getattr(self.server, "connection_timeout", TIMEOUT))
        # The read timeout bounds each read; this bounds them all. Shutting the socket down makes
        # the pending read return at once, and the request ends as if the client had hung up.
        self._deadline = threading.Timer(getattr(self.server, "connection_deadline", DEADLINE),
                                         _cut, (self.request,))
        self._deadline.daemon = True
        self._deadline.start()

    def finish(self) -> None:
        self._deadline.cancel()
        super().finish()

    def _method(self) -> str:
        # A malformed request line can put anything here, a token included: name known methods only.
        command = getattr(self, "command", None)
        return command if command in _METHODS else "-"

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        status = str(code) if str(code).isdigit() else "-"
        print(f"unsubscribe endpoint: {self._method()} {status}", flush=True)

    def log_error(self, format: str, *args: Any) -> None:
        # send_error() logs ("code %d, message %s", code, message), and the message quotes the
        # request line; log_request() then logs the status alone, which is all that is kept.
        return

    def log_message(self, format: str, *args: Any) -> None:
        print(f"unsubscribe endpoint: {self._method()} -", flush=True)


class EndpointServer(ThreadingMixIn, WSGIServer):
    """The standard library's WSGI server with a thread per connection, at most MAX_CONNECTIONS."""

    daemon_threads = True
    block_on_close = False

    def __init__(self, address: tuple[str, int], handler: type[_Handler], connection_timeout: float,
                 connection_deadline: float, max_connections: int) -> None:
        self.connection_timeout = connection_timeout
        self.connection_deadline = connection_deadline
        self._slots = threading.BoundedSemaphore(max_connections)
        super().__init__(address, handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self._slots.acquire(blocking=False):
            self.shutdown_request(request)  # full: the newest connection waits for nobody
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that timed out or vanished: one line, no traceback (its text could quote a token).
        kind = type(sys.exc_info()[1]).__name__
        print(f"unsubscribe endpoint: connection dropped ({kind})", flush=True)


class EndpointServer6(EndpointServer):
    """The same on an IPv6 address."""

    address_family = socket.AF_INET6


def make_endpoint_server(report: Report, host: str, port: int, *, timeout: float = TIMEOUT,
                         deadline: float = DEADLINE,
                         max_connections: int = MAX_CONNECTIONS) -> EndpointServer:
    """The endpoint, bound and ready to `serve_forever()`; InputError if it cannot listen there."""
    secret = subscribers.secret_from_env()
    conn = subscribers.connect(report.slug)
    try:
        subscribers.index_tokens(conn, secret)  # once here, so that no request pays for it
    except sqlite3.Error as exc:
        raise InputError(f"cannot prepare the subscriber database: {exc}") from None
    finally:
        conn.close()
    kind = EndpointServer6 if ":" in host else EndpointServer
    try:
        server = kind((host, port), _Handler, timeout, deadline, max_connections)
    except (OSError, OverflowError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise InputError(f"cannot listen on {host}:{port}: {reason}") from None
    server.set_app(make_app(report, secret))
    return server


def serve(report: Report, host: str, port: int) -> None:
    """Serve the endpoint until interrupted."""
    with make_endpoint_server(report, host, port) as server:
        print(f"serving {PATH} for {report.slug} on http://{host}:{server.server_port}", flush=True)
        server.serve_forever()

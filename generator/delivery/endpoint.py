"""The HTTP server of `weekly serve` (alias `weekly unsubscribe-server`), for the public WSGI app.

The app (`generator.delivery.web`) answers sign-up, confirmation and one-click unsubscribe. The
server faces the internet (behind a proxy), so no client may hold it: a thread per connection,
a timeout on every socket read and a DEADLINE for the whole connection, at most MAX_CONNECTIONS at
once (the newest beyond that is closed at once); the app reads a body only when its
Content-Length is a number within its MAX_BODY, and finds a token by an index (one hash, one
look-up) rather than by checking it against every subscriber. Under gunicorn or waitress, the
same app is `generator.wsgi:application`.
"""

from __future__ import annotations

import contextlib
import os
import socket
import sqlite3
import sys
import threading
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

from generator.delivery import subscribers
from generator.delivery.confirm import CONFIRM_PATH
from generator.delivery.smtp import SmtpConfig
from generator.delivery.web import (
    SUBSCRIBE_PATH,
    UNSUBSCRIBE_PATH,
    Outbox,
    PublicApp,
    RateLimiter,
)
from generator.errors import InputError
from generator.report import Report

PATH = UNSUBSCRIBE_PATH
SIGNUP_LIMIT_ENV = "WEEKLY_SIGNUP_LIMIT"  # sign-ups per client per hour
TRUST_PROXY_ENV = "WEEKLY_TRUST_PROXY"  # 1: count clients by X-Forwarded-For's last hop
TIMEOUT = 10.0  # seconds a client may keep one read of its request waiting
DEADLINE = 30.0  # seconds a connection may last in all: a byte every few seconds does not keep it
MAX_CONNECTIONS = 64
_METHODS = frozenset({"GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "PATCH"})


def make_app(report: Report, secret: bytes, outbox: Outbox | None = None,
             limiter: RateLimiter | None = None, trust_proxy: bool = False) -> PublicApp:
    """The report's public WSGI app (`generator.delivery.web`); without an outbox, sign-up is off."""
    return PublicApp(report, secret, outbox, limiter, trust_proxy)


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
                         deadline: float = DEADLINE, max_connections: int = MAX_CONNECTIONS,
                         app: PublicApp | None = None) -> EndpointServer:
    """The endpoint, bound and ready to `serve_forever()`; InputError if it cannot listen there.

    `app`: the WSGI app to serve (default: `make_app` without sign-up).
    """
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
    server.set_app(app or make_app(report, secret))
    return server


def app_from_env(report: Report) -> PublicApp:
    """The public app configured from the environment, as `weekly serve` and `generator.wsgi` run it.

    Sign-up needs SMTP for its confirmation mail: with `WEEKLY_SMTP_HOST` unset it is off (the
    confirmation and unsubscribe links still work); any other SMTP variable that is wrong is an
    InputError, before anything is served.
    """
    secret = subscribers.secret_from_env()
    outbox = Outbox(report, SmtpConfig.from_env()) if os.environ.get("WEEKLY_SMTP_HOST", "").strip() else None
    limit = os.environ.get(SIGNUP_LIMIT_ENV, "").strip()
    if limit and (not limit.isdigit() or int(limit) < 1):
        raise InputError(f"{SIGNUP_LIMIT_ENV} expected a whole number of at least 1, got {limit!r}")
    limiter = RateLimiter(limit=int(limit)) if limit else RateLimiter()
    trust = os.environ.get(TRUST_PROXY_ENV, "").strip().lower() in ("1", "true", "yes")
    return make_app(report, secret, outbox, limiter, trust)


def serve(report: Report, host: str, port: int) -> None:
    """Serve the public endpoints until interrupted."""
    app = app_from_env(report)
    with make_endpoint_server(report, host, port, app=app) as server:
        paths = f"{SUBSCRIBE_PATH}, {CONFIRM_PATH}<token>, {UNSUBSCRIBE_PATH}"
        print(f"serving {paths} for {report.slug} on http://{host}:{server.server_port}", flush=True)
        if app.outbox is None:
            print("sign-up is off: WEEKLY_SMTP_HOST is not set (confirmation mails need it)", flush=True)
        server.serve_forever()

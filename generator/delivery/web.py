"""The report's public endpoints as one WSGI app: sign-up, double opt-in confirmation, unsubscribe.

- `GET /subscribe` shows a form; `POST /subscribe` (fields `email`, optional `name`, as a plain
  HTML form sends them) records a *pending* subscriber and queues the confirmation mail. The
  answer is the same whether the address is new, pending, active or gone, so the form tells
  nobody who subscribes; sign-ups are limited per client (RateLimiter).
- `GET /confirm/<token>` shows a button, `POST /confirm/<token>` activates the subscriber and
  records the time and the IP. Link scanners fetch every URL of a message with GET: a GET changes
  nothing, here as for the unsubscribe link.
- `/unsubscribe?token=` is the RFC 8058 one-click endpoint (GET: a button; POST: unsubscribes).

Every token is found by one index look-up of its SHA-256 digest. A body is read only when its
Content-Length is digits within MAX_BODY. The confirmation mail is sent by the app's Outbox, a
thread of its own, so that a sign-up is answered without waiting for SMTP, in the same time
whether a mail goes out or not. Everything that changes while serving (the rate limiter, the
outbox, the idle database connections) belongs to the app instance.
"""

from __future__ import annotations

import html
import queue
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable
from email.utils import parseaddr
from typing import Any
from urllib.parse import parse_qs

from generator.delivery import subscribers
from generator.delivery.addresses import wire_address
from generator.delivery.confirm import CONFIRM_PATH, confirm_url, confirmation_message
from generator.delivery.smtp import (
    OutcomeUnknown,
    PermanentFailure,
    SmtpConfig,
    SmtpSender,
    TemporaryFailure,
    deliver,
)
from generator.errors import InputError
from generator.report import Report

StartResponse = Callable[[str, list[tuple[str, str]]], Any]
Environ = dict[str, Any]
UNSUBSCRIBE_PATH = "/unsubscribe"
SUBSCRIBE_PATH = "/subscribe"
MAX_BODY = 4096  # a one-click body is 26 bytes and a sign-up form a few hundred
SIGNUPS_PER_WINDOW = 5
WINDOW_SECONDS = 3600.0
MAX_CLIENTS = 50_000  # clients the rate limiter remembers; the oldest are forgotten first
OUTBOX_SIZE = 10_000
_LENGTH = re.compile(r"^[0-9]{1,9}$")  # digits only: "-1", "+5", " 5" and "²" are not lengths
_UNSUBSCRIBE_TOKEN = re.compile(r"^[0-9a-f]{64}$")
_CONFIRM_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,128}$")


def page(title: str, body: str) -> bytes:
    """A small standalone HTML page (no template: it must work with nothing else installed)."""
    return (
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        "<meta name=\"robots\" content=\"noindex\">"
        f"<title>{html.escape(title)}</title>"
        "<style>body{font:1.05rem/1.5 system-ui,sans-serif;max-width:34rem;margin:4rem auto;padding:0 1rem}"
        "button,input{font:inherit;padding:.5rem 1rem}label{display:block;margin:.5rem 0}</style></head>"
        f"<body><h1>{html.escape(title)}</h1>{body}</body></html>"
    ).encode()


class RateLimiter:
    """At most `limit` events per client in any `window` seconds (a sliding window per client)."""

    def __init__(self, limit: int = SIGNUPS_PER_WINDOW, window: float = WINDOW_SECONDS,
                 clock: Callable[[], float] = time.monotonic, max_clients: int = MAX_CLIENTS) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._max_clients = max_clients
        self._seen: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def allow(self, client: str) -> bool:
        """Count one event for `client`; False (and not counted) when it is over the limit."""
        now = self._clock()
        with self._lock:
            times = [t for t in self._seen.pop(client, []) if now - t < self.window]
            allowed = len(times) < self.limit
            if allowed:
                times.append(now)
            self._seen[client] = times  # re-inserted: the dict's order is least recently seen first
            while len(self._seen) > self._max_clients:
                del self._seen[next(iter(self._seen))]
        return allowed


class Outbox:
    """Confirmation mails, sent one after another by a thread of the app's own, through one session."""

    def __init__(self, report: Report, config: SmtpConfig, size: int = OUTBOX_SIZE) -> None:
        self.report = report
        self.config = config
        self._queue: queue.Queue[tuple[str, str]] = queue.Queue(maxsize=size)
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.sent = 0
        self.failed = 0

    def submit(self, address: str, tok: str) -> bool:
        """Queue one confirmation mail; False when the queue is full (the sign-up can be repeated)."""
        with self._lock:
            if self._thread is None:
                # Started on first use, in the process that serves: a pre-forking server imports
                # the app in its master, and a thread does not survive the fork.
                self._thread = threading.Thread(target=self._run, name="outbox", daemon=True)
                self._thread.start()
        try:
            self._queue.put_nowait((address, tok))
        except queue.Full:
            return False
        return True

    def join(self) -> None:
        """Wait until every queued mail was handed over or given up."""
        self._queue.join()

    def _run(self) -> None:
        _, from_addr = parseaddr(self.report.email.sender)
        sender: SmtpSender | None = None
        while True:
            address, tok = self._queue.get()
            try:
                if sender is None:
                    sender = SmtpSender(self.config)
                wire, _ = wire_address(address)
                msg = confirmation_message(self.report, wire, confirm_url(self.report.site_url, tok))
                deliver(sender, msg, from_addr, wire)
                self.sent += 1
            except (TemporaryFailure, PermanentFailure, OutcomeUnknown, InputError, OSError) as exc:
                # Neither address nor token in the log: the type says what went wrong.
                self.failed += 1
                print(f"serve: a confirmation mail was not sent ({type(exc).__name__})", flush=True)
            finally:
                self._queue.task_done()
            if self._queue.empty() and sender is not None:
                sender.close()  # no session held open between sign-ups
                sender = None


def client_address(environ: Environ, trust_proxy: bool) -> str:
    """The client the rate limit counts: the peer, or behind a trusted proxy the last forwarded hop."""
    if trust_proxy:
        forwarded = str(environ.get("HTTP_X_FORWARDED_FOR") or "").split(",")[-1].strip()
        if forwarded:
            return forwarded[:64]
    return str(environ.get("REMOTE_ADDR") or "-")[:64]


class _Reply(Exception):
    """A finished answer raised from deep in a request (a bad body, say)."""

    def __init__(self, status: str, title: str, body: str,
                 headers: tuple[tuple[str, str], ...] = ()) -> None:
        super().__init__(status)
        self.status = status
        self.page = page(title, body)
        self.headers = headers


def _form(environ: Environ) -> dict[str, list[str]]:
    """The url-encoded form of a POST, read only when its Content-Length can be trusted."""
    length_text = str(environ.get("CONTENT_LENGTH") or "").strip()
    if not length_text:
        raise _Reply("411 Length Required", "Length required", "<p>Send a Content-Length.</p>")
    if not _LENGTH.match(length_text):
        raise _Reply("400 Bad Request", "Bad request", "<p>Content-Length is not a length.</p>")
    if int(length_text) > MAX_BODY:
        raise _Reply("413 Content Too Large", "Too large", "<p>Expected a small form.</p>")
    try:
        body = environ["wsgi.input"].read(int(length_text)) if int(length_text) else b""
    except (OSError, ValueError):  # the client stalled past the timeout or went away
        raise _Reply("408 Request Timeout", "Timed out", "<p>The request did not arrive.</p>") from None
    return parse_qs(body.decode("utf-8", "replace"), max_num_fields=20)


class PublicApp:
    """The WSGI app of `weekly serve` (and of `application` in `generator.wsgi`)."""

    def __init__(self, report: Report, secret: bytes, outbox: Outbox | None = None,
                 limiter: RateLimiter | None = None, trust_proxy: bool = False) -> None:
        self.report = report
        self.secret = secret
        self.outbox = outbox  # None: sign-up is off (no SMTP configured); the links still work
        self.limiter = limiter or RateLimiter()
        self.trust_proxy = trust_proxy
        # Opening the database costs more than a look-up: connections are kept for reuse, one
        # per request in flight at most (each used by one thread at a time).
        self._idle: queue.SimpleQueue[sqlite3.Connection] = queue.SimpleQueue()
        self._routes: dict[str, Callable[[Environ, str], tuple[str, bytes]]] = {
            UNSUBSCRIBE_PATH: self._unsubscribe,
            SUBSCRIBE_PATH: self._subscribe,
        }

    def _with_db(self, work: Callable[[sqlite3.Connection], Any]) -> Any:
        try:
            conn = self._idle.get_nowait()
        except queue.Empty:
            conn = subscribers.connect(self.report.slug, shared=True)
        try:
            return work(conn)
        finally:
            self._idle.put(conn)

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        path = str(environ.get("PATH_INFO", ""))
        method = str(environ.get("REQUEST_METHOD", "GET"))
        headers: tuple[tuple[str, str], ...] = ()
        try:
            if path.startswith(CONFIRM_PATH):
                status, body = self._confirm(environ, method, path[len(CONFIRM_PATH):])
            elif path in self._routes:
                status, body = self._routes[path](environ, method)
            else:
                status, body = "404 Not Found", page("Not found", "<p>There is nothing here.</p>")
        except _Reply as reply:
            status, body, headers = reply.status, reply.page, reply.headers
        start_response(status, [("Content-Type", "text/html; charset=utf-8"),
                                ("Content-Length", str(len(body))),
                                ("Cache-Control", "no-store"), *headers])
        return [body]

    @staticmethod
    def _only(method: str, allowed: str = "GET, POST") -> None:
        if method not in allowed.split(", "):
            raise _Reply("405 Method Not Allowed", "Not allowed", "<p>Use the link or the form.</p>",
                         (("Allow", allowed),))

    # ------------------------------------------------------------ sign-up

    def _subscribe(self, environ: Environ, method: str) -> tuple[str, bytes]:
        title = html.escape(self.report.title)
        self._only(method)
        if method == "GET":
            form = (f"<p>Receive {title} by email each week.</p>"
                    f"<form method=\"post\" action=\"{SUBSCRIBE_PATH}\">"
                    "<label>Email <input type=\"email\" name=\"email\" required></label>"
                    "<label>Name (optional) <input type=\"text\" name=\"name\"></label>"
                    "<button type=\"submit\">Subscribe</button></form>")
            return "200 OK", page(f"Subscribe to {self.report.title}", form)
        if self.outbox is None:
            raise _Reply("503 Service Unavailable", "Sign-up unavailable",
                         "<p>Sign-up is not open at the moment.</p>")
        if not self.limiter.allow(client_address(environ, self.trust_proxy)):
            raise _Reply("429 Too Many Requests", "Too many sign-ups",
                         "<p>Too many sign-ups from here; try again later.</p>",
                         (("Retry-After", str(int(self.limiter.window))),))
        fields = _form(environ)
        try:
            address = subscribers.normalise_address((fields.get("email") or [""])[0])
            name = subscribers.check_name((fields.get("name") or [""])[0])
        except InputError:
            raise _Reply("400 Bad Request", "Not an address",
                         "<p>Expected an email address like name@example.org.</p>") from None
        tok = self._with_db(lambda conn: subscribers.request_signup(conn, address, name, "signup"))
        if tok is not None:
            self.outbox.submit(address, tok)
        # The same words whatever the address's state: the form reveals no subscriber.
        return "200 OK", page("Check your inbox",
                              "<p>If this address can receive it, a message with a confirmation "
                              f"link is on its way. Nothing is sent from {title} until you "
                              "confirm.</p>")

    def _confirm(self, environ: Environ, method: str, tok: str) -> tuple[str, bytes]:
        title = html.escape(self.report.title)
        self._only(method)
        if method == "GET":
            form = (f"<p>Confirm that you want to receive {title} by email.</p>"
                    f"<form method=\"post\" action=\"{CONFIRM_PATH}{html.escape(tok)}\">"
                    "<button type=\"submit\">Confirm my subscription</button></form>")
            return "200 OK", page(f"Confirm your subscription to {self.report.title}", form)
        _form(environ)  # its fields are not needed, but its length is checked like any body's
        address = None
        if _CONFIRM_TOKEN.match(tok):  # anything else cannot be a token: no database work
            ip = client_address(environ, self.trust_proxy)
            address = self._with_db(lambda conn: subscribers.confirm(conn, tok, ip))
        if address is None:
            return "404 Not Found", page("Unknown link", "<p>This confirmation link is not valid: "
                                         "it was used already, or a newer one replaced it.</p>")
        return "200 OK", page("Subscribed", f"<p>You will receive {title} by email. Each message "
                                            "has a link to unsubscribe.</p>")

    # ------------------------------------------------------------ unsubscribe

    def _unsubscribe(self, environ: Environ, method: str) -> tuple[str, bytes]:
        title = self.report.title
        token = (parse_qs(str(environ.get("QUERY_STRING", ""))).get("token") or [""])[0]
        self._only(method)
        if method == "GET":
            form = (f"<p>Stop receiving {html.escape(title)} by email?</p>"
                    f"<form method=\"post\" action=\"?token={html.escape(token)}\">"
                    "<input type=\"hidden\" name=\"List-Unsubscribe\" value=\"One-Click\">"
                    "<button type=\"submit\">Unsubscribe</button></form>")
            return "200 OK", page(f"Unsubscribe from {title}", form)
        if _form(environ).get("List-Unsubscribe") != ["One-Click"]:
            raise _Reply("400 Bad Request", "Bad request", "<p>Expected a one-click unsubscribe.</p>")
        found = None
        if _UNSUBSCRIBE_TOKEN.match(token.strip().lower()):  # else no database work
            found = self._with_db(lambda conn: subscribers.unsubscribe(conn, self.secret, token))
        if found is None:
            return "404 Not Found", page("Unknown link",
                                         "<p>This unsubscribe link is not valid for any subscriber.</p>")
        return "200 OK", page("Unsubscribed",
                              f"<p>You will receive no more email from {html.escape(title)}.</p>")

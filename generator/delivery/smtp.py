"""SMTP with the standard library, configured only from the environment; the login is never logged.

`WEEKLY_SMTP_HOST` (required), `WEEKLY_SMTP_PORT` (default 587 starttls, 465 ssl, 25 none),
`WEEKLY_SMTP_USER`, `WEEKLY_SMTP_PASSWORD`, `WEEKLY_SMTP_TLS` (`starttls` default, `ssl`, `none`) and
`WEEKLY_SMTP_CAFILE` (optional extra CA bundle to trust, e.g. a private relay's certificate).
"""

from __future__ import annotations

import base64
import contextlib
import io
import logging
import os
import re
import smtplib
import ssl
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from email.generator import BytesGenerator
from email.message import EmailMessage
from types import TracebackType

from generator.errors import InputError

log = logging.getLogger("generator.delivery.smtp")

TLS_MODES = ("starttls", "ssl", "none")
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
# Waits between the three tries of a temporary failure; tests replace them with zeros.
RETRY_DELAYS: tuple[float, ...] = (2.0, 10.0)
TIMEOUT = 60.0
# Connection failures in a row (no reply from the server in between) after which a send stops:
# a dead server would otherwise cost every remaining recipient the whole retry schedule.
BREAKER = 5
_LEADING_DOT = re.compile(rb"(?m)^\.")


class TemporaryFailure(Exception):
    """A 4xx reply or a dropped connection: worth trying again later."""


class ConnectionFailure(TemporaryFailure):
    """The server could not be reached, or the connection broke before the message was handed over."""


class OutcomeUnknown(Exception):
    """The whole message was transmitted but no reply came: it may have been delivered, never resend."""


class PermanentFailure(Exception):
    """A 5xx reply for this message or recipient: do not try again."""


@dataclass(frozen=True)
class SmtpConfig:
    """Where and how to connect; `password` is kept out of repr()."""

    host: str
    port: int
    tls: str
    user: str = ""
    password: str = field(default="", repr=False)
    cafile: str = ""

    @staticmethod
    def from_env() -> SmtpConfig:
        """Read the `WEEKLY_SMTP_*` variables; InputError naming the variable that is wrong."""
        env = os.environ
        host = env.get("WEEKLY_SMTP_HOST", "").strip()
        if not host:
            raise InputError("WEEKLY_SMTP_HOST is not set: name the SMTP server to send through")
        tls = (env.get("WEEKLY_SMTP_TLS") or "starttls").strip().lower()
        if tls not in TLS_MODES:
            raise InputError(f"WEEKLY_SMTP_TLS expected one of {', '.join(TLS_MODES)}, got {tls!r}")
        port_text = (env.get("WEEKLY_SMTP_PORT") or "").strip()
        if port_text:
            if not port_text.isdigit() or not 0 < int(port_text) < 65536:
                raise InputError(f"WEEKLY_SMTP_PORT expected a port number, got {port_text!r}")
            port = int(port_text)
        else:
            port = DEFAULT_PORTS[tls]
        user = env.get("WEEKLY_SMTP_USER", "")
        password = env.get("WEEKLY_SMTP_PASSWORD", "")
        if password and not user:
            raise InputError("WEEKLY_SMTP_PASSWORD is set but WEEKLY_SMTP_USER is not")
        return SmtpConfig(host, port, tls, user, password, env.get("WEEKLY_SMTP_CAFILE", ""))

    def describe(self) -> str:
        """A loggable description: server and mode, never the user name or the password."""
        # The login is a credential too: logs are shipped and kept where secrets are not.
        login = ", with login" if self.user else ""
        return f"{self.host}:{self.port} ({self.tls}{login})"


def _is_temporary(code: int) -> bool:
    return 400 <= code < 500


class SmtpSender:
    """One SMTP session, opened on first use and reopened after a temporary failure."""

    def __init__(self, config: SmtpConfig, context: ssl.SSLContext | None = None) -> None:
        self.config = config
        self._context = context
        self._smtp: smtplib.SMTP | None = None
        self.connection_failures = 0  # in a row; any reply from the server resets it
        if config.tls != "none":
            self._ssl_context()  # a bad WEEKLY_SMTP_CAFILE is a configuration error, found before any send

    @property
    def tripped(self) -> bool:
        """Whether the server looks down: BREAKER connection failures in a row."""
        return self.connection_failures >= BREAKER

    def __enter__(self) -> SmtpSender:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def _ssl_context(self) -> ssl.SSLContext:
        if self._context is None:
            cafile = self.config.cafile or None
            try:
                self._context = ssl.create_default_context(cafile=cafile)
            except ssl.SSLError:
                raise InputError(f"WEEKLY_SMTP_CAFILE: {cafile} holds no CA certificate "
                                 "in PEM form") from None
            except OSError as exc:
                raise InputError(f"WEEKLY_SMTP_CAFILE: cannot read {cafile}: "
                                 f"{exc.strerror}") from None
        return self._context

    def _open(self) -> smtplib.SMTP:
        cfg = self.config
        log.info("connecting to %s", cfg.describe())
        smtp: smtplib.SMTP
        if cfg.tls == "ssl":
            smtp = smtplib.SMTP_SSL(cfg.host, cfg.port, timeout=TIMEOUT, context=self._ssl_context())
        else:
            smtp = smtplib.SMTP(cfg.host, cfg.port, timeout=TIMEOUT)
        smtp.set_debuglevel(0)  # debug output would show the AUTH exchange
        try:
            smtp.ehlo()
            if cfg.tls == "starttls":
                smtp.starttls(context=self._ssl_context())
                smtp.ehlo()
            if cfg.user:
                _login(smtp, cfg.user, cfg.password)
        except BaseException:
            _quietly_close(smtp)
            raise
        return smtp

    def close(self) -> None:
        """End the session politely, ignoring errors."""
        if self._smtp is not None:
            smtp, self._smtp = self._smtp, None
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                _quietly_close(smtp)

    def send_once(self, msg: EmailMessage, sender: str, recipient: str) -> None:
        """Hand one message to the server; raise TemporaryFailure, PermanentFailure or OutcomeUnknown."""
        try:
            if self._smtp is None:
                self._smtp = self._open()
            _transact(self._smtp, msg, sender, recipient)
        except OutcomeUnknown:
            self._drop()
            raise
        except smtplib.SMTPRecipientsRefused as exc:
            self.connection_failures = 0
            code, text = next(iter(exc.recipients.values()), (550, b"refused"))
            self._after_reply(code)
            raise _failure(code, text) from None
        except smtplib.SMTPAuthenticationError as exc:
            self.close()
            raise InputError(f"SMTP login refused by {self.config.host} ({exc.smtp_code}); "
                             "check WEEKLY_SMTP_USER and WEEKLY_SMTP_PASSWORD") from None
        except smtplib.SMTPResponseException as exc:
            self.connection_failures = 0
            self._after_reply(exc.smtp_code)
            raise _failure(exc.smtp_code, exc.smtp_error) from None
        except smtplib.SMTPNotSupportedError as exc:
            self.close()
            raise InputError(f"SMTP server {self.config.host}: {exc}") from None
        except (smtplib.SMTPServerDisconnected, ConnectionError, TimeoutError) as exc:
            self._lost()
            raise ConnectionFailure(f"connection: {type(exc).__name__}: {exc}") from None
        except ssl.SSLError as exc:
            self._drop()
            raise InputError(f"TLS with {self.config.host} failed: {exc.reason or exc}") from None
        except OSError as exc:
            self._lost()
            raise ConnectionFailure(f"connection: {exc.strerror or type(exc).__name__}") from None
        except UnicodeError:
            # The text of this error quotes the character and its position: it must not be shown.
            self._drop()
            raise InputError("SMTP: an address or the login holds characters the server "
                             "conversation cannot carry") from None
        self.connection_failures = 0

    def _lost(self) -> None:
        self.connection_failures += 1
        self._drop()

    def reset(self) -> None:
        """Forget the session after an unexpected error: its state is not known."""
        self._drop()

    def _after_reply(self, code: int) -> None:
        """After a refused transaction, reset the session (or drop it if that fails)."""
        if self._smtp is None:
            return
        if code in (421,):
            self._drop()
            return
        try:
            self._smtp.rset()
        except (smtplib.SMTPException, OSError):
            self._drop()

    def _drop(self) -> None:
        if self._smtp is not None:
            smtp, self._smtp = self._smtp, None
            _quietly_close(smtp)


def _failure(code: int, text: bytes | str) -> Exception:
    reply = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    message = f"{code} {reply}".strip()
    return TemporaryFailure(message) if _is_temporary(code) else PermanentFailure(message)


def _login(smtp: smtplib.SMTP, user: str, password: str) -> None:
    """Log in; a non-ASCII login goes as UTF-8 in AUTH PLAIN, which smtplib cannot do (it encodes ASCII)."""
    if user.isascii() and password.isascii():
        smtp.login(user, password)
        return
    smtp.ehlo_or_helo_if_needed()
    offered = smtp.esmtp_features.get("auth", "").upper().split()
    if "PLAIN" not in offered:
        raise InputError("WEEKLY_SMTP_USER or WEEKLY_SMTP_PASSWORD holds non-ASCII characters and "
                         "the SMTP server offers no AUTH PLAIN to send them as UTF-8")
    blob = base64.b64encode(b"\0" + user.encode("utf-8") + b"\0" + password.encode("utf-8"))
    code, reply = smtp.docmd("AUTH", "PLAIN " + blob.decode("ascii"))
    if code != 235:
        raise smtplib.SMTPAuthenticationError(code, reply)


def _payload(msg: EmailMessage) -> bytes:
    """The message as SMTP DATA carries it: CRLF line ends, leading dots doubled, the final dot."""
    buffer = io.BytesIO()
    BytesGenerator(buffer, policy=msg.policy).flatten(msg, linesep="\r\n")
    data = _LEADING_DOT.sub(b"..", buffer.getvalue())
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    return data + b".\r\n"


def _transact(smtp: smtplib.SMTP, msg: EmailMessage, sender: str, recipient: str) -> None:
    """MAIL, RCPT, DATA by hand, so that a loss after the message text went out is told apart.

    smtplib's sendmail() raises the same SMTPServerDisconnected whether the connection broke before
    the server had the message or after; only the first may be retried.
    """
    payload = _payload(msg)
    options = [f"size={len(payload)}"] if smtp.has_extn("size") else []
    if not recipient.isascii():
        # An internationalised mailbox (RFC 6531) can only be named to a server that takes it.
        if not smtp.has_extn("smtputf8"):
            raise smtplib.SMTPRecipientsRefused(
                {recipient: (553, b"5.6.7 the SMTP server does not offer SMTPUTF8 for this address")})
        options.append("SMTPUTF8")
    code, reply = smtp.mail(sender, options)
    if code != 250:
        raise smtplib.SMTPSenderRefused(code, reply, sender)
    code, reply = smtp.rcpt(recipient)
    if code not in (250, 251):
        raise smtplib.SMTPRecipientsRefused({recipient: (code, reply)})
    smtp.putcmd("data")
    code, reply = smtp.getreply()
    if code != 354:
        raise smtplib.SMTPDataError(code, reply)
    smtp.send(payload)  # a failure here leaves the message unfinished (no final dot): retryable
    try:
        code, reply = smtp.getreply()
    except (smtplib.SMTPServerDisconnected, OSError) as exc:
        raise OutcomeUnknown(f"the connection was lost after the message was sent "
                             f"({type(exc).__name__}); it may have been delivered") from None
    if code != 250:
        raise smtplib.SMTPDataError(code, reply)


def _quietly_close(smtp: smtplib.SMTP) -> None:
    with contextlib.suppress(OSError):
        smtp.close()


def deliver(sender: SmtpSender, msg: EmailMessage, from_addr: str, recipient: str,
            delays: Sequence[float] | None = None,
            sleep: Callable[[float], None] = time.sleep) -> None:
    """Send with up to len(delays) + 1 tries for temporary failures; re-raise the last failure.

    OutcomeUnknown is never retried: the server may already hold the message.
    """
    waits = list(RETRY_DELAYS if delays is None else delays)
    while True:
        try:
            sender.send_once(msg, from_addr, recipient)
            return
        except TemporaryFailure as exc:
            if not waits or (isinstance(exc, ConnectionFailure) and sender.tripped):
                raise
            wait = waits.pop(0)
            log.warning("temporary failure for %s: %s; retrying in %.1fs", recipient, exc, wait)
            sleep(wait)


def probe(config: SmtpConfig, context: ssl.SSLContext | None = None) -> str | None:
    """Connect, greet, start TLS and log in as a send would, then quit; the problem, or None.

    The text names the server and what failed, never the login or the password.
    """
    try:
        with SmtpSender(config, context) as sender:
            sender._smtp = sender._open()
    except InputError as exc:
        return exc.message
    except smtplib.SMTPAuthenticationError as exc:
        return (f"SMTP login refused by {config.describe()} ({exc.smtp_code}); check "
                "WEEKLY_SMTP_USER and WEEKLY_SMTP_PASSWORD")
    except smtplib.SMTPNotSupportedError:
        return f"SMTP server {config.describe()} does not offer STARTTLS (set WEEKLY_SMTP_TLS)"
    except ssl.SSLError as exc:
        return f"TLS with {config.describe()} failed: {exc.reason or type(exc).__name__}"
    except smtplib.SMTPException as exc:
        return f"SMTP server {config.describe()}: {type(exc).__name__}"
    except UnicodeError:
        return "SMTP: the login holds characters the server conversation cannot carry"
    except OSError as exc:
        return f"cannot reach the SMTP server {config.describe()}: {exc.strerror or type(exc).__name__}"
    return None

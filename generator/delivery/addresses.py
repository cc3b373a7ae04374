"""Which subscriber addresses are accepted: one literal mailbox that every mail parser reads the same way.

An address is only safe to store if the `To:` header built from it names exactly that address.
RFC 2047 encoded words (`=?utf-8?q?...?=`) are decoded by header parsers, so `=?utf-8?q?x?=@x.org`
is mailed at `x@x.org` (a second copy for one person) and `=?utf-8?q?a=0A?=@x.org` decodes to a
line break that makes every later message impossible to build. Such forms are refused when added.
"""

from __future__ import annotations

import email.policy
import re
from email.utils import parseaddr

from generator.errors import InputError

MAX_ADDRESS = 254  # RFC 5321's path limit less the angle brackets
MAX_LOCAL = 64
MAX_NAME = 200  # a subscriber's name is a label in `subscribers list`, not a document

# Conservative: dot-atom local part, a dotted host name with a letter-only top-level label.
_LOCAL = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_ADDRESS = re.compile(rf"^{_LOCAL}@(?:{_LABEL}\.)+[A-Za-z]{{2,63}}$")
_ENCODED_WORD = re.compile(r"=\?")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _expected(raw: str) -> InputError:
    return InputError(f"expected an email address like name@example.org, got {raw!r}")


def header_reads_back(addr: str) -> bool:
    """Whether a `To:` header holding `addr` parses back to exactly `addr`, with no defect."""
    try:
        header = email.policy.default.header_factory("To", addr)
        found = [a.addr_spec for a in header.addresses]
    except (ValueError, IndexError, TypeError, AttributeError):
        return False
    return found == [addr] and not header.defects


def normalise_address(text: str) -> str:
    """Return the address with its domain in lower case; raise InputError if it is not acceptable."""
    raw = str(text).strip()
    if _CONTROL.search(raw):
        raise InputError(f"expected an email address without control characters, got {raw!r}")
    if _ENCODED_WORD.search(raw):
        # `=?` opens an RFC 2047 encoded word: mail software would decode it to another address.
        raise InputError(f"expected a plain email address, not an encoded word (=?...?=), got {raw!r}")
    _, addr = parseaddr(raw)
    if not addr or addr != raw or not _ADDRESS.match(addr) or len(addr) > MAX_ADDRESS:
        raise _expected(raw)
    local, domain = addr.rsplit("@", 1)
    if len(local) > MAX_LOCAL:
        raise InputError(f"expected a local part of at most {MAX_LOCAL} characters, got {raw!r}")
    email_address = f"{local}@{domain.lower()}"
    if not header_reads_back(email_address):
        raise _expected(raw)
    return email_address


def check_name(text: str) -> str:
    """The subscriber's name, stripped; InputError if it is too long or holds control characters."""
    name = str(text).strip()
    if len(name) > MAX_NAME:
        raise InputError(f"expected a name of at most {MAX_NAME} characters, got {len(name):,}")
    if _CONTROL.search(name):
        raise InputError(f"expected a name without control characters (tabs, line breaks), got {name!r}")
    return name

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

from email_validator import EmailNotValidError, validate_email

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
    if not raw.isascii():
        return _international(raw)
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


def _international(raw: str) -> str:
    """An address with non-ASCII characters (RFC 6531: `jürgen@bücher.de`), checked by email-validator.

    Its rules are those of the RFCs for internationalised mail (Unicode normalised to NFC, IDNA
    2008 domains, no quoting, no IP literal); the domain is kept in Unicode, lower case. No DNS
    look-up is made: whether the domain takes mail is the SMTP server's answer, at send time.
    """
    try:
        found = validate_email(raw, check_deliverability=False, allow_smtputf8=True,
                               allow_quoted_local=False, allow_domain_literal=False)
    except EmailNotValidError:
        raise _expected(raw) from None
    address = str(found.normalized)
    if len(address) > MAX_ADDRESS or len(address.rsplit("@", 1)[0]) > MAX_LOCAL:
        raise _expected(raw)
    local, _, domain = raw.rpartition("@")
    if address != f"{local}@{domain.lower()}":
        # Stored as written or not at all: an address the rules rewrite (another Unicode form,
        # full-width letters in the domain) would be mailed at another text than the one given.
        raise InputError(f"expected the address as mail software writes it, {address!r}, got {raw!r}")
    return address


def wire_address(address: str) -> tuple[str, bool]:
    """The address as the envelope and the To: header carry it, and whether SMTPUTF8 is needed.

    An ASCII local part at an internationalised domain goes as plain ASCII (the domain in its
    `xn--` form), which every server takes; a non-ASCII local part needs SMTPUTF8 (RFC 6531).
    """
    if address.isascii():
        return address, False
    local = address.rsplit("@", 1)[0]
    if not local.isascii():
        return address, True
    # The validator's IDNA 2008 (Python's own "idna" codec is IDNA 2003, which maps some names
    # to another domain, e.g. "ß" to "ss").
    ascii_domain = validate_email(address, check_deliverability=False).ascii_domain
    return f"{local}@{ascii_domain}", False

"""Generated subscriber addresses and endpoint requests: accepted and harmless, or refused in one line.

Addresses (RFC 2047 encoded words, control characters, quotes, brackets, any Unicode, plausible and
not) go through `weekly subscribers add` and `import`. Each is refused in one line (exit 2), or
stored exactly as written (domain lower-cased) and then mailed by a `weekly send` to a real SMTP
server on 127.0.0.1 that must exit 0, deliver to that address exactly once with the same `To:`, and
still reach the subscriber after it.

Requests are raw bytes (methods, paths, versions, headers and lengths, valid and not, and noise)
sent over a socket to a real `weekly unsubscribe-server` process on 127.0.0.1: it never answers
with a 5xx, never dies, still serves a plain request afterwards, and its log holds no token.
Derandomized, so CI runs the same cases every time.
"""

from __future__ import annotations

import contextlib
import csv
import email
import io
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mail_fixtures import HTML, TEXT, Store, aiosmtpd_controller, free_port, png

from generator.cli import main
from generator.delivery import subscribers
from generator.delivery.addresses import wire_address

ROOT = Path(__file__).resolve().parent.parent
SECRET = "fuzz-secret-5150"
WEEK = "2026-W21"
LAST = "zz-last@zz.example.org"  # sorts after every generated address: it must still be mailed
REPORT_TOML = ('title = "Fuzz"\nsite_url = "https://f.example.org/"\n'
               '[email]\nfrom = "Fuzz <desk@f.example.org>"\nattach_pdf = false\n')
HOSTILE = ("=?utf-8?q?a=0D=0ABcc=3A_evil=40z.org?=@x.org", "=?utf-8?q?x=0A?=@x.org", "=?utf-8?q?x?=@x.org",
           "=?utf-8?b?eA==?=@x.org", "=?utf-8?q?ceo=40bank.example?=@x.org", "x@x.org",
           "Ada <ada@x.org>", '"a b"@x.org', "a@[127.0.0.1]", "a@x.org,b@x.org", "a@x.org\r\nBcc: e@x.org",
           "ａ@x.org", "a@xn--bcher-kva.example", "a.@x.org", "a@x.org.", "a+b=c?d@x.org", "=?@x.org")
LOCAL_CHARS = "abcXYZ019.+-_=?!#$%&'*/^`{|}~\"(),:;<>@[\\] \t\r\n\x00\x7f\u2028\u202eéß"
DOMAINS = ("x.org", "Example.COM", "x", "-x.org", "x..org", "xn--80ak6aa92e.com", "[1.2.3.4]", "x.org>",
           "sub.domain.example", "x.o")


@st.composite
def addresses(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(("hostile", "built", "encoded", "any", "plausible", "plausible")))
    if kind == "plausible":  # atext only, so that acceptance (and then the send) is tried often
        local = draw(st.from_regex(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,12}(\.[A-Za-z0-9_=?+-]{1,6}){0,2}",
                                   fullmatch=True))
        return f"{local}@{draw(st.sampled_from(DOMAINS[:2] + DOMAINS[5:]))}"
    if kind == "hostile":
        return draw(st.sampled_from(HOSTILE))
    if kind == "encoded":
        charset = draw(st.sampled_from(("utf-8", "iso-8859-1", "x")))
        coding = draw(st.sampled_from("qQbB"))
        payload = draw(st.text(st.sampled_from("ax=0D0A3A40_?"), min_size=0, max_size=12))
        return f"=?{charset}?{coding}?{payload}?=@{draw(st.sampled_from(DOMAINS))}"
    if kind == "built":
        local = draw(st.text(st.sampled_from(LOCAL_CHARS), min_size=0, max_size=16))
        return f"{local}@{draw(st.sampled_from(DOMAINS))}"
    return draw(st.text(max_size=40))


@pytest.fixture(scope="module")
def smtp_server() -> Iterator[tuple[Store, int]]:
    """A plain SMTP relay on 127.0.0.1 (no TLS, no login), for the whole module."""
    store = Store()
    port = free_port()
    controller = aiosmtpd_controller.Controller(store, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield store, port
    finally:
        controller.stop()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A report folder and an output folder holding one hand-made edition."""
    base = tmp_path_factory.mktemp("fuzz-delivery")
    report = base / "fuzz"
    report.mkdir()
    (report / "report.toml").write_text(REPORT_TOML, encoding="utf-8")
    folder = base / "out" / "fuzz" / WEEK
    (folder / "charts").mkdir(parents=True)
    (folder / "email.html").write_text(HTML, encoding="utf-8")
    (folder / "email.txt").write_text(TEXT, encoding="utf-8")
    (folder / "charts" / "top_models.png").write_bytes(png("red"))
    (folder / "charts" / "regions.png").write_bytes(png("blue"))
    facts = {"iso_week": WEEK, "edition": {"headline": "Fuzzed", "summary": "S."}}
    (folder / "facts.json").write_text(json.dumps(facts), encoding="utf-8")
    return report, base / "out"


def _weekly(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(list(argv))
    return status, out.getvalue(), err.getvalue()


@contextlib.contextmanager
def _environment(port: int) -> Iterator[Path]:
    """A fresh state folder and the WEEKLY_* variables for one example."""
    names = ("WEEKLY_STATE_DIR", "WEEKLY_SECRET", "WEEKLY_SMTP_HOST", "WEEKLY_SMTP_PORT", "WEEKLY_SMTP_TLS",
             "WEEKLY_SMTP_USER", "WEEKLY_SMTP_PASSWORD", "WEEKLY_SMTP_CAFILE")
    saved = {name: os.environ.get(name) for name in names}
    with tempfile.TemporaryDirectory(prefix="fuzz-state-") as state:
        for name in names:
            os.environ.pop(name, None)
        os.environ.update(WEEKLY_STATE_DIR=state, WEEKLY_SECRET=SECRET, WEEKLY_SMTP_HOST="127.0.0.1",
                          WEEKLY_SMTP_PORT=str(port), WEEKLY_SMTP_TLS="none")
        try:
            yield Path(state)
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


def _one_line_refusal(status: int, stdout: str, stderr: str) -> None:
    assert status == 2 and stdout == "", (status, stdout, stderr)
    assert "Traceback" not in stderr
    assert stderr.startswith("weekly: ") and stderr.endswith("\n")


def test_addresses_are_refused_in_one_line_or_sendable(smtp_server: tuple[Store, int],
                                                       site: tuple[Path, Path]) -> None:
    store, port = smtp_server
    report, out = site
    outcomes: Counter[str] = Counter()

    @settings(max_examples=100, derandomize=True, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(address=addresses(), via_import=st.booleans())
    def one(address: str, via_import: bool) -> None:
        with _environment(port) as state:
            if via_import:
                rows = state / "rows.csv"
                with rows.open("w", encoding="utf-8", newline="") as handle:
                    csv.writer(handle).writerows([("email", "name"), (address, "N")])
                status, stdout, stderr = _weekly("subscribers", "import", str(rows), "--report", str(report))
                if status == 2:  # one line on the file (a NUL byte), or the row's problem and the verdict
                    assert "Traceback" not in stderr, stderr
                    assert len(stderr.splitlines()) == 1 or "row 2, column email" in stderr, stderr
                    assert all(line.startswith("weekly: ") for line in stderr.splitlines()), stderr
            else:
                status, stdout, stderr = _weekly("subscribers", "add", address, "--report", str(report))
                if status == 2:
                    _one_line_refusal(status, stdout, stderr)
                    assert len(stderr.splitlines()) == 1, stderr
            assert status in (0, 2), (status, stderr)
            if status == 2:
                outcomes["refused"] += 1
                return
            outcomes["accepted"] += 1
            stored = _weekly("subscribers", "list", "--report", str(report))[1].split("\t")[0]
            local, _, domain = address.strip().rpartition("@")
            assert stored == f"{local}@{domain.lower()}"  # exactly what was written, nothing decoded
            assert _weekly("subscribers", "add", LAST, "--report", str(report))[0] == 0
            before = len(store.messages)
            status, stdout, stderr = _weekly("send", "--report", str(report), "--out", str(out))
            assert status == 0 and "sent 2, skipped 0, failed 0" in stdout, (address, stdout, stderr)
            new = store.messages[before:]
            # An internationalised domain is mailed in its IDNA form (issue 17): the same mailbox.
            wire = wire_address(stored)[0]
            assert sorted(rcpt for rcpts, _, _ in new for rcpt in rcpts) == sorted([wire, LAST])
            for rcpts, content, _ in new:
                # A message to a non-ASCII mailbox has UTF-8 headers (RFC 6532), which the bytes
                # parser would read as ASCII.
                msg = (email.message_from_bytes(content, policy=default_policy) if content.isascii()
                       else email.message_from_string(content.decode("utf-8"), policy=default_policy))
                assert isinstance(msg, EmailMessage)
                assert [a.addr_spec for a in msg["To"].addresses] == rcpts  # the header names the envelope

    one()
    assert outcomes["accepted"] >= 20 and outcomes["refused"] >= 20, outcomes
    print(f"fuzz addresses: {sum(outcomes.values())} tried: {dict(outcomes)}")


# ---------------------------------------------------------------- endpoint requests

PEOPLE = ("ada@example.org", "bob@example.net")
METHODS = ("GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "BREW", "", "G\x00T", "post", "GET GET")
VERSIONS = ("HTTP/1.1", "HTTP/1.0", "HTTP/0.9", "HTTP/2", "", "HTTP/1.1 x", "FTP/1.0", "HTTP/1.1\x00")
LENGTHS = ("-1", "0", "26", "4096", "4097", "99999999999", "abc", "+1", "1e3", " 26", "²", "", "-0")


@st.composite
def raw_requests(draw: st.DrawFn) -> bytes:
    tokens = [subscribers.token(SECRET.encode(), p) for p in PEOPLE]
    if draw(st.integers(0, 9)) == 0:
        return draw(st.binary(max_size=300))
    # Well-formed request lines most of the time: otherwise nearly every answer is an HTTP/0.9 one.
    method = "POST" if draw(st.booleans()) else draw(st.sampled_from(METHODS))
    path = draw(st.sampled_from(("/unsubscribe", "/", "/unsubscribe/", "/%2e%2e/etc", "*", "/unsub%00")))
    token = draw(st.one_of(st.sampled_from(tokens), st.text(st.sampled_from("0123456789abcdefX%&=+ "),
                                                            max_size=70)))
    if draw(st.booleans()):
        path += f"?token={token}" + draw(st.sampled_from(("", "&token=x", "&a=b", "#f")))
    version = "HTTP/1.1" if draw(st.integers(0, 2)) else draw(st.sampled_from(VERSIONS))
    line_end = draw(st.sampled_from(("\r\n", "\n")))
    headers = []
    for _ in range(draw(st.integers(0, 4))):
        name = draw(st.sampled_from(("Host", "Content-Length", "Content-Length", "Content-Type",
                                     "Transfer-Encoding", "Expect", "X-Token", "Bad Header", "")))
        value = {"Content-Length": draw(st.sampled_from(LENGTHS)),
                 "Transfer-Encoding": "chunked", "Expect": "100-continue",
                 "X-Token": token}.get(name, draw(st.text(max_size=20)))
        headers.append(f"{name}: {value}")
    head = f"{method} {path} {version}".rstrip() + line_end + "".join(h + line_end for h in headers)
    if draw(st.booleans()):
        head += line_end
    body = draw(st.sampled_from((b"", b"List-Unsubscribe=One-Click", b"List-Unsubscribe=Other")))
    return head.encode("utf-8", "surrogatepass") + body + draw(st.binary(max_size=40))


def _exchange(port: int, raw: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        with contextlib.suppress(OSError):
            sock.sendall(raw)
            sock.shutdown(socket.SHUT_WR)
        chunks = []
        with contextlib.suppress(ConnectionResetError):
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks)


@pytest.fixture
def endpoint_process(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], int, Path]]:
    """`weekly unsubscribe-server --port 0` as its own process, its log in a file."""
    report = tmp_path / "endpoint"
    report.mkdir()
    (report / "report.toml").write_text(REPORT_TOML, encoding="utf-8")
    env = {**os.environ, "WEEKLY_STATE_DIR": str(tmp_path / "state"), "WEEKLY_SECRET": SECRET,
           "PYTHONPATH": str(ROOT)}
    for person in PEOPLE:
        assert subprocess.run([sys.executable, "-m", "generator", "subscribers", "add", person,
                               "--report", str(report)], env=env, capture_output=True).returncode == 0
    log = tmp_path / "server.log"
    with log.open("wb") as sink:
        child = subprocess.Popen([sys.executable, "-m", "generator", "unsubscribe-server", "--report",
                                  str(report), "--port", "0"], env=env, stdout=sink, stderr=sink)
    try:
        port = 0
        for _ in range(600):
            found = re.search(rb"on http://127\.0\.0\.1:(\d+)", log.read_bytes())
            if found:
                port = int(found.group(1))
                break
            assert child.poll() is None, log.read_text()
            time.sleep(0.05)
        assert port, log.read_text()
        yield child, port, log
    finally:
        child.terminate()
        child.wait(30)


def test_endpoint_requests_never_kill_the_server_or_leak_a_token(
        endpoint_process: tuple[subprocess.Popen[bytes], int, Path]) -> None:
    child, port, log = endpoint_process
    statuses: Counter[int] = Counter()

    @settings(max_examples=150, derandomize=True, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(raw=raw_requests())
    def one(raw: bytes) -> None:
        answer = _exchange(port, raw)
        status = int(answer.split(b" ", 2)[1]) if re.match(rb"HTTP/1\.[01] \d{3} ", answer) else 0
        statuses[status] += 1
        assert status < 500 and b"server error" not in answer.lower(), (raw[:200], answer[:200])
        assert child.poll() is None, log.read_text()

    one()
    plain = _exchange(port, b"GET /unsubscribe HTTP/1.1\r\nHost: x\r\n\r\n")
    assert plain.startswith(b"HTTP/1.0 200 "), plain[:100]
    text = log.read_text(encoding="utf-8", errors="replace")
    assert not re.search(r"[0-9a-f]{16}", text), text[-2000:]  # no token, nor a piece of one
    assert "Traceback" not in text, text[-2000:]
    assert len(statuses) >= 5, statuses
    counts = dict(sorted(statuses.items()))
    print(f"fuzz endpoint: {sum(statuses.values())} requests, answers by status: {counts}")

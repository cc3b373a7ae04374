"""Issue 14's endpoint cases, over real sockets on 127.0.0.1: slow clients, lying lengths, forged
tokens, malformed request lines, a port already taken."""

from __future__ import annotations

import socket
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.cli import main
from generator.delivery import endpoint, subscribers
from generator.delivery.endpoint import EndpointServer, make_endpoint_server
from generator.report import Report, load_report

SECRET = "hardening-secret-17"
PEOPLE = ("ada@example.org", "bob@example.net")
ONE_CLICK = b"List-Unsubscribe=One-Click"


@pytest.fixture
def report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Report:
    monkeypatch.setenv("WEEKLY_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("WEEKLY_SECRET", SECRET)
    folder = tmp_path / "r"
    folder.mkdir()
    (folder / "report.toml").write_text('title = "Hardened"\nsite_url = "https://n.example.org/"\n',
                                        encoding="utf-8")
    found = load_report(folder)
    conn = subscribers.connect(found.slug)
    for person in PEOPLE:
        subscribers.add(conn, person)
    conn.close()
    return found


def _serve(server: EndpointServer) -> Iterator[EndpointServer]:
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


@pytest.fixture
def live(report: Report) -> Iterator[EndpointServer]:
    """The endpoint on 127.0.0.1 with a 2 s read timeout."""
    yield from _serve(make_endpoint_server(report, "127.0.0.1", 0, timeout=2.0))


def _token(person: str) -> str:
    return subscribers.token(SECRET.encode(), person)


def _exchange(port: int, raw: bytes, close_write: bool = True) -> bytes:
    """Send raw bytes, then read the whole answer (the server closes after one request)."""
    with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
        sock.sendall(raw)
        if close_write:
            sock.shutdown(socket.SHUT_WR)
        chunks = []
        try:
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        except ConnectionResetError:
            pass
        return b"".join(chunks)


def _status(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/1.") else 0


def _statuses(report: Report) -> dict[str, str]:
    conn = subscribers.connect(report.slug)
    try:
        return {s.email: s.status for s in subscribers.all_subscribers(conn)}
    finally:
        conn.close()


def test_five_slow_clients_do_not_hold_the_others(live: EndpointServer, report: Report) -> None:
    port = live.server_port
    slow = []
    try:
        for _ in range(5):  # headers that never finish: before, the first froze the whole server
            sock = socket.create_connection(("127.0.0.1", port), timeout=20)
            sock.sendall(f"POST /unsubscribe?token={_token(PEOPLE[0])} HTTP/1.1\r\nHost: x\r\n".encode())
            slow.append(sock)
        link = f"http://127.0.0.1:{port}/unsubscribe?token={_token(PEOPLE[1])}"
        with urllib.request.urlopen(urllib.request.Request(link, data=ONE_CLICK), timeout=20) as answer:
            assert answer.status == 200
        assert _statuses(report) == {PEOPLE[0]: "active", PEOPLE[1]: "unsubscribed"}
        for sock in slow:  # and each slow client is cut off by the server's timeout, not kept
            assert sock.recv(65536) == b""
    finally:
        for sock in slow:
            sock.close()


def test_connections_beyond_the_limit_are_closed_at_once(report: Report) -> None:
    server = make_endpoint_server(report, "127.0.0.1", 0, timeout=5.0, max_connections=2)
    for live in _serve(server):
        held = [socket.create_connection(("127.0.0.1", live.server_port), timeout=20) for _ in range(2)]
        try:
            for sock in held:
                sock.sendall(b"GET /unsubscribe HTTP/1.1\r\n")  # unfinished
            with socket.create_connection(("127.0.0.1", live.server_port), timeout=20) as third:
                assert third.recv(65536) == b""  # closed without an answer, and without waiting
        finally:
            for sock in held:
                sock.close()


@pytest.mark.parametrize(("length", "status"), [
    ("-1", 400), ("+26", 400), ("2 6", 400), ("0x1a", 400), ("abc", 400), ("²", 400),
    ("999999999999", 400), ("4097", 413), ("209715200", 413), (None, 411)])
def test_lengths_that_are_not_a_small_number_are_refused_unread(
        live: EndpointServer, report: Report, length: str | None, status: int) -> None:
    header = "" if length is None else f"Content-Length: {length}\r\n"
    request = (f"POST /unsubscribe?token={_token(PEOPLE[0])} HTTP/1.1\r\nHost: x\r\n{header}\r\n"
               ).encode("latin-1")
    # The body never comes and the socket stays open: an answer proves nothing waited for it.
    answer = _exchange(live.server_port, request, close_write=False)
    assert _status(answer) == status
    assert _statuses(report)[PEOPLE[0]] == "active"


def test_a_body_shorter_than_its_length_times_out(report: Report) -> None:
    for live in _serve(make_endpoint_server(report, "127.0.0.1", 0, timeout=0.5)):
        request = (f"POST /unsubscribe?token={_token(PEOPLE[0])} HTTP/1.1\r\nHost: x\r\n"
                   "Content-Length: 26\r\n\r\nList-Unsub").encode()
        assert _status(_exchange(live.server_port, request, close_write=False)) == 408
    assert _statuses(report)[PEOPLE[0]] == "active"


def test_a_forged_token_costs_no_hmac_per_subscriber(report: Report, monkeypatch: pytest.MonkeyPatch) -> None:
    conn = subscribers.connect(report.slug)
    with conn:
        conn.executemany("INSERT INTO subscribers (email, status, added, updated) "
                         "VALUES (?, 'active', 't', 't')", [(f"user{n}@example.org",) for n in range(500)])
    conn.close()
    calls: list[str] = []
    real = subscribers.token

    def counted(secret: bytes, address: str) -> str:
        calls.append(address)
        return real(secret, address)

    for live in _serve(make_endpoint_server(report, "127.0.0.1", 0, timeout=5.0)):  # indexes all 502
        monkeypatch.setattr(subscribers, "token", counted)
        bad = real(b"not-the-secret", PEOPLE[0])
        request = (f"POST /unsubscribe?token={bad} HTTP/1.1\r\nHost: x\r\n"
                   f"Content-Length: {len(ONE_CLICK)}\r\n\r\n").encode() + ONE_CLICK
        assert _status(_exchange(live.server_port, request)) == 404
        assert calls == []  # before: one HMAC for each of the 502 subscribers
        good = real(SECRET.encode(), "user7@example.org")
        request = request.replace(bad.encode(), good.encode())
        assert _status(_exchange(live.server_port, request)) == 200
        assert calls == ["user7@example.org"]  # one check of the one candidate
    assert _statuses(report)["user7@example.org"] == "unsubscribed"


def test_a_new_subscriber_and_a_new_secret_are_indexed(report: Report, live: EndpointServer,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    conn = subscribers.connect(report.slug)
    subscribers.add(conn, "late@example.org")  # added while the server runs
    conn.close()
    request = (f"POST /unsubscribe?token={_token('late@example.org')} HTTP/1.1\r\nHost: x\r\n"
               f"Content-Length: {len(ONE_CLICK)}\r\n\r\n").encode() + ONE_CLICK
    assert _status(_exchange(live.server_port, request)) == 200
    conn = subscribers.connect(report.slug)
    try:  # after a key change every old digest is replaced: old links stop, new ones work
        assert subscribers.index_tokens(conn, b"rotated") == 3
        assert subscribers.unsubscribe(conn, b"rotated", _token(PEOPLE[0])) is None
        rotated = subscribers.token(b"rotated", PEOPLE[0])
        assert subscribers.unsubscribe(conn, b"rotated", rotated) == (PEOPLE[0], True)
    finally:
        conn.close()


MALFORMED = (
    "GET /unsubscribe?token={t} HTTP/1.1 extra\r\n\r\n",
    "GET /unsubscribe?token={t} HTTP/9.9\r\n\r\n",
    "GET /unsubscribe?token={t} FTP/1.0\r\n\r\n",
    "{t} /unsubscribe HTTP/1.1\r\n\r\n",
    "GET /unsubscribe?token={t}\r\n\r\n",
    "POST /unsubscribe?token={t} HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
    "GET /unsubscribe?token={t} HTTP/1.1\r\nX: " + "y" * 70000 + "\r\n\r\n",
    "GET /" + "a" * 70000 + "?token={t} HTTP/1.1\r\n\r\n",
    "GET /unsubscribe?token={t} HTTP/1.1\r\n" + "H: v\r\n" * 120 + "\r\n",
    "GET /unsubscribe?token={t} HTTP/1.1\r\nHost",
)


def test_the_log_never_shows_a_token(live: EndpointServer, capsys: pytest.CaptureFixture[str]) -> None:
    token = _token(PEOPLE[0])
    answers = [_exchange(live.server_port, raw.replace("{t}", token).encode()) for raw in MALFORMED]
    # 0: an HTTP/0.9 answer (no status line); 405: the token as the method
    assert all(_status(a) in (0, 200, 400, 405, 414, 431, 505) for a in answers), [a[:40] for a in answers]
    logged = capsys.readouterr()
    assert "unsubscribe endpoint:" in logged.out
    assert token not in logged.out + logged.err
    assert token[:16] not in logged.out + logged.err


def test_a_port_in_use_is_one_line(report: Report, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        status = main(["unsubscribe-server", "--report", str(report.folder), "--port", str(port)])
    err = capsys.readouterr().err
    assert status == 2
    assert err == f"weekly: error: cannot listen on 127.0.0.1:{port}: Address already in use\n"
    status = main(["unsubscribe-server", "--report", str(report.folder), "--port", "70000"])
    assert status == 2 and "cannot listen on 127.0.0.1:70000" in capsys.readouterr().err


def test_ipv6_loopback(report: Report) -> None:
    if not socket.has_ipv6:
        pytest.skip("no IPv6 here")
    try:
        server = make_endpoint_server(report, "::1", 0, timeout=5.0)
    except endpoint.InputError:
        pytest.skip("::1 is not configured here")
    for live in _serve(server):
        with urllib.request.urlopen(f"http://[::1]:{live.server_port}/unsubscribe", timeout=20) as answer:
            assert answer.status == 200


def test_a_client_that_trickles_is_cut_off_by_the_deadline(report: Report) -> None:
    for live in _serve(make_endpoint_server(report, "127.0.0.1", 0, timeout=5.0, deadline=1.0)):
        sent = 0
        with socket.create_connection(("127.0.0.1", live.server_port), timeout=20) as sock:
            sock.sendall(b"GET /unsubscribe HTTP/1.1\r\n")
            try:
                for _ in range(200):  # one header byte at a time, each well within the read timeout
                    sock.sendall(b"X")
                    sent += 1
                    time.sleep(0.1)
            except OSError:
                pass
            else:
                pytest.fail("the server kept a trickling client for the whole loop")
        assert sent < 200

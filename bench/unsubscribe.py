"""Benchmark of the unsubscribe endpoint (issue 14): what a forged token and a lying Content-Length cost.

    .venv/bin/python bench/unsubscribe.py [--subscribers 100000] [--requests 300] [--body-mib 200]

Prints one JSON object:
- `lookup_forged_ms`: median time of `subscribers.unsubscribe()` with a forged token, database open
  (the index look-up), and `lookup_forged_before_ms`: the former way, an HMAC per subscriber;
- `http_forged_ms`: median time of a whole forged one-click POST to the server on 127.0.0.1
  (connection, thread, request, database, answer), over `--requests` requests, beside
  `http_get_without_database_ms`, the same for the GET form, which touches no database;
- `server_peak_mib_*`: the server process's peak resident memory (VmHWM) after it started, and
  after a client sent `Content-Length: -1` followed by `--body-mib` MiB (the server answers 400
  and hangs up; before, it read the whole body).
Figures only: nothing here is judged, and the tests never assert on time.
"""

from __future__ import annotations

import argparse
import hmac
import json
import os
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.delivery import subscribers  # noqa: E402
from generator.delivery.endpoint import make_endpoint_server  # noqa: E402
from generator.report import load_report  # noqa: E402

SECRET = b"bench-secret"
ONE_CLICK = b"List-Unsubscribe=One-Click"


def fill(slug: str, count: int) -> float:
    """Add `count` subscribers straight into the table; return the seconds the token index took."""
    conn = subscribers.connect(slug)
    stamp = subscribers.now_text()
    with conn:
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany("INSERT INTO subscribers (email, name, status, added, updated) "
                         "VALUES (?, '', 'active', ?, ?)",
                         ((f"user{n}@example.org", stamp, stamp) for n in range(count)))
    started = time.perf_counter()
    subscribers.index_tokens(conn, SECRET)
    took = time.perf_counter() - started
    conn.close()
    return took


def _median_ms(call: object, times: int) -> float:
    runs = []
    for _ in range(times):
        started = time.perf_counter()
        call()  # type: ignore[operator]
        runs.append(time.perf_counter() - started)
    return round(statistics.median(runs) * 1000, 4)


def _before(conn: sqlite3.Connection, tok: str) -> bool:
    """The former look-up: the token checked against every subscriber's HMAC."""
    for sub in subscribers.all_subscribers(conn):
        if hmac.compare_digest(subscribers.token(SECRET, sub.email), tok):
            return True
    return False


def _post(port: int, tok: str) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(f"POST /unsubscribe?token={tok} HTTP/1.1\r\nHost: b\r\n"
                     f"Content-Length: {len(ONE_CLICK)}\r\n\r\n".encode() + ONE_CLICK)
        sock.shutdown(socket.SHUT_WR)
        return sock.recv(64)


def _get(port: int) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(b"GET /unsubscribe HTTP/1.1\r\nHost: b\r\n\r\n")
        sock.shutdown(socket.SHUT_WR)
        return sock.recv(64)


def _peak_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return -1.0


def _huge_body(port: int, mib: int) -> str:
    """Send Content-Length: -1 and up to `mib` MiB; return the status line the server answered."""
    chunk = b"x" * 2**20
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        sock.sendall(b"POST /unsubscribe?token=" + b"0" * 64 + b" HTTP/1.1\r\nHost: b\r\n"
                     b"Content-Length: -1\r\n\r\n")
        try:
            for _ in range(mib):
                sock.sendall(chunk)
            sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # the server answered and closed before the body was all sent
        try:
            return sock.recv(64).split(b"\r\n")[0].decode("latin-1")
        except OSError as exc:
            return f"connection {type(exc).__name__}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--body-mib", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-unsubscribe-") as work:
        os.environ["WEEKLY_STATE_DIR"] = str(Path(work) / "state")
        os.environ["WEEKLY_SECRET"] = SECRET.decode()
        folder = Path(work) / "report"
        folder.mkdir()
        (folder / "report.toml").write_text('title = "Bench"\nsite_url = "https://b.example.org/"\n',
                                            encoding="utf-8")
        report = load_report(folder)
        index_s = fill(report.slug, args.subscribers)
        forged = subscribers.token(b"not-the-secret", "user1@example.org")
        conn = subscribers.connect(report.slug)
        after = _median_ms(lambda: subscribers.unsubscribe(conn, SECRET, forged), 2000)
        before = _median_ms(lambda: _before(conn, forged), 3)
        conn.close()

        server = make_endpoint_server(report, "127.0.0.1", 0)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            devnull = open(os.devnull, "w")  # noqa: SIM115  (the server's log lines)
            real_stdout, sys.stdout = sys.stdout, devnull
            try:
                answer = _post(server.server_port, forged)
                http = _median_ms(lambda: _post(server.server_port, forged), args.requests)
                http_get = _median_ms(lambda: _get(server.server_port), args.requests)
            finally:
                sys.stdout = real_stdout
                devnull.close()
        finally:
            server.shutdown()
            server.server_close()

        child = subprocess.Popen(
            [sys.executable, "-m", "generator", "unsubscribe-server", "--report", str(folder),
             "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=ROOT)
        try:
            assert child.stdout is not None
            port = int(child.stdout.readline().rsplit(":", 1)[1])
            start_peak = _peak_mib(child.pid)
            status_line = _huge_body(port, args.body_mib)
            time.sleep(0.5)
            huge_peak = _peak_mib(child.pid)
            alive = child.poll() is None
        finally:
            child.terminate()
            child.wait(30)
    print(json.dumps({
        "subscribers": args.subscribers,
        "index_all_tokens_s": round(index_s, 3),
        "lookup_forged_ms": after,
        "lookup_forged_before_ms": before,
        "http_forged_ms": http,
        "http_forged_answer": answer.split(b"\r\n")[0].decode("latin-1"),
        "http_get_without_database_ms": http_get,
        "huge_body": {"content_length": -1, "body_mib": args.body_mib, "answer": status_line,
                      "server_peak_mib_at_start": start_peak, "server_peak_mib_after": huge_peak,
                      "server_alive": alive},
    }, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

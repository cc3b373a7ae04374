"""Benchmark of `weekly serve` at 100,000 subscribers (issue 17): sign-up, confirm and unsubscribe.

    .venv/bin/python bench/signup.py [--subscribers 100000] [--requests 200]

A report with `--subscribers` active subscribers (token index built) is served by `weekly serve`'s
server and app on 127.0.0.1, in this process; the app's outbox mails the confirmation links to a
minimal SMTP sink on 127.0.0.1 (no TLS), so the mail is really sent, in the app's own thread. Then,
each on a new connection as a browser or mail client would: `--requests` sign-ups of new
addresses (`POST /subscribe`), as many confirmations (`POST /confirm/<token>`) and as many
one-click unsubscribes of existing subscribers (`POST /unsubscribe?token=`). The sign-up limit is
lifted (every request comes from 127.0.0.1).

Prints one JSON object with the mean, median and 95th percentile of each kind in milliseconds,
and the issue's target (a mean under 20 ms). Figures only: the tests never assert on time.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import socketserver
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from unsubscribe import SECRET, fill  # noqa: E402  (bench/ is the script's folder: same fill, same secret)

from generator.delivery import subscribers  # noqa: E402
from generator.delivery.endpoint import make_endpoint_server  # noqa: E402
from generator.delivery.smtp import SmtpConfig  # noqa: E402
from generator.delivery.web import Outbox, PublicApp, RateLimiter  # noqa: E402
from generator.report import load_report  # noqa: E402

TARGET_MS = 20.0


class _Sink(socketserver.StreamRequestHandler):
    """Just enough SMTP to accept every message; keeps the confirmation links it saw."""

    def handle(self) -> None:
        self.wfile.write(b"220 sink\r\n")
        while True:
            line = self.rfile.readline()
            if not line:
                return
            verb = line[:4].upper()
            if verb == b"DATA":
                self.wfile.write(b"354 go on\r\n")
                body = bytearray()
                while (part := self.rfile.readline()) not in (b".\r\n", b""):
                    body += part
                self.server.links.extend(re.findall(rb"/confirm/([A-Za-z0-9_-]+)", bytes(body)))  # type: ignore[attr-defined]
                self.wfile.write(b"250 ok\r\n")
            elif verb == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            elif verb == b"EHLO":
                self.wfile.write(b"250-sink\r\n250 8BITMIME\r\n")
            else:
                self.wfile.write(b"250 ok\r\n")


class _SinkServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Sink)
        self.links: list[bytes] = []


def _post(port: int, target: str, body: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(f"POST {target} HTTP/1.1\r\nHost: b\r\nContent-Type: application/x-www-form-"
                     f"urlencoded\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body)
        sock.shutdown(socket.SHUT_WR)
        return sock.recv(64).split(b"\r\n")[0]


def _measure(calls: list[Callable[[], bytes]]) -> dict[str, object]:
    times, answers = [], set()
    for call in calls:
        started = time.perf_counter()
        answers.add(call().decode("latin-1"))
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {"requests": len(times), "mean_ms": round(statistics.fmean(times), 3),
            "median_ms": round(statistics.median(times), 3),
            "p95_ms": round(times[int(len(times) * 0.95) - 1], 3),
            "under_target": statistics.fmean(times) < TARGET_MS, "answers": sorted(answers)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    sink = _SinkServer()
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    with tempfile.TemporaryDirectory(prefix="bench-signup-") as work:
        os.environ["WEEKLY_STATE_DIR"] = str(Path(work) / "state")
        os.environ["WEEKLY_SECRET"] = SECRET.decode()
        folder = Path(work) / "report"
        folder.mkdir()
        (folder / "report.toml").write_text(
            'title = "Bench"\nsite_url = "https://b.example.org/"\n'
            '[email]\nfrom = "Bench <bench@b.example.org>"\n', encoding="utf-8")
        report = load_report(folder)
        started = time.perf_counter()
        fill(report.slug, args.subscribers)
        fill_s = time.perf_counter() - started
        config = SmtpConfig("127.0.0.1", sink.server_address[1], "none")
        app = PublicApp(report, SECRET, Outbox(report, config), RateLimiter(limit=10**9))
        server = make_endpoint_server(report, "127.0.0.1", 0, app=app)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        port = server.server_port
        devnull = open(os.devnull, "w")  # noqa: SIM115  (the server's request log)
        real_stdout, sys.stdout = sys.stdout, devnull
        try:
            signup = _measure([
                (lambda n=n: _post(port, "/subscribe", f"email=new{n}%40example.org".encode()))
                for n in range(args.requests)])
            assert app.outbox is not None
            app.outbox.join()
            links = [link.decode() for link in sink.links]
            confirm = _measure([(lambda link=link: _post(port, f"/confirm/{link}", b""))
                                for link in links])
            unsubscribe = _measure([
                (lambda n=n: _post(port, "/unsubscribe?token="
                                   + subscribers.token(SECRET, f"user{n * 97}@example.org"),
                                   b"List-Unsubscribe=One-Click"))
                for n in range(args.requests)])
        finally:
            sys.stdout = real_stdout
            devnull.close()
            server.shutdown()
            server.server_close()
        conn = subscribers.connect(report.slug)
        tally = subscribers.counts(conn)
        conn.close()
    sink.shutdown()
    print(json.dumps({
        "subscribers": args.subscribers, "fill_and_index_s": round(fill_s, 2),
        "target_mean_ms": TARGET_MS, "signup": signup,
        "confirmation_mails_sent": app.outbox.sent, "confirm": confirm, "unsubscribe": unsubscribe,
        "statuses_after": tally,
    }, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The one-click unsubscribe endpoint, spoken to over real HTTP on 127.0.0.1."""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.delivery import subscribers
from generator.delivery.endpoint import make_endpoint_server
from generator.report import Report, load_report

SECRET = "endpoint-secret-42"
PEOPLE = ("ada@example.org", "bob@example.net")


@pytest.fixture
def report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Report:
    monkeypatch.setenv("WEEKLY_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("WEEKLY_SECRET", SECRET)
    folder = tmp_path / "r"
    folder.mkdir()
    (folder / "report.toml").write_text('title = "Endpoint <Test>"\nsite_url = "https://n.example.org/"\n',
                                        encoding="utf-8")
    found = load_report(folder)
    conn = subscribers.connect(found.slug)
    for person in PEOPLE:
        subscribers.add(conn, person)
    conn.close()
    return found


@pytest.fixture
def base(report: Report, capsys: pytest.CaptureFixture[str]) -> Iterator[str]:
    server = make_endpoint_server(report, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)
    # The request log names no token: it is as good as a key to someone's subscription.
    assert subscribers.token(SECRET.encode(), PEOPLE[0]) not in capsys.readouterr().out


def _call(url: str, body: bytes | None = None, method: str | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, data=body, method=method)
    if body is not None:
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8")


def _status(report: Report) -> dict[str, str]:
    conn = subscribers.connect(report.slug)
    try:
        return {s.email: s.status for s in subscribers.all_subscribers(conn)}
    finally:
        conn.close()


def test_one_click_post_unsubscribes_exactly_that_subscriber(report: Report, base: str) -> None:
    link = subscribers.unsubscribe_url(f"{base}/", subscribers.token(SECRET.encode(), "ada@example.org"))
    status, page = _call(link, b"List-Unsubscribe=One-Click")
    assert status == 200 and "no more email from Endpoint &lt;Test&gt;" in page
    assert _status(report) == {"ada@example.org": "unsubscribed", "bob@example.net": "active"}
    assert _call(link, b"List-Unsubscribe=One-Click")[0] == 200  # a repeat is harmless


def test_get_only_asks_so_that_link_scanners_unsubscribe_nobody(report: Report, base: str) -> None:
    link = subscribers.unsubscribe_url(f"{base}/", subscribers.token(SECRET.encode(), "bob@example.net"))
    status, page = _call(link)
    assert status == 200 and '<form method="post"' in page and "Endpoint &lt;Test&gt;" in page
    assert _status(report)["bob@example.net"] == "active"


def test_bad_requests_change_nothing(report: Report, base: str) -> None:
    good = subscribers.token(SECRET.encode(), "bob@example.net")
    forged = subscribers.token(b"another-secret", "bob@example.net")
    assert _call(f"{base}/unsubscribe?token={forged}", b"List-Unsubscribe=One-Click")[0] == 404
    assert _call(f"{base}/unsubscribe?token={good}", b"something=else")[0] == 400
    assert _call(f"{base}/unsubscribe?token={good}", b"", method="DELETE")[0] == 405
    assert _call(f"{base}/elsewhere?token={good}", b"List-Unsubscribe=One-Click")[0] == 404
    assert set(_status(report).values()) == {"active"}

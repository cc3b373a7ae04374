"""The HTTPS unsubscribe endpoint of `List-Unsubscribe`: a small WSGI app, and `weekly unsubscribe-server`.

RFC 8058 one-click: the mail client POSTs `List-Unsubscribe=One-Click` to the link. A GET only
shows a confirmation form, because link scanners and previews fetch every URL in a message and
must not unsubscribe anyone by looking.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from generator.delivery import subscribers
from generator.report import Report

StartResponse = Callable[[str, list[tuple[str, str]]], Any]
PATH = "/unsubscribe"
MAX_BODY = 4096  # the one-click body is 26 bytes; anything much larger is not a mail client


def _page(title: str, body: str) -> bytes:
    return (
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        "<meta name=\"robots\" content=\"noindex\">"
        f"<title>{html.escape(title)}</title>"
        "<style>body{font:1.05rem/1.5 system-ui,sans-serif;max-width:34rem;margin:4rem auto;padding:0 1rem}"
        "button{font:inherit;padding:.5rem 1rem}</style></head>"
        f"<body><h1>{html.escape(title)}</h1>{body}</body></html>"
    ).encode()


def make_app(report: Report, secret: bytes) -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    """A WSGI app for `<site_url>unsubscribe?token=TOKEN` that applies one-click unsubscribes."""
    title = report.title

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        def reply(status: str, page: bytes, extra: tuple[tuple[str, str], ...] = ()) -> list[bytes]:
            start_response(status, [("Content-Type", "text/html; charset=utf-8"),
                                    ("Content-Length", str(len(page))),
                                    ("Cache-Control", "no-store"), *extra])
            return [page]

        if environ.get("PATH_INFO", "") != PATH:
            return reply("404 Not Found", _page("Not found", "<p>There is nothing here.</p>"))
        token = (parse_qs(environ.get("QUERY_STRING", "")).get("token") or [""])[0]
        method = environ.get("REQUEST_METHOD", "GET")
        if method == "GET":
            form = (f"<p>Stop receiving {html.escape(title)} by email?</p>"
                    f"<form method=\"post\" action=\"?token={html.escape(token)}\">"
                    "<input type=\"hidden\" name=\"List-Unsubscribe\" value=\"One-Click\">"
                    "<button type=\"submit\">Unsubscribe</button></form>")
            return reply("200 OK", _page(f"Unsubscribe from {title}", form))
        if method != "POST":
            return reply("405 Method Not Allowed", _page("Not allowed", "<p>Use the link in the email.</p>"),
                         (("Allow", "GET, POST"),))
        try:
            length = min(int(environ.get("CONTENT_LENGTH") or 0), MAX_BODY)
        except ValueError:
            length = 0
        form_data = parse_qs(environ["wsgi.input"].read(length).decode("utf-8", "replace"))
        if form_data.get("List-Unsubscribe") != ["One-Click"]:
            return reply("400 Bad Request", _page("Bad request", "<p>Expected a one-click unsubscribe.</p>"))
        conn = subscribers.connect(report.slug)
        try:
            found = subscribers.unsubscribe(conn, secret, token) if token else None
        finally:
            conn.close()
        if found is None:
            unknown = "<p>This unsubscribe link is not valid for any subscriber.</p>"
            return reply("404 Not Found", _page("Unknown link", unknown))
        return reply("200 OK", _page("Unsubscribed",
                                     f"<p>You will receive no more email from {html.escape(title)}.</p>"))

    return app


def make_endpoint_server(report: Report, host: str, port: int) -> WSGIServer:
    """The endpoint on the standard library's WSGI server, bound and ready to `serve_forever()`."""

    class _Quiet(WSGIRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            # The request line holds a subscriber's token: log the method and status only.
            status = args[1] if len(args) > 1 else ""
            print(f"unsubscribe endpoint: {self.command} {status}", flush=True)

    app = make_app(report, subscribers.secret_from_env())
    return make_server(host, port, app, handler_class=_Quiet)


def serve(report: Report, host: str, port: int) -> None:
    """Serve the endpoint until interrupted."""
    with make_endpoint_server(report, host, port) as server:
        print(f"serving {PATH} for {report.slug} on http://{host}:{server.server_port}", flush=True)
        server.serve_forever()

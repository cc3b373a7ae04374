"""The `send`, `subscribers` and `unsubscribe` sub-commands; `add_commands(sub)` plugs them into the CLI."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from generator.delivery import subscribers
from generator.delivery.addresses import check_name
from generator.delivery.bounces import apply_bounces, read_bounces
from generator.delivery.confirm import send_confirmations
from generator.delivery.send import send_edition, send_test
from generator.delivery.smtp import SmtpConfig
from generator.errors import InputError, Where, display_path
from generator.report import REPORT_HELP, Report, choose_report
from generator.weeks import WeekError, iso_label, parse_week

_LABEL = re.compile(r"^\d{4}-W\d{2}$")


def _common(parser: argparse.ArgumentParser, out: bool = False) -> None:
    parser.add_argument("--report", type=Path, help=REPORT_HELP)
    if out:
        parser.add_argument("--out", type=Path, default=Path("output"), help="output folder")


def edition_dir(report: Report, out: Path, week: str) -> Path:
    """The built edition to send: `latest` is the newest `<out>/<report>/YYYY-Www` holding email.html."""
    base = out / report.slug
    if week == "latest":
        built = sorted(p for p in base.glob("*-W*") if _LABEL.match(p.name) and (p / "email.html").is_file())
        if not built:
            raise InputError("expected a built edition with email.html (run `weekly build` first)",
                             Where(display_path(base)))
        return built[-1]
    try:
        folder = base / iso_label(parse_week(week))
    except WeekError as exc:
        raise InputError(f"--week: {exc}") from None
    if not folder.is_dir():
        raise InputError("no such edition (run `weekly build --week ...` first)", Where(display_path(folder)))
    return folder


def _cmd_send(args: argparse.Namespace) -> int:
    report = choose_report(args.report)
    folder = edition_dir(report, args.out, args.week)
    if args.to:
        if args.dry_run:
            raise InputError("send: --to sends one test copy; it cannot be a --dry-run")
        subject = send_test(report, folder, args.to)
        print(f"sent a test copy of {folder.name} to {subscribers.normalise_address(args.to)}: "
              f"{subject!r} (not in the ledger)")
        return 0
    subscribers.require_state(report.slug)
    result = send_edition(report, folder, dry_run=args.dry_run)
    print(result.summary(report.slug))
    if result.stopped:
        print(f"weekly: error: {result.stopped}", file=sys.stderr)
        return 1
    return 1 if result.failed and not args.dry_run else 0


def _cmd_subscribers(args: argparse.Namespace) -> int:
    raise InputError("weekly subscribers: expected one of add, remove, list, import")


def _cmd_sub_add(args: argparse.Namespace) -> int:
    report = choose_report(args.report)
    email = subscribers.normalise_address(args.address)
    name = check_name(args.name or "")
    conn = subscribers.connect(report.slug)
    try:
        subscribers.add(conn, email, name)
    finally:
        conn.close()
    print(f"subscribed {email}")
    return 0


def _cmd_sub_remove(args: argparse.Namespace) -> int:
    report = choose_report(args.report)
    subscribers.require_state(report.slug)
    conn = subscribers.connect(report.slug)
    try:
        removed = subscribers.remove(conn, args.address)
    finally:
        conn.close()
    if removed is None:
        raise InputError(f"no subscriber {subscribers.normalise_address(args.address)!r}")
    print(f"removed {removed}")
    return 0


def _cmd_sub_list(args: argparse.Namespace) -> int:
    report = choose_report(args.report)
    subscribers.require_state(report.slug)
    conn = subscribers.connect(report.slug)
    try:
        everyone = subscribers.all_subscribers(conn)
    finally:
        conn.close()
    for sub in everyone:
        if sub.status == "active" or args.all:
            print("\t".join([sub.email, sub.status, sub.name]).rstrip())
    tally = {status: sum(s.status == status for s in everyone) for status in subscribers.STATUSES}
    print(", ".join(f"{n} {status}" for status, n in tally.items()), file=sys.stderr)
    return 0


def _cmd_sub_import(args: argparse.Namespace) -> int:
    report = choose_report(args.report)
    rows, problems = subscribers.read_csv(args.file)
    if problems:
        for problem in problems:
            print(f"weekly: {problem}", file=sys.stderr)
        raise InputError(f"{len(problems)} bad row(s); nothing imported", Where(display_path(args.file)))
    # Checked before anything is written: a confirmation that cannot be mailed is a pending row
    # nobody can ever confirm.
    config = SmtpConfig.from_env() if args.confirm else None
    conn = subscribers.connect(report.slug)
    try:
        result = subscribers.import_rows(conn, rows, source=f"import:{args.file.name}",
                                         pending=args.confirm)
    finally:
        conn.close()
    kept = (f", {result.kept_unsubscribed} kept unsubscribed or bounced"
            if result.kept_unsubscribed else "")
    print(f"imported {result.added} new of {len(rows)} row(s){kept}")
    if config is not None:
        sent, failed = send_confirmations(report, result.to_confirm, config)
        print(f"mailed {sent} confirmation link(s); they stay pending until confirmed"
              + (f"; {failed} could not be mailed" if failed else ""))
        return 1 if failed else 0
    return 0


def _cmd_bounces(args: argparse.Namespace) -> int:
    report = choose_report(args.report)
    notifications, found = read_bounces(args.file)
    subscribers.require_state(report.slug)
    conn = subscribers.connect(report.slug)
    try:
        result = apply_bounces(conn, notifications, found)
    finally:
        conn.close()
    print(f"{args.file.name}: {result.summary()}")
    return 0


def _cmd_unsubscribe(args: argparse.Namespace) -> int:
    report = choose_report(args.report)
    secret = subscribers.secret_from_env()
    subscribers.require_state(report.slug)
    conn = subscribers.connect(report.slug)
    try:
        found = subscribers.unsubscribe(conn, secret, args.token)
    finally:
        conn.close()
    if found is None:
        raise InputError("no subscriber has this unsubscribe token")
    email, changed = found
    print(f"unsubscribed {email}" if changed else f"{email} was already unsubscribed")
    return 0


def _cmd_serve(args: argparse.Namespace) -> int:
    from generator.delivery.endpoint import serve

    serve(choose_report(args.report), args.host, args.port)
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg,unused-ignore]
    """Add `send`, `subscribers add|remove|list|import` and `unsubscribe` to the CLI's sub-parsers."""
    send = sub.add_parser("send", help="email the edition to every subscriber not yet served")
    _common(send, out=True)
    send.add_argument("--week", default="latest", help="YYYY-MM-DD (a Monday), YYYY-Www or latest")
    send.add_argument("--dry-run", action="store_true", help="print who would receive what; send nothing")
    send.add_argument("--to", metavar="ADDRESS",
                      help="send one test copy to ADDRESS (\"[TEST]\" subject, not in the ledger)")
    send.set_defaults(run=_cmd_send)

    subs = sub.add_parser("subscribers", help="manage the digest's subscribers")
    subs.set_defaults(run=_cmd_subscribers)
    inner = subs.add_subparsers(dest="subscribers_command", parser_class=type(subs))
    add = inner.add_parser("add", help="subscribe an address (or re-subscribe it)")
    _common(add)
    add.add_argument("address", metavar="ADDRESS")
    add.add_argument("--name", default="", help="the subscriber's name")
    add.set_defaults(run=_cmd_sub_add)
    remove = inner.add_parser("remove", help="delete a subscriber")
    _common(remove)
    remove.add_argument("address", metavar="ADDRESS")
    remove.set_defaults(run=_cmd_sub_remove)
    listing = inner.add_parser("list", help="list the active subscribers")
    _common(listing)
    listing.add_argument("--all", action="store_true",
                         help="include the pending, unsubscribed and bounced")
    listing.set_defaults(run=_cmd_sub_list)
    imp = inner.add_parser("import", help="add the addresses of a CSV file (columns email, name)")
    _common(imp)
    imp.add_argument("file", type=Path, metavar="FILE.csv")
    imp.add_argument("--confirm", action="store_true",
                     help="add them pending and mail each the double opt-in link, instead of "
                          "vouching for their consent")
    imp.set_defaults(run=_cmd_sub_import)

    bounce = sub.add_parser("bounces", help="mark the hard bounces of delivery-status notifications "
                                            "(RFC 3464, .eml or mbox) as bounced")
    _common(bounce)
    bounce.add_argument("file", type=Path, metavar="FILE", help="a .eml message or an mbox")
    bounce.set_defaults(run=_cmd_bounces)

    unsub = sub.add_parser("unsubscribe", help="unsubscribe the holder of a token")
    _common(unsub)
    unsub.add_argument("token", metavar="TOKEN")
    unsub.set_defaults(run=_cmd_unsubscribe)

    for name, text in (("serve", "serve sign-up, confirmation and one-click unsubscribe "
                                 "(one WSGI app, behind your HTTPS proxy)"),
                       ("unsubscribe-server", "the same as `weekly serve` (its former name)")):
        server = sub.add_parser(name, help=text)
        _common(server)
        server.add_argument("--host", default="127.0.0.1", help="address to listen on")
        server.add_argument("--port", type=int, default=8025, help="port to listen on")
        server.set_defaults(run=_cmd_serve)

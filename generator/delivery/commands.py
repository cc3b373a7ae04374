"""The `send`, `subscribers` and `unsubscribe` sub-commands; `add_commands(sub)` plugs them into the CLI."""

from __future__ import annotations

import argparse
import re
import sys
from email.utils import parseaddr
from pathlib import Path

from generator.delivery import ledger, subscribers
from generator.delivery.message import build_message, load_edition_mail, message_id
from generator.delivery.smtp import PermanentFailure, SmtpConfig, SmtpSender, TemporaryFailure, deliver
from generator.errors import InputError, Where, display_path
from generator.report import Report, load_report
from generator.weeks import WeekError, iso_label, parse_week

_LABEL = re.compile(r"^\d{4}-W\d{2}$")


def _common(parser: argparse.ArgumentParser, out: bool = False) -> None:
    parser.add_argument("--report", type=Path, help="report folder (default: the bundled sample)")
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
    report = load_report(args.report)
    folder = edition_dir(report, args.out, args.week)
    edition = load_edition_mail(folder)
    secret = subscribers.secret_from_env()
    config = None if args.dry_run else SmtpConfig.from_env()
    from_addr = parseaddr(report.email.sender)[1]
    conn = subscribers.connect(report.slug)
    sent = skipped = failed = 0
    try:
        sender = SmtpSender(config) if config is not None else None
        try:
            for sub in subscribers.active(conn):
                row = ledger.get(conn, edition.iso_week, sub.email)
                if ledger.is_done(row):
                    skipped += 1
                    continue
                url = subscribers.unsubscribe_url(report.site_url, subscribers.token(secret, sub.email))
                msg = build_message(report, edition, sub.email, url)
                mid = message_id(report, edition.iso_week, sub.email)
                if sender is None:
                    parts = [f"{len(edition.charts)} chart(s)"]
                    if report.email.attach_pdf:
                        parts.append("PDF")
                    print(f"would send {edition.iso_week} to {sub.email}: {edition.headline!r} "
                          f"({', '.join(parts)}; {len(msg.as_bytes())} bytes)")
                    sent += 1
                    continue
                ledger.mark_sending(conn, edition.iso_week, sub.email, mid)
                try:
                    deliver(sender, msg, from_addr, sub.email)
                except (TemporaryFailure, PermanentFailure) as exc:
                    permanent = isinstance(exc, PermanentFailure)
                    ledger.mark_failed(conn, edition.iso_week, sub.email, mid, str(exc), permanent)
                    kind = "refused" if permanent else "failed (will retry on the next run)"
                    print(f"weekly: {sub.email}: {kind}: {exc}", file=sys.stderr)
                    failed += 1
                    continue
                ledger.mark_sent(conn, edition.iso_week, sub.email, mid)
                sent += 1
        finally:
            if sender is not None:
                sender.close()
    finally:
        conn.close()
    verb = "dry run, would send" if args.dry_run else "sent"
    print(f"{report.slug} {edition.iso_week}: {verb} {sent}, skipped {skipped}, failed {failed}")
    return 1 if failed and not args.dry_run else 0


def _cmd_subscribers(args: argparse.Namespace) -> int:
    raise InputError("weekly subscribers: expected one of add, remove, list, import")


def _cmd_sub_add(args: argparse.Namespace) -> int:
    report = load_report(args.report)
    email = subscribers.normalise_address(args.address)
    conn = subscribers.connect(report.slug)
    try:
        subscribers.add(conn, email, args.name or "")
    finally:
        conn.close()
    print(f"subscribed {email}")
    return 0


def _cmd_sub_remove(args: argparse.Namespace) -> int:
    report = load_report(args.report)
    email = subscribers.normalise_address(args.address)
    conn = subscribers.connect(report.slug)
    try:
        found = subscribers.remove(conn, email)
    finally:
        conn.close()
    if not found:
        raise InputError(f"no subscriber {email!r}")
    print(f"removed {email}")
    return 0


def _cmd_sub_list(args: argparse.Namespace) -> int:
    report = load_report(args.report)
    conn = subscribers.connect(report.slug)
    try:
        everyone = subscribers.all_subscribers(conn)
    finally:
        conn.close()
    for sub in everyone:
        if sub.status == "active" or args.all:
            print("\t".join([sub.email, sub.status, sub.name]).rstrip())
    active = sum(s.status == "active" for s in everyone)
    print(f"{active} active, {len(everyone) - active} unsubscribed", file=sys.stderr)
    return 0


def _cmd_sub_import(args: argparse.Namespace) -> int:
    report = load_report(args.report)
    rows, problems = subscribers.read_csv(args.file)
    if problems:
        for problem in problems:
            print(f"weekly: {problem}", file=sys.stderr)
        raise InputError(f"{len(problems)} bad row(s); nothing imported", Where(display_path(args.file)))
    conn = subscribers.connect(report.slug)
    try:
        result = subscribers.import_rows(conn, rows)
    finally:
        conn.close()
    kept = f", {result.kept_unsubscribed} kept unsubscribed" if result.kept_unsubscribed else ""
    print(f"imported {result.added} new of {len(rows)} row(s){kept}")
    return 0


def _cmd_unsubscribe(args: argparse.Namespace) -> int:
    report = load_report(args.report)
    secret = subscribers.secret_from_env()
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


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg,unused-ignore]
    """Add `send`, `subscribers add|remove|list|import` and `unsubscribe` to the CLI's sub-parsers."""
    send = sub.add_parser("send", help="email the edition to every subscriber not yet served")
    _common(send, out=True)
    send.add_argument("--week", default="latest", help="YYYY-MM-DD (a Monday), YYYY-Www or latest")
    send.add_argument("--dry-run", action="store_true", help="print who would receive what; send nothing")
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
    listing.add_argument("--all", action="store_true", help="include those who unsubscribed")
    listing.set_defaults(run=_cmd_sub_list)
    imp = inner.add_parser("import", help="add the addresses of a CSV file (columns email, name)")
    _common(imp)
    imp.add_argument("file", type=Path, metavar="FILE.csv")
    imp.set_defaults(run=_cmd_sub_import)

    unsub = sub.add_parser("unsubscribe", help="unsubscribe the holder of a token")
    _common(unsub)
    unsub.add_argument("token", metavar="TOKEN")
    unsub.set_defaults(run=_cmd_unsubscribe)

"""The `weekly` command line: one sub-command per job, exit 0 done, 2 bad input, 1 a fault."""

from __future__ import annotations

import argparse
import importlib.metadata
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from generator import __version__
from generator.errors import CheckFailed, InputError, StepFailed, file_problem
from generator.report import ENV_REPORT, REPORT_HELP
from generator.settings import SETTINGS

_SMTP = ("WEEKLY_SMTP_HOST", "WEEKLY_SMTP_PORT", "WEEKLY_SMTP_USER", "WEEKLY_SMTP_PASSWORD",
         "WEEKLY_SMTP_TLS", "WEEKLY_SMTP_CAFILE")
_STATE = (ENV_REPORT, "WEEKLY_STATE_DIR")
_MAIL = (*_STATE, "WEEKLY_SECRET", *_SMTP)
# The environment variables each command reads, shown at the end of its --help.
ENVIRONMENT: dict[str, tuple[str, ...]] = {
    "build": (ENV_REPORT,), "publish": (ENV_REPORT,), "aggregate": (ENV_REPORT,),
    "send": _MAIL, "run": _MAIL, "schedule": _MAIL, "doctor": _MAIL,
    "serve": (*_MAIL, "WEEKLY_SIGNUP_LIMIT", "WEEKLY_TRUST_PROXY"),
    "unsubscribe-server": (*_MAIL, "WEEKLY_SIGNUP_LIMIT", "WEEKLY_TRUST_PROXY"),
    "subscribers": (*_STATE, *_SMTP), "bounces": _STATE, "unsubscribe": (*_STATE, "WEEKLY_SECRET"),
    "approve": _STATE, "diff": (ENV_REPORT,), "backfill": (ENV_REPORT,),
}


class _HelpFormatter(argparse.HelpFormatter):
    """Help that shows each option's default, unless it is none, off or said in the help already."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        if action.default in (None, False, "", argparse.SUPPRESS) or "default" in text \
                or not action.option_strings:
            return text
        return f"{text} (default: {action.default})"


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line and exit status 2, and whose help shows defaults."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _HelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        where = self.prog.removeprefix("weekly").strip()
        raise InputError(f"{where}: {message}" if where else message)


def version() -> str:
    """The installed distribution's version (the package's own when run from a bare checkout)."""
    try:
        return importlib.metadata.version("weekly-edition")
    except importlib.metadata.PackageNotFoundError:
        return __version__


def _common(parser: argparse.ArgumentParser, sample: bool = False) -> None:
    help_text = (f"report folder (default: ${ENV_REPORT}, else ./report.toml, else the bundled "
                 "sample)") if sample else REPORT_HELP
    parser.add_argument("--report", type=Path, help=help_text)
    parser.add_argument("--out", type=Path, default=Path("output"), help="output folder")


def _cmd_build(args: argparse.Namespace) -> int:
    from generator.pipeline import BuildRequest, build_edition
    from generator.report import choose_report

    request = BuildRequest(
        report=choose_report(args.report, sample=True),
        week=args.week,
        usage=args.usage,
        models=args.models,
        out=args.out,
        formats=tuple(f.strip() for f in args.to.split(",") if f.strip()) if args.to else (),
    )
    edition = build_edition(request)
    check = edition.check
    print(f"built {edition.folder} ({', '.join(check.files)}; "
          f"{check.traced} numbers traced to facts.json)")
    return 0


def _cmd_check(args: argparse.Namespace) -> int:
    from generator.check import check_edition

    result = check_edition(args.edition)
    for problem in result.problems:
        print(f"weekly: untraced: {problem}", file=sys.stderr)
    if not result.ok:
        print(f"weekly: check failed: {len(result.problems)} problem(s) in {args.edition}",
              file=sys.stderr)
        return 1
    print(f"ok: {result.traced} numbers in {', '.join(result.files)} traced to facts.json")
    return 0


def _cmd_publish(args: argparse.Namespace) -> int:
    from generator.publish import publish_site
    from generator.report import choose_report

    site = publish_site(choose_report(args.report), args.out)
    print(f"published {site.folder} ({', '.join(p.relative_to(site.folder).as_posix() for p in site.files)}; "
          f"{len(site.entries)} edition(s), {len(site.posts)} post(s) in posts/, "
          f"{len(site.linked)} page(s) relinked)")
    return 0


def _cmd_aggregate(args: argparse.Namespace) -> int:
    from generator.aggregate import aggregate_events
    from generator.report import choose_report, require_zone

    # Only the time zone is read, and nothing is published or mailed: the sample's may serve.
    zone = args.timezone or choose_report(args.report, sample=True).schedule.timezone
    require_zone(zone, "--timezone:")
    done = aggregate_events(args.events, args.out, zone, memory_limit=args.memory_limit,
                            threads=args.threads, engine=args.engine, master=args.master)
    span = f"{done.weeks[0]} to {done.weeks[-1]}" if len(done.weeks) > 1 else done.weeks[0]
    print(f"aggregated {done.events:,} events into {done.rows:,} rows ({len(done.weeks)} week(s), "
          f"{span}, weeks from Monday 00:00 {zone}) in {done.path}")
    return 0


def _cmd_settings(args: argparse.Namespace) -> int:
    for s in SETTINGS:
        print(f"{s.key:<28} {s.default!r:<24} {s.help}")
    return 0


def _cmd_init(args: argparse.Namespace) -> int:
    from generator.kinds.registry import kind, require
    from generator.starter import write_starter

    written = write_starter(args.folder, kind(require(args.kind)))
    print(f"wrote {len(written)} files in {args.folder}; build it with: "
          f"weekly build --report {args.folder}")
    return 0


def _cmd_kinds(args: argparse.Namespace) -> int:
    from generator.kinds.registry import available, kind

    for name in available():
        print(f"{name:<16} {kind(name).description}")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="weekly", description="Weekly edition generator.")
    parser.add_argument("--version", action="version", version=f"weekly {version()}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)
    build = sub.add_parser("build", help="build one week's edition")
    _common(build, sample=True)
    build.add_argument("--week", default="latest", help="YYYY-MM-DD (a Monday), YYYY-Www or latest")
    build.add_argument("--usage", type=Path, help="usage file or folder (overrides the report's)")
    build.add_argument("--models", type=Path, help="model catalogue (overrides the report's)")
    build.add_argument("--to", default="", help="formats, comma-separated (default: all)")
    build.set_defaults(run=_cmd_build)
    check = sub.add_parser("check", help="trace every number in an edition's texts to facts.json")
    check.add_argument("edition", type=Path, metavar="EDITION_DIR", help="an edition folder")
    check.set_defaults(run=_cmd_check)
    publish = sub.add_parser("publish", help="write the archive page, Atom feed and sitemap")
    _common(publish)
    publish.set_defaults(run=_cmd_publish)
    from generator.delivery.commands import add_commands

    add_commands(sub)
    from generator.ops.commands import add_commands as add_ops_commands

    add_ops_commands(sub)
    aggregate = sub.add_parser("aggregate", help="sum raw usage events into the weekly usage table")
    # Text, not a Path: a storage URI (s3a://lake/events/) would lose a slash as a Path.
    aggregate.add_argument("events", metavar="EVENTS",
                           help="events: .csv, .csv.gz or .parquet file, or a folder of them "
                                "(with --engine spark, also a storage URI)")
    aggregate.add_argument("--out", type=Path, required=True, metavar="USAGE",
                           help="usage table to write (.csv, or .parquet)")
    aggregate.add_argument("--report", type=Path, help="report whose time zone sets the weeks")
    aggregate.add_argument("--timezone", metavar="ZONE",
                           help="IANA time zone of the weeks, instead of the report's")
    aggregate.add_argument("--memory-limit", default="400MB",
                           help="DuckDB memory limit; beyond it, DuckDB spills to a temporary folder")
    aggregate.add_argument("--threads", type=int, default=2, help="DuckDB worker threads")
    aggregate.add_argument("--engine", choices=("duckdb", "spark"), default="duckdb",
                           help="duckdb (embedded, the default) or spark (PySpark: a cluster)")
    aggregate.add_argument("--master", metavar="URL",
                           help="with --engine spark: the Spark master (default local[*], or "
                                "spark-submit's own)")
    aggregate.set_defaults(run=_cmd_aggregate)
    settings = sub.add_parser("settings", help="list every report setting with its default")
    settings.set_defaults(run=_cmd_settings)
    init = sub.add_parser("init", help="write a starter report that builds at once")
    init.add_argument("folder", type=Path, metavar="DIR", help="the report folder to create")
    init.add_argument("--kind", default="llm-usage", help="the report's kind (weekly kinds)")
    init.set_defaults(run=_cmd_init)
    kinds = sub.add_parser("kinds", help="list the installed report kinds")
    kinds.set_defaults(run=_cmd_kinds)
    for name, command in sub.choices.items():
        names = ENVIRONMENT.get(name)
        epilog = ("environment: " + ", ".join(names)) if names else "environment: none read"
        command.epilog = epilog
        for action in command._actions:  # `subscribers add|remove|list|import` read the same
            if isinstance(action, argparse._SubParsersAction):
                for inner in action.choices.values():
                    inner.epilog = epilog
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    try:
        args = _parser().parse_args(arguments or ["build"])
        if getattr(args, "run", None) is None:
            args = _parser().parse_args(["build", *arguments])
        run: Callable[[argparse.Namespace], int] = args.run
        return run(args)
    except InputError as exc:
        print(f"weekly: error: {exc}", file=sys.stderr)
        return exc.exit_status
    except (CheckFailed, StepFailed) as exc:
        print(f"weekly: error: {exc}", file=sys.stderr)
        return exc.exit_status
    except KeyboardInterrupt:
        print("weekly: interrupted", file=sys.stderr)
        return 130
    except OSError as exc:
        if exc.filename is None:  # not about a file (a socket, say): a fault, with its trace
            return _internal(exc)
        # A file the user named or a folder we write cannot be used: unreadable, a folder
        # where a file was expected, a full disk, a read-only mount. Staging keeps the
        # previous edition whole, so this is bad input or a bad place, not a crash.
        print(f"weekly: error: {file_problem(exc)}", file=sys.stderr)
        return InputError.exit_status
    except Exception as exc:
        return _internal(exc)


def _internal(exc: BaseException) -> int:
    # A fault of the program: say so, with the trace to fix it.
    traceback.print_exception(exc, file=sys.stderr)
    print(f"weekly: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
    return 1

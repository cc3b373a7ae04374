"""What a benchmark runs in its own fresh process; prints one JSON object on stdout.

    python bench/child.py prepare OUT          build the sample edition, save its print HTML
    python bench/child.py floor EDITION        the libraries alone: imports, 5 charts, the PDF
    python bench/child.py warm REPORT OUT      one edition, then one more per line on stdin (timed)
    python bench/child.py history REPORT N     load + facts of the report's last week, N times
    python bench/child.py aggregate EVENTS OUT [ENGINE [MASTER]]
                                               raw events into the weekly table
    python bench/child.py message OUT          the sample edition's message sizes, in bytes
    python bench/child.py warmfloor EDITION    the floor in a warm process: 5 charts + the PDF,
                                               once more per line on stdin (timed)
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path

PRINT_HTML = "bench-print.html"


def prepare(out: Path) -> dict[str, object]:
    """Build the sample edition and keep the HTML the PDF is made from, for the floor."""
    from generator.pipeline import BuildRequest, build_edition
    from generator.render.html import html_page
    from generator.report import load_report

    edition = build_edition(BuildRequest(report=load_report(None), week="2026-W21", out=out))
    page = html_page(edition.content, "pdf/article.html", use_svg=False)
    (edition.folder / PRINT_HTML).write_text(page, encoding="utf-8")
    return {"folder": str(edition.folder)}


def floor(edition: Path) -> dict[str, object]:
    """Only what the libraries cost: import them, save five charts of the house size, render the PDF."""
    started = time.perf_counter()
    # Imported here to time them; the charts and the PDF below use them.
    import jinja2  # noqa: F401
    import markdown  # noqa: F401
    import matplotlib.backends.backend_agg
    import matplotlib.figure  # noqa: F401
    import pandas  # noqa: F401
    import weasyprint  # noqa: F401

    imported = time.perf_counter()
    _floor_charts()
    drawn = time.perf_counter()
    _floor_pdf(edition)
    done = time.perf_counter()
    return {"seconds": done - started, "imports": imported - started, "charts": drawn - imported,
            "pdf": done - drawn}


def _floor_charts() -> None:
    # Five plain bar charts of the house size, saved as PNG (the imports are timed by the caller).
    import io

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    for k in range(5):
        fig = Figure(figsize=(8.0, 4.5), dpi=200, facecolor="white")
        FigureCanvasAgg(fig)
        ax = fig.add_axes((0.1, 0.15, 0.8, 0.65))
        values = [(i * 37 + k * 11) % 23 + 5 for i in range(20 + k * 2)]
        ax.bar(range(len(values)), values, color="#0072B2")
        ax.set_title(f"Chart {k}")
        fig.savefig(io.BytesIO(), format="png")


def _floor_pdf(edition: Path) -> None:
    # The edition's own print HTML, saved by `prepare`, made into a PDF the plain way.
    import weasyprint

    html = weasyprint.HTML(filename=str(edition / PRINT_HTML), base_url=str(edition) + "/")
    html.write_pdf(edition / "bench-floor.pdf")


def warm_floor(edition: Path) -> dict[str, object]:
    """The floor in a process that has done it once: five charts of the house size, the same
    PDF, once per `go` read from stdin (see `serve`)."""
    def once(_command: str) -> None:
        _floor_charts()
        _floor_pdf(edition)

    return serve(once)


def warm(report_dir: Path, out: Path) -> dict[str, object]:
    """An edition in a process that has built one already, once per command read from stdin:
    `go` builds every format, `nopdf` all but the PDF (WeasyPrint's share, by difference), and
    `inline` every format in this one process (the PDF not forked: the edition's work alone)."""
    from generator.heap import settle_after_first_edition
    from generator.pipeline import BuildRequest, build_edition
    from generator.render import chosen_renderers
    from generator.render.lanes import StandingLanes
    from generator.report import load_report

    report = load_report(report_dir)
    # As `weekly schedule` does: a process that builds again forks the PDF's worker once.
    with StandingLanes.start(chosen_renderers(())) as lanes:
        def once(command: str) -> None:
            lanes.refill()  # between builds, as `weekly schedule` does
            formats = ("html", "md", "email") if command == "nopdf" else ()
            build_edition(BuildRequest(report=report, week="2026-W21", out=out, formats=formats,
                                       overlap=command != "inline", lanes=lanes))
            settle_after_first_edition()  # as `weekly schedule` does after the first it builds

        return serve(once, lambda: [pid for name in lanes.names if (pid := lanes.pid(name))])


def serve(once: Callable[[str], None], workers: Callable[[], list[int]] = list) -> dict[str, object]:
    """Do `once` to warm up, then once per line on stdin, printing each one's wall and CPU
    seconds as a JSON line; the harness alternates two such processes, so that an edition and
    its floor are timed side by side, on the same machine at the same moment. The CPU seconds
    include those of the processes `workers()` names (standing ones, never reaped)."""
    once("go")
    print(json.dumps({"ready": True}), flush=True)
    done = 0
    for line in sys.stdin:
        started, used = time.perf_counter(), _cpu() + _cpu_of(workers())
        once(line.strip())
        spent = _cpu() + _cpu_of(workers()) - used
        print(json.dumps({"seconds": time.perf_counter() - started, "cpu": spent}), flush=True)
        done += 1
    return {"samples": done}


def _cpu_of(pids: list[int]) -> float:
    # User + system seconds of running processes, from /proc/PID/stat (fields 14 and 15, in
    # clock ticks; the name in field 2 may hold spaces, so fields are counted after its ")").
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text(encoding="ascii").rpartition(")")[2].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def _cpu() -> float:
    # User + system seconds of this process and of the children it has reaped (a PDF's own
    # child; a standing worker is counted apart, by `_cpu_of`).
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def history(report_dir: Path, repeat: int) -> dict[str, object]:
    """Seconds to load a long, wide history and compute its last week's facts."""
    from generator.kinds.llm_usage.facts.compute import compute_facts
    from generator.kinds.llm_usage.load import load_snapshot
    from generator.report import load_report

    report = load_report(report_dir)
    samples, models, weeks = [], 0, 0
    for _ in range(repeat):
        started = time.perf_counter()
        snapshot = load_snapshot(report)
        compute_facts(snapshot, snapshot.weeks[-1], report.slug, report.top_n)
        samples.append(time.perf_counter() - started)
        models, weeks = int(snapshot.usage["model"].nunique()), len(snapshot.weeks)
    return {"samples": samples, "models": models, "weeks": weeks}


def aggregate(events: Path, out: Path, engine: str = "duckdb", master: str = "local[2]") -> dict[str, object]:
    """Seconds to aggregate the events, the process's start-up (and Spark's JVM) left out."""
    from generator.aggregate import aggregate_events

    session = 0.0
    if engine == "spark":
        from pyspark.sql import SparkSession

        started = time.perf_counter()
        # The engine uses the active session; this one is started here to time the JVM apart.
        (SparkSession.builder.master(master).appName("weekly bench")
         .config("spark.driver.memory", "2g").config("spark.ui.enabled", "false")
         .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
         .config("spark.ui.showConsoleProgress", "false")
         .config("spark.sql.warehouse.dir", (out.parent / "spark-warehouse").as_uri()).getOrCreate())
        session = time.perf_counter() - started
    started = time.perf_counter()
    done = aggregate_events(events, out, "Europe/London", engine=engine)
    seconds = time.perf_counter() - started
    jvm = None
    if engine == "spark":
        from pyspark import SparkContext

        # The JVM is the gateway process PySpark launched (spark-submit execs java): not a child
        # this process waits for, so its peak is read from /proc while it still runs.
        jvm = _peak_mib(SparkContext._gateway.proc.pid)  # type: ignore[attr-defined]
    return {"seconds": seconds, "events": done.events, "rows": done.rows, "session_s": session,
            "jvm_peak_mib": jvm}


def _peak_mib(pid: int) -> float | None:
    # VmHWM: the largest resident size the process has had (Linux).
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return None


def message(out: Path) -> dict[str, object]:
    """Bytes of the sample edition's message (with and without the PDF), its PDF and its charts."""
    import dataclasses
    import datetime as dt

    from generator.delivery.message import build_message, load_edition_mail
    from generator.pipeline import BuildRequest, build_edition
    from generator.report import load_report

    report = load_report(None)
    edition = build_edition(BuildRequest(report=report, week="2026-W21", out=out))
    mail = load_edition_mail(edition.folder)
    moment = dt.datetime(2026, 5, 25, 8, tzinfo=dt.UTC)
    sizes = {}
    for attach in (True, False):
        settings = dataclasses.replace(report, email=dataclasses.replace(report.email, attach_pdf=attach))
        msg = build_message(settings, mail, "reader@example.org", "https://example.org/u/x", now=moment)
        sizes["with_pdf" if attach else "without_pdf"] = len(msg.as_bytes())
    return {**sizes, "pdf": len(mail.pdf or b""), "charts": {name: len(png) for name, png in mail.charts}}


def main(argv: list[str]) -> int:
    """Run the named measurement and print its JSON."""
    kind, *args = argv
    if kind == "prepare":
        result = prepare(Path(args[0]))
    elif kind == "floor":
        result = floor(Path(args[0]))
    elif kind == "warm":
        result = warm(Path(args[0]), Path(args[1]))
    elif kind == "history":
        result = history(Path(args[0]), int(args[1]))
    elif kind == "aggregate":
        result = aggregate(Path(args[0]), Path(args[1]), *args[2:])
    elif kind == "warmfloor":
        result = warm_floor(Path(args[0]))
    elif kind == "message":
        result = message(Path(args[0]))
    else:
        print(f"unknown measurement {kind!r}", file=sys.stderr)
        return 2
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    raise SystemExit(main(sys.argv[1:]))

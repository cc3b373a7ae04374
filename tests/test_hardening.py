"""Issue 14, the input and render half: every hostile input is one clear line and exit 2.

Each case here broke the product before (a traceback, exit 1, a published password, a stalled
PDF); each now ends in one line naming the file, setting or argument, with status 2 and no
edition written, or builds correctly. Most builds are Markdown only, to keep the suite quick.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from helpers import Row, usage_csv, week, write_report
from test_bad_input import ROWS, assert_mentions, refused

from generator.check import check_edition
from generator.cli import main
from generator.load import tables
from generator.load.limits import MAX_NOTE_CHARS
from generator.load.values import MAX_ID, MAX_NAME
from generator.render.filters import BREAK_EVERY, ZERO_WIDTH_SPACE, breakable_html
from generator.settings import MAX_TITLE


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A good report folder `demo/` in a fresh working directory (messages show short paths)."""
    monkeypatch.chdir(tmp_path)
    return write_report(tmp_path / "demo", ROWS)


def settings_of(folder: Path, settings: str = "", tables_: str = "") -> None:
    """Rewrite the report's settings: `settings` at the top, `tables_` after [data]."""
    data = '[data]\nusage = "usage.csv"\nauthors = "authors.csv"\n'
    (folder / "report.toml").write_text(f"{settings}\n{data}\n{tables_}\n", encoding="utf-8")


def one_line(capsys: pytest.CaptureFixture[str], status: int) -> str:
    """The single stderr line of a command that ended with `status` 2."""
    err = capsys.readouterr().err
    assert status == 2, err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


# ---------------------------------------------------------------- settings (MEDIUM 7, LOW)

BAD_SETTINGS = {
    "top_n negative": ("top_n = -3", "", ("'top_n'", "from 1 to 100", "-3")),
    "top_n zero": ("top_n = 0", "", ("'top_n'", "0")),
    "site_url empty": ('site_url = ""', "", ("'site_url'", "absolute http or https URL")),
    "site_url without scheme": ('site_url = "example.com/news/"', "", ("'site_url'", "example.com")),
    "site_url javascript": ('site_url = "javascript:alert(1)"', "", ("'site_url'", "javascript:")),
    "merge of numbers": ("", "[variants]\nmerge = [1, 2]", ("'variants.merge'", "[1, 2]")),
    "merge of an empty suffix": ("", '[variants]\nmerge = [""]', ("'variants.merge'",)),
    "renames to a table": ("", '[variants]\nrenames = {a = {b = "c"}}',
                           ("'variants.renames.a'", "model id", "{'b': 'c'}")),
    "renames to a number": ("", "[variants]\nrenames = {x = 1}", ("'variants.renames.x'", "got 1")),
    "title too long": (f'title = "{"T" * (MAX_TITLE + 1)}"', "",
                       ("'title'", f"at most {MAX_TITLE} characters", "301")),
    "brand with an override": ('brand = "We\\u202eekly"', "", ("'brand'", "direction")),
    "language not a tag": ('language = "en\\" onload=\\"x"', "", ("'language'", "language tag")),
}


@pytest.mark.parametrize("case", sorted(BAD_SETTINGS))
def test_settings_that_would_publish_nonsense(case: str, folder: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    settings, tables_, needles = BAD_SETTINGS[case]
    settings_of(folder, settings, tables_)
    assert_mentions(refused(folder, capsys, "--to", "md"), "demo/report.toml", "setting", *needles)


def test_report_toml_in_latin1(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (folder / "report.toml").write_bytes('title = "Caf\u00e9"\n'.encode("latin-1"))
    assert_mentions(refused(folder, capsys, "--to", "md"), "demo/report.toml", "expected UTF-8")


def test_good_settings_still_build(folder: Path) -> None:
    settings_of(folder, 'top_n = 1\nsite_url = "http://news.example.org/llm"\nlanguage = "pt-BR"',
                '[variants]\nmerge = [":free"]\nrenames = {"acme/old" = "acme/a1"}')
    assert main(["build", "--report", str(folder), "--out", "out", "--to", "md"]) == 0
    facts = json.loads(Path("out/demo/2026-W03/facts.json").read_text(encoding="utf-8"))
    assert facts["market"]["top_n"] == 1


# ---------------------------------------------------------------- data (HIGH 3, MEDIUM 4, LOW)

def _usage_with(folder: Path, model: str, extra: str = "", header: str = "week,model,tokens") -> None:
    text = usage_csv(ROWS) if not extra else header + "\n" + "".join(
        f"{w},{m},{t},{extra}\n" for w, m, t in ROWS)
    if model:
        text += f"{week(1)},{model},7" + (f",{extra}" if extra else "") + "\n"
    (folder / "usage.csv").write_text(text, encoding="utf-8")


def test_model_id_over_the_limit(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _usage_with(folder, "acme/" + "x" * MAX_ID)
    assert_mentions(refused(folder, capsys, "--to", "md"), "demo/usage.csv, row 9, column model",
                    f"at most {MAX_ID} characters", "205")


def test_model_id_at_the_limit_builds(folder: Path) -> None:
    _usage_with(folder, "acme/" + "x" * (MAX_ID - 5))
    assert main(["build", "--report", str(folder), "--out", "out", "--to", "md"]) == 0


def test_name_over_the_limit(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _usage_with(folder, "", "N" * (MAX_NAME + 1), header="week,model,tokens,name")
    assert_mentions(refused(folder, capsys, "--to", "md"), "demo/usage.csv, row 2, column name",
                    f"at most {MAX_NAME} characters")


def test_catalogue_name_and_id_over_the_limit(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_report(folder, ROWS, models=[{"model": "acme/a1", "name": "A" * (MAX_NAME + 1)}])
    assert_mentions(refused(folder, capsys, "--to", "md"), "demo/models.csv, row 2, column name")
    write_report(folder, ROWS, models=[{"model": "acme/" + "a" * MAX_ID, "name": "A"}])
    assert_mentions(refused(folder, capsys, "--to", "md"), "demo/models.csv, row 2, column model")


def test_authors_name_over_the_limit(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_report(folder, ROWS, authors=[("acme", "A" * (MAX_NAME + 1), "CN")])
    assert_mentions(refused(folder, capsys, "--to", "md"), "demo/authors.csv, row 2, column name")


@pytest.mark.parametrize("mark", ["\u202e", "\u2066", "\u200b", "\x07"])
def test_model_id_with_a_direction_or_control_character(
        mark: str, folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Without a name, the id is what the page shows: an override would turn the figures around.
    _usage_with(folder, f"a/{mark}model")
    assert_mentions(refused(folder, capsys, "--to", "md"), "row 9, column model",
                    "without control, invisible or direction characters")


def test_bidi_in_an_openrouter_id(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (folder / "models.json").write_text(json.dumps({"data": [{"id": "a/\u202emodel", "pricing": {}}]}),
                                        encoding="utf-8")
    settings_of(folder, "", "")
    (folder / "report.toml").write_text(
        '[data]\nusage = "usage.csv"\nauthors = "authors.csv"\nmodels = "models.json"\n', encoding="utf-8")
    assert_mentions(refused(folder, capsys, "--to", "md"), "demo/models.json, row 1, column id")


@pytest.mark.parametrize("week_text", ["9999-12-27", "9999-W52", "0001-01-01"])
def test_a_week_out_of_range(week_text: str, folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows: list[Row] = [("9998-12-21", "acme/a1", 5), (week_text, "acme/a1", 7)]
    (folder / "usage.csv").write_text(usage_csv(rows), encoding="utf-8")
    assert_mentions(refused(folder, capsys, "--to", "md"), "demo/usage.csv, row 3, column week",
                    "years 1000 to 9998")
    (folder / "usage.csv").write_text(usage_csv(ROWS), encoding="utf-8")
    assert_mentions(refused(folder, capsys, "--to", "md", "--week", week_text), "--week",
                    "years 1000 to 9998")


@pytest.mark.parametrize("pricing", ['"free"', '["x"]'])
def test_openrouter_fields_of_the_wrong_shape(pricing: str, folder: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    for field in ("pricing", "architecture"):
        record = json.loads(f'{{"id": "acme/a1", "pricing": {{}}, "{field}": {pricing}}}')
        (folder / "models.json").write_text(json.dumps({"data": [record]}), encoding="utf-8")
        (folder / "report.toml").write_text(
            '[data]\nusage = "usage.csv"\nauthors = "authors.csv"\nmodels = "models.json"\n',
            encoding="utf-8")
        assert_mentions(refused(folder, capsys, "--to", "md"),
                        f"demo/models.json, row 1, column {field}", "expected an object")


def test_a_folder_named_like_a_drop(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    drops = folder / "drops"
    drops.mkdir()
    (drops / "a.csv").write_text(usage_csv(ROWS), encoding="utf-8")
    (drops / "b.csv").mkdir()
    settings_of(folder)
    (folder / "report.toml").write_text('[data]\nusage = "drops"\nauthors = "authors.csv"\n',
                                        encoding="utf-8")
    assert_mentions(refused(folder, capsys, "--to", "md"), "demo/drops/b.csv",
                    "expected a usage file, found a folder")


def test_a_catalogue_that_is_a_folder(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (folder / "models.csv").mkdir()
    (folder / "report.toml").write_text(
        '[data]\nusage = "usage.csv"\nauthors = "authors.csv"\nmodels = "models.csv"\n', encoding="utf-8")
    assert_mentions(refused(folder, capsys, "--to", "md"), "demo/models.csv",
                    "expected a file, found a folder")


def test_a_symlink_loop(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (folder / "usage.csv").unlink()
    os.symlink("usage.csv", folder / "usage.csv")
    assert_mentions(refused(folder, capsys, "--to", "md"), "usage.csv", "file not found")


def test_an_unreadable_file(folder: Path, capsys: pytest.CaptureFixture[str],
                            monkeypatch: pytest.MonkeyPatch) -> None:
    # The tests run as root, whom no file mode keeps out; so the read fails as it would for
    # another user, by the error the operating system gives (EACCES naming the file).
    def denied(path: Path, where: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied", str(path))

    monkeypatch.setattr(tables, "_read_csv", denied)
    assert_mentions(refused(folder, capsys, "--to", "md"), "demo/usage.csv", "permission denied")


def test_a_note_too_long(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # 200,000 words made the reading time "1003 min", which the check could not trace (exit 1).
    (folder / "notes").mkdir()
    (folder / "notes" / "2026-W03.md").write_text("## Take: why it matters\n\n" + "word " * 200_000,
                                                  encoding="utf-8")
    assert_mentions(refused(folder, capsys, "--to", "md"), "demo/notes/2026-W03.md",
                    f"at most {MAX_NOTE_CHARS:,} are accepted")


# ---------------------------------------------------------------- where it writes (LOW)

def test_out_is_a_file_or_inside_one(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    Path("taken").write_text("x", encoding="utf-8")
    for out in ("taken", "taken/site"):
        status = main(["build", "--report", str(folder), "--out", out, "--to", "md"])
        assert_mentions(one_line(capsys, status), "--out", "taken is a file")
    assert Path("taken").read_text(encoding="utf-8") == "x"


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS, errno.EACCES])
def test_a_full_disk_or_read_only_place(code: int, folder: Path, capsys: pytest.CaptureFixture[str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    # No tmpfs can be mounted here, so the write layer is made to fail as a full disk or a
    # read-only mount makes it fail: an OSError naming the file, raised from inside the build.
    assert main(["build", "--report", str(folder), "--out", "out", "--to", "md"]) == 0
    before = Path("out/demo/2026-W03/article.md").read_bytes()
    capsys.readouterr()

    def failing(folder_: Path, content: object) -> Path:
        raise OSError(code, os.strerror(code), str(folder_ / "facts.json"))

    monkeypatch.setattr("generator.pipeline.write_facts", failing)
    status = main(["build", "--report", str(folder), "--out", "out", "--to", "md"])
    line = one_line(capsys, status)
    assert "facts.json" in line
    assert Path("out/demo/2026-W03/article.md").read_bytes() == before
    assert sorted(p.name for p in Path("out/demo").iterdir()) == ["2026-W03"]


# ---------------------------------------------------------------- templates (MEDIUM 9, LOW)

PASSWORD = "hunter2-not-for-print"


def _own_template(folder: Path, text: str) -> None:
    (folder / "templates" / "md").mkdir(parents=True, exist_ok=True)
    (folder / "templates" / "md" / "article.md").write_text(text, encoding="utf-8")


@pytest.mark.parametrize("payload", [
    '{{ cycler.__init__.__globals__.os.environ.get("WEEKLY_SMTP_PASSWORD") }}',
    '{{ lipsum.__globals__["os"].environ["WEEKLY_SMTP_PASSWORD"] }}',
    '{{ lipsum.__globals__["os"].popen("touch MARKER").read() }}',
    '{{ joiner.__init__.__globals__.os.system("touch MARKER") }}',
    '{{ "".__class__.__mro__[1].__subclasses__() }}',
])
def test_report_templates_are_sandboxed(payload: str, folder: Path, capsys: pytest.CaptureFixture[str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEEKLY_SMTP_PASSWORD", PASSWORD)
    _own_template(folder, f"# Notes\n\n{payload}\n")
    line = refused(folder, capsys, "--to", "md")
    assert_mentions(line, "demo/templates/md/article.md", "line 3", "sandbox")
    assert PASSWORD not in line
    assert not Path("MARKER").exists() and not (folder / "MARKER").exists()
    assert not any(PASSWORD.encode() in p.read_bytes() for p in Path.cwd().rglob("*") if p.is_file())


@pytest.mark.parametrize(("text", "needle"), [
    ("{{ 1 / 0 }}", "ZeroDivisionError"),
    ("{% include 'md/article.md' %}", "include or extend each other"),
    ("{{ story.headline[999999] }}", "line 1"),
])
def test_a_report_template_that_fails(text: str, needle: str, folder: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    _own_template(folder, text)
    assert_mentions(refused(folder, capsys, "--to", "md"), "demo/templates/md/article.md", needle)


# ---------------------------------------------------------------- the PDF's long words (HIGH 3)

def test_breakable_html_touches_only_long_words_in_text() -> None:
    page = ("<html><head><title>" + "t" * 50 + "</title><style>a{b:" + "c" * 50 + "}</style></head>"
            '<body><p title="' + "y" * 50 + '">' + "a" * 45 + " &amp;" + "b" * 30 + " short</p></body>")
    out = breakable_html(page)
    assert out.count(ZERO_WIDTH_SPACE) == 3
    assert out.replace(ZERO_WIDTH_SPACE, "") == page
    assert "a" * BREAK_EVERY + ZERO_WIDTH_SPACE + "a" * BREAK_EVERY + ZERO_WIDTH_SPACE + "aaaaa " in out
    assert "&amp;" in out  # an entity is never cut


def test_a_pdf_with_a_long_word_in_its_note_passes_the_check(
        folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    weasyprint = pytest.importorskip("weasyprint")
    word = "Supercalifragilistic" * 200  # 4,000 letters: a minute of layout before
    (folder / "notes").mkdir()
    (folder / "notes" / "2026-W03.md").write_text(f"## Take: why it matters\n\nSee {word} here.\n",
                                                  encoding="utf-8")
    given = folder / "given.html"
    html = weasyprint.HTML

    def capture(*args: object, **kwargs: object) -> object:
        # To a file: the PDF may be laid out in a forked process, whose memory is its own.
        given.write_text(str(kwargs["string"]), encoding="utf-8")
        return html(*args, **kwargs)

    monkeypatch.setattr(weasyprint, "HTML", capture)
    assert main(["build", "--report", str(folder), "--out", "out", "--to", "pdf"]) == 0
    # WeasyPrint was given the word with a break opportunity every BREAK_EVERY letters.
    page = given.read_text(encoding="utf-8")
    assert ZERO_WIDTH_SPACE.join(["Supercalifragilistic"] * 5) in page
    assert word not in page
    assert check_edition(Path("out/demo/2026-W03")).ok


# ---------------------------------------------------------------- weekly check (LOW)

@pytest.fixture(scope="module")
def edition(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small edition in Markdown and PDF, built once for the broken-edition cases."""
    base = tmp_path_factory.mktemp("check")
    folder = write_report(base / "demo", ROWS)
    assert main(["build", "--report", str(folder), "--out", str(base / "out"),
                 "--to", "md,pdf" if _has_weasyprint() else "md"]) == 0
    return base / "out" / "demo" / "2026-W03"


def _has_weasyprint() -> bool:
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError):
        return False
    return True


def _broken(edition: Path, tmp_path: Path, name: str, data: bytes) -> Path:
    copy = tmp_path / "e"
    copy.mkdir()
    for item in edition.iterdir():
        if item.is_file():
            (copy / item.name).write_bytes(item.read_bytes())
    (copy / name).write_bytes(data)
    return copy


BROKEN = {
    "bad JSON": ("facts.json", b"{x", "expected JSON"),
    "an array": ("facts.json", b"[]", "expected a JSON object"),
    "claims a string": ("facts.json", b'{"claims": "x"}', "'claims'"),
    "claims of the wrong shape": ("facts.json", b'{"claims": [{"id": 1}]}', "'claims'"),
    "facts not UTF-8": ("facts.json", b'{"claims": [], "x": "\xff"}', "expected UTF-8"),
    "Markdown not UTF-8": ("article.md", b"# \xff\xfe", "expected UTF-8"),
    "an empty PDF": ("article.pdf", b"", "pdftotext cannot read the PDF"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_check_of_a_broken_edition(case: str, edition: Path, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    name, data, needle = BROKEN[case]
    if name == "article.pdf" and not (edition / name).exists():
        pytest.skip("WeasyPrint is not installed")
    copy = _broken(edition, tmp_path, name, data)
    assert_mentions(one_line(capsys, main(["check", str(copy)])), f"e/{name}", needle)


def test_of_two_unreadable_files_the_first_in_order_is_told(
        edition: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # The PDF is read on a thread, and last: the file named is still the first that fails.
    if not (edition / "article.pdf").exists():
        pytest.skip("WeasyPrint is not installed")
    copy = _broken(edition, tmp_path, "article.pdf", b"")
    (copy / "email.txt").write_bytes(b"\xff\xfe")
    assert_mentions(one_line(capsys, main(["check", str(copy)])), "e/article.pdf", "pdftotext")
    (copy / "article.md").write_bytes(b"# \xff\xfe")
    assert_mentions(one_line(capsys, main(["check", str(copy)])), "e/article.md", "expected UTF-8")


def test_a_number_word_alone_is_prose(edition: Path, tmp_path: Path) -> None:
    # Found by the generated templates: "Zeroth" alone in a paragraph was taken for a claim's
    # number word and failed the check (exit 1).
    text = (edition / "article.md").read_bytes() + b"\n\nZeroth\n\nSeventh.\n"
    assert check_edition(_broken(edition, tmp_path, "article.md", text)).ok


# ---------------------------------------------------------------- weekly aggregate (LOW)

def test_aggregate_arguments(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                             capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("duckdb")
    monkeypatch.chdir(tmp_path)
    events = Path("ok.csv")
    raw = b"timestamp,model,tokens\n2026-01-05T10:00:00Z,acme/a1,5\n"
    events.write_bytes(raw)
    Path("afile").write_text("x", encoding="utf-8")
    Path("drops").mkdir()
    (Path("drops") / "e.csv").write_bytes(raw)
    cases = {
        ("--out", "u.csv", "--threads", "0"): "--threads",
        ("--out", "u.csv", "--memory-limit", "lots"): "--memory-limit",
        ("--out", "afile/u.csv"): "afile is a file",
        ("--out", "ok.csv"): "would overwrite the events",
        ("--out", "./ok.csv"): "would overwrite the events",
    }
    for args, needle in cases.items():
        assert_mentions(one_line(capsys, main(["aggregate", "ok.csv", *args])), needle)
    assert_mentions(one_line(capsys, main(["aggregate", "drops", "--out", "drops/u.csv"])),
                    "would overwrite the events")
    assert events.read_bytes() == raw
    assert not Path("u.csv").exists() and not Path("drops/u.csv").exists()
    assert main(["aggregate", "ok.csv", "--out", "u.csv", "--memory-limit", "1.5 GiB"]) == 0


def test_a_report_site_template_that_fails_is_one_line_and_changes_nothing(
        folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build", "--report", str(folder), "--out", "out", "--to", "html,md"]) == 0
    assert main(["publish", "--report", str(folder), "--out", "out"]) == 0
    before = {p: p.read_bytes() for p in Path("out").rglob("*") if p.is_file()}
    capsys.readouterr()
    (folder / "templates" / "site").mkdir(parents=True)
    (folder / "templates" / "site" / "feed.xml").write_text("<feed>{{ 1 / 0 }}</feed>", encoding="utf-8")
    status = main(["publish", "--report", str(folder), "--out", "out"])
    assert_mentions(one_line(capsys, status), "demo/templates/site/feed.xml", "ZeroDivisionError")
    assert {p: p.read_bytes() for p in Path("out").rglob("*") if p.is_file()} == before


# ---------------------------------------------------------------- as another user (LOW)

NOBODY = 65534


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("setpriv") is None,
                    reason="needs root and setpriv to run the command as another user")
@pytest.mark.parametrize("case", ["usage unreadable", "report.toml unreadable", "out read-only"])
def test_files_another_user_may_not_use(case: str, tmp_path: Path) -> None:
    # Root reads every file whatever its mode, so the command runs as `nobody`, for whom the
    # modes hold: a real EACCES from the kernel, not an injected one.
    base = Path(tempfile.mkdtemp(prefix="weekly-nobody-"))
    try:
        base.chmod(0o755)
        folder = write_report(base / "demo", ROWS)
        out = base / "out"
        out.mkdir()
        for path in (folder, *folder.iterdir()):
            path.chmod(0o755 if path.is_dir() else 0o644)
        out.chmod(0o777)
        if case == "usage unreadable":
            (folder / "usage.csv").chmod(0o000)
        elif case == "report.toml unreadable":
            (folder / "report.toml").chmod(0o000)
        else:
            out.chmod(0o555)
        (base / "mpl").mkdir()
        os.chown(base / "mpl", NOBODY, NOBODY)  # matplotlib's cache, which it must write
        env = {**os.environ, "HOME": str(base), "MPLCONFIGDIR": str(base / "mpl")}
        done = subprocess.run(
            ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups",
             sys.executable, "-m", "generator", "build", "--report", "demo", "--out", "out",
             "--to", "md"], cwd=base, env=env, capture_output=True, text=True, timeout=120)
        lines = done.stderr.strip().splitlines()
        assert done.returncode == 2, done.stderr
        assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
        assert "permission denied" in lines[0].lower(), lines[0]
        assert list(out.iterdir()) == []
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_the_long_word_benchmark_runs() -> None:
    # Its figures are printed, never compared: only that it runs and an overlong id is refused.
    script = Path(__file__).resolve().parents[1] / "bench" / "long_words.py"
    done = subprocess.run([sys.executable, str(script), "--lengths", str(MAX_ID + 100), "--where", "id"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "exit 2" in done.stdout and "300 chars" in done.stdout, done.stdout

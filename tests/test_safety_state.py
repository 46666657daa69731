"""Safe with the user's data, part 2: a crafted or broken ledger, hand edits saved while a
build runs, impossible dates, hostile YAML, markup in feeds, two builds at once, workers
of a killed build, unreadable inputs, a read-only or full disk. Real processes and files."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import feedparser
import pytest

from .conftest import REPO, SEEDS, files, make_project
from .test_xss_browser import _html_seed, _text_seed

sys.path.insert(0, str(REPO / "bench"))
from corpus import _registry_names, page  # noqa: E402

LEDGER = ".newsdigest-ledger.json"


def _warnings(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("warning:")]


def _corpus(project, n: int, start: int = 0) -> None:
    names = _registry_names()
    for i in range(start, start + n):
        name, text = page(i, names)
        (project.seeds / name).write_text(text, encoding="utf-8")


def _popen(project, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(REPO / "build.py"), *args],
        cwd=project.root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def _without_dac() -> list[str]:
    """A prefix that runs a command without the power to ignore file permissions (root has
    it; the tests must see what a normal user sees)."""
    if os.geteuid() != 0:
        return []
    if not shutil.which("setpriv"):
        pytest.skip("running as root without setpriv: cannot make a folder unreadable")
    caps = "-dac_override,-dac_read_search"
    return ["setpriv", f"--bounding-set={caps}", f"--inh-caps={caps}"]


def _run_as_user(project, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*_without_dac(), sys.executable, str(REPO / "build.py"), *args],
        cwd=project.root,
        capture_output=True,
        text=True,
        timeout=300,
    )


# --- 1. paths from the ledger stay inside content/; a malformed ledger is rebuilt ---------------


@pytest.mark.parametrize(
    "entry", ["../outside/victim.txt", "ABSOLUTE", "2023-W49/../../outside/victim.txt"]
)
def test_a_crafted_ledger_cannot_delete_a_file_outside_content(tmp_path, entry):
    project = make_project(tmp_path / "p")
    assert project.build().code == 0
    victim = project.root / "outside" / "victim.txt"
    victim.parent.mkdir()
    victim.write_text("precious", encoding="utf-8")
    ledger = json.loads((project.content / LEDGER).read_text(encoding="utf-8"))
    ledger["seeds"]["gone.txt"] = {
        "entry": str(victim) if entry == "ABSOLUTE" else entry,
        "generator": "x",
        "entry_sha256": hashlib.sha256(b"precious").hexdigest(),
        "seed_sha256": "0" * 64,
    }
    (project.content / LEDGER).write_text(json.dumps(ledger), encoding="utf-8")
    result = project.build()
    assert result.code == 0, result.err
    assert victim.read_text(encoding="utf-8") == "precious"
    assert any(LEDGER in line and "outside content/" in line for line in _warnings(result.err))


@pytest.mark.parametrize(
    "ledger",
    [
        '["not", "a", "ledger"]',
        '{"seeds": "x"}',
        "{not json",
        '{"seeds": {"000_3a43c9c14ebcedef.txt": {"entry": 5, "seed_sha256": 1}}}',
        '{"seeds": {"000_3a43c9c14ebcedef.txt": [1, 2]}}',
    ],
)
def test_a_malformed_ledger_is_one_warning_and_rebuilt_without_duplicates(tmp_path, ledger):
    project = make_project(tmp_path / "p")
    assert project.build().code == 0
    entries = {p.relative_to(project.content): p.read_bytes() for p in project.entries()}
    (project.content / LEDGER).write_text(ledger, encoding="utf-8")
    result = project.run()
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert sum(LEDGER in line for line in _warnings(result.stderr)) == 1
    assert {p.relative_to(project.content): p.read_bytes() for p in project.entries()} == entries
    assert json.loads((project.content / LEDGER).read_text(encoding="utf-8"))["seeds"].keys() == {
        p.name for p in project.seeds.iterdir()
    }
    assert project.run("--strict").returncode == 0  # rebuilt: the next build is clean


# --- 2. a hand edit saved while a build runs is never lost -------------------------------------


def _retitle_all(project) -> None:
    for path in project.seeds.iterdir():
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("Ukraine", "Ukraine (updated)", 3), encoding="utf-8")


def test_hand_edits_saved_while_a_rebuild_runs_all_survive(tmp_path):
    project = make_project(tmp_path / "p", seeds=[])
    _corpus(project, 150)
    assert project.build().code == 0
    entries = sorted(project.entries())
    _retitle_all(project)  # every entry is to be rewritten by the next build
    proc = _popen(project, "--jobs", "1", "--quiet")
    edited: dict[Path, str] = {}
    deadline = time.monotonic() + 120
    for entry in entries[::5]:  # edits spread over the whole rebuild, as a person saves
        if proc.poll() is not None or time.monotonic() > deadline:
            break
        try:
            marker = f"\nA hand edit to {entry.stem}.\n"
            entry.write_text(entry.read_text(encoding="utf-8") + marker, encoding="utf-8")
            edited[entry] = marker
        except FileNotFoundError:  # the build moved it (its title changed): edit its new file
            continue
        time.sleep(0.05)
    assert proc.wait(timeout=300) == 0, proc.stderr.read()  # type: ignore[union-attr]
    assert len(edited) >= 10
    assert project.build().code == 0  # and the build after that keeps them too
    for entry, marker in edited.items():
        assert marker in entry.read_text(encoding="utf-8"), entry


def test_a_sync_killed_after_rewriting_entries_leaves_none_looking_hand_edited(tmp_path):
    project = make_project(tmp_path / "p", seeds=[])
    _corpus(project, 120)
    assert project.build().code == 0
    before = {p: p.read_bytes() for p in project.entries()}
    _retitle_all(project)
    proc = _popen(project, "--jobs", "1", "--quiet")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        changed = [p for p, data in before.items() if not p.exists() or p.read_bytes() != data]
        if len(changed) >= 5:
            break
        time.sleep(0.01)
    assert proc.poll() is None, "the build finished before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    result = project.build()
    assert result.code == 0
    assert "edited by hand" not in result.err
    path = sorted(project.seeds.iterdir())[0]  # and entries still follow their seeds
    path.write_text(
        path.read_text(encoding="utf-8").replace("(updated)", "(updated twice)", 1),
        encoding="utf-8",
    )
    again = project.build()
    assert again.code == 0 and "edited by hand" not in again.err and "1 entries made" in again.err


# --- 3. dates ----------------------------------------------------------------------------------


_UNDATED = """ date {header}

Allies agree on new air defence package for Ukraine

Defence ministers of the alliance agreed on a new package of air defence systems for Ukraine at a meeting in Brussels, officials said after the talks ended late in the evening.

The package includes launchers, interceptor missiles and training for crews, and the first systems are expected to arrive within months, according to the officials who briefed reporters.

Jens Stoltenberg said the alliance would keep supporting Ukraine for as long as it takes, and urged members to speed up deliveries that had been promised earlier this year.
"""


@pytest.mark.parametrize(
    "header", ["9999-12-31", "0001-01-01", "2024-02-30", "2024-13-01", "0000-00-00"]
)
def test_an_impossible_or_far_off_scraper_date_never_crashes(tmp_path, header):
    project = make_project(tmp_path / "p")
    path = project.seeds / "000_3a43c9c14ebcedef.txt"
    path.write_text(
        path.read_text(encoding="utf-8").replace(" date 2023-12-04", f" date {header}", 1),
        encoding="utf-8",
    )
    (project.seeds / "undated.txt").write_text(_UNDATED.format(header=header), encoding="utf-8")
    result = project.run()
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    entry = next(p for p in project.entries() if p.stem == "umerov-meets-stoltenberg-in-brussels")
    assert "date: 2023-12-04" in entry.read_text(
        encoding="utf-8"
    )  # the byline's date, not the header
    lines = _warnings(result.stderr)
    assert all("seeds/undated.txt" in line for line in lines) and len(lines) <= 1


@pytest.mark.parametrize(
    "date", ["2024-02-30", "2024-13-01", "0000-00-00", "9999-12-31", "0001-01-01", "tomorrow"]
)
def test_an_impossible_hand_edited_date_is_one_warning_and_the_entry_stays(tmp_path, date):
    project = make_project(tmp_path / "p")
    assert project.build().code == 0
    entry = project.content / "2023-W49" / "umerov-meets-stoltenberg-in-brussels.md"
    entry.write_text(
        entry.read_text(encoding="utf-8").replace("date: 2023-12-04", f"date: {date}"),
        encoding="utf-8",
    )
    result = project.run()
    assert result.returncode == 0, result.stderr
    lines = _warnings(result.stderr)
    assert (
        len(lines) == 1 and "content/2023-W49/umerov-meets-stoltenberg-in-brussels.md" in lines[0]
    )
    page = project.site / "entries" / "umerov-meets-stoltenberg-in-brussels" / "index.html"
    assert "2023-12-04" in page.read_text(encoding="utf-8")  # dated by its week: Monday 4 December


# --- 4. YAML -----------------------------------------------------------------------------------


# runs a command as its only child and prints the peak RSS of it (and of whatever it waited
# for) on a last line of stderr
_MEASURED = (
    "import resource, subprocess, sys; done = subprocess.run(sys.argv[1:]); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); "
    "sys.exit(done.returncode)"
)


def _peak_mib(project, *args: str) -> tuple[subprocess.CompletedProcess, float]:
    """The build's own peak: it runs under a fresh Python whose only child it is. This
    process's RUSAGE_CHILDREN is the largest of every child the test session waited for
    (a pip install of another test's included), never one build's."""
    done = subprocess.run(
        [sys.executable, "-c", _MEASURED, sys.executable, str(REPO / "build.py"), *args],
        cwd=project.root,
        capture_output=True,
        text=True,
        timeout=300,
    )
    *lines, peak = done.stderr.rstrip("\n").split("\n")
    stderr = "".join(line + "\n" for line in lines)
    return subprocess.CompletedProcess(done.args, done.returncode, done.stdout, stderr), (
        int(peak) / 1024
    )


def test_yaml_aliases_in_an_entry_are_refused_with_one_warning(tmp_path):
    project = make_project(tmp_path / "p")
    assert project.build().code == 0
    laughs = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for name, prev in zip("bcdefghi", "abcdefgh"):
        laughs.append(f"{name}: &{name} [{', '.join(['*' + prev] * 9)}]")
    entry = project.content / "2023-W49" / "umerov-meets-stoltenberg-in-brussels.md"
    text = entry.read_text(encoding="utf-8")
    text = text.replace(
        "people: [Rustem Umerov, Jens Stoltenberg, Dmytro Kuleba]",
        "\n".join(laughs) + "\npeople: *i",
    )
    entry.write_text(text, encoding="utf-8")
    assert len("\n".join(laughs)) < 1024  # a kilobyte that expands to 9**9 names
    result, peak = _peak_mib(project)
    assert result.returncode == 0, result.stderr
    lines = _warnings(result.stderr)
    assert len(lines) == 1 and "aliases" in lines[0] and entry.name in lines[0]
    assert entry.read_text(encoding="utf-8") == text  # untouched
    assert peak < 1024


def test_a_million_names_in_an_entry_are_refused_with_one_warning(tmp_path):
    project = make_project(tmp_path / "p")
    assert project.build().code == 0
    entry = project.content / "2023-W49" / "umerov-meets-stoltenberg-in-brussels.md"
    names = ", ".join(f"Person {i}" for i in range(1_000_000))
    entry.write_text(
        entry.read_text(encoding="utf-8").replace(
            "people: [Rustem Umerov, Jens Stoltenberg, Dmytro Kuleba]", f"people: [{names}]"
        ),
        encoding="utf-8",
    )
    result, peak = _peak_mib(project)
    assert result.returncode == 0, result.stderr
    assert len(_warnings(result.stderr)) == 1 and "KB" in result.stderr
    assert peak < 1024


def test_a_long_list_of_names_keeps_the_first_two_hundred_and_says_so(tmp_path):
    project = make_project(tmp_path / "p")
    assert project.build().code == 0
    entry = project.content / "2023-W49" / "umerov-meets-stoltenberg-in-brussels.md"
    names = ", ".join(f"Person Number{i}" for i in range(500))
    entry.write_text(
        entry.read_text(encoding="utf-8").replace(
            "people: [Rustem Umerov, Jens Stoltenberg, Dmytro Kuleba]", f"people: [{names}]"
        ),
        encoding="utf-8",
    )
    result = project.run()
    assert result.returncode == 0
    assert len(_warnings(result.stderr)) == 1 and "first 200" in result.stderr
    assert len(list((project.site / "people").glob("*/index.html"))) >= 200


# --- 5. feeds: page text is plain text to every reader -----------------------------------------


def test_markup_in_page_text_is_never_markup_in_a_feed(tmp_path):
    project = make_project(tmp_path / "p")
    (project.seeds / "000_3a43c9c14ebcedef.txt").write_text(_text_seed(), encoding="utf-8")
    (project.seeds / "evil.html").write_text(_html_seed(), encoding="utf-8")
    assert project.build().code == 0
    feeds = list(project.site.rglob("feed.xml"))
    assert len(feeds) > 3
    seen = 0
    for path in feeds:
        parsed = feedparser.parse(path.read_bytes())
        assert not parsed.bozo, path
        for item in [parsed.feed, *parsed.entries]:
            for key in ("title", "summary", "description"):
                value = item.get(key) or ""
                assert "<" not in value, (path, key, value)  # readers render these as HTML
                seen += "&lt;script&gt;" in value or "&lt;img" in value
            for tag in item.get("tags", []):
                assert "<" not in tag["term"]
    assert seen  # the payloads are in the feeds, as text


# --- 6. one build at a time; workers die with their build; unreadable and full disks -----------


def test_a_second_build_while_one_runs_is_one_line_and_exit_1(tmp_path):
    project = make_project(tmp_path / "p", seeds=[])
    _corpus(project, 150)
    first = _popen(project, "--jobs", "1", "--quiet")
    lock = project.root / ".newsdigest-cache" / "site.lock"
    deadline = time.monotonic() + 60
    while not (lock.exists() and lock.read_text().strip() == str(first.pid)):
        assert time.monotonic() < deadline and first.poll() is None
        time.sleep(0.01)
    second = project.run("--quiet")
    assert second.returncode == 1
    assert (
        second.stderr.count("\n") == 1
        and "another build" in second.stderr
        and str(first.pid) in second.stderr
    )
    assert first.wait(timeout=300) == 0, first.stderr.read()  # type: ignore[union-attr]
    assert project.run("--quiet").returncode == 0
    assert project.run("--quiet", "--strict").returncode == 0


def _children(pid: int) -> list[int]:
    out = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(
                line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line
            )
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(pid):
            out.append(int(status.parent.name))
    return out


@pytest.mark.skipif(
    not Path("/proc/self/status").exists(), reason="needs /proc to list a process's children"
)
def test_pool_workers_exit_when_their_build_is_killed(tmp_path):
    project = make_project(tmp_path / "p", seeds=[])
    _corpus(project, 400)
    proc = subprocess.Popen(
        [sys.executable, str(REPO / "build.py"), "--jobs", "2", "--quiet"],
        cwd=project.root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    workers: list[int] = []
    while time.monotonic() < deadline and proc.poll() is None and len(workers) < 2:
        workers = _children(proc.pid)
        time.sleep(0.02)
    assert len(workers) >= 2, "the build never started its pool"
    proc.kill()  # the build alone: its workers get no signal from us
    proc.wait()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and any(Path(f"/proc/{w}").exists() for w in workers):
        time.sleep(0.1)
    alive = [w for w in workers if Path(f"/proc/{w}").exists() and "Z" not in _state(w)]
    assert alive == []


def _state(pid: int) -> str:
    try:
        return next(
            line
            for line in Path(f"/proc/{pid}/status").read_text().splitlines()
            if line.startswith("State")
        )
    except (OSError, StopIteration):
        return "Z"


def test_an_unreadable_seeds_folder_deletes_none_of_its_entries(tmp_path):
    project = make_project(tmp_path / "p", seeds=[])
    (project.seeds / "batch").mkdir()
    for seed in sorted(SEEDS.glob("*.txt"))[:2]:
        shutil.copy(seed, project.seeds / "batch" / seed.name)
    for seed in sorted(SEEDS.glob("*.txt"))[2:]:
        shutil.copy(seed, project.seeds / seed.name)
    assert project.build().code == 0
    entries = {p: p.read_bytes() for p in project.entries()}
    (project.seeds / "batch").chmod(0)
    try:
        result = _run_as_user(project)
    finally:
        (project.seeds / "batch").chmod(0o755)
    assert result.returncode == 0, result.stderr
    assert {p: p.read_bytes() for p in project.entries()} == entries
    lines = _warnings(result.stderr)
    assert len(lines) == 1 and "seeds/batch/" in lines[0]


def test_an_unreadable_static_file_is_one_warning(tmp_path):
    project = make_project(tmp_path / "p")
    assert project.build().code == 0
    style = project.root / "templates" / "static" / "style.css"
    style.write_text(style.read_text(encoding="utf-8") + "\n/* edited */\n", encoding="utf-8")
    style.chmod(0)
    try:
        result = _run_as_user(project)
    finally:
        style.chmod(0o644)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    lines = _warnings(result.stderr)
    assert len(lines) == 1 and "static/style.css" in lines[0]
    assert (project.site / "static" / "style.css").is_file()


def _mount(*args: str) -> None:
    done = subprocess.run(["mount", *args], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(
            f"cannot mount here ({done.stderr.strip() or done.returncode}): needs root in a "
            f"sandbox that allows it"
        )


def test_a_read_only_site_is_one_line_and_exit_1_and_the_old_site_stays(tmp_path):
    project = make_project(tmp_path / "p")
    assert project.build().code == 0
    before = files(project.site)
    _mount("--bind", str(project.site), str(project.site))
    try:
        _mount("-o", "remount,ro,bind", str(project.site))
        entry = project.entries()[0]
        entry.write_text(entry.read_text(encoding="utf-8") + "\nMore.\n", encoding="utf-8")
        result = project.run()
        assert files(project.site) == before
    finally:
        subprocess.run(["umount", str(project.site)], check=False)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if "error:" in line]
    assert len(errors) == 1 and "Read-only" in errors[0]
    assert project.run().returncode == 0  # writable again: the next build finishes the job


def test_a_full_disk_is_one_line_and_exit_1_and_the_next_build_recovers(tmp_path):
    project = make_project(tmp_path / "p")
    clean = make_project(tmp_path / "clean")
    assert clean.build().code == 0
    project.site.mkdir()
    _mount("-t", "tmpfs", "-o", "size=96k", "tmpfs", str(project.site))
    try:
        result = project.run()
        assert result.returncode == 1, result.stderr
        assert "Traceback" not in result.stderr
        errors = [line for line in result.stderr.splitlines() if "error:" in line]
        assert len(errors) == 1 and "No space left" in errors[0]
        for path in project.site.rglob("*"):  # every file there is whole
            if path.is_file():
                rel = path.relative_to(project.site).as_posix()
                assert (
                    rel.startswith("pagefind")
                    or path.read_bytes() == (clean.site / rel).read_bytes()
                ), rel
        assert not [p for p in project.site.rglob("*.tmp")]
    finally:
        subprocess.run(["umount", str(project.site)], check=False)
    assert project.run().returncode == 0
    assert files(project.site, search=False) == files(clean.site, search=False)

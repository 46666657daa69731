"""--watch and --serve with real parts: a real observer in a real build.py process, real
file edits (temp-then-rename saves, deletes, a burst of 200 seeds), a real HTTP client.
Waits are bounded polls on the site's bytes, never sleeps used as assertions."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from .conftest import REPO, Project, make_project
from .test_parallel_cache import _corpus

TIMEOUT = 60


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Running:
    """build.py --watch/--serve as a child process whose stderr is collected in a thread."""

    def __init__(self, project: Project, *args: str) -> None:
        self.project = project
        self.proc = subprocess.Popen(
            [sys.executable, str(REPO / "build.py"), "--jobs", "1", *args],
            cwd=project.root,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stderr:  # type: ignore[union-attr]
            self.lines.append(line.rstrip("\n"))

    def builds(self) -> int:
        return sum(line.startswith("built ") for line in self.lines)

    def wait_for(self, condition, what: str) -> None:
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            if condition():
                return
            if self.proc.poll() is not None:
                raise AssertionError(
                    f"watcher exited ({self.proc.returncode}) waiting for {what}:\n"
                    + "\n".join(self.lines)
                )
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {what}:\n" + "\n".join(self.lines[-30:]))

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        return self.proc.wait(timeout=30)


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return ""


def _entry(project: Project, stem: str) -> Path:
    return next(p for p in project.entries() if p.stem == stem)


def _save_like_an_editor(path: Path, text: str) -> None:
    """Write a temp file beside it, then rename over it (vim, VS Code, JetBrains do this)."""
    tmp = path.with_name(path.name + ".swp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


@pytest.fixture
def watching(project):
    running = Running(project, "--watch")
    running.wait_for(lambda: running.builds() >= 1, "the first build")
    yield running
    assert running.stop() == 0  # Ctrl-C exits cleanly


def test_entry_edit_saved_by_rename_updates_its_pages(watching, project):
    entry = _entry(project, "umerov-meets-stoltenberg-in-brussels")
    page = project.site / "entries" / entry.stem / "index.html"
    _save_like_an_editor(
        entry,
        entry.read_text(encoding="utf-8").replace(
            "## Article", "## Article\n\nA line the editor added.", 1
        ),
    )
    watching.wait_for(lambda: "A line the editor added." in _text(page), "the entry page to change")
    assert (
        entry.read_text(encoding="utf-8").count("A line the editor added.") == 1
    )  # the edit is kept


def test_deleted_seed_removes_its_pages(watching, project):
    page = (
        project.site
        / "entries"
        / "president-zelensky-met-with-jens-stoltenberg-in-kyv"
        / "index.html"
    )
    assert page.exists()
    (project.seeds / "003_68f8b93d1e7868be.txt").unlink()
    watching.wait_for(lambda: not page.exists(), "the entry page to go")
    watching.wait_for(lambda: "Kyv" not in _text(project.site / "feed.xml"), "the feed to drop it")


def test_burst_of_200_new_seeds_is_debounced_and_nothing_is_missed(watching, project):
    before = watching.builds()
    extra = make_project(project.root.parent / "extra", seeds=[])
    _corpus(extra, 200)
    for seed in sorted(extra.seeds.iterdir()):
        os.replace(seed, project.seeds / seed.name)
    watching.wait_for(lambda: len(project.entries()) >= 205, "all 200 new entries")
    watching.wait_for(
        lambda: (
            (project.site / "entries").is_dir()
            and len(list((project.site / "entries").iterdir())) >= 205
        ),
        "all 200 new pages",
    )
    assert watching.builds() - before <= 4, watching.lines  # one burst, a handful of builds at most


def test_broken_template_warns_keeps_last_site_and_recovers(watching, project):
    template = project.root / "templates" / "person.html"
    good = template.read_text(encoding="utf-8")
    page = project.site / "people" / "jens-stoltenberg" / "index.html"
    before = page.read_bytes()
    template.write_text(good.replace("{% endblock %}", "{% endblok %}", 1), encoding="utf-8")
    watching.wait_for(
        lambda: any(
            "templates/person.html" in line and line.startswith("warning:")
            for line in watching.lines
        ),
        "a warning naming the template",
    )
    assert page.read_bytes() == before  # the last good page stays
    template.write_text(
        good.replace("<h1>{{ person.name }}</h1>", '<h1 class="fixed">{{ person.name }}</h1>'),
        encoding="utf-8",
    )
    watching.wait_for(lambda: 'class="fixed"' in _text(page), "the fixed template to render")


def test_bad_yaml_and_garbage_seed_warn_and_the_loop_goes_on(watching, project):
    entry = _entry(project, "umerov-meets-stoltenberg-in-brussels")
    good = entry.read_text(encoding="utf-8")
    entry.write_text("---\ntitle: [broken\n---\n", encoding="utf-8")
    (project.seeds / "garbage.txt").write_bytes(bytes(range(256)) * 8)
    watching.wait_for(
        lambda: any("seeds/garbage.txt" in line for line in watching.lines),
        "a warning for the seed",
    )
    watching.wait_for(
        lambda: any(f"content/{entry.parent.name}/{entry.name}" in line for line in watching.lines),
        "a warning for the entry",
    )
    entry.write_text(
        good.replace("title: Umerov meets Stoltenberg in Brussels", "title: Umerov is back"),
        encoding="utf-8",
    )
    watching.wait_for(
        lambda: "Umerov is back" in _text(project.site / "entries" / entry.stem / "index.html"),
        "recovery after the fix",
    )


def test_people_yaml_edit_updates_person_pages(watching, project):
    page = project.site / "people" / "jens-stoltenberg" / "index.html"
    (project.root / "people.yaml").write_text(
        "- {name: Jens Stoltenberg, role: Minister of Finance of Norway}\n", encoding="utf-8"
    )
    watching.wait_for(lambda: "Minister of Finance of Norway" in _text(page), "the role to appear")


def test_polling_observer_sees_changes(project):
    running = Running(project, "--watch", "--poll")
    try:
        running.wait_for(lambda: running.builds() >= 1, "the first build")
        entry = _entry(project, "umerov-meets-stoltenberg-in-brussels")
        entry.write_text(
            entry.read_text(encoding="utf-8").replace(
                "title: Umerov meets", "title: Polled, Umerov meets"
            ),
            encoding="utf-8",
        )
        running.wait_for(
            lambda: (
                "Polled, Umerov meets"
                in _text(project.site / "entries" / entry.stem / "index.html")
            ),
            "the polled change",
        )
    finally:
        assert running.stop() == 0


def _get(port: int, path: str) -> tuple[int, dict, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path)
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, dict(response.getheaders()), body


def test_serve_pages_404_types_and_reload_signal(project):
    port = _free_port()
    running = Running(project, "--serve", "--port", str(port))
    try:
        running.wait_for(
            lambda: running.builds() >= 1 and any(str(port) in line for line in running.lines),
            "serving",
        )
        status, headers, body = _get(port, "/")
        assert status == 200 and headers["Content-Type"].startswith("text/html")
        assert (
            b"EventSource" in body
            and b"EventSource" not in (project.site / "index.html").read_bytes()
        )
        assert _get(port, "/weeks/")[0] == 200
        status, headers, body = _get(port, "/no/such/page")
        assert status == 404 and b"Page not found" in body
        assert _get(port, "/feed.xml")[1]["Content-Type"].startswith("application/xml")
        assert _get(port, "/static/style.css")[1]["Content-Type"].startswith("text/css")
        assert _get(port, "/../../etc/passwd")[0] == 404

        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
        conn.request("GET", "/__newsdigest/events")
        events = conn.getresponse()
        assert events.getheader("Content-Type") == "text/event-stream"
        first = events.fp.readline()
        assert first.startswith(b"data: ")
        epoch = int(first.split(b'"epoch": ')[1].split(b",")[0])
        events.fp.readline()
        entry = _entry(project, "umerov-meets-stoltenberg-in-brussels")
        entry.write_text(
            entry.read_text(encoding="utf-8").replace(
                "title: Umerov meets", "title: Served, Umerov meets"
            ),
            encoding="utf-8",
        )
        line = events.fp.readline()
        while not line.startswith(b"data: "):
            line = events.fp.readline()
        assert int(line.split(b'"epoch": ')[1].split(b",")[0]) > epoch
        page = _get(port, f"/entries/{entry.stem}/")[2]
        assert b"Served, Umerov meets" in page  # the rebuild finished before the signal
        conn.close()

        template = project.root / "templates" / "entry.html"
        good = template.read_text(encoding="utf-8")
        template.write_text(good.replace("{% endblock %}", "{% endblok %}", 1), encoding="utf-8")
        running.wait_for(
            lambda: b"The last rebuild warned" in _get(port, "/")[2], "the warning banner"
        )
        assert b"templates/entry.html" in _get(port, "/")[2]
        template.write_text(good, encoding="utf-8")
        running.wait_for(
            lambda: b"The last rebuild warned" not in _get(port, "/")[2], "the banner to clear"
        )
    finally:
        assert running.stop() == 0


def test_serve_on_a_taken_port_is_a_clear_error(project):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = project.run("--serve", "--port", str(port))
    assert result.returncode == 2
    assert f"127.0.0.1:{port}" in result.stderr and "--port" in result.stderr


def test_a_build_after_watch_brings_search_up_to_date_instead_of_trusting_the_stat_check(project):
    """Under --watch the search index is made after the build returns; a plain build run
    later must not replay the watch build's record as if search were done."""
    running = Running(project, "--watch")
    running.wait_for(lambda: running.builds() >= 1, "the first build")
    assert running.stop() == 0
    first = project.run("--verbose")
    assert first.returncode == 0
    assert "stat check" not in first.stderr
    assert (project.site / "pagefind" / "shards.json").is_file()
    assert (project.site / "pagefind" / "0" / "pagefind.js").is_file()
    second = project.run("--verbose")
    assert second.returncode == 0 and "stat check" in second.stderr


def test_ctrl_c_stops_a_watcher_whose_parent_ignored_it(project):
    """A background job of a shell script, or a test runner, may start the watcher with
    SIGINT ignored; Python then installs no KeyboardInterrupt handler of its own, and without
    one of the watcher's Ctrl-C would leave it running for ever."""
    proc = subprocess.Popen(
        [sys.executable, str(REPO / "build.py"), "--watch", "--quiet"],
        cwd=project.root,
        stderr=subprocess.DEVNULL,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )
    try:
        deadline = time.monotonic() + 120
        while not (project.site / "index.html").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(1)  # the watch loop is running
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()

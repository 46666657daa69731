"""The fast paths are correct: parallel equals serial, cached equals clean, Dask equals the
process pool, byte for byte. (Speed itself is measured by bench/, never asserted here.)"""

from __future__ import annotations

import fcntl
import os
import pty
import shutil
import struct
import subprocess
import sys
import termios

import pytest

from .conftest import REPO, Project, make_project
from .conftest import files as _bytes

sys.path.insert(0, str(REPO / "bench"))
from corpus import _registry_names, page  # noqa: E402


def _corpus(project: Project, n: int) -> None:
    names = _registry_names()
    for i in range(n):
        name, text = page(i, names)
        (project.seeds / name).write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def serial(tmp_path_factory):
    project = make_project(tmp_path_factory.mktemp("serial") / "p", seeds=[])
    _corpus(project, 120)
    assert project.build("--jobs", "1").code == 0
    return project


def test_parallel_build_equals_serial_build(serial, tmp_path):
    project = make_project(tmp_path / "p", seeds=[])
    _corpus(project, 120)
    result = project.run("--jobs", "2", "--quiet")  # pools for seeds (>=24) and pages (>=300)
    assert result.returncode == 0, result.stderr
    assert len(list(project.site.rglob("*.html"))) >= 300
    assert _bytes(project.site) == _bytes(serial.site)
    assert _bytes(project.content) == _bytes(serial.content)


def test_chunks_planned_while_the_pool_works_give_the_one_chunk_build(
    serial, tmp_path, monkeypatch
):
    """Sync plans the next chunk of seeds while the pool still cleans the last one. With
    chunks of 50 (two go to the pool, the last 20 run in-process), every seed must still
    end up as the entry a build of one chunk makes, in the same ledger."""
    import newsdigest.sync
    import newsdigest.workers

    monkeypatch.setattr(newsdigest.sync, "CHUNK", 50)
    monkeypatch.setattr(newsdigest.workers, "CHUNK", 50)
    project = make_project(tmp_path / "p", seeds=[])
    _corpus(project, 120)
    assert project.build("--jobs", "2", "--quiet").code == 0
    assert _bytes(project.content) == _bytes(serial.content)
    assert _bytes(project.site) == _bytes(serial.site)


def test_cached_rebuild_after_an_edit_equals_a_clean_build(serial, tmp_path):
    work = tmp_path / "work"
    shutil.copytree(serial.root, work)
    project = Project(work)
    entry = project.entries()[7]
    entry.write_text(
        entry.read_text(encoding="utf-8").replace(
            "## Article", "## Article\n\nAn editor's note.", 1
        ),
        encoding="utf-8",
    )
    (project.seeds / sorted(p.name for p in project.seeds.iterdir())[3]).unlink()
    assert project.build("--jobs", "2").code == 0
    fresh = tmp_path / "fresh"
    shutil.copytree(work, fresh, ignore=shutil.ignore_patterns("site", ".newsdigest-cache"))
    assert Project(fresh).build("--clean").code == 0
    assert _bytes(project.site, search=False) == _bytes(fresh / "site", search=False)
    assert (
        "An editor&#39;s note."
        in (project.site / "entries" / entry.stem / "index.html").read_text()
        or "An editor's note." in (project.site / "entries" / entry.stem / "index.html").read_text()
    )


@pytest.mark.parametrize("edit", ["body", "title"])
def test_an_edited_entry_rebuilds_to_what_a_clean_build_makes(serial, tmp_path, edit):
    """A body-only edit takes the short way (only that entry's page is made); a title edit
    the long way. Either way the site equals a clean build of the same content."""
    work = tmp_path / "work"
    shutil.copytree(serial.root, work)
    project = Project(work)
    assert project.build("--jobs", "1").code == 0
    entry = project.entries()[11]
    text = entry.read_text(encoding="utf-8")
    if edit == "body":
        text = text.replace("## Article", "## Article\n\nA correction was appended.", 1)
    else:
        text = text.replace("title: ", "title: Corrected: ", 1)
    entry.write_text(text, encoding="utf-8")
    result = project.build("--jobs", "1", "--verbose")
    assert result.code == 0
    assert ("their own pages are all there is to make" in result.err) == (edit == "body")
    fresh = tmp_path / "fresh"
    shutil.copytree(work, fresh, ignore=shutil.ignore_patterns("site", ".newsdigest-cache"))
    assert Project(fresh).build("--clean").code == 0
    assert _bytes(project.site, search=False) == _bytes(fresh / "site", search=False)


def test_dask_local_cluster_build_equals_process_pool_build(serial, tmp_path):
    pytest.importorskip("distributed")
    project = make_project(tmp_path / "p", seeds=[])
    _corpus(project, 120)
    result = project.run("--executor", "dask-local", "--jobs", "2", "--quiet")
    assert result.returncode == 0, result.stderr
    assert _bytes(project.site) == _bytes(serial.site)
    assert _bytes(project.content) == _bytes(serial.content)


def _run_in_terminal(project: Project, *args: str) -> str:
    """Run build.py with a real pseudo-terminal as stderr and collect what it printed."""
    leader, follower = pty.openpty()
    fcntl.ioctl(
        follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0)
    )  # a real window size
    proc = subprocess.Popen(
        [sys.executable, str(REPO / "build.py"), *args],
        cwd=project.root,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=follower,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    proc.wait(timeout=300)
    os.close(leader)
    return b"".join(chunks).decode("utf-8", "replace")


def test_progress_bar_on_a_terminal_for_long_builds_and_silent_when_quiet(tmp_path):
    project = make_project(tmp_path / "p", seeds=[])
    _corpus(project, 220)
    shown = _run_in_terminal(project, "--jobs", "2")
    assert "pages:" in shown and "%|" in shown
    assert "built 220 entries" in shown
    shutil.rmtree(project.site)
    shutil.rmtree(project.root / ".newsdigest-cache")
    assert _run_in_terminal(project, "--jobs", "2", "--quiet").strip() == ""

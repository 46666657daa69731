"""The stat check: a build with nothing to do is decided before the tool's heavy half loads,
and it never hides a real change (new bytes, a deleted output, another setting)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from .conftest import FIXTURES, REPO, make_project


def _imports(project, *args: str) -> str:
    """The modules a real `python build.py` run imported (-X importtime lists them)."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", str(REPO / "build.py"), *args],
        cwd=project.root,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stderr


def test_no_change_build_does_not_load_the_heavy_half(project):
    """The one build() decides by the stat check before it imports reading, syncing or
    rendering (and the libraries they need)."""
    first = _imports(project, "--quiet")
    assert "newsdigest.render" in first and "newsdigest.sync" in first  # the first does the work
    trace = _imports(project, "--quiet")
    heavy = ["newsdigest.render", "newsdigest.sync", "newsdigest.reading", "trafilatura", "jinja2"]
    assert not [name for name in heavy if name in trace]


def test_a_changed_seed_is_noticed_after_a_stat_checked_build(project):
    assert project.build().code == 0
    assert project.build().code == 0  # stat-checked
    seed = sorted(project.seeds.iterdir())[0]
    seed.write_bytes(seed.read_bytes().replace(b"Stoltenberg", b"Stoltenbrg", 1))
    result = project.build("--verbose")
    assert result.code == 0
    assert "up to date" not in result.err and "entries made" in result.err
    assert " 1 entries made" in result.err


def test_a_deleted_output_is_restored(project):
    assert project.build().code == 0
    (project.site / "weeks" / "index.html").unlink()
    assert project.build().code == 0
    assert (project.site / "weeks" / "index.html").is_file()


def test_another_base_url_is_a_change(project):
    assert project.build().code == 0
    assert project.build("--base-url", "https://other.example.net/").code == 0
    assert "https://other.example.net/" in (project.site / "feed.xml").read_text(encoding="utf-8")


def test_warnings_are_replayed_and_strict_still_fails(tmp_path):
    project = make_project(tmp_path / "p")
    (project.seeds / "empty.txt").write_text("", encoding="utf-8")
    first = project.build("--strict")
    assert first.code == 1 and "warning: seeds/empty.txt" in first.err
    for _ in range(2):  # the second of these is decided by the stat check
        again = project.build("--strict", "--verbose")
        assert again.code == 1
        assert again.err.count("warning: seeds/empty.txt") == 1
    assert "stat check" in again.err


def test_same_size_rewrite_with_old_mtime_is_noticed(project):
    """Even with the timestamp put back, the inode's ctime (or the racy-file hash) shows it."""
    assert project.build().code == 0
    assert project.build().code == 0
    entry = project.entries()[0]
    st = entry.stat()
    text = entry.read_text(encoding="utf-8")
    edited = text.replace("## Article\n\n", "## Article\n\nZ", 1)[:-1]
    assert len(edited.encode()) == len(text.encode()) and edited != text
    entry.write_text(edited, encoding="utf-8")
    os.utime(entry, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert entry.stat().st_mtime_ns == st.st_mtime_ns and entry.stat().st_size == st.st_size
    result = project.build("--verbose")
    assert result.code == 0 and "stat check" not in result.err
    page = (project.site / "entries" / entry.stem / "index.html").read_text(encoding="utf-8")
    assert "ZForeign Minister" in edited and "ZForeign Minister" in page


def test_an_entry_edit_skips_sync_and_reaches_the_page(tmp_path):
    project = make_project(tmp_path / "p")
    (project.seeds / "empty.txt").write_text("", encoding="utf-8")
    assert project.build().code == 0
    entry = project.entries()[0]
    entry.write_text(
        entry.read_text(encoding="utf-8").replace("## Article", "## Article\n\nWombatglass.", 1),
        encoding="utf-8",
    )
    result = project.build("--verbose")
    assert result.code == 0 and "nothing to sync" in result.err
    assert result.err.count("warning: seeds/empty.txt") == 1  # sync's warning, replayed
    assert "Wombatglass." in (project.site / "entries" / entry.stem / "index.html").read_text(
        encoding="utf-8"
    )


def test_a_deleted_ledger_makes_sync_run_again_without_duplicating_entries(project):
    assert project.build().code == 0
    ledger = project.content / ".newsdigest-ledger.json"
    before, entries = ledger.read_bytes(), project.entries()
    ledger.unlink()
    result = project.build("--verbose")
    assert result.code == 0 and "nothing to sync" not in result.err
    assert ledger.read_bytes() == before  # each seed re-adopts its own, unchanged entry
    assert project.entries() == entries and "is taken by" not in result.err


def _monitor_case(tmp_path):
    from newsdigest.config import load_config
    from newsdigest.unchanged import Monitor

    project = make_project(tmp_path / "p")
    assert project.build().code == 0
    from newsdigest.cli import _paths, parser

    paths = _paths(parser().parse_args([]), project.root)
    return project, paths, load_config(paths.pyproject, {}), Monitor()


def _same_as_full_scan(paths, config, monitor) -> None:
    """Same stamps as a full scan finds (the digests may differ by order alone, which at
    worst makes a build run that did not need to)."""
    from newsdigest.unchanged import _stamps

    _, content = monitor.snapshots(paths, config)
    assert content.stamps == _stamps(paths, "content")
    assert monitor._stamps["sources"] == _stamps(paths, "sources")


def test_monitor_stamps_equal_a_full_scan_after_every_kind_of_event(tmp_path):
    """Under --watch the stat check stats only the paths the watcher named: after edits,
    new and deleted files, folders made, moved and deleted, and settings files coming and
    going, what it knows must be exactly what a full scan finds."""

    project, paths, config, monitor = _monitor_case(tmp_path)
    _same_as_full_scan(paths, config, monitor)  # the first check scans in full
    entry = sorted(project.content.rglob("*.md"))[0]
    seed = sorted(project.seeds.iterdir())[0]
    week = entry.parent
    changes = []
    entry.write_text(entry.read_text(encoding="utf-8") + "\nEdited.\n", encoding="utf-8")
    changes.append(entry)
    (project.seeds / "new.txt").write_text("New seed.\n", encoding="utf-8")
    changes.append(project.seeds / "new.txt")
    seed.unlink()
    changes.append(seed)
    nested = project.content / "2030-W01"
    nested.mkdir()
    (nested / "a.md").write_text("---\ntitle: A\n---\n", encoding="utf-8")
    (nested / "b.md").write_text("---\ntitle: B\n---\n", encoding="utf-8")
    changes.append(nested)  # a new folder: watchdog may report only the folder
    moved = project.content / "moved-week"
    week.rename(moved)
    changes += [week, moved]
    (project.root / "people.yaml").write_text("- name: Ada Lovelace\n", encoding="utf-8")
    changes.append(project.root / "people.yaml")
    (project.root / "templates" / "extra.html").write_text("x", encoding="utf-8")
    changes.append(project.root / "templates" / "extra.html")
    (project.root / "site" / "ignored.html").write_text("x", encoding="utf-8")  # not an input
    changes.append(project.root / "site" / "ignored.html")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "x.md").write_text("---\ntitle: X\n---\n", encoding="utf-8")
    (project.content / "out.md").symlink_to(outside / "x.md")  # a link out: never read
    (project.content / "out-folder").symlink_to(outside, target_is_directory=True)
    (project.seeds / "out.txt").symlink_to(outside / "x.md")
    changes += [
        project.content / "out.md",
        project.content / "out-folder",
        project.seeds / "out.txt",
    ]
    for path in changes:
        monitor.changed(str(path))
    _same_as_full_scan(paths, config, monitor)
    shutil.rmtree(moved)
    (project.root / "people.yaml").unlink()
    monitor.changed(str(moved))
    monitor.changed(str(project.root / "people.yaml"))
    _same_as_full_scan(paths, config, monitor)


def test_monitor_without_an_event_does_not_see_a_change(tmp_path):
    """The converse, to show the test above tests something: the monitor trusts its events."""
    from newsdigest.unchanged import take

    project, paths, config, monitor = _monitor_case(tmp_path)
    monitor.snapshots(paths, config)
    entry = sorted(project.content.rglob("*.md"))[0]
    entry.write_text(entry.read_text(encoding="utf-8") + "\nEdited.\n", encoding="utf-8")
    _, content = monitor.snapshots(paths, config)
    assert content.stamps != take(paths, config, "content").stamps


def test_monitor_scans_in_full_after_a_burst_too_big_to_trust(tmp_path):
    project, paths, config, monitor = _monitor_case(tmp_path)
    monitor.snapshots(paths, config)
    entry = sorted(project.content.rglob("*.md"))[0]
    entry.write_text(
        entry.read_text(encoding="utf-8") + "\nEdited.\n", encoding="utf-8"
    )  # its event "lost"
    for n in range(monitor.FULL_SCAN_ABOVE + 1):
        monitor.changed(str(project.seeds / f"missing-{n}.txt"))
    _same_as_full_scan(paths, config, monitor)


def test_a_check_before_the_events_of_syncs_own_writes_still_sees_its_entries(tmp_path):
    """Under --watch the watcher's events name the tool's own writes too, but they may come
    after the next check (a loaded machine) or not at all: the entry sync wrote must still
    be in the next build, which must equal a clean build of the same inputs."""
    from newsdigest.log import Log
    from newsdigest.model import BuildOptions
    from newsdigest.pipeline import build

    from .conftest import inputs_copy, same_as_clean

    project, paths, config, monitor = _monitor_case(tmp_path)

    def rebuild(*changed: Path):
        for path in changed:
            monitor.changed(str(path))  # the user's own change only
        return build(paths, config, BuildOptions(), Log(quiet=True), monitor=monitor)

    first = rebuild()
    seed = project.seeds / "extra.txt"
    shutil.copy(sorted((FIXTURES / "pages").glob("*.txt"))[0], seed)
    assert rebuild(seed).entries == first.entries + 1
    entry = sorted(project.content.rglob("*.md"))[0]
    entry.write_text(entry.read_text(encoding="utf-8") + "\nEdited.\n", encoding="utf-8")
    clean = inputs_copy(project, tmp_path / "clean")
    assert rebuild(entry).entries == first.entries + 1
    assert clean.run().returncode == 0
    same_as_clean(project, clean)

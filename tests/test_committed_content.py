"""The committed content/ is exactly what the tool makes from seeds/ today (entries + ledger)."""

from __future__ import annotations

from .conftest import REPO, make_project


def test_committed_content_is_current(tmp_path):
    project = make_project(tmp_path / "p")
    assert project.build("--quiet").code == 0
    made = {
        p.relative_to(project.content).as_posix(): p.read_bytes()
        for p in project.content.rglob("*")
        if p.is_file()
    }
    committed = {
        p.relative_to(REPO / "content").as_posix(): p.read_bytes()
        for p in (REPO / "content").rglob("*")
        if p.is_file()
    }
    assert made.keys() == committed.keys()
    stale = [name for name in made if made[name] != committed[name]]
    assert stale == [], "run `python build.py` and commit content/"

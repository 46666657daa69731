"""Safe with the user's data: mistyped or overlapping paths, links out of the project's
folders, text no feed or page may hold, odd file names, moved entries. Each test attacks
the real CLI on real files and checks that nothing the user had was lost or published."""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET

import feedparser
import pytest
import yaml

from .conftest import SEEDS, files, make_project, snapshot

SECRET = "TOP-SECRET-PASSPHRASE-4711"


def _everything(project) -> dict:
    """The bytes of every file in the project (seeds, content, site, templates, settings)."""
    return files(project.root)


def _warnings(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("warning:")]


# --- 1. paths are checked before anything is touched -----------------------------------------


def test_a_missing_seeds_folder_is_exit_2_and_deletes_nothing(tmp_path):
    project = make_project(tmp_path / "p")
    assert project.build().code == 0
    before = _everything(project)
    for args in (
        ["--seeds", "seeds-typo"],
        ["--seeds", "seeds-typo", "--strict"],
        ["--seeds", "pyproject.toml"],
    ):
        result = project.run(*args)
        assert result.returncode == 2, result.stderr
        assert len(result.stderr.strip().splitlines()) == 1 and "seeds" in result.stderr
    assert _everything(project) == before


def test_an_empty_seeds_folder_retires_nothing_without_prune(tmp_path):
    project = make_project(tmp_path / "p")
    assert project.build().code == 0
    entries = {p: p.read_bytes() for p in project.entries()}
    pages = files(project.site)
    (project.root / "empty").mkdir()
    strict = project.run("--seeds", "empty", "--strict")
    assert strict.returncode == 1
    assert len(_warnings(strict.stderr)) == 1 and "--prune" in strict.stderr
    assert {p: p.read_bytes() for p in project.entries()} == entries
    assert files(project.site) == pages
    again = project.run("--seeds", "empty")  # the records are kept: the next build says it again
    assert again.returncode == 0 and len(_warnings(again.stderr)) == 1
    pruned = project.run("--seeds", "empty", "--prune")
    assert pruned.returncode == 0, pruned.stderr
    assert project.entries() == []


def test_losing_more_than_half_of_the_seeds_at_once_needs_prune(tmp_path):
    project = make_project(tmp_path / "p")
    assert project.build().code == 0
    for seed in sorted(project.seeds.iterdir())[:3]:
        seed.unlink()
    result = project.build()
    assert result.code == 0 and "3 of 5 entries" in result.err
    assert len(project.entries()) == 5
    assert project.build("--strict").code == 1
    assert project.build("--prune").code == 0
    assert len(project.entries()) == 2


@pytest.mark.parametrize(
    "args",
    [
        ["--site", "seeds", "--clean"],
        ["--site", ".", "--clean"],
        ["--site", "..", "--clean"],
        ["--site", "content"],
        ["--content", "site"],
        ["--content", "seeds/inner"],
        ["--seeds", "content"],
        ["--seeds", "."],
        ["--templates", "site"],
        ["--site", "templates/static", "--clean"],
        ["--site", "pyproject.toml"],
    ],
)
def test_overlapping_or_wrong_folders_are_exit_2_and_delete_nothing(tmp_path, args):
    project = make_project(tmp_path / "p")
    assert project.build().code == 0
    before = files(tmp_path)
    result = project.run(*args)
    assert result.returncode == 2, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert files(tmp_path) == before


@pytest.mark.parametrize("port", ["99999", "-1", "65536", "eighty"])
def test_a_port_out_of_range_is_exit_2_with_one_line(tmp_path, port):
    project = make_project(tmp_path / "p")
    result = project.run("--serve", "--port", port)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "--port" in result.stderr
    assert not project.site.exists()


# --- 2. nothing outside the project's folders is read or written -----------------------------


def _secret_file(tmp_path):
    outside = tmp_path / "private"
    outside.mkdir()
    secret = outside / "notes.txt"
    text = (SEEDS / "000_3a43c9c14ebcedef.txt").read_text(encoding="utf-8")
    secret.write_text(text.replace("Umerov", f"Umerov {SECRET}"), encoding="utf-8")
    return secret


def _published(project) -> str:
    return "\n".join(
        data.decode("utf-8", "replace")
        for data in [*files(project.site).values(), *files(project.content).values()]
    )


def test_a_seed_linked_to_a_file_outside_seeds_is_skipped_and_named(tmp_path):
    project = make_project(tmp_path / "p")
    secret = _secret_file(tmp_path)
    (project.seeds / "leak.txt").symlink_to(secret)
    (project.seeds / "env.txt").symlink_to("/proc/self/environ")
    result = project.build()
    assert result.code == 0
    lines = _warnings(result.err)
    assert any("seeds/leak.txt" in line for line in lines) and any(
        "seeds/env.txt" in line for line in lines
    )
    assert SECRET not in result.err and SECRET not in _published(project)
    assert len(project.entries()) == 5
    assert project.build("--strict").code == 1


def test_a_link_inside_seeds_to_another_seed_is_followed_and_a_link_loop_ends(tmp_path):
    project = make_project(tmp_path / "p")
    (project.seeds / "again").symlink_to(project.seeds, target_is_directory=True)  # a loop
    (project.seeds / "sub").mkdir()
    (project.seeds / "sub" / "up").symlink_to("..", target_is_directory=True)  # another
    result = project.run("--quiet")
    assert result.returncode == 0, result.stderr
    assert len(project.entries()) == 5  # each seed once


def test_an_entry_linked_to_a_file_outside_content_is_not_published(tmp_path):
    project = make_project(tmp_path / "p")
    assert project.build().code == 0
    outside = tmp_path / "private"
    outside.mkdir()
    entry = project.entries()[0].read_text(encoding="utf-8")
    (outside / "x.md").write_text(entry.replace("title: ", f"title: {SECRET} "), encoding="utf-8")
    (project.content / "2024-W01").mkdir()
    (project.content / "2024-W01" / "leak.md").symlink_to(outside / "x.md")
    result = project.build()
    assert result.code == 0
    assert any(
        "content/2024-W01/leak.md" in line and "outside" in line for line in _warnings(result.err)
    )
    assert SECRET not in files(project.site).__repr__()


def test_a_site_folder_linked_out_of_site_is_never_written_through(tmp_path):
    project = make_project(tmp_path / "p")
    assert project.build().code == 0
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_text("mine")
    people = project.site / "people"
    for path in sorted(people.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    people.rmdir()
    people.symlink_to(elsewhere, target_is_directory=True)
    (project.seeds / "001_49ba64035379b499.txt").unlink()  # a person's pages would be removed...
    result = project.build()
    assert result.code == 0
    assert any("site/people" in line and "symbolic link" in line for line in _warnings(result.err))
    assert sorted(p.name for p in elsewhere.rglob("*")) == ["keep.txt"]  # ... and new ones written
    assert (project.site / "index.html").is_file()


def test_a_content_week_folder_linked_out_of_content_is_never_written_through(tmp_path):
    project = make_project(tmp_path / "p")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    project.content.mkdir()
    (project.content / "2023-W49").symlink_to(elsewhere, target_is_directory=True)
    result = project.build()
    assert result.code == 0
    assert any("content/2023-W49" in line for line in _warnings(result.err))
    assert list(elsewhere.iterdir()) == []
    assert len(project.entries()) == 4


# --- 3. any text any page can hold is safe to publish -----------------------------------------

_CONTROLS = "".join(chr(c) for c in (*range(1, 9), 11, 12, *range(14, 32), 127)) + "\ufffe\uffff"


def _feeds_and_sitemap_are_valid_xml(site) -> None:
    for path in [*site.rglob("feed.xml"), site / "sitemap.xml"]:
        ET.fromstring(path.read_bytes())  # raises on any character XML forbids
        if path.name == "feed.xml":
            assert not feedparser.parse(path.read_bytes()).bozo, path


def test_control_characters_in_a_seed_build_and_every_output_is_valid(tmp_path):
    project = make_project(tmp_path / "p")
    path = project.seeds / "000_3a43c9c14ebcedef.txt"
    text = path.read_text(encoding="utf-8")
    dirty = text.replace(
        "Umerov meets Stoltenberg", f"Umerov\x1b[31m meets\x00 Stoltenberg{_CONTROLS}", 1
    )
    dirty = dirty.replace("Defense Minister", "Defense\x07 Minister\x1b") + "\x00" * 3
    path.write_bytes(dirty.encode("utf-8", "surrogatepass"))
    result = project.run("--strict")
    assert result.returncode == 0, result.stderr
    assert len(project.entries()) == 5
    _feeds_and_sitemap_are_valid_xml(project.site)
    for entry in project.entries():
        text = entry.read_text(encoding="utf-8")
        assert not any(ch in text for ch in "\x00\x1b\x07")
        yaml.safe_load(text.split("---\n")[1])
    assert "Umerov[31m meets Stoltenberg" in (project.site / "feed.xml").read_text(encoding="utf-8")


def test_a_seed_name_that_is_not_utf8_or_has_controls_builds(tmp_path):
    project = make_project(tmp_path / "p")
    source = (project.seeds / "000_3a43c9c14ebcedef.txt").read_bytes()
    (project.seeds / "000_3a43c9c14ebcedef.txt").unlink()
    odd = os.fsencode(project.seeds) + b"/caf\xe9\x1b\x01 page.txt"
    with open(odd, "wb") as handle:
        handle.write(source)
    result = project.run("--strict")
    assert result.returncode == 0, result.stderr
    assert len(project.entries()) == 5
    _feeds_and_sitemap_are_valid_xml(project.site)
    seeds = [
        yaml.safe_load(p.read_text(encoding="utf-8").split("---\n")[1])["seed"]
        for p in project.entries()
    ]
    assert "caf\\xe9\\x1b\\x01 page.txt" in seeds
    second = project.run("--strict")  # and it is known next time: nothing made again
    assert second.returncode == 0 and "0 entries made" in second.stderr


def test_a_hand_edited_entry_with_escaped_controls_and_an_odd_file_name_builds(tmp_path):
    project = make_project(tmp_path / "p")
    assert project.build().code == 0
    entry = project.entries()[0]
    text = entry.read_text(encoding="utf-8").replace(
        "title: ", 'title: "\\e[1m\\x01Hand \\x0b edited" #', 1
    )
    odd = os.fsencode(entry.parent) + b"/hand \xff?#edit.md"
    with open(odd, "wb") as handle:
        handle.write(text.encode("utf-8"))
    entry.unlink()
    result = project.run("--strict")
    assert result.returncode == 0, result.stderr
    _feeds_and_sitemap_are_valid_xml(project.site)
    pages = sorted(p.parent.name for p in project.site.glob("entries/*/index.html"))
    assert "hand-xff-edit" in pages, pages  # a page name every link can carry
    assert "[1mHand edited" in (
        project.site / "entries" / "hand-xff-edit" / "index.html"
    ).read_text(encoding="utf-8")


def test_one_page_that_cannot_be_rendered_is_one_warning_and_the_rest_is_written(tmp_path):
    project = make_project(tmp_path / "p")
    template = project.root / "templates" / "entry.html"
    template.write_text(
        template.read_text(encoding="utf-8").replace(
            "{% block main %}",
            "{% block main %}{% if 'Umerov' in entry.title %}{{ 1 // 0 }}{% endif %}",
            1,
        ),
        encoding="utf-8",
    )
    result = project.run()
    assert result.returncode == 0, result.stderr
    lines = _warnings(result.stderr)
    assert (
        len(lines) == 1 and "content/2023-W49/umerov-meets-stoltenberg-in-brussels.md" in lines[0]
    )
    assert "ZeroDivisionError" in lines[0]
    assert not (project.site / "entries" / "umerov-meets-stoltenberg-in-brussels").exists()
    assert len(list(project.site.glob("entries/*/index.html"))) == 4
    assert (project.site / "feed.xml").is_file() and (project.site / "index.html").is_file()
    assert project.run("--strict").returncode == 1


# --- 5. moves are respected --------------------------------------------------------------------


def _change_seed(project, seed="000_3a43c9c14ebcedef.txt"):
    path = project.seeds / seed
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "The two also discussed reform efforts in Ukraine",
            "The two ministers also discussed reform efforts",
        ),
        encoding="utf-8",
    )


def test_a_moved_and_renamed_entry_keeps_its_seed_and_is_never_written_twice(tmp_path):
    project = make_project(tmp_path / "p")
    assert project.build().code == 0
    entry = project.root / "content" / "2023-W49" / "umerov-meets-stoltenberg-in-brussels.md"
    (project.content / "by-hand").mkdir()
    moved = project.content / "by-hand" / "umerov-in-brussels.md"
    entry.rename(moved)
    _change_seed(project)
    result = project.build()
    assert result.code == 0, result.err
    naming = [
        p for p in project.entries() if "000_3a43c9c14ebcedef.txt" in p.read_text(encoding="utf-8")
    ]
    assert naming == [moved]  # followed, refreshed in place, no second copy
    assert "The two ministers also discussed" in moved.read_text(encoding="utf-8")
    assert (project.site / "entries" / "umerov-in-brussels" / "index.html").is_file()
    assert not (project.site / "entries" / "umerov-meets-stoltenberg-in-brussels").exists()


def test_a_moved_entry_edited_by_hand_is_kept_when_its_seed_changes(tmp_path):
    project = make_project(tmp_path / "p")
    assert project.build().code == 0
    entry = project.root / "content" / "2023-W49" / "umerov-meets-stoltenberg-in-brussels.md"
    moved = project.content / "2023-W49" / "umerov-edited.md"
    edited = entry.read_text(encoding="utf-8") + "\nAn editor's note.\n"
    moved.write_text(edited, encoding="utf-8")
    entry.unlink()
    _change_seed(project)
    result = project.build()
    assert result.code == 0
    assert moved.read_text(encoding="utf-8") == edited
    assert [
        p for p in project.entries() if "000_3a43c9c14ebcedef.txt" in p.read_text(encoding="utf-8")
    ] == [moved]
    assert "edited by hand" in result.err


def test_a_moved_pristine_entry_is_retired_with_its_seed(tmp_path):
    project = make_project(tmp_path / "p")
    assert project.build().code == 0
    entry = project.root / "content" / "2023-W49" / "umerov-meets-stoltenberg-in-brussels.md"
    moved = project.content / "moved.md"
    entry.rename(moved)
    (project.seeds / "000_3a43c9c14ebcedef.txt").unlink()
    assert project.build().code == 0
    assert not moved.exists() and len(project.entries()) == 4


def test_nothing_is_rewritten_when_an_entry_was_only_moved(tmp_path):
    project = make_project(tmp_path / "p")
    assert project.build().code == 0
    entry = project.root / "content" / "2023-W49" / "umerov-meets-stoltenberg-in-brussels.md"
    moved = project.content / "moved.md"
    entry.rename(moved)
    before = snapshot(project.content)
    assert project.build().code == 0
    after = snapshot(project.content)
    assert after == before  # the seed is unchanged: the move is simply respected

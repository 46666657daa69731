"""Incremental and atomic: nothing rewritten when nothing changed, removals propagate,
clean builds are byte-identical."""

from __future__ import annotations

import feedparser

from .conftest import make_project, snapshot


def test_no_change_rebuild_writes_no_file(project):
    assert project.build().code == 0
    before_site, before_content = snapshot(project.site), snapshot(project.content)
    result = project.build("--verbose")
    assert result.code == 0
    assert snapshot(project.site) == before_site  # same inodes, mtimes and bytes
    assert snapshot(project.content) == before_content
    assert "wrote " not in result.err


def test_two_clean_builds_are_byte_identical(tmp_path):
    a, b = make_project(tmp_path / "a"), make_project(tmp_path / "b")
    assert a.build().code == 0 and b.build("--clean").code == 0
    strip = lambda snap: {k: v[2] for k, v in snap.items()}  # noqa: E731
    assert strip(snapshot(a.site)) == strip(snapshot(b.site))
    assert strip(snapshot(a.content)) == strip(snapshot(b.content))


def test_clean_flag_rebuilds_the_same_site_and_keeps_files_it_did_not_make(project):
    assert project.build().code == 0
    before = {k: v[2] for k, v in snapshot(project.site).items()}
    (project.site / "CNAME").write_text("digest.example.org\n")  # put there by hand, for the host
    assert project.build("--clean").code == 0
    after = {k: v[2] for k, v in snapshot(project.site).items()}
    assert after.pop("CNAME") == b"digest.example.org\n"
    assert after == before


def test_removed_seed_removes_its_entry_pages_and_list_items(project):
    assert project.build().code == 0
    (project.seeds / "001_49ba64035379b499.txt").unlink()
    assert project.build().code == 0
    slug = "kuleba-meets-with-stoltenberg-discusses-euro-atlantic-defense-industry"
    assert not list(project.content.rglob(f"{slug}.md"))
    assert not (project.site / "entries" / slug).exists()
    assert not (project.site / "weeks" / "2023-W48").exists()
    assert not (project.site / "people" / "antony-blinken").exists()  # named only there
    assert "2023-W48" not in (project.site / "weeks" / "index.html").read_text()
    for feed in ["feed.xml", "people/jens-stoltenberg/feed.xml", "people/dmytro-kuleba/feed.xml"]:
        titles = [e.title for e in feedparser.parse((project.site / feed).read_bytes()).entries]
        assert titles and not any("Kuleba meets" in t for t in titles)
    assert "kuleba-meets" not in (project.site / "sitemap.xml").read_text()


def test_removed_entry_removes_its_pages_and_is_not_regenerated(project):
    assert project.build().code == 0
    entry = next(p for p in project.entries() if p.stem == "umerov-meets-stoltenberg-in-brussels")
    entry.unlink()
    assert project.build().code == 0
    assert not entry.exists()
    assert not (project.site / "entries" / entry.stem).exists()
    assert not (project.site / "people" / "rustem-umerov").exists()
    assert "Umerov meets" not in (project.site / "feed.xml").read_text()


def test_new_seed_joins_the_lists(project):
    moved = project.seeds / "003_68f8b93d1e7868be.txt"
    data = moved.read_bytes()
    moved.unlink()
    assert project.build().code == 0
    assert "Kyv" not in (project.site / "people" / "jens-stoltenberg" / "feed.xml").read_text()
    moved.write_bytes(data)
    assert project.build().code == 0
    assert (project.site / "weeks" / "2024-W18" / "index.html").exists()
    assert "Kyv" in (project.site / "people" / "jens-stoltenberg" / "feed.xml").read_text()


def test_template_change_rerenders_pages_using_it(project):
    assert project.build().code == 0
    before = snapshot(project.site)
    tpl = project.root / "templates" / "person.html"
    tpl.write_text(
        tpl.read_text().replace(
            "<h1>{{ person.name }}</h1>", '<h1 class="who">{{ person.name }}</h1>'
        )
    )
    assert project.build().code == 0
    after = snapshot(project.site)
    changed = {k for k in after if after[k][2] != before.get(k, (0, 0, b""))[2]}
    assert changed and all(k.startswith("people/") and k.endswith("index.html") for k in changed)
    assert "people/index.html" not in changed


def test_edit_rerenders_only_the_pages_that_show_the_entry(project):
    assert project.build().code == 0
    entry = next(p for p in project.entries() if p.stem == "umerov-meets-stoltenberg-in-brussels")
    entry.write_text(
        entry.read_text(encoding="utf-8").replace("## Article", "## Article\n\nEditor's note.", 1),
        encoding="utf-8",
    )
    result = project.build("--verbose")
    written = sorted(
        line.split("site/")[1].split(" ")[0]
        for line in result.err.splitlines()
        if line.startswith("wrote ")
    )
    assert written == [
        f"entries/{entry.stem}/index.html"
    ]  # the body changed; lists show only front matter


def test_failed_page_is_retried_and_rewarned_until_fixed(project):
    assert project.build().code == 0
    template = project.root / "templates" / "week.html"
    good = template.read_text()
    template.write_text(
        good.replace("{{ week.label }}</h1>", "{{ week.label | nosuchfilter }}</h1>")
    )
    assert "templates/week.html" in project.build().err
    assert (
        "templates/week.html" in project.build().err
    )  # nothing else changed: still retried, still said
    template.write_text(good)
    result = project.build()
    assert result.code == 0 and "warning:" not in result.err

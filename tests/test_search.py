"""What counts as a change to the search index: the text and the attributes Pagefind reads
inside the indexed element, never classes, wrappers or anything outside it."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from newsdigest.log import Log
from newsdigest.render import MANIFEST
from newsdigest.search import SearchIndex, pages_in_manifest, search_key, shard_count, shard_of
from newsdigest.state import State

from .conftest import Project

PAGE = (
    b'<html><nav>menu</nav><article class="entry" data-pagefind-body><h1>Title</h1><p>Body '
    b"text</p></article>"
    b"<footer>Footer</footer></html>"
)


def _key(html: bytes) -> str | None:
    return search_key("entries/x/index.html", html)


def test_classes_wrappers_and_chrome_do_not_change_the_key():
    same = [
        PAGE.replace(b"<h1>", b'<h1 class="title">'),
        PAGE.replace(b"<footer>Footer", b"<footer>Another footer"),
        PAGE.replace(b"<nav>menu", b"<nav>other menu"),
        PAGE.replace(b"<p>Body text</p>", b'<p class="lead" style="x">Body text</p>'),
    ]
    assert all(_key(page) == _key(PAGE) for page in same)


def test_text_headings_and_pagefind_attributes_change_the_key():
    different = [
        PAGE.replace(b"Body text", b"Body text, corrected"),
        PAGE.replace(b"<h1>Title</h1>", b"<h2>Title</h2>"),
        PAGE.replace(b"<h1>", b'<h1 id="top">'),
        PAGE.replace(b"<p>", b"<p data-pagefind-ignore>"),
        PAGE.replace(b"<p>Body text</p>", b'<p>Body text<img alt="A map"></p>'),
    ]
    assert len({_key(page) for page in different} | {_key(PAGE)}) == len(different) + 1


def test_only_entry_pages_are_indexed():
    assert search_key("people/x/index.html", PAGE) is None
    assert search_key("entries/x/index.html", PAGE) is not None


def test_a_template_edit_to_markup_only_reindexes_nothing(project):
    assert project.build().code == 0
    entry_json = project.site / "pagefind" / "0" / "pagefind-entry.json"
    before = entry_json.stat().st_mtime_ns
    template = project.root / "templates" / "entry.html"
    template.write_text(
        template.read_text(encoding="utf-8").replace("<h1>", '<h1 class="headline">', 1),
        encoding="utf-8",
    )
    result = project.build("--verbose")
    assert result.code == 0 and "wrote site/entries/" in result.err  # every entry page changed ...
    assert "search index" not in result.err  # ... but not what search reads
    assert entry_json.stat().st_mtime_ns == before


def _sharded(project: Project, shard_pages: int = 2) -> None:
    with open(project.root / "pyproject.toml", "a", encoding="utf-8") as handle:
        handle.write(f"search_shard_pages = {shard_pages}\n")


def _indexed_urls(bundle: Path) -> list[str]:
    """The page URLs one Pagefind bundle holds, read from its (gzipped JSON) fragments."""
    urls = []
    for fragment in sorted((bundle / "fragment").glob("*.pf_fragment")):
        data = gzip.decompress(fragment.read_bytes())
        urls.append(json.loads(data[data.index(b"{") :])["url"])
    return urls


def _shards(project: Project) -> dict[str, list[str]]:
    listing = json.loads((project.site / "pagefind" / "shards.json").read_text(encoding="utf-8"))
    return {name: _indexed_urls(project.site / "pagefind" / name) for name in listing["shards"]}


def _entry_urls(project: Project) -> list[str]:
    return sorted(
        f"/{p.parent.relative_to(project.site).as_posix()}/"
        for p in project.site.glob("entries/*/index.html")
    )


def test_shard_count_is_a_power_of_two_that_changes_only_when_the_site_doubles():
    assert [shard_count(n, 4000) for n in (0, 1, 4000, 4001, 8000, 8001, 100_000)] == [
        1,
        1,
        1,
        2,
        2,
        4,
        32,
    ]
    pages = [f"entries/e{i}/index.html" for i in range(4000)]
    spread = [sum(1 for rel in pages if shard_of(rel, 4) == n) for n in range(4)]
    assert min(spread) > 800 and [shard_of(rel, 4) for rel in pages] == [
        shard_of(rel, 4) for rel in pages
    ]


def test_a_sharded_index_holds_every_entry_exactly_once(project):
    _sharded(project)
    assert project.build().code == 0
    shards = _shards(project)
    found = [url for urls in shards.values() for url in urls]
    assert len(shards) > 1 and all(shards.values())
    assert sorted(found) == _entry_urls(project)  # each entry once, none missing


def test_a_large_change_rebuilds_only_the_shards_it_touches(project):
    """Past the delta's limit, the shard holding the edited entry is re-indexed and the delta
    emptied; every other shard keeps its files as they were."""
    _sharded(project)
    assert project.build().code == 0
    entry = next(p for p in project.entries() if p.stem == "umerov-meets-stoltenberg-in-brussels")
    entry.write_text(
        entry.read_text(encoding="utf-8").replace("## Article", "## Article\n\nQuokkafeather.", 1),
        encoding="utf-8",
    )
    assert project.build().code == 0  # one change: the delta holds it
    assert (
        json.loads((project.site / "pagefind-recent" / "replaced.json").read_text())["index"]
        is True
    )
    base = project.site / "pagefind"
    before = _inodes(base)
    pages = pages_in_manifest(_outputs(project))
    count = State(project.root / ".newsdigest-cache" / "site").fact("search-base")["shards"]
    dirty = str(shard_of("entries/umerov-meets-stoltenberg-in-brussels/index.html", count))
    SearchIndex(
        project.site, project.root / ".newsdigest-cache" / "site", Log(quiet=True), 2, rebuild_min=0
    ).update(pages)
    after = _inodes(base)
    kept = {rel for rel in before if rel.split("/")[0] not in (dirty, "shards.json")}
    assert kept and all(after.get(rel) == before[rel] for rel in kept)
    assert any(before.get(rel) != ino for rel, ino in after.items() if rel.split("/")[0] == dirty)
    replaced = json.loads((project.site / "pagefind-recent" / "replaced.json").read_text())
    assert replaced == {"index": False, "replaced": []}
    shards = _shards(project)
    assert sorted(url for urls in shards.values() for url in urls) == _entry_urls(project)
    text = b"".join(
        gzip.decompress(f.read_bytes())
        for f in (project.site / "pagefind" / dirty).rglob("*.pf_fragment")
    )
    assert b"Quokkafeather" in text


def _inodes(folder: Path) -> dict[str, int]:
    return {
        p.relative_to(folder).as_posix(): p.stat().st_ino for p in folder.rglob("*") if p.is_file()
    }


def _outputs(project: Project) -> dict:
    state = State(project.root / ".newsdigest-cache" / "site")
    assert state.fact(MANIFEST) is not None
    return state.table("outputs").load()


def test_a_pagefind_failure_is_one_warning_and_leaves_no_half_index(tmp_path):
    """An index Pagefind cannot build (here: a page with no text) costs one warning naming
    site/pagefind; nothing half-built is swapped in, and the build goes on."""
    site, cache = tmp_path / "site", tmp_path / "cache"
    (site / "entries" / "empty").mkdir(parents=True)
    (site / "entries" / "empty" / "index.html").write_bytes(b"")
    log = Log(quiet=True)
    SearchIndex(site, cache, log, 4000).update({"entries/empty/index.html": "k"})
    assert [(w.file, "search index not built" in w.message) for w in log.warnings] == [
        ("site/pagefind", True)
    ]
    assert not (site / "pagefind").exists() and not list(site.glob(".pagefind*"))


def _page(site: Path, slug: str, text: str) -> str:
    """An entry page as the site has it, replaced the way the renderer replaces one (a rename,
    so a new inode)."""
    rel = f"entries/{slug}/index.html"
    (site / rel).parent.mkdir(parents=True, exist_ok=True)
    tmp = site / f"{rel}.tmp"
    tmp.write_text(
        f'<!doctype html><html lang="en"><head><title>{slug}</title></head><body>'
        f"<article data-pagefind-body><h1>{slug}</h1><p>{text}</p></article></body></html>",
        encoding="utf-8",
    )
    tmp.replace(site / rel)
    return rel


def _farm_links(cache: Path) -> dict[str, int]:
    """{farm/page: inode} for every scratch farm the index keeps in the cache."""
    return {
        f"{farm.name}/{p.relative_to(farm).as_posix()}": p.stat().st_ino
        for farm in cache.glob("search-scratch-*")
        if farm.is_dir()
        for p in farm.rglob("*.html")
    }


def test_scratch_farms_are_kept_and_a_rebuilt_shard_relinks_only_its_changed_pages(tmp_path):
    site, cache = tmp_path / "site", tmp_path / "cache"
    slugs = ["ankara", "berlin", "chisinau", "dublin", "espoo", "faro"]
    pages = {_page(site, slug, f"Talks in {slug}."): slug for slug in slugs}
    SearchIndex(site, cache, Log(quiet=True), 2).update(pages)
    before = _farm_links(cache)
    assert sorted(rel.split("/", 1)[1] for rel in before) == sorted(pages)  # every page linked once
    assert all((site / rel.split("/", 1)[1]).stat().st_ino == ino for rel, ino in before.items())

    edited = _page(site, "berlin", "Talks in Berlin about Quokkafeather.")
    gone = "entries/faro/index.html"
    (site / gone).unlink()
    now = {rel: key for rel, key in pages.items() if rel != gone} | {edited: "edited"}
    ctimes = {
        rel: (site / rel).stat().st_ctime_ns for rel in now
    }  # a new link to a page changes its ctime
    SearchIndex(site, cache, Log(quiet=True), 2, rebuild_min=0).update(now)
    after = _farm_links(cache)
    assert sorted(rel.split("/", 1)[1] for rel in after) == sorted(
        now
    )  # the removed page left its farm
    assert all((site / rel.split("/", 1)[1]).stat().st_ino == ino for rel, ino in after.items())
    assert [rel for rel in sorted(now) if (site / rel).stat().st_ctime_ns != ctimes[rel]] == [
        edited
    ]
    listing = json.loads((site / "pagefind" / "shards.json").read_text(encoding="utf-8"))["shards"]
    urls = sorted(url for name in listing for url in _indexed_urls(site / "pagefind" / name))
    assert urls == sorted(f"/{rel[: -len('index.html')]}" for rel in now)
    text = b"".join(
        gzip.decompress(f.read_bytes()) for f in (site / "pagefind").rglob("*.pf_fragment")
    )
    assert b"Quokkafeather" in text


def test_a_farm_left_without_its_list_is_made_afresh(tmp_path):
    """A build stopped while it changed a farm leaves no list beside it; the next one must not
    index what that farm may still hold."""
    site, cache = tmp_path / "site", tmp_path / "cache"
    pages = {
        _page(site, slug, f"Talks in {slug}."): slug
        for slug in ["ankara", "berlin", "chisinau", "dublin"]
    }
    SearchIndex(site, cache, Log(quiet=True), 2).update(pages)
    farm = next(f for f in cache.glob("search-scratch-*") if f.is_dir())
    ghost = farm / "entries" / "ghost" / "index.html"
    ghost.parent.mkdir(parents=True)
    ghost.write_text(
        '<html lang="en"><body><article data-pagefind-body><p>Ghost '
        "page.</p></article></body></html>",
        encoding="utf-8",
    )
    State(cache).drop_fact(f"farm:{farm.name}")  # the record of what the farm holds is lost
    (site / "pagefind" / "shards.json").unlink()  # no base: the next update rebuilds every shard
    SearchIndex(site, cache, Log(quiet=True), 2).update(pages)
    assert not ghost.exists()
    listing = json.loads((site / "pagefind" / "shards.json").read_text(encoding="utf-8"))["shards"]
    urls = sorted(url for name in listing for url in _indexed_urls(site / "pagefind" / name))
    assert urls == sorted(f"/{rel[: -len('index.html')]}" for rel in pages)

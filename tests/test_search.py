"""What counts as a change to the search index: the text and the attributes Pagefind reads
inside the indexed element, never classes, wrappers or anything outside it."""

from __future__ import annotations

from newsdigest.search import search_key

PAGE = b'<html><nav>menu</nav><article class="entry" data-pagefind-body><h1>Title</h1><p>Body text</p></article>' \
       b'<footer>Footer</footer></html>'


def _key(html: bytes) -> str | None:
    return search_key("entries/x/index.html", html)


def test_classes_wrappers_and_chrome_do_not_change_the_key():
    same = [PAGE.replace(b"<h1>", b'<h1 class="title">'),
            PAGE.replace(b"<footer>Footer", b"<footer>Another footer"),
            PAGE.replace(b"<nav>menu", b"<nav>other menu"),
            PAGE.replace(b"<p>Body text</p>", b'<p class="lead" style="x">Body text</p>')]
    assert all(_key(page) == _key(PAGE) for page in same)


def test_text_headings_and_pagefind_attributes_change_the_key():
    different = [PAGE.replace(b"Body text", b"Body text, corrected"),
                 PAGE.replace(b"<h1>Title</h1>", b"<h2>Title</h2>"),
                 PAGE.replace(b"<h1>", b'<h1 id="top">'),
                 PAGE.replace(b"<p>", b"<p data-pagefind-ignore>"),
                 PAGE.replace(b"<p>Body text</p>", b'<p>Body text<img alt="A map"></p>')]
    assert len({_key(page) for page in different} | {_key(PAGE)}) == len(different) + 1


def test_only_entry_pages_are_indexed():
    assert search_key("people/x/index.html", PAGE) is None
    assert search_key("entries/x/index.html", PAGE) is not None


def test_a_template_edit_to_markup_only_reindexes_nothing(project):
    assert project.build().code == 0
    entry_json = project.site / "pagefind" / "pagefind-entry.json"
    before = entry_json.stat().st_mtime_ns
    template = project.root / "templates" / "entry.html"
    template.write_text(template.read_text(encoding="utf-8").replace("<h1>", '<h1 class="headline">', 1),
                        encoding="utf-8")
    result = project.build("--verbose")
    assert result.code == 0 and "wrote site/entries/" in result.err  # every entry page changed ...
    assert "search index" not in result.err  # ... but not what search reads
    assert entry_json.stat().st_mtime_ns == before

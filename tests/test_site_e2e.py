"""Contract 3 end to end: every page exists, every internal link resolves, feeds and sitemap."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import feedparser

from newsdigest.textutil import slug

from .conftest import BASE_URL


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for key in ("href", "src"):
            if a.get(key):
                self.links.append((a[key], dict(a, tag=tag)))


def _links(path: Path) -> list[tuple[str, dict]]:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.links


def _html_pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def test_every_contract_page_exists(built_seeds):
    site = built_seeds.site
    for rel in [
        "index.html",
        "weeks/index.html",
        "weeks/2023-W49/index.html",
        "people/index.html",
        "people/jens-stoltenberg/index.html",
        "people/jens-stoltenberg/feed.xml",
        "feed.xml",
        "sitemap.xml",
        "404.html",
        "static/style.css",
        "entries/umerov-meets-stoltenberg-in-brussels/index.html",
    ]:
        assert (site / rel).is_file(), rel
    for week in ["2023-W48", "2023-W49", "2024-W18", "2024-W39", "2024-W49"]:
        assert (site / "weeks" / week / "index.html").is_file()
    for entry in built_seeds.entries():
        assert (site / "entries" / entry.stem / "index.html").is_file()


def test_every_internal_link_resolves_and_is_relative(built_seeds):
    site = built_seeds.site
    broken = []
    for page in _html_pages(site):
        if page.name == "404.html":
            continue  # served from any depth, so it links by the base URL
        for href, _ in _links(page):
            parts = urlsplit(href)
            if parts.scheme or href.startswith("#"):
                assert not href.startswith(BASE_URL), f"{page}: absolute internal link {href}"
                continue
            assert not href.startswith("/"), (
                f"{page}: root-relative link {href} breaks file:// and sub-paths"
            )
            target = (page.parent / parts.path).resolve()
            if not target.is_file():
                broken.append(f"{page.relative_to(site)} -> {href}")
    assert broken == []


def test_feed_discovery_on_every_page_and_person_feed_on_person_pages(built_seeds):
    for page in _html_pages(built_seeds.site):
        alternates = [
            a
            for _, a in _links(page)
            if a.get("rel") == "alternate" and a.get("type") == "application/rss+xml"
        ]
        assert alternates, page
        site_feed = (built_seeds.site / "feed.xml").resolve()
        base = urlsplit(BASE_URL).path  # the 404 page links from the base: it is served anywhere
        hrefs = [
            built_seeds.site / a["href"][len(base) :]
            if a["href"].startswith(base)
            else page.parent / a["href"]
            for a in alternates
        ]
        assert any(h.resolve() == site_feed for h in hrefs), page
        if page.parent.parent.name == "people":
            person_feed = page.parent / "feed.xml"
            assert any(
                (page.parent / a["href"]).resolve() == person_feed.resolve() for a in alternates
            )


def test_site_feed_parses_and_lists_every_entry_newest_first(built_seeds):
    feed = feedparser.parse((built_seeds.site / "feed.xml").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    titles = [e.title for e in feed.entries]
    assert len(titles) == 5
    dates = [e.published_parsed for e in feed.entries]
    assert dates == sorted(dates, reverse=True)
    for item in feed.entries:
        assert item.link.startswith(BASE_URL + "entries/")
        assert item.id.startswith("newsdigest:") and BASE_URL not in item.id
    self_links = [line for line in feed.feed.links if line.rel == "self"]
    assert self_links and self_links[0].href == BASE_URL + "feed.xml"


def test_person_feed_has_exactly_that_persons_entries(built_seeds):
    from newsdigest.entries import parse

    for person in ["Jens Stoltenberg", "Mark Rutte", "Armin Papperger"]:
        feed = feedparser.parse(
            (built_seeds.site / "people" / slug(person) / "feed.xml").read_bytes()
        )
        assert not feed.bozo
        want = sorted(
            parse(p.read_text(encoding="utf-8")).meta["title"]
            for p in built_seeds.entries()
            if person in parse(p.read_text(encoding="utf-8")).meta["people"]
        )
        assert sorted(e.title for e in feed.entries) == want and want


def test_guids_do_not_change_with_the_host(built_seeds, tmp_path):
    import shutil

    other = tmp_path / "other"
    shutil.copytree(
        built_seeds.root, other, ignore=shutil.ignore_patterns("site", ".newsdigest-cache")
    )
    from .conftest import Project

    proj = Project(other)
    assert proj.build("--base-url", "https://mirror.example.net/").code == 0

    def ids(site):
        return [e.id for e in feedparser.parse((site / "feed.xml").read_bytes()).entries]

    assert ids(proj.site) == ids(built_seeds.site)
    links = [e.link for e in feedparser.parse((proj.site / "feed.xml").read_bytes()).entries]
    assert all(line.startswith("https://mirror.example.net/") for line in links)


def test_sitemap_lists_every_page_with_the_base_url(built_seeds):
    site = built_seeds.site
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = {e.text for e in ET.parse(site / "sitemap.xml").getroot().findall("s:url/s:loc", ns)}
    pages = {p.relative_to(site).as_posix() for p in _html_pages(site) if p.name != "404.html"}
    expected = {
        BASE_URL + (p[: -len("index.html")] if p.endswith("index.html") else p) for p in pages
    }
    assert locs == expected


def test_week_page_lists_each_story_once_with_its_people_counted(built_seeds):
    html = (built_seeds.site / "weeks" / "2023-W49" / "index.html").read_text(encoding="utf-8")
    assert html.count('<li class="story"') == 1  # one article naming three people: once
    for person in ["Rustem Umerov", "Jens Stoltenberg", "Dmytro Kuleba"]:
        assert f'>{person}</a> <span class="count">1</span></li>' in html  # the side panel
    assert "<h2>Who met whom</h2>" in html and html.count("<line ") == 3


def test_people_index_counts(built_seeds):
    html = (built_seeds.site / "people" / "index.html").read_text(encoding="utf-8")
    assert (
        '<a href="../people/jens-stoltenberg/index.html">Jens Stoltenberg</a></td><td '
        'class="num">4</td>' in html
    )
    assert (
        '<a href="../people/mark-rutte/index.html">Mark Rutte</a></td><td class="num">2</td>'
        in html
    )


def test_page_text_is_escaped_never_markup(project):
    seed = project.seeds / "000_3a43c9c14ebcedef.txt"
    text = seed.read_text(encoding="utf-8").replace(
        "The two also discussed reform efforts in Ukraine,",
        "The two <script>alert(1)</script> also discussed *reform* efforts in "
        "[Ukraine](http://x.test),",
    )
    seed.write_text(text, encoding="utf-8")
    assert project.build().code == 0
    html = (
        project.site / "entries" / "umerov-meets-stoltenberg-in-brussels" / "index.html"
    ).read_text()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "*reform*" in html and 'href="http://x.test"' not in html


def test_the_entry_page_does_not_repeat_the_summary_as_the_first_paragraph(built_seeds):
    import re

    for entry in built_seeds.entries():
        slug = entry.stem
        html = (built_seeds.site / "entries" / slug / "index.html").read_text(encoding="utf-8")
        body = html[html.index('<div class="body">') :]
        paragraphs = re.findall(r"<p>(.*?)</p>", body, re.S)
        summary, article = paragraphs[0], body[body.index("<h2>Article</h2>") :]
        first = re.search(r"<p>(.*?)</p>", article, re.S)
        assert first is None or not first.group(1).startswith(summary), slug


def test_key_quotes_are_whole_sentences_with_a_speaker(built_seeds):
    import re

    quotes = 0
    for entry in built_seeds.entries():
        body = entry.read_text(encoding="utf-8")
        if "## Key quotes" not in body:
            continue
        block = body.split("## Key quotes", 1)[1].split("## Article", 1)[0]
        for quote in [q for q in block.strip().split("\n\n") if q.startswith(">")]:
            lines = quote.splitlines()
            text = lines[0][2:]
            assert text[0] in '"“«„' and text[1].isupper(), quote  # opens a sentence
            assert lines[-1].startswith("> — ") and lines[-1][4:].strip(), quote  # who said it
            assert re.search(r"[.!?…,;]?[\"”»“]$", text), quote
            quotes += 1
    assert quotes >= 3


def test_the_person_chart_has_axis_labels(built_seeds):
    html = (built_seeds.site / "people" / "jens-stoltenberg" / "index.html").read_text(
        encoding="utf-8"
    )
    assert 'class="chart-y"' in html and "tallest bar" in html
    assert 'class="chart-x"' in html and "ISO week" in html

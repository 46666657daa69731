"""Hostile text in every field, opened in a real browser: payloads in a text seed, a saved
HTML seed and a hand-edited entry (title, byline, source, people, summary, body, quotes,
links) must render as text. Chromium loads every page (from file:// and served); no script
of theirs runs, no dialog opens, and no attribute in the DOM is an event handler or a
javascript: URL (in an attribute that holds one)."""

from __future__ import annotations

import re

import pytest

from newsdigest.serve import BuildState, PreviewServer

from .conftest import SEEDS, make_project

PAYLOADS = [
    "<script>window.__xss=1;alert(1)</script>",
    '<img src=x onerror="window.__xss=1">',
    "<svg onload=window.__xss=1>",
    '"><input autofocus onfocus=window.__xss=1>',
    "javascript:window.__xss=1",
    "[click me](javascript:window.__xss=1)",
    '<a href="javascript:window.__xss=1">link</a>',
    '<iframe src="javascript:window.__xss=1"></iframe>',
    "{{ 7*7 }}{% raw %}",
]
HOSTILE = " ".join(PAYLOADS)


def _text_seed() -> str:
    text = (SEEDS / "000_3a43c9c14ebcedef.txt").read_text(encoding="utf-8")
    text = text.replace(
        "Umerov meets Stoltenberg in Brussels",
        f"Umerov meets Stoltenberg {PAYLOADS[0]} in Brussels",
        1,
    )
    text = text.replace("by Elsa Court", f"by Elsa Court {PAYLOADS[1]}", 1)
    for i, payload in enumerate(PAYLOADS):
        text = (
            text.replace("NATO said.", f'NATO said. "{payload}" Umerov said.', 1)
            if i == 2
            else text
        )
    return text.replace(
        "The two also discussed reform", f"The two {HOSTILE} also discussed reform", 1
    )


def _html_seed() -> str:
    hostile_json = HOSTILE.replace("\\", "\\\\").replace('"', '\\"').replace("</", "<\\/")
    paragraphs = "".join(
        f"<p>Jens Stoltenberg said the alliance would hold firm, {p.replace('<', '&lt;')} "
        "and that support for Ukraine would continue for as long as it takes, officials said.</p>"
        for p in PAYLOADS
    )
    return f"""<!doctype html><html lang="en"><head><title>Hostile &lt;b&gt;page&lt;/b&gt; | Evil News</title>
<meta property="og:site_name" content="Evil &lt;script&gt;window.__xss=1&lt;/script&gt; News">
<script type="application/ld+json">{{"@type": "NewsArticle", "headline": "Stoltenberg {hostile_json}",
"datePublished": "2024-03-05T10:00:00+01:00", "author": {{"name": "Ann Writer {hostile_json}"}}}}</script>
</head><body><article><h1>Stoltenberg headline</h1>{paragraphs}</article></body></html>"""


def _hand_edited(entry: str) -> str:
    head, body = entry.split("\n---\n", 1)
    lines = []
    for line in head.splitlines():
        key = line.split(":", 1)[0]
        if key in ("title", "source", "summary"):
            line = f'{key}: "{key} {_yaml(HOSTILE)}"'
        elif key in ("authors", "people"):
            line = f'{key}: ["{_yaml(PAYLOADS[1])}", "{_yaml(PAYLOADS[4])}"]'
        lines.append(line)
    markdown = "\n\n".join(
        [
            *PAYLOADS,
            "<javascript:window.__xss=1>",
            "![x](javascript:window.__xss=1)",
            "[ref][r]\n\n[r]: javascript:window.__xss=1",
            '<div onclick="window.__xss=1">raw</div>',
        ]
    )
    return "\n".join(lines) + "\n---\n" + body + "\n" + markdown + "\n"


def _yaml(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    project = make_project(tmp_path_factory.mktemp("xss") / "p")
    (project.seeds / "000_3a43c9c14ebcedef.txt").write_text(_text_seed(), encoding="utf-8")
    (project.seeds / "evil.html").write_text(_html_seed(), encoding="utf-8")
    assert project.build().code == 0
    entry = next(p for p in project.entries() if p.stem.startswith("kuleba-meets"))
    entry.write_text(_hand_edited(entry.read_text(encoding="utf-8")), encoding="utf-8")
    result = project.build()
    assert result.code == 0, result.err
    assert len(project.entries()) == 6
    return project


_CHECK = """
var bad = [];
document.querySelectorAll('*').forEach(function (el) {
  for (var i = 0; i < el.attributes.length; i++) {
    var a = el.attributes[i], v = (a.value || '').replace(/\\s/g, '').toLowerCase();
    var url = /^(href|src|action|formaction|data|poster|srcdoc|xlink:href)$/i.test(a.name);
    if (/^on/i.test(a.name) || (url && (v.indexOf('javascript:') === 0 || v.indexOf('data:') === 0)))
      bad.push(el.tagName + ' ' + a.name + '=' + a.value);
  }
});
return {xss: window.__xss === undefined ? null : window.__xss, bad: bad};
"""


def _pages(project) -> list[str]:
    return sorted(p.relative_to(project.site).as_posix() for p in project.site.rglob("*.html"))


def _visit(browser, url: str) -> dict:
    from selenium.common.exceptions import UnexpectedAlertPresentException

    try:
        browser.get(url)
        return browser.execute_script(_CHECK)
    except UnexpectedAlertPresentException:
        return {"xss": "an alert opened", "bad": []}


def test_hostile_text_shows_as_text_on_the_pages(hostile_site):
    html = (hostile_site.site / "entries").rglob("index.html")
    shown = "".join(p.read_text(encoding="utf-8") for p in html)
    assert "&lt;script&gt;window.__xss=1" in shown  # the payload is there, as text
    assert not re.search(r"<script>window|<img src=x|<svg onload|<iframe", shown)


def test_no_script_from_page_text_runs_from_file_urls(browser, hostile_site):
    for rel in _pages(hostile_site):
        found = _visit(browser, (hostile_site.site / rel).as_uri())
        assert found == {"xss": None, "bad": []}, (rel, found)


def test_no_script_from_page_text_runs_when_served(browser, hostile_site):
    server = PreviewServer(hostile_site.site, 0, BuildState())
    server.start()
    try:
        for rel in _pages(hostile_site):
            found = _visit(browser, server.url + rel)
            assert found == {"xss": None, "bad": []}, (rel, found)
    finally:
        server.stop()

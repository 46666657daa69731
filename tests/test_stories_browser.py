"""Stories as a reader meets them, in Debian's chromium through the preview server: a week
page lists each story once with all its sources, an entry page leads to the other reports
of its story, and the 404 page works from any depth. Screenshots of the story-centred pages
at 375 and 1280 px, light and dark, go to tests/artifacts/screenshots/stories-*.png."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from newsdigest.serve import BuildState, PreviewServer

from .conftest import FIXTURES, SEEDS, make_project
from .test_browser import _errors, _width, shoot

STORIES = FIXTURES / "stories"
PICKED = [
    "e01-wire.txt",
    "e01-paper.txt",
    "e01-gov.txt",
    "e01-wire-rescrape.txt",
    "e01b-wire.txt",
    "e06-broadcast.txt",
    "e06-gov.txt",
    "e06-magazine.txt",
    "e06b-wire.txt",
]


def _front(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])


@pytest.fixture(scope="module")
def storied(tmp_path_factory):
    seeds = [STORIES / n for n in PICKED] + sorted(SEEDS.glob("*.txt"))
    project = make_project(tmp_path_factory.mktemp("stories") / "p", seeds)
    assert project.build().code == 0
    server = PreviewServer(project.site, 0, BuildState(), "/sub/")
    server.start()
    yield project, server.url
    server.stop()


def _by_seed(project) -> dict[str, tuple[Path, dict]]:
    return {(m := _front(p))["seed"]: (p, m) for p in project.entries()}


def test_the_week_page_lists_each_story_once_with_every_source(browser, storied):
    project, url = storied
    entries = _by_seed(project)
    week = entries["e06-broadcast.txt"][1]["week"]
    browser.get(url + f"weeks/{week}/index.html")
    stories = browser.find_elements("css selector", "ol.stories li.story")
    ids = [s.get_attribute("id") for s in stories]
    assert len(ids) == len(set(ids))
    story = entries["e06-broadcast.txt"][1]["story"]
    item = browser.find_element("id", f"story-{story}")
    sources = item.find_elements("css selector", ".reported a")
    assert len(sources) == 3  # broadcaster, ministry, magazine: one story
    assert browser.find_element("id", "story-" + entries["e06b-wire.txt"][1]["story"])
    assert browser.find_elements("css selector", ".week-side ul.tally li")
    assert browser.find_elements("css selector", "figure.met svg line")
    sources[-1].click()
    assert "/entries/" in browser.current_url
    assert _errors(browser) == []


def test_also_reported_by_leads_to_the_other_reports(browser, storied):
    project, url = storied
    entries = _by_seed(project)
    page = entries["e01-wire-rescrape.txt"][0]  # the first seed of the re-scraped article
    browser.get(url + f"entries/{page.stem}/index.html")
    links = browser.find_elements("css selector", ".also-reported a")
    wanted = {entries[s][0].stem for s in ("e01-paper.txt", "e01-gov.txt")}
    assert {a.get_attribute("href").rstrip("/").split("/")[-2] for a in links} == wanted
    links[0].click()
    assert browser.find_element("css selector", ".also-reported a")  # and back again
    assert _errors(browser) == []


def test_the_404_page_works_from_a_nested_path(browser, storied):
    _, url = storied
    browser.get(url + "entries/gone/deeper/still/missing.html")
    assert browser.find_element("css selector", "h1").text == "Page not found"
    styled = browser.execute_script(
        "return getComputedStyle(document.querySelector('.masthead')).borderBottomStyle"
    )
    assert styled == "solid"  # the stylesheet loaded from the base, not from the depth
    browser.find_element("link text", "every week").click()
    assert browser.find_element("css selector", "h1").text == "Every week"
    browser.get(url + "sub/entries/gone/x.html")  # under the base URL's own path, too
    browser.find_element("link text", "every person").click()
    assert browser.find_element("css selector", "h1").text == "People"


def test_the_404_page_works_from_a_file_url(browser, storied):
    project, _ = storied
    browser.get((project.site / "404.html").as_uri())
    browser.find_element("link text", "every week").click()
    assert browser.find_element("css selector", "h1").text == "Every week"


@pytest.mark.parametrize("name", ["index", "week", "entry", "person"])
def test_story_pages_fit_375_px_and_screenshots(browser, storied, name):
    project, url = storied
    entries = _by_seed(project)
    meta = entries["e06-broadcast.txt"][1]
    path = {
        "index": "index.html",
        "week": f"weeks/{meta['week']}/index.html",
        "entry": f"entries/{entries['e06-gov.txt'][0].stem}/index.html",
        "person": "people/boris-pistorius/index.html",
    }[name]
    _errors(browser)  # what earlier tests left in the log (their 404s) is theirs
    shoot(browser, url + path, f"stories-{name}")
    assert _errors(browser) == []


def test_the_people_table_fits_375_px_without_scrolling(browser, storied):
    _, url = storied
    _width(browser, 375)
    browser.get(url + "people/index.html")
    inner = browser.execute_script(
        "var w = document.querySelector('.table-wrap'); return w.scrollWidth - w.clientWidth"
    )
    assert inner <= 0, f"the people table scrolls sideways by {inner}px inside its box"

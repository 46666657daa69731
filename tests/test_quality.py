"""The quality bar: the evaluate report on the fixture corpus, gated at the level reached.

Floors only ever go up. The corpus is tests/fixtures/pages (shapes the rules were tuned on)
and tests/fixtures/holdout (written after the rules, to check they generalise).
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from newsdigest.evaluate import evaluate

from .conftest import FIXTURES, REPO, make_project

FLOORS = {"title": 1.0, "date": 1.0, "source": 1.0, "authors": 1.0, "body boundaries": 1.0}


@pytest.fixture(scope="module", params=["pages", "holdout"])
def report(request):
    return evaluate(FIXTURES / request.param)


def test_corpus_is_large_and_varied():
    pages = [p for p in (FIXTURES / "pages").iterdir() if not p.name.endswith(".expected.yaml")]
    assert len(pages) >= 30
    assert {p.suffix for p in pages} >= {".txt", ".html"}
    assert sum(p.name.startswith("nonarticle_") for p in pages) >= 5


@pytest.mark.parametrize("field", sorted(FLOORS))
def test_field_accuracy_meets_the_floor(report, field):
    assert report.rate(field) >= FLOORS[field], report.table()


def test_people_f1_meets_the_floor(report):
    assert report.f1 >= 1.0, report.table()


def test_no_furniture_leaks(report):
    assert report.no_leak_rate >= 1.0, report.table()


def test_every_non_article_is_skipped(report):
    assert report.skipped_right == report.non_articles, report.table()


def test_evaluate_command_prints_the_table():
    out = subprocess.run(
        [sys.executable, "-m", "newsdigest.evaluate", str(FIXTURES / "holdout")],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    assert "| people F1" in out.stdout and "| body boundaries" in out.stdout


_PAGE = """The Kyiv Herald
News  Opinion  Culture
{title}
{date}
{lead}
Every hryvnia from our readers keeps the Kyiv Herald reporting from the front line, thank you all.
{second}
The talks will continue next month in Brussels, officials said after the meeting on the same day.
"""


def test_lines_repeated_across_pages_built_together_are_boilerplate(tmp_path):
    project = make_project(tmp_path / "p", seeds=[])
    stories = [
        (
            "Kuleba meets Baerbock in Berlin",
            "12 March 2024",
            "Foreign Minister Dmytro Kuleba met German Foreign Minister Annalena Baerbock in "
            "Berlin to discuss air defence deliveries and the next sanctions package.",
            "Baerbock said Germany would deliver another Patriot system to Ukraine before the "
            "summer, and that Berlin would fund training for Ukrainian crews.",
        ),
        (
            "Umerov visits Paris for arms talks",
            "14 March 2024",
            "Defence Minister Rustem Umerov visited Paris to discuss the joint production of "
            "artillery shells and drones with French defence companies.",
            "French officials said the first contracts could be signed within weeks, and that "
            "production would start in Ukraine later this year.",
        ),
        (
            "Shmyhal presents recovery plan in Warsaw",
            "15 March 2024",
            "Prime Minister Denys Shmyhal presented Ukraine's recovery plan to investors in "
            "Warsaw, asking for help to rebuild the energy grid and housing.",
            "Polish Prime Minister Donald Tusk said Poland would co-finance the reconstruction of "
            "schools and hospitals in western Ukraine.",
        ),
    ]
    for i, (title, date, lead, second) in enumerate(stories):
        (project.seeds / f"herald_{i}.txt").write_text(
            _PAGE.format(title=title, date=date, lead=lead, second=second), encoding="utf-8"
        )
    assert project.build("--strict").code == 0
    bodies = [p.read_text(encoding="utf-8") for p in project.entries()]
    assert len(bodies) == 3
    assert not any("Every hryvnia from our readers" in body for body in bodies)
    assert all("## Article" in body and "Brussels, officials said" not in body for body in bodies)
    alone = make_project(tmp_path / "alone", seeds=[project.seeds / "herald_0.txt"])
    assert alone.build().code == 0
    [entry] = alone.entries()
    text = entry.read_text(encoding="utf-8")
    assert "title: Kuleba meets Baerbock in Berlin" in text
    assert "Every hryvnia from our readers" in text  # one page alone: no evidence it is furniture

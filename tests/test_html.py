"""Saved HTML pages: trafilatura body, JSON-LD / meta metadata, furniture left out."""

from __future__ import annotations

import datetime as dt
import shutil

from newsdigest.entries import parse

from .conftest import FIXTURES, make_project


def test_html_page_becomes_an_entry(tmp_path):
    project = make_project(tmp_path / "p", seeds=[])
    shutil.copy(FIXTURES / "pages" / "html_jsonld_wire.html", project.seeds / "page.html")
    result = project.build("--strict")
    assert result.code == 0, result.err
    [entry] = project.entries()
    parsed = parse(entry.read_text(encoding="utf-8"))
    meta = parsed.meta
    assert meta["title"] == "Sybiha and Rubio discuss air defence in Washington"
    assert meta["date"] == dt.date(2025, 3, 14)  # published, not modified
    assert meta["source"] == "Kyiv Post"
    assert meta["authors"] == ["Olena Hrytsenko"]
    assert meta["people"] == ["Andrii Sybiha", "Marco Rubio"]
    body = parsed.body
    for furniture in [
        "Advertisement",
        "Read also",
        "Related news",
        "Trump",
        "Comments",
        "cookies",
        "(State Department)",
        "All rights reserved",
        "dataLayer",
    ]:
        assert furniture not in body, furniture
    assert "### Talks in Riyadh" in body
    assert body.rstrip().endswith("since he took office in September 2024.")

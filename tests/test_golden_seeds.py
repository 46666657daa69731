"""The five seeds produce exactly the entries ../shared/seeds/EXPECTED.md describes."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from newsdigest.entries import parse

from .conftest import FIXTURES

EXPECTED = yaml.safe_load((FIXTURES / "seeds" / "expected.yaml").read_text(encoding="utf-8"))


def _entry_for(project, seed: str):
    for path in project.entries():
        parsed = parse(path.read_text(encoding="utf-8"))
        if parsed.meta["seed"] == seed:
            return path, parsed
    raise AssertionError(f"no entry made from {seed}")


def _article(body: str) -> list[str]:
    """The cleaned article's paragraphs (after the '## Article' heading), unescaped."""
    text = body.split("## Article", 1)[1]
    return [p.replace("\\", "").removeprefix("- ").strip() for p in text.split("\n") if p.strip()]


@pytest.mark.parametrize("seed", sorted(EXPECTED))
def test_front_matter_matches_expected(built_seeds, seed):
    want = EXPECTED[seed]
    path, parsed = _entry_for(built_seeds, seed)
    meta = parsed.meta
    assert meta["title"] == want["title"]
    assert meta["date"] == want["date"] and isinstance(meta["date"], dt.date)
    assert meta["week"] == want["week"]
    assert path.parent.name == want["week"]
    assert meta["source"] == want["source"]
    assert meta["authors"] == want["authors"]
    assert meta["people"] == want["people"]
    assert not set(meta["people"]) & set(want["not_people"])
    assert meta["seed"] == seed and len(meta["seed_sha256"]) == 64
    assert meta["summary"]


@pytest.mark.parametrize("seed", sorted(EXPECTED))
def test_body_starts_and_ends_where_expected(built_seeds, seed):
    want = EXPECTED[seed]
    _, parsed = _entry_for(built_seeds, seed)
    paragraphs = _article(parsed.body)
    assert paragraphs[0].startswith(want["body_from"]), paragraphs[0]
    assert paragraphs[-1].endswith(want["body_to"]), paragraphs[-1]


@pytest.mark.parametrize("seed", sorted(EXPECTED))
def test_body_has_none_of_the_page_furniture(built_seeds, seed):
    _, parsed = _entry_for(built_seeds, seed)
    body = parsed.body.replace("\\", "")
    leaked = [line for line in EXPECTED[seed]["never"] if line in body]
    assert leaked == []


def test_body_has_summary_quotes_then_article(built_seeds):
    _, parsed = _entry_for(built_seeds, "000_3a43c9c14ebcedef.txt")
    body = parsed.body
    assert body.index("## Key quotes") < body.index("## Article")
    assert body.startswith(parsed.meta["summary"])
    assert "> — Rustem Umerov" in body  # a key quote carries its speaker

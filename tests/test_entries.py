"""Front matter round-trips through a real YAML serializer; page text never becomes markup."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from newsdigest.entries import md_escape, meta_of, parse, to_markdown, to_meta
from newsdigest.model import Block, Entry, Quote
from newsdigest.render import markdown_html
from newsdigest.textutil import normalize_line

_text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=80).filter(
    normalize_line
)


def _entry(title: str, people=("Jens Stoltenberg",), para="A paragraph.") -> Entry:
    return Entry(
        title=title,
        date=dt.date(2024, 12, 31),
        source="The Kyiv Independent",
        authors=("Elsa Court",),
        people=tuple(people),
        summary="Summary: it happened.",
        seed="x.txt",
        seed_sha256="0" * 64,
        quotes=(Quote("We will stand together, always and everywhere.", "Jens Stoltenberg"),),
        blocks=(Block("p", para),),
    )


def test_awkward_titles_round_trip():
    for title in [
        "Kuleba: 'We need air defence'",
        '"Quoted" title',
        "# not a comment",
        "key: value: more",
        "- a dash",
        "null",
        "2024-01-01",
        "yes",
        "Зеленський зустрівся зі Столтенбергом",
        "[x]",
        "a\\b",
    ]:
        meta = parse(to_markdown(_entry(title))).meta
        assert meta["title"] == title


@settings(max_examples=200, deadline=None)
@given(title=_text, people=st.lists(_text, max_size=4), para=_text)
def test_any_text_round_trips(title, people, para):
    entry = _entry(title, people, para)
    parsed = parse(to_markdown(entry))
    meta = to_meta(parsed, "2025-W01/x.md", "x", "0" * 64)
    assert meta == meta_of(
        entry, "2025-W01/x.md", "x", "0" * 64
    )  # sync's shortcut agrees with the file
    assert meta.title == normalize_line(title)  # the one normaliser, whoever wrote the entry
    assert list(meta.people) == list(
        dict.fromkeys(normalize_line(p) for p in people if normalize_line(p))
    )
    assert meta.date == dt.date(2024, 12, 31)
    assert parsed.meta["week"] == "2025-W01"  # ISO week across the year boundary


@settings(max_examples=200, deadline=None)
@given(_text)
def test_escaped_text_renders_literally(text):
    text = " ".join(text.split())
    html = markdown_html(md_escape(text))
    assert "<em>" not in html and "<strong>" not in html and "<a " not in html and "<h" not in html
    assert (
        "<code>" not in html
        and "<ul>" not in html
        and "<ol" not in html
        and "<blockquote>" not in html
    )


def test_front_matter_has_every_contract_field_in_order():
    text = to_markdown(_entry("T"))
    head = text.split("---\n")[1]
    keys = [line.split(":")[0] for line in head.splitlines()]
    assert keys == [
        "title",
        "date",
        "week",
        "source",
        "authors",
        "people",
        "summary",
        "seed",
        "seed_sha256",
        "duplicate_seeds",
        "story",
        "url",
    ]
    assert "people: [Jens Stoltenberg]" in head

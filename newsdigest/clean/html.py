"""Saved HTML pages -> Article: trafilatura for the body, lxml (XPath) for what it leaves.

Metadata is read in order of how much the page commits to it: JSON-LD NewsArticle, then
`article:*`/`og:*` meta tags, then trafilatura's own guesses. The publication date always
wins over the modified date.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import NamedTuple

import trafilatura
from lxml.html import HtmlElement
from trafilatura import load_html

from ..dates import find_dates, parse_date
from ..model import Article, Block, RawPage, Skip
from ..textutil import normalize_line, word_count
from . import furniture as fur

_MIN_BODY_WORDS = 40
_TOO_LITTLE = "not an article: too little body text in the HTML page"
_TITLE_SPLIT = re.compile(r"\s+[|–—-]\s+|\s+::\s+")


def _json_ld(tree: HtmlElement) -> dict:
    """The first Article-like object in the page's JSON-LD (also inside @graph lists)."""
    for tag in tree.iterfind(".//script[@type='application/ld+json']"):
        try:
            data = json.loads(tag.text or "")
        except (ValueError, TypeError):
            continue
        stack = data if isinstance(data, list) else [data]
        while stack:
            item = stack.pop(0)
            if not isinstance(item, dict):
                continue
            stack.extend(item.get("@graph", []) if isinstance(item.get("@graph"), list) else [])
            kind = item.get("@type")
            kinds = kind if isinstance(kind, list) else [kind]
            if any(isinstance(k, str) and k.endswith("Article") for k in kinds):
                return item
    return {}


def _meta(tree: HtmlElement, *names: str) -> str | None:
    for name in names:
        tag = tree.find(f".//meta[@property='{name}']")  # find: the first in document order
        if tag is None:
            tag = tree.find(f".//meta[@name='{name}']")
        if tag is not None and tag.get("content"):
            return normalize_line(tag.get("content"))
    return None



def _names(value: object) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in items:
        name = item.get("name") if isinstance(item, dict) else item
        if isinstance(name, str) and name.strip():
            out.extend(fur.split_names(name))
    return tuple(dict.fromkeys(out))


def _title_parts(tree: HtmlElement) -> list[str]:
    """'Site | Headline' or 'Headline – Site' split into its parts (longest is the headline)."""
    tag = tree.find(".//title")
    if tag is None or not tag.text:
        return []
    return [p for p in _TITLE_SPLIT.split(normalize_line(tag.text)) if p]


def _title(tree: HtmlElement, ld: dict, extracted: str | None) -> str | None:
    """What the page commits to most: JSON-LD headline, og:title, h1, <title>, the extractor."""
    h1 = tree.find(".//h1")
    parts = _title_parts(tree)
    for candidate in (ld.get("headline"), _meta(tree, "og:title"), " ".join(h1.itertext()) if h1 is not None else None,
                      max(parts, key=len) if parts else None, extracted):
        if isinstance(candidate, str) and normalize_line(candidate) and not normalize_line(candidate).isdigit():
            return normalize_line(candidate)
    return None


def _site_from_title(tree: HtmlElement, title: str) -> str | None:
    parts = [p for p in _title_parts(tree) if p != title]
    return parts[-1] if len(parts) == 1 and len(parts[0].split()) <= 5 else None


def _date(tree: HtmlElement, ld: dict, extracted: str | None):
    for value in (ld.get("datePublished"), _meta(tree, "article:published_time", "og:published_time",
                                                  "datePublished", "pubdate", "publish-date", "date")):
        day = parse_date(value) if value else None
        if day is None and isinstance(value, str):
            found = [d for d in find_dates(value) if d.complete]
            day = found[0].as_date() if found else None
        if day:
            return day
    time_tag = tree.find(".//time[@datetime]")
    if time_tag is not None:
        day = parse_date(str(time_tag.get("datetime"))[:10])
        if day:
            return day
    return parse_date(extracted) if extracted else None


def _blocks(text: str) -> tuple[Block, ...]:
    blocks = []
    for line in text.split("\n"):
        line = normalize_line(line)
        if not line or fur.is_promo(line) or fur.is_caption(line):
            continue
        if line.startswith(("- ", "• ")):
            blocks.append(Block("li", line[2:].strip()))
        elif word_count(line) <= 12 and not line.endswith((".", "”", '"', "?", "!")):
            blocks.append(Block("h", line))
        else:
            blocks.append(Block("p", line))
    while blocks and blocks[-1].kind == "h":
        blocks.pop()
    return tuple(blocks)


def _after_headline(blocks: tuple[Block, ...], title: str) -> tuple[Block, ...]:
    """The body starts after the headline. Extractors often keep what sits above it too: a
    section label or kicker ("Press releases", "Opinion"), which reads as a short heading."""
    for i, block in enumerate(blocks[:4]):
        if block.text == title:
            return blocks[i + 1:] if all(b.kind == "h" for b in blocks[:i]) else blocks
    return blocks


def clean_html(raw: RawPage, outlets: fur.Outlets) -> Article | Skip:
    tree = load_html(raw.text)  # trafilatura's own loader: the same tree its extraction reads
    if tree is None:
        return Skip(_TOO_LITTLE)
    ld = _json_ld(tree)
    own = _own_metadata(tree, ld)
    # trafilatura's own metadata (htmldate and all) is 40 % of its time on a page; it is
    # only a fallback here, so it is asked for only when the page's own tags leave a gap
    doc = trafilatura.bare_extraction(raw.text, with_metadata=None in own, include_comments=False,
                                      include_tables=False, favor_precision=True, fast=True)
    text = getattr(doc, "text", None) or ""
    blocks = _blocks(text)
    if sum(word_count(b.text) for b in blocks) < _MIN_BODY_WORDS:
        return Skip(_TOO_LITTLE)
    title = own.title or _title(tree, ld, getattr(doc, "title", None))
    if not title:
        return Skip("no headline found in the HTML page")
    blocks = _after_headline(blocks, title)
    day = own.day or _date(tree, ld, getattr(doc, "date", None))
    if day is None:
        return Skip("no publication date found in the HTML page")
    authors = own.authors or _names(getattr(doc, "author", None))
    site = own.site or _site(tree, ld, title)
    source = site or getattr(doc, "sitename", None) or outlets.identify(raw.text[:20000])
    return Article(title=title, date=day, source=normalize_line(source) if source else None,
                   authors=tuple(a for a in authors if a != source), blocks=blocks)


class _Own(NamedTuple):
    """What the page's own JSON-LD, meta tags, h1 and <title> say; None where they say
    nothing (then trafilatura's guess is the fallback)."""
    title: str | None
    day: dt.date | None
    authors: tuple[str, ...] | None
    site: str | None


def _own_metadata(tree: HtmlElement, ld: dict) -> _Own:
    title = _title(tree, ld, None)
    authors = _names(ld.get("author")) or _names(_meta(tree, "author", "article:author"))
    return _Own(title, _date(tree, ld, None), authors or None, _site(tree, ld, title) if title else None)


def _site(tree: HtmlElement, ld: dict, title: str) -> str | None:
    publisher = ld.get("publisher")
    return ((publisher.get("name") if isinstance(publisher, dict) else None) or _meta(tree, "og:site_name")
            or _site_from_title(tree, title))

"""Saved HTML pages -> Article: trafilatura for the body, BeautifulSoup for what it leaves.

Metadata is read in order of how much the page commits to it: JSON-LD NewsArticle, then
`article:*`/`og:*` meta tags, then trafilatura's own guesses. The publication date always
wins over the modified date.
"""

from __future__ import annotations

import json
import re

import trafilatura
from bs4 import BeautifulSoup, SoupStrainer

from ..dates import find_dates, parse_date
from ..model import Article, Block, RawPage, Skip
from ..textutil import normalize_line, word_count
from . import furniture as fur

_MIN_BODY_WORDS = 40
_WANTED = SoupStrainer(["meta", "script", "title", "h1", "time"])
_TITLE_SPLIT = re.compile(r"\s+[|–—-]\s+|\s+::\s+")


def _json_ld(soup: BeautifulSoup) -> dict:
    """The first Article-like object in the page's JSON-LD (also inside @graph lists)."""
    for tag in soup.find_all("script", type="application/ld+json"):
        try:
            data = json.loads(tag.string or "")
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


def _meta(soup: BeautifulSoup, *names: str) -> str | None:
    for name in names:
        tag = soup.find("meta", attrs={"property": name}) or soup.find("meta", attrs={"name": name})
        if tag and tag.get("content"):
            return normalize_line(str(tag["content"]))
    return None


def _names(value: object) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in items:
        name = item.get("name") if isinstance(item, dict) else item
        if isinstance(name, str) and name.strip():
            out.extend(fur.split_names(name))
    return tuple(dict.fromkeys(out))


def _title_parts(soup: BeautifulSoup) -> list[str]:
    """'Site | Headline' or 'Headline – Site' split into its parts (longest is the headline)."""
    if not (soup.title and soup.title.string):
        return []
    return [p for p in _TITLE_SPLIT.split(normalize_line(soup.title.string)) if p]


def _title(soup: BeautifulSoup, ld: dict, extracted: str | None) -> str | None:
    """What the page commits to most: JSON-LD headline, og:title, h1, <title>, the extractor."""
    h1 = soup.find("h1")
    parts = _title_parts(soup)
    for candidate in (ld.get("headline"), _meta(soup, "og:title"), h1.get_text(" ") if h1 else None,
                      max(parts, key=len) if parts else None, extracted):
        if isinstance(candidate, str) and normalize_line(candidate) and not normalize_line(candidate).isdigit():
            return normalize_line(candidate)
    return None


def _site_from_title(soup: BeautifulSoup, title: str) -> str | None:
    parts = [p for p in _title_parts(soup) if p != title]
    return parts[-1] if len(parts) == 1 and len(parts[0].split()) <= 5 else None


def _date(soup: BeautifulSoup, ld: dict, extracted: str | None):
    for value in (ld.get("datePublished"), _meta(soup, "article:published_time", "og:published_time",
                                                  "datePublished", "pubdate", "publish-date", "date")):
        day = parse_date(value) if value else None
        if day is None and isinstance(value, str):
            found = [d for d in find_dates(value) if d.complete]
            day = found[0].as_date() if found else None
        if day:
            return day
    time_tag = soup.find("time", attrs={"datetime": True})
    if time_tag:
        day = parse_date(str(time_tag["datetime"])[:10])
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


def clean_html(raw: RawPage, outlets: fur.Outlets) -> Article | Skip:
    soup = BeautifulSoup(raw.text, "lxml", parse_only=_WANTED)  # trafilatura reads the rest
    ld = _json_ld(soup)
    doc = trafilatura.bare_extraction(raw.text, with_metadata=True, include_comments=False,
                                      include_tables=False, favor_precision=True, fast=True)
    text = getattr(doc, "text", None) or ""
    blocks = _blocks(text)
    if sum(word_count(b.text) for b in blocks) < _MIN_BODY_WORDS:
        return Skip("not an article: too little body text in the HTML page")
    publisher = ld.get("publisher")
    site = (publisher.get("name") if isinstance(publisher, dict) else None) or _meta(soup, "og:site_name")
    title = _title(soup, ld, getattr(doc, "title", None))
    if not title:
        return Skip("no headline found in the HTML page")
    site = site or _site_from_title(soup, title)
    if blocks and blocks[0].text == title:
        blocks = blocks[1:]
    day = _date(soup, ld, getattr(doc, "date", None))
    if day is None:
        return Skip("no publication date found in the HTML page")
    authors = _names(ld.get("author")) or _names(_meta(soup, "author", "article:author")) or \
        _names(getattr(doc, "author", None))
    source = site or getattr(doc, "sitename", None) or outlets.identify(raw.text[:20000])
    return Article(title=title, date=day, source=normalize_line(source) if source else None,
                   authors=tuple(a for a in authors if a != source), blocks=blocks)

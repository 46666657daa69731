"""Saved HTML pages -> Article: trafilatura for the body, lxml (XPath) for what it leaves.

The body is trafilatura's, in a chain (tables kept, fast mode: on the labelled real pages
its fallback algorithms added nothing but time): precision mode first, which drops promos
and teasers; its defaults when precision kept under 80 % of what they keep (precision mode
alone lost whole articles). When that is still short against what the page itself says
its article is (JSON-LD `articleBody`, an `itemprop="articleBody"` container), trafilatura
is asked again favouring recall, and BeautifulSoup reads the container's paragraphs, list
items and table rows directly; the longest plausible result wins.

Metadata is read in order of how much the page commits to it: JSON-LD NewsArticle, then
`article:*`/`og:*` meta tags, then trafilatura's own guesses. The publication date always
wins over the modified date, and it is the date as the page writes it (a timestamp's own
offset, never converted to UTC). Titles are HTML-unescaped (`&#8217;` in JSON-LD).
"""

from __future__ import annotations

import datetime as dt
import functools
import html as htmllib
import json
import re
from copy import deepcopy
from typing import NamedTuple

import trafilatura
from lxml.html import HtmlElement
from trafilatura import load_html
from trafilatura.settings import Extractor

from ..dates import find_dates, parse_date, plausible
from ..model import Article, Block, RawPage, Skip
from ..textutil import first_sentence, normalize_line, text_units, web_address
from . import furniture as fur

_MIN_BODY_WORDS = 40  # in text units: words, a CJK character counting half a word
_SHORT = 0.5  # an extraction under this share of the page's own article text is retried
_PRECISE = 0.8  # precision mode's text is kept while it has this share of the defaults' text
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


def _clean_text(value: str) -> str:
    """One metadata string as text: entities decoded (a page's JSON-LD often double-encodes
    them), then the one normaliser."""
    return normalize_line(htmllib.unescape(value))


def _meta(tree: HtmlElement, *names: str) -> str | None:
    by_property, by_name = _metas(tree)
    for name in names:
        tag = by_property.get(name)  # the first in document order
        if tag is None:
            tag = by_name.get(name)
        if tag is not None and tag.get("content"):
            return _clean_text(tag.get("content"))
    return None


@functools.lru_cache(maxsize=1)  # the page being cleaned: its tags are asked for a dozen times
def _metas(tree: HtmlElement) -> tuple[dict[str, HtmlElement], dict[str, HtmlElement]]:
    """The page's first <meta> of each property and of each name."""
    by_property: dict[str, HtmlElement] = {}
    by_name: dict[str, HtmlElement] = {}
    for tag in tree.iter("meta"):
        for attribute, seen in (("property", by_property), ("name", by_name)):
            value = tag.get(attribute)
            if value is not None:
                seen.setdefault(value, tag)
    return by_property, by_name


def _names(value: object) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in items:
        name = item.get("name") if isinstance(item, dict) else item
        if isinstance(name, str) and name.strip():
            out.extend(fur.split_names(_clean_text(name)))
    return tuple(dict.fromkeys(out))


def _title_parts(tree: HtmlElement) -> list[str]:
    """'Site | Headline' or 'Headline – Site' split into its parts (longest is the headline)."""
    tag = tree.find(".//title")
    if tag is None or not tag.text:
        return []
    return [p for p in _TITLE_SPLIT.split(_clean_text(tag.text)) if p]


def _title(tree: HtmlElement, ld: dict, extracted: str | None) -> str | None:
    """The headline the page's own tags agree on. Candidates: JSON-LD headline, og:title,
    twitter:title, the first <h1>, the headline part of <title>, the extractor's guess; each
    with a site name stripped off its ends. A tag the page commits to (JSON-LD, og) counts
    most, then agreement: a candidate found inside <title>, or equal to another one. A
    section heading in <h1> ("Health Center") or a description in JSON-LD therefore loses
    to the headline the other tags share."""
    h1 = tree.find(".//h1")
    parts = _title_parts(tree)
    whole = _clean_text(tree.findtext(".//title") or "")
    site = _site_names(tree, ld, parts)
    headline = max(parts, key=len) if parts else None
    raw = [
        (ld.get("headline"), 3),
        (_meta(tree, "og:title"), 3),
        (_meta(tree, "twitter:title"), 2),
        (" ".join(h1.itertext()) if h1 is not None else None, 2),
        (headline, 2.5),
        (extracted, 1),
    ]
    cands = [
        (t, w)
        for t, w in ((_strip_site(_clean_text(c), site), w) for c, w in raw if isinstance(c, str))
        if t and not t.isdigit() and _title_key(t) not in site
    ]  # a site's name is no headline
    if not cands:
        return None
    keys = [_title_key(t) for t, _ in cands]
    in_title = _title_key(whole)
    best, best_score = None, -1.0
    for k, (text, weight) in enumerate(cands):
        agree = sum(
            1
            for j, other in enumerate(keys)
            if j != k and other == keys[k] and cands[j][0] != headline
        )
        inside = 2 if text != headline and keys[k] and keys[k] in in_title else 0
        score = weight + inside + agree - k * 0.01
        if score > best_score:
            best, best_score = text, score
    return best


def _title_key(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.casefold()).split())


def _site_names(tree: HtmlElement, ld: dict, parts: list[str]) -> set[str]:
    """The names the page goes by: og:site_name, the JSON-LD publisher, the short end parts
    of its <title>."""
    names = {_meta(tree, "og:site_name")}
    publisher = ld.get("publisher")
    if isinstance(publisher, dict) and isinstance(publisher.get("name"), str):
        names.add(_clean_text(publisher["name"]))
    if len(parts) > 1:
        names |= {
            p for p in (parts[0], parts[-1]) if len(p.split()) <= 5 and p != max(parts, key=len)
        }
    return {_title_key(n) for n in names if n}


def _strip_site(text: str, site: set[str]) -> str:
    """'Headline | Site' or 'Site: Headline' -> 'Headline' when Site is the page's name."""
    parts = [p for p in _TITLE_SPLIT.split(text) if p]
    while len(parts) > 1 and _title_key(parts[-1]) in site:
        parts.pop()
    while len(parts) > 1 and _title_key(parts[0]) in site:
        parts.pop(0)
    if len(parts) == len([p for p in _TITLE_SPLIT.split(text) if p]):
        return text
    start, end = text.find(parts[0]), text.rfind(parts[-1]) + len(parts[-1])
    return text[start:end].strip()


def _site_from_title(tree: HtmlElement, title: str) -> str | None:
    parts = [p for p in _title_parts(tree) if p != title]
    return parts[-1] if len(parts) == 1 and len(parts[0].split()) <= 5 else None


_UTC = re.compile(r"T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]00:?00)$")


def _date(tree: HtmlElement, ld: dict, extracted: str | None, page: str = ""):
    for value in (
        ld.get("datePublished"),
        _meta(
            tree,
            "article:published_time",
            "og:published_time",
            "datePublished",
            "pubdate",
            "publish-date",
            "date",
        ),
    ):
        day = parse_date(value) if value else None
        if day is None and isinstance(value, str):
            found = [d for d in find_dates(value) if d.complete]
            day = found[0].as_date() if found else None
        if day and page and isinstance(value, str) and _UTC.search(value.strip()):
            return _local_day(day, page)
        if day:
            return day
    time_tag = tree.find(".//time[@datetime]")
    if time_tag is not None:
        day = parse_date(str(time_tag.get("datetime"))[:10])
        if day:
            return day
    return parse_date(extracted) if extracted else None


def _local_day(utc_day: dt.date, page: str) -> dt.date:
    """A timestamp written in UTC ("...T03:28:35Z") is the next day already for a page
    published in the Americas' evening; the page's own visible date (htmldate reads the
    byline, the URL and the rest as the page shows them) says which day it was there."""
    from htmldate import find_date

    try:
        shown = find_date(page, original_date=True, extensive_search=False)
    except Exception:  # noqa: BLE001 - htmldate's trouble must not cost the page
        return utc_day
    try:
        local = dt.date.fromisoformat(shown) if shown else None
    except ValueError:
        return utc_day
    return local if local is not None and 0 <= (utc_day - local).days <= 1 else utc_day


def _blocks(text: str) -> tuple[Block, ...]:
    blocks = []
    for line in text.split("\n"):
        line = normalize_line(line)
        if not line or fur.is_promo(line) or fur.is_caption(line):
            continue
        if line.startswith(("- ", "• ")):
            blocks.append(Block("li", line[2:].strip()))
        elif text_units(line) <= 12 and not line.endswith(
            (".", "”", '"', "?", "!", "。", "！", "？", "|")
        ):
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
            return blocks[i + 1 :] if all(b.kind == "h" for b in blocks[:i]) else blocks
    return blocks


def clean_html(raw: RawPage, outlets: fur.Outlets) -> Article | Skip:
    tree = load_html(raw.text)  # trafilatura's own loader: the same tree its extraction reads
    if tree is None:
        return Skip(_TOO_LITTLE)
    ld = _json_ld(tree)
    own = _own_metadata(tree, ld, raw.text)
    # trafilatura's own metadata (htmldate and all) is 40 % of its time on a page; it is
    # only a fallback here, so it is asked for only when the page's own tags leave a gap
    doc, text = _extract(raw.text, tree, ld, with_metadata=None in own)
    blocks = _blocks(text)
    if sum(text_units(b.text) for b in blocks) < _MIN_BODY_WORDS:
        return Skip(_TOO_LITTLE)
    notes: list[str] = []
    title = own.title or _title(tree, ld, getattr(doc, "title", None))
    if not title:
        title = first_sentence(blocks[0].text)
        notes.append(f"no headline found; titled by the first sentence: {title[:60]!r}")
    blocks = _after_headline(blocks, title)
    day = own.day or _date(tree, ld, getattr(doc, "date", None), raw.text)
    if day is None and raw.modified is not None:
        day = plausible(raw.modified)
        notes.append(f"no publication date found; dated {day} by {raw.hints.fetched_by}")
    if day is None:
        return Skip(
            f"no publication date found in the HTML page, and {raw.hints.fetched_by} is not a date"
        )
    authors = own.authors or _names(getattr(doc, "author", None))
    site = own.site or _site(tree, ld, title)
    source = site or getattr(doc, "sitename", None) or outlets.identify(raw.text[:20000])
    return Article(
        title=title,
        date=day,
        source=normalize_line(source) if source else None,
        authors=tuple(a for a in authors if a != source),
        blocks=blocks,
        notes=tuple(notes),
        url=_address(tree, ld),
    )


def _address(tree: HtmlElement, ld: dict) -> str | None:
    """The article's own address: the canonical link, og:url, or the JSON-LD url (http(s)
    only: a page's `javascript:` link must not become one on the site)."""
    link = tree.find(".//link[@rel='canonical']")
    for value in (
        link.get("href") if link is not None else None,
        _meta(tree, "og:url"),
        ld.get("url") if isinstance(ld.get("url"), str) else None,
    ):
        address = web_address(value)
        if address:
            return address
    return None


def _trafilatura(tree: HtmlElement, with_metadata: bool = False, mode: str = "") -> object:
    """trafilatura's reading of the page: comments out, tables in, its fast path; `mode` is
    "precision" or "recall" ("": its defaults). Each reading gets its own copy of the tree
    the page was loaded into once (trafilatura prunes the tree it reads), and the settings
    are made once per mode (the library copies them before it changes one)."""
    return trafilatura.bare_extraction(deepcopy(tree), options=_settings(bool(with_metadata), mode))


@functools.cache
def _settings(with_metadata: bool, mode: str) -> Extractor:
    """What `bare_extraction(page, fast=True, include_comments=False, include_tables=True,
    favor_<mode>=True, with_metadata=...)` would make on every call."""
    return Extractor(
        output_format="python",
        fast=True,
        precision=mode == "precision",
        recall=mode == "recall",
        comments=False,
        tables=True,
        with_metadata=with_metadata,
    )


def _extract(page: str, tree: HtmlElement, ld: dict, with_metadata: bool) -> tuple[object, str]:
    """(trafilatura's document, the body text), trying harder when the first answer is
    short against the article the page itself declares."""
    declared = _declared_units(tree, ld)
    text = getattr(_trafilatura(tree, mode="precision"), "text", None) or ""
    doc = _trafilatura(tree, with_metadata=with_metadata)
    fuller = getattr(doc, "text", None) or ""
    if text_units(text) < _PRECISE * text_units(fuller):
        text = fuller  # precision cut the article, not just its furniture
    if text_units(text) >= max(_MIN_BODY_WORDS, _SHORT * declared):
        return doc, text
    best = text
    again = _trafilatura(tree, mode="recall")
    for candidate in (getattr(again, "text", None) or "", _container_text(page, ld)):
        if text_units(candidate) > text_units(best) and (
            not declared or text_units(candidate) <= 3 * declared
        ):
            best = candidate
    return doc, best


def _declared_units(tree: HtmlElement, ld: dict) -> float:
    """How long the page says its article is: JSON-LD articleBody, else the text of its
    articleBody container (0 when it says nothing)."""
    body = ld.get("articleBody")
    if isinstance(body, str) and body.strip():
        return text_units(body)
    node = tree.find(".//*[@itemprop='articleBody']")
    return text_units(node.text_content()) if node is not None else 0.0


_BLOCK_TAGS = ["p", "li", "h2", "h3", "h4", "blockquote", "tr", "pre"]


def _container_text(page: str, ld: dict) -> str:
    """The article as the page marks it up, read with BeautifulSoup: the paragraphs, items,
    crossheads and table rows of its articleBody or <article> container, or the JSON-LD
    articleBody itself. Only for pages trafilatura read short (it costs a second parse)."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page, "lxml")
    for bad in soup(["script", "style", "noscript", "template", "aside", "nav", "form", "figure"]):
        bad.decompose()
    node = soup.find(attrs={"itemprop": "articleBody"}) or soup.find("article")
    if node is not None:
        lines = []
        for block in node.find_all(_BLOCK_TAGS):
            if block.find(_BLOCK_TAGS):
                continue  # its inner blocks say it
            cells = (
                [c.get_text(" ", strip=True) for c in block.find_all(["td", "th"])]
                if block.name == "tr"
                else []
            )
            line = " | ".join(c for c in cells if c) if cells else block.get_text(" ", strip=True)
            if line:
                lines.append(("- " + line) if block.name == "li" else line)
        if lines:
            return "\n".join(lines)
    body = ld.get("articleBody")
    return htmllib.unescape(body) if isinstance(body, str) else ""


class _Own(NamedTuple):
    """What the page's own JSON-LD, meta tags, h1 and <title> say; None where they say
    nothing (then trafilatura's guess is the fallback)."""

    title: str | None
    day: dt.date | None
    authors: tuple[str, ...] | None
    site: str | None


def _own_metadata(tree: HtmlElement, ld: dict, page: str) -> _Own:
    title = _title(tree, ld, None)
    authors = _names(ld.get("author")) or _names(_meta(tree, "author", "article:author"))
    return _Own(
        title,
        _date(tree, ld, None, page),
        authors or None,
        _site(tree, ld, title) if title else None,
    )


def _site(tree: HtmlElement, ld: dict, title: str) -> str | None:
    publisher = ld.get("publisher")
    return (
        (publisher.get("name") if isinstance(publisher, dict) else None)
        or _meta(tree, "og:site_name")
        or _site_from_title(tree, title)
    )

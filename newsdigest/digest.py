"""understand: Article -> Entry. People, an extractive summary and key quotes with speakers.

Extractive on purpose: every word of the digest is the outlet's own, so nothing is invented.
"""

from __future__ import annotations

import re

from .model import Article, Block, Entry, Quote
from .people import Detected, Mention, Registry, detect, rank, resolve
from .textutil import split_sentences, word_count

_SPEECH = re.compile(
    r"\b(?:said|says|told|wrote|writes|added|stressed|noted|emphasi[sz]ed|"
    r"stated|announced|posted|warned|declared|according to|quote from)\b",
    re.I,
)
_QUOTE = re.compile(r"([\"“«„])([^\"“”«»„]{20,600}?)([\"”»“])")
_SENTENCE_START = re.compile(r"(?:^|[.!?…:]\s+|[.!?…][\"”»]\s+|\(\s*)$")  # before a whole quote
_SENTENCE_END = re.compile(r"[.!?…,;]$")  # a comma: "We will," she said
_SUMMARY_CHARS = 320
_MAX_QUOTES = 3


def summarize(blocks: tuple[Block, ...]) -> str:
    """The lead's first sentence, and the second too when both stay short."""
    lead = next((b.text for b in blocks if b.kind == "p"), "")
    sentences = split_sentences(lead)
    if not sentences:
        return ""
    summary = sentences[0]
    if len(sentences) > 1 and len(summary) + len(sentences[1]) < _SUMMARY_CHARS // 2 + 60:
        summary += " " + sentences[1]
    return summary


def key_quotes(
    blocks: tuple[Block, ...], mentions: list[Mention], unit_offset: int = 1
) -> tuple[Quote, ...]:
    """Whole quoted sentences of at least eight words, each with the person named nearest to
    it by a speech verb, in the page's own quotation marks. A quote nobody is named as
    saying, or a fragment quoted inside a sentence of the reporter's ("discussed "latest
    developments," NATO said"), is not a key quote: a blank speaker or half a sentence
    would misquote."""
    found: list[tuple[int, int, Quote]] = []
    by_unit: dict[int, list[Mention]] = {}
    for m in mentions:  # grouped once: a page naming thousands must not be scanned per block
        by_unit.setdefault(m.unit, []).append(m)
    for b, block in enumerate(blocks):
        if block.kind == "h":
            continue
        in_block = by_unit.get(b + unit_offset, [])
        for match in _QUOTE.finditer(block.text):
            text = match.group(2).strip()
            if word_count(text) < 8 or not _whole(block.text[: match.start()], text):
                continue
            speaker = _speaker(block.text, in_block, match.start(), match.end())
            if speaker is None:
                continue
            marks = match.group(1) + match.group(3)
            found.append((b, match.start(), Quote(text.rstrip(",;"), speaker, marks)))
    best = sorted(found, key=lambda f: -len(f[2].text))[:_MAX_QUOTES]
    return tuple(q for _, _, q in sorted(best, key=lambda f: (f[0], f[1])))


def _whole(before: str, text: str) -> bool:
    """A quote that is a sentence of its own: it opens one (or follows a colon) with a
    capital, and ends as one does."""
    return (
        text[:1].isupper()
        and bool(_SENTENCE_START.search(before))
        and bool(_SENTENCE_END.search(text))
    )


def _speaker(text: str, mentions: list[Mention], start: int, end: int) -> str | None:
    """The person named nearest the quote with a speech verb between them (or right by it)."""
    best: tuple[int, str] | None = None
    for m in mentions:
        if m.start >= end:
            gap = text[end : m.start]
        elif m.end <= start:
            gap = text[m.end : start]
        else:
            continue
        if _SPEECH.search(gap) or len(gap.strip(" ,:")) == 0:
            distance = len(gap)
            if distance <= 80 and (best is None or distance < best[0]):
                best = (distance, m.name)
    return best[1] if best else None


def understand(article: Article, seed: str, seed_sha256: str, registry: Registry) -> Entry:
    return understood(article, seed, seed_sha256, registry)[0]


def understood(
    article: Article,
    seed: str,
    seed_sha256: str,
    registry: Registry,
    detected: Detected | None = None,
) -> tuple[Entry, Detected]:
    """The entry, and what detection found (`detected`, when given, is that already: a
    registry edit re-resolves the names without running the tagger again)."""
    if detected is None:
        detected = detect([article.title] + [b.text for b in article.blocks])
    mentions = resolve(detected, registry, exclude=article.authors)
    entry = Entry(
        title=article.title,
        date=article.date,  # type: ignore[arg-type]  # clean never returns an undated Article
        source=article.source,
        authors=article.authors,
        people=rank(mentions),
        summary=summarize(article.blocks),
        seed=seed,
        seed_sha256=seed_sha256,
        quotes=key_quotes(article.blocks, mentions),
        blocks=article.blocks,
        url=article.url,
    )
    return entry, detected

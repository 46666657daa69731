"""Text dumps -> Article: the project's own cleaner for pages saved as plain text.

The page is read as lines, and the learned line model (`lines.py`) says which are the
article's body and which its headline; promos and captions inside the body are cut (the
furniture vocabulary, kept where it earns its place on the real pages). The publication
date is chosen by the learned date model (`dating.py`) among the page's dates, with the
scraper's header date and the file's modification day as fallbacks; a fallback is a note
(a warning in the build). Authors and outlet come from the lines around the body.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ..dates import find_dates, iso_day, plausible
from ..model import Article, Block, RawPage, Skip
from ..textutil import (
    ends_with_mark,
    first_sentence,
    normalize_lines,
    text_units,
    web_address,
    word_count,
)
from . import dating
from . import furniture as fur
from . import lines as L

_SCRAPER_HEADER = re.compile(r"^\s*date (\d{4}-\d{2}-\d{2})\b\s*(.*)$")
_BULLET = re.compile(r"^[•·▪◦*–-]\s+(?=\S)")
_MIN_BODY_WORDS = 15
_READ_TIME = re.compile(r"\b\d+\s+min(?:ute)?s?\s+read\b", re.I)


@dataclass(frozen=True)
class _Line:
    text: str
    blank_before: bool


def _lines(text: str) -> tuple[dt.date | None, list[_Line]]:
    """Normalised lines; a scraper's ' date YYYY-MM-DD' first line becomes a date hint."""
    raw = text.split("\n")
    hint = None
    if raw:
        match = _SCRAPER_HEADER.match(raw[0])
        if match:
            hint = iso_day(match.group(1))  # an impossible or far-off date is no hint
            raw[0] = match.group(2)
    out, blank = [], True
    for norm in normalize_lines("\n".join(raw)):
        if norm:
            out.append(_Line(norm, blank))
        blank = not norm
    return hint, out


def _is_headline(text: str) -> bool:
    words = text.split()
    starts_well = (
        text[:1].isupper()
        or text[:1] in "\"“«'0123456789"
        or any(ch.isupper() for ch in words[0][:4])
        if words
        else False
    )
    return (
        (3 <= len(words) <= 25 and starts_well)
        and not text.endswith((".", ",", ";"))
        and not fur.is_promo(text)
        and not fur.is_stop(text)
        and not fur.NOT_TITLE.match(text)
        and len(re.findall(r"\s[|·•]\s", text)) < 2
    )


def _is_dateline(text: str) -> bool:
    """A byline or date line: a date plus at most a few names and a reading time."""
    dates = find_dates(text)
    if not any(d.complete for d in dates):
        return False
    rest = _READ_TIME.sub(" ", text)
    for d in reversed(dates):
        rest = rest[: d.start] + " " + rest[d.end :]
    return word_count(rest) <= 14


def _is_bare_date(text: str) -> bool:
    """A line that is only a date (and a time): never article text, a feed's or footer's."""
    dates = find_dates(text)
    if not dates:
        return False
    rest = text
    for d in reversed(dates):
        rest = rest[: d.start] + " " + rest[d.end :]
    return word_count(rest) <= 1 and len(rest.strip()) <= 12


def _is_byline(text: str) -> bool:
    return text.lower().startswith("by ") and word_count(text) <= 30 or _is_dateline(text)


def _find_title(lines: list[_Line], lead: int, boilerplate: frozenset[str]) -> int | None:
    """The best headline above the lead: repeated near it, followed by a byline or date,
    nearest the lead (a standfirst right under the title does not count as nearer)."""
    header = [ln.text for ln in lines[:lead]]
    candidates = [
        i
        for i, t in enumerate(header)
        if t not in boilerplate
        and _is_headline(t)
        and not _not_headline(t)
        and not fur.is_author_line(t, header[i + 1 : i + 3])
    ]
    nearest = None
    for i in reversed(candidates):
        if (
            i - 1 in candidates
            and word_count(header[i]) >= max(8, word_count(header[i - 1]))
            and not _menu_like(header[i - 1])
        ):
            continue  # a standfirst (dek) under its title
        nearest = i
        break
    best, best_score = None, 0.0
    for i in candidates:
        text = header[i]
        score = 1.0 + 2 * min(header.count(text) - 1, 2)
        for distance, after in enumerate(header[i + 1 : i + 3]):
            if _is_byline(after) or _READ_TIME.search(after):
                score += 3 if distance == 0 else 1.5
                break
        if lines[i].blank_before:
            score += 1
        if len(text.split()) >= 7 and _menu_like(text):
            score -= 2  # a menu bar: every word capitalised
        if i == nearest:
            score += 2.5
        score += i / (10 * len(header))  # nearer the lead wins a tie
        if score > best_score:
            best, best_score = i, score
    return best


def _menu_like(text: str) -> bool:
    return all(w[:1].isupper() for w in text.split() if w.isalpha())


def _drop_dangling_heads(kept: list[tuple[int, Block]]) -> list[tuple[int, Block]]:
    """A crosshead stands only before body text; a lone short line is page furniture."""
    out = []
    for k, (i, block) in enumerate(kept):
        nxt = kept[k + 1][1] if k + 1 < len(kept) else None
        if block.kind == "h" and (nxt is None or nxt.kind == "h"):
            continue
        out.append((i, block))
    return out


def _authors(lines: list[_Line], title: int | None, lead: int, end: int) -> tuple[str, ...]:
    texts = [ln.text for ln in lines]
    for text in texts:
        if re.match(r"^authors?:\s*\S", text, re.I):
            return fur.split_names(text)
    for k in range((title or 0) + 1, lead):
        if fur.is_author_line(texts[k], texts[k + 1 : k + 3]):
            return fur.split_names(texts[k])
    for text in texts[(title or 0) + 1 : lead]:
        if (_is_byline(text) or fur.NAME_NOISE.match(text)) and not fur.is_caption(text):
            dates = find_dates(text)
            names = text[: dates[0].start] if dates else text
            found = fur.split_names(_READ_TIME.sub("", names))
            if found:
                return found
    for k, text in enumerate(texts[:-1]):
        if text.lower() == "avatar":
            return fur.split_names(texts[k + 1])
    # "05/28/2025 / Sabine Kinkartz" after the body
    for k in range(end, min(end + 2, len(texts) - 1)):
        if _is_bare_date(texts[k]) and _looks_like_name(texts[k + 1]):
            return (texts[k + 1],)
    return ()


def _looks_like_name(text: str) -> bool:
    words = text.split()
    return 2 <= len(words) <= 4 and all(
        w[:1].isupper() and w[1:].islower() for w in words if w.isalpha()
    )


def clean_text(
    raw: RawPage, outlets: fur.Outlets, boilerplate: frozenset[str] = frozenset()
) -> Article | Skip:
    result = _clean_lines(raw, outlets, boilerplate)
    if isinstance(result, Skip) and boilerplate:
        # Lines shared with other pages may be an outlet's stock background paragraph rather
        # than furniture: never let them cost a page its article.
        return _clean_lines(raw, outlets, frozenset())
    return result


_TITLE_SURE = 0.3  # the line model's headline probability above which its pick stands
_TITLE_REACH = 40  # lines above the body where the headline may be


@dataclass(frozen=True)
class Reading:
    """What the line model found on a dump: the headline's line and the body's blocks."""

    lines: list[_Line]
    hint: dt.date | None  # the scraper's ' date YYYY-MM-DD' header
    title: int | None  # index of the headline's line
    kept: list[tuple[int, Block]]  # (line index, block) of the article body


def read(
    text: str, boilerplate: frozenset[str] = frozenset(), model: L.Tagger | None = None
) -> Reading | Skip:
    """Headline and body of a dump, as the line model reads them (the date is chosen after).
    `model`: another line model than the shipped one (training scores its own)."""
    hint, lines = _lines(text)
    texts = [ln.text for ln in lines]
    feats = L.features(texts, [ln.blank_before for ln in lines], boilerplate)
    body_p, title_p = (model or L.tagger()).probabilities(feats)
    chosen = L.body_span(body_p)
    if not chosen:
        return Skip("not an article: no run of article text (menus, links or noise only)")
    title_i = _headline(lines, chosen[0], title_p, boilerplate)
    kept = [
        (i, _block(texts[i]))
        for i in chosen
        if i != title_i and not _furniture(texts[i]) and texts[i] not in boilerplate
    ]  # on 3+ pages: furniture
    while kept and (_is_bare_date(kept[0][1].text) or _is_byline(kept[0][1].text)):
        kept.pop(0)  # the date or byline line right above the lead
    while kept and (_is_bare_date(kept[-1][1].text) or fur.is_stop(kept[-1][1].text)):
        # a date or a credit line ("X contributed to this report") after the last paragraph
        kept.pop()
    kept = _drop_dangling_heads([(i, b) for i, b in kept if b.text])
    if sum(text_units(b.text) for _, b in kept) < _MIN_BODY_WORDS:
        return Skip("not an article: too little body text")
    return Reading(lines, hint, title_i, kept)


def _clean_lines(raw: RawPage, outlets: fur.Outlets, boilerplate: frozenset[str]) -> Article | Skip:
    reading = read(raw.text, boilerplate)
    if isinstance(reading, Skip):
        return reading
    lines, title_i, kept = reading.lines, reading.title, reading.kept
    texts = [ln.text for ln in lines]
    notes: list[str] = []
    lead, end = kept[0][0], kept[-1][0] + 1
    if title_i is not None:
        title = texts[title_i]
    else:
        title = first_sentence(kept[0][1].text)
        notes.append(f"no headline found; titled by the first sentence: {title[:60]!r}")
    day, note = _date(texts, title_i, lead, end, reading.hint, raw.modified, raw.hints.fetched_by)
    if note:
        notes.append(note)
    if day is None:
        return Skip(f"no publication date found, and {raw.hints.fetched_by} is not a date")
    in_body = {i for i, _ in kept}
    furniture_text = "\n".join(ln.text for k, ln in enumerate(lines) if k not in in_body)
    source = outlets.identify(furniture_text) or next(
        (o for o in map(fur.outlet_from_line, (ln.text for ln in lines)) if o), None
    )
    if title_i is not None:  # a headline set twice (over and under the byline): from the first
        title_i = next(i for i in range(title_i + 1) if texts[i] == texts[title_i])
    authors = tuple(a for a in _authors(lines, title_i, lead, end) if a != source)
    return Article(
        title=title,
        date=day,
        source=source,
        authors=authors,
        blocks=tuple(b for _, b in kept),
        notes=tuple(notes),
        url=_address(texts, lead),
    )


_ADDRESS = re.compile(r"(?:(source|url|link|canonical|original)\s*:?\s+)?(https?://\S+)", re.I)


def _address(texts: list[str], lead: int) -> str | None:
    """The article's own address, from a line that is one: above the lead (a scraper's
    header, the address bar), or anywhere when labelled ("Source: https://..."). A bare
    address below the article is a teaser's or a share link's, never taken."""
    for i, text in enumerate(texts):
        match = _ADDRESS.fullmatch(text.strip())
        if match and (i < lead or match.group(1)):
            address = web_address(match.group(2))
            if address:
                return address
    return None


def _date(
    texts: list[str],
    title: int | None,
    lead: int,
    end: int,
    hint: dt.date | None,
    modified: dt.date | None,
    by: str = "the file's modification time",
) -> tuple[dt.date | None, str | None]:
    """(publication date, the fallback taken, if any). In order: the date the date model is
    sure of; the scraper's header date; the model's best guess among the page's dates; the
    file's modification day (warned)."""
    best = dating.scorer().best(dating.candidates(texts, title, lead, end))
    if best is not None and best[1] >= dating.SURE:
        return best[0], None
    if hint is not None:
        return hint, None
    if best is not None:
        return best[0], None
    day = plausible(modified) if modified else None
    if day is None:
        return None, None
    return day, f"no publication date found; dated {day} by {by}"


def _furniture(text: str) -> bool:
    """Promos and photo captions inside the run: on the labelled real pages 85 % of the lines
    the promo vocabulary names there are not article text, and captions are never digest
    text (the quality bar), though some gold texts keep them."""
    return fur.is_promo(text) or fur.is_caption(text)


def _headline(
    lines: list[_Line], first: int, title_p: list[float], boilerplate: frozenset[str]
) -> int | None:
    """The line model's headline when it is sure; else the best headline-shaped line above
    the body (repeated near it, followed by a byline); else none."""
    reach = range(max(0, first - _TITLE_REACH), min(len(lines), first + 1))
    for i in sorted(reach, key=title_p.__getitem__, reverse=True):
        if title_p[i] < _TITLE_SURE:
            break
        text = lines[i].text
        if not _not_headline(text):
            return i
    return _find_title(lines, first, boilerplate)


_CLOCK = re.compile(r"\b\d{1,2}[:h]\d{2}\b")


def _not_headline(text: str) -> bool:
    """A date, a time stamp, a byline or a caption is never the headline, however it is set
    (in any language: a line with a clock time in it is a time stamp)."""
    return (
        _is_dateline(text)
        or _is_bare_date(text)
        or _is_byline(text)
        or fur.is_caption(text)
        or bool(_CLOCK.search(text))
        and text_units(text) <= 12
    )


def _block(text: str) -> Block:
    """A body line as a paragraph, a list item or a crosshead (short, headline-shaped, no
    full stop)."""
    bullet = _BULLET.match(text)
    if bullet:
        return Block("li", text[bullet.end() :])
    if (
        text_units(text) <= 14
        and not ends_with_mark(text, ".!?…。！？:;,", "'\"”’»)")
        and text[:1].isupper()
    ):
        return Block("h", text)
    if text.endswith(":") and text_units(text) <= 4:  # "Background:" over a list
        return Block("h", text[:-1])
    return Block("p", text)

"""Text dumps -> Article: the project's own cleaner for pages saved as plain text.

The page is read as lines. The *lead* is the first line of real prose (not a caption, a
byline or a promo); the title is the best headline above it; the body runs from the lead to
the first line that ends an article (author box, news feed, "most read", a teaser card),
skipping in-body promos and captions and keeping crossheads, quotes and list items.
Blank lines help (a teaser card is one block) but are never required.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ..dates import complete_year, find_dates, iso_day, page_is_day_first
from ..model import Article, Block, RawPage, Skip
from ..textutil import normalize_line, word_count
from . import furniture as fur

_SCRAPER_HEADER = re.compile(r"^\s*date (\d{4}-\d{2}-\d{2})\b\s*(.*)$")
_BULLET = re.compile(r"^[•·▪◦*–-]\s+(?=\S)")
_MIN_BODY_WORDS = 40
_UPDATED = re.compile(r"(updated|modified|edited|оновлено|обновлено)\W*$", re.I)
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
    for line in raw:
        norm = normalize_line(line)
        if norm:
            out.append(_Line(norm, blank))
        blank = not norm
    return hint, out


def _is_prose(text: str, in_body: bool = False) -> bool:
    """Sentences, not a menu: enough words, enough lower-case words, a sentence ending.

    Inside the body a long line without a full stop ("Source: X at a press conference")
    is prose too; above the lead it would more likely be a headline.
    """
    words = text.split()
    if len(words) < 8 or not re.search(r"[a-zа-яіїєґ]", text):
        return False
    lower = sum(1 for w in words if w[:1].islower())
    ends = text.rstrip("\"”’»)' ").endswith((".", "!", "?", ":", ";")) or len(words) >= 25
    if in_body and len(words) >= 12 and lower >= len(words) * 0.4:
        return True
    return lower >= len(words) * 0.2 and ends


def _is_headline(text: str) -> bool:
    words = text.split()
    starts_well = text[:1].isupper() or text[:1] in "\"“«'0123456789" or any(ch.isupper() for ch in words[0][:4]) \
        if words else False
    return (3 <= len(words) <= 25 and starts_well) and \
        not text.endswith((".", ",", ";")) and not fur.is_promo(text) and not fur.is_stop(text) and \
        not fur.NOT_TITLE.match(text) and len(re.findall(r"\s[|·•]\s", text)) < 2


def _is_dateline(text: str) -> bool:
    """A byline or date line: a date plus at most a few names and a reading time."""
    dates = find_dates(text)
    if not any(d.complete for d in dates):
        return False
    rest = _READ_TIME.sub(" ", text)
    for d in reversed(dates):
        rest = rest[: d.start] + " " + rest[d.end:]
    return word_count(rest) <= 14


def _is_bare_date(text: str) -> bool:
    """A line that is only a date (and a time): never article text, a feed's or footer's."""
    dates = find_dates(text)
    if not dates:
        return False
    rest = text
    for d in reversed(dates):
        rest = rest[: d.start] + " " + rest[d.end:]
    return word_count(rest) <= 1 and len(rest.strip()) <= 12


def _is_byline(text: str) -> bool:
    return text.lower().startswith("by ") and word_count(text) <= 30 or _is_dateline(text)


def _skippable(text: str) -> bool:
    return fur.is_promo(text) or fur.is_caption(text) or _is_byline(text)


def _find_lead(lines: list[_Line], boilerplate: frozenset[str]) -> int | None:
    """The first line of prose; a standfirst (dek) above a caption or byline is skipped."""
    for i, line in enumerate(lines):
        if line.text in boilerplate:
            continue
        if _is_prose(line.text) and not _skippable(line.text) and not fur.is_truncated(line.text):
            ahead = [ln.text for ln in lines[i + 1 : i + 3]]
            if any(fur.is_caption(t) or _is_byline(t) for t in ahead) and word_count(line.text) <= 40:
                continue
            return i
    return None


def _find_title(lines: list[_Line], lead: int, boilerplate: frozenset[str]) -> int | None:
    """The best headline above the lead: repeated near it, followed by a byline or date,
    nearest the lead (a standfirst right under the title does not count as nearer)."""
    header = [ln.text for ln in lines[:lead]]
    candidates = [i for i, t in enumerate(header)
                  if t not in boilerplate and _is_headline(t) and not _is_dateline(t) and not fur.is_caption(t)
                  and not fur.is_author_line(t, header[i + 1 : i + 3])]
    nearest = None
    for i in reversed(candidates):
        if i - 1 in candidates and word_count(header[i]) >= max(8, word_count(header[i - 1])) \
                and not _menu_like(header[i - 1]):
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


@dataclass(frozen=True)
class _Body:
    blocks: list[tuple[int, Block]]
    end: int  # index of the line that ended the article (len(lines) if none)


def _classify(text: str) -> Block | None:
    bullet = _BULLET.match(text)
    if bullet:
        return Block("li", text[bullet.end():])
    if _is_prose(text, in_body=True):
        return Block("p", text)
    if _is_headline(text) and word_count(text) <= 14 or text.endswith(":") and word_count(text) <= 4:
        return Block("h", text.rstrip(":") if text.endswith(":") else text)
    return None


def _body(lines: list[_Line], lead: int, title: str | None, boilerplate: frozenset[str]) -> _Body:
    kept: list[tuple[int, Block]] = []
    end = len(lines)
    for j in range(lead, len(lines)):
        text = lines[j].text
        teaser = fur.is_glued_signature(text) or fur.is_truncated(text)
        if fur.is_stop(text) or teaser or _is_bare_date(text):
            end = j
            if teaser:
                kept = _drop_teaser_card(lines, kept, j)
            break
        if fur.is_promo(text) or fur.is_caption(text) or text == title or text in boilerplate:
            continue
        block = _classify(text)
        if block is not None:
            kept.append((j, block))
    return _Body(_drop_dangling_heads(kept), end)


def _drop_teaser_card(lines: list[_Line], kept: list[tuple[int, Block]], stop: int) -> list:
    """A teaser card (headline, dek, signature) ran into the body: cut it off again."""
    has_blanks = any(ln.blank_before for ln in lines[1:])
    if has_blanks:
        start = stop
        while start > 0 and not lines[start].blank_before:
            start -= 1
        return [(i, b) for i, b in kept if i < start or stop - start > 4]
    trimmed = list(kept)
    if trimmed and trimmed[-1][1].kind == "p" and len(trimmed) > 1 and trimmed[-2][1].kind == "h":
        trimmed.pop()
    if trimmed and trimmed[-1][1].kind == "h":
        trimmed.pop()
    return trimmed


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
    for k in range(end, min(end + 2, len(texts) - 1)):  # "05/28/2025 / Sabine Kinkartz" after the body
        if _is_bare_date(texts[k]) and _looks_like_name(texts[k + 1]):
            return (texts[k + 1],)
    return ()


def _looks_like_name(text: str) -> bool:
    words = text.split()
    return 2 <= len(words) <= 4 and all(w[:1].isupper() and w[1:].islower() for w in words if w.isalpha())


def _publication_date(lines: list[_Line], title: int | None, lead: int, body: _Body,
                      hint: dt.date | None) -> dt.date | None:
    """Byline or date line near the title, else the scraper's hint, else the lead's dateline."""
    day_first = page_is_day_first("\n".join(ln.text for ln in lines))
    start = title if title is not None else max(0, lead - 6)
    near = list(range(start, lead)) + list(range(max(0, start - 3), start))
    for i in near:
        text = lines[i].text
        if fur.is_caption(text):
            continue
        for match in find_dates(text, day_first):
            if match.complete and not _UPDATED.search(text[: match.start]):
                return match.as_date()
    if hint:
        return hint
    for ln in lines[body.end : body.end + 2]:  # some outlets print the date after the article
        if _is_bare_date(ln.text):
            return next((d.as_date() for d in find_dates(ln.text, day_first) if d.complete), None)
    reference = _reference_date(lines, start, body.end)
    header = [ln.text for ln in lines[start:lead] if not fur.is_caption(ln.text)]
    for text in header + ([body.blocks[0][1].text] if body.blocks else []):
        for match in find_dates(text):
            if match.day is not None and reference:
                return complete_year(match, reference)
    return None


_COPYRIGHT_YEAR = re.compile(r"(?:©|\(c\)|copyright)\s*(?:\d{4}\s*[-–]\s*)?(\d{4})", re.I)


def _reference_date(lines: list[_Line], start: int, end: int) -> dt.date | None:
    """The latest complete date around the article, or 1 January of its copyright year."""
    days = [d.as_date() for ln in lines[start:end] for d in find_dates(ln.text) if d.complete]
    best = max((d for d in days if d), default=None)
    if best is None:
        years = [int(m.group(1)) for ln in lines for m in _COPYRIGHT_YEAR.finditer(ln.text)]
        best = dt.date(max(years), 1, 1) if years else None
    return best


def clean_text(raw: RawPage, outlets: fur.Outlets, boilerplate: frozenset[str] = frozenset()) -> Article | Skip:
    result = _clean_lines(raw, outlets, boilerplate)
    if isinstance(result, Skip) and boilerplate:
        # Lines shared with other pages may be an outlet's stock background paragraph rather
        # than furniture: never let them cost a page its article.
        return _clean_lines(raw, outlets, frozenset())
    return result


def _clean_lines(raw: RawPage, outlets: fur.Outlets, boilerplate: frozenset[str]) -> Article | Skip:
    hint, lines = _lines(raw.text)
    lead = _find_lead(lines, boilerplate)
    if lead is None:
        return Skip("not an article: no paragraph of prose (menus, links or noise only)")
    title_i = _find_title(lines, lead, boilerplate)
    title = lines[title_i].text if title_i is not None else None
    body = _body(lines, lead, title, boilerplate)
    if sum(word_count(b.text) for _, b in body.blocks) < _MIN_BODY_WORDS:
        return Skip("not an article: too little body text")
    if title is None:
        return Skip("no headline found above the article text")
    day = _publication_date(lines, title_i, lead, body, hint)
    if day is None:
        return Skip("no publication date found")
    in_body = {i for i, _ in body.blocks}
    furniture_text = "\n".join(ln.text for k, ln in enumerate(lines) if k not in in_body)
    source = outlets.identify(furniture_text) or next(
        (o for o in map(fur.outlet_from_line, (ln.text for ln in lines)) if o), None)
    authors = tuple(a for a in _authors(lines, title_i, lead, body.end) if a != source)
    return Article(title=title, date=day, source=source, authors=authors,
                   blocks=tuple(b for _, b in body.blocks))

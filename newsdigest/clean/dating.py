"""Which date on a text dump is its publication date: learned from labelled real pages.

A dump holds many dates: the publication date near the headline or byline, an "updated"
date, dates in the story, teasers' and feeds' dates, a copyright year. Every complete date
on the page is a candidate (`candidates`), described by where it sits (above the headline,
between the headline and the first paragraph, in the body, after it, how many lines away),
what its line looks like (a bare date, a byline, a time of day, the words just before it:
"Updated", "Published", "Posted"), and how it compares with the page's other dates (the
latest, the earliest, how often it recurs). A classifier trained by `python -m
newsdigest.train` (python-crfsuite, each candidate a one-item sequence, so plain logistic
regression) scores them; the best one wins if it is likely enough.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass

from ..dates import complete_year, find_dates, page_is_day_first, plausible
from ..models import open_model
from .lines import bucket as _bucket

MODEL = "dates.crfsuite"  # in newsdigest/data/
SURE = 0.35  # a best candidate below this probability is not trusted over the scraper's hint
_LONG = 200  # characters: past this a line is a paragraph, asked about dates only as the lead
_WORD = re.compile(r"[^\W\d_]+")
_COPYRIGHT_YEAR = re.compile(r"(?:©|\(c\)|copyright)\s*(?:\d{4}\s*[-–]\s*)?(\d{4})", re.I)


@dataclass(frozen=True)
class Candidate:
    day: dt.date
    line: int
    features: dict[str, float]


def _region(i: int, title: int | None, lead: int, end: int) -> str:
    if title is not None and i < title:
        return "above"
    if i < lead:
        return "head"
    if i < min(end, lead + 3):
        return "lead"
    return "body" if i < end else "after"


def candidates(lines: list[str], title: int | None, lead: int, end: int) -> list[Candidate]:
    """Every complete (or completable) date on the page, with its features."""
    day_first = page_is_day_first("\n".join(lines))
    found: list[tuple[int, dt.date, object, str]] = []
    reference = None
    for i, text in enumerate(lines):
        near = lead - 8 <= i < lead + 2  # the header and the lead: every line is read
        if len(text) > _LONG and not near:
            continue  # a paragraph's own dates are the story's, not its publication's
        for m in find_dates(text, day_first):
            if m.complete:
                day = plausible(m.as_date())
                if day is not None:
                    found.append((i, day, m, text))
                    reference = day if reference is None or day > reference else reference
    if reference is None:  # else the year of its copyright line: "© 2024 Kyiv Post"
        years = [int(m.group(1)) for text in lines for m in _COPYRIGHT_YEAR.finditer(text)]
        reference = (
            plausible(dt.date(max(years), 1, 1)) if years and 1800 <= max(years) <= 2199 else None
        )
    if reference is not None:  # "Sept. 25" takes the year of the page's other dates
        for i in range(max(0, lead - 8), min(len(lines), lead + 2)):
            for m in find_dates(lines[i], day_first):
                if not m.complete and m.day is not None:
                    day = plausible(complete_year(m, reference))
                    if day is not None:
                        found.append((i, day, m, lines[i]))
    if not found:
        return []
    days = [d for _, d, _, _ in found]
    latest, earliest = max(days), min(days)
    out = []
    seen_first: set[dt.date] = set()
    for i, day, m, text in sorted(found, key=lambda f: (f[0], f[2].start)):
        out.append(
            Candidate(
                day,
                i,
                _features(
                    i, day, m, text, title, lead, end, days, latest, earliest, day not in seen_first
                ),
            )
        )
        seen_first.add(day)
    return out


def _features(
    i: int,
    day: dt.date,
    m,
    text: str,
    title: int | None,
    lead: int,
    end: int,
    days: list[dt.date],
    latest: dt.date,
    earliest: dt.date,
    first_time: bool,
) -> dict[str, float]:
    region = _region(i, title, lead, end)
    anchor = title if title is not None else lead
    f = {
        "bias": 1.0,
        f"r={region}": 1.0,
        f"d={_bucket(abs(i - anchor), (1, 2, 3, 5, 9, 20, 60))}": 1.0,
        f"dl={_bucket(abs(i - lead), (1, 2, 3, 5, 9, 20))}": 1.0,
    }
    f[f"{region}:{'first' if first_time else 'again'}"] = 1.0
    rest = text[: m.start] + " " + text[m.end :]
    words = _WORD.findall(rest)
    f[f"rest={_bucket(len(words), (1, 3, 6, 10, 15, 30))}"] = 1.0
    before = _WORD.findall(text[: m.start].lower())[-2:]
    for k, word in enumerate(reversed(before)):
        f[f"b{k}={word[:12]}"] = 1.0
    after = _WORD.findall(text[m.end :].lower())[:1]
    if after:
        f[f"a0={after[0][:12]}"] = 1.0
    if m.has_time:
        f["time"] = 1.0
    if m.year is None:
        f["yearless"] = 1.0
    if text.lower().startswith("by "):
        f["byline"] = 1.0
    count = days.count(day)
    f[f"n={min(count, 4)}"] = 1.0
    if day == latest:
        f["latest"] = 1.0
    if day == earliest:
        f["earliest"] = 1.0
    f[f"span={_bucket((latest - earliest).days, (1, 8, 60, 400, 2000))}"] = 1.0
    f[f"age={_bucket((latest - day).days, (1, 3, 15, 60, 400))}"] = 1.0
    return f


class Scorer:
    """The trained date model (newsdigest/data/dates.crfsuite), loaded once per process."""

    def __init__(self, path: str | None = None) -> None:
        self.tagger = open_model(MODEL, path)

    def best(self, cands: list[Candidate]) -> tuple[dt.date, float] | None:
        """The likeliest publication date and its probability; None without candidates."""
        top: tuple[dt.date, float] | None = None
        for cand in cands:
            self.tagger.set([cand.features])
            p = self.tagger.marginal("Y", 0)
            if top is None or p > top[1]:
                top = (cand.day, p)
        return top


@functools.lru_cache(maxsize=1)
def scorer() -> Scorer:
    return Scorer()

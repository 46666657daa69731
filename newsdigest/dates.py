"""The one date parser: every date shape the pages use, found with its position in the text.

Choosing *which* date is the publication date is the cleaner's job (it knows where the byline
and the teasers are); this module only finds dates and fills in a missing year.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

_MONTHS = {
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
    # Ukrainian and Russian, in the genitive a date uses ("17 жовтня 2024", "5 марта 2025")
    "січня": 1,
    "лютого": 2,
    "березня": 3,
    "квітня": 4,
    "травня": 5,
    "червня": 6,
    "липня": 7,
    "серпня": 8,
    "вересня": 9,
    "жовтня": 10,
    "листопада": 11,
    "грудня": 12,
    "января": 1,
    "февраля": 2,
    "марта": 3,
    "апреля": 4,
    "мая": 5,
    "июня": 6,
    "июля": 7,
    "августа": 8,
    "сентября": 9,
    "октября": 10,
    "ноября": 11,
    "декабря": 12,
}


def _trie(words: list[str]) -> str:
    """An alternation of `words` factored by their prefixes ("sep(?:t(?:ember)?)?"): the same
    language and the same order of trials as the words sorted longest first (along any one
    text, the words that fit are prefixes of each other, and both try the longest first),
    but a month's name costs one character's test to rule out, not twenty-four words'."""
    tree: dict = {}
    for word in words:
        node = tree
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict) -> str:
        alts = [re.escape(ch) + emit(sub) for ch, sub in node.items() if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        if "" not in node:
            return body
        return f"(?:{body})?" if len(alts) > 1 or len(body) > 1 else body + "?"

    return emit(tree)


_MONTH = r"(?P<{0}>" + _trie(list(_MONTHS)) + r")\.?"
_WEEKDAY = r"(?:(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?\.?,?\s+)?"
_TIME = r"(?:,?\s*(?:at\s+)?(?P<hh{0}>\d{{1,2}}):\d{{2}}(?:\s*[ap]\.?m\.?)?)?"

_PATTERNS = [
    # 2023-12-04, 2023-12-04T19:00:00+02:00
    r"(?P<iso>(?P<iy>\d{4})-(?P<im>\d{2})-(?P<id>\d{2}))(?:[T ](?P<ihh>\d{2}):(?P<imm>\d{2}))?",
    # Tuesday, 3 December 2024, 12:37 · 29 Apr, 2024 · 3rd of December 2024
    _WEEKDAY
    + r"(?P<d1>\d{1,2})(?:st|nd|rd|th)?(?:\s+of)?\s+"
    + _MONTH.format("m1")
    + r",?(?:\s+(?P<y1>\d{4})(?:\s*(?:р\.|г\.|року|года))?)?"
    + _TIME.format(1),
    # December 4, 2023 7:00 PM · Dec. 4 · Sept. 25 · Feb. 15, 10:42 AM
    _WEEKDAY
    + _MONTH.format("m2")
    + r"\s+(?P<d2>\d{1,2})(?:st|nd|rd|th)?\b(?!:)"
    + r"(?:,?\s+(?P<y2>\d{4})\b)?"
    + _TIME.format(2),
    # 29/11/2022 - 17:15 · 12.02.2025 19:47
    r"(?P<n1>\d{1,2})(?P<sep>[./])(?P<n2>\d{1,2})(?P=sep)(?P<ny>\d{4})"
    + r"(?:\s*[-–,]?\s*(?P<nhh>\d{1,2}):(?P<nmm>\d{2}))?",
    # November 2023 (no day)
    _MONTH.format("m3") + r",?\s+(?P<y3>\d{4})\b",
]
_DATE = r"(?<![\w-])(?:" + "|".join(f"(?:{p})" for p in _PATTERNS) + r")"
_DATE_RE = re.compile(_DATE, re.I)
# The same pattern for a lower-cased text, matched with case (re.I costs the pattern more
# than half its time): every literal in it is lower case ("T" only in "[T ]"), and a lower-
# cased text gives the same matches wherever lowering keeps each character one character
# and none of the few that re.I matches to another letter than their lower case is there
# (dotless ı and long ſ to i and s, the old Cyrillic small letters; tests/test_dates.py
# derives this list from the pattern and Unicode again).
_DATE_LOWER = re.compile(_DATE.replace("[T ]", "[t ]"))
CASE_FOLD_ODD = "\u0131\u017f\u1c80\u1c81\u1c82\u1c83\u1c84\u1c85"
_FOLD_ODD = re.compile(f"[{CASE_FOLD_ODD}]")


@dataclass(frozen=True)
class DateMatch:
    """A date found in text. `year` is None when the text gave none ("on Sept. 25")."""

    year: int | None
    month: int
    day: int | None
    start: int
    end: int
    has_time: bool

    @property
    def complete(self) -> bool:
        return self.year is not None and self.day is not None

    def as_date(self, year: int | None = None) -> dt.date | None:
        """The calendar date, with `year` filling a missing one; None when impossible."""
        y = self.year if self.year is not None else year
        if y is None or self.day is None:
            return None
        try:
            return dt.date(y, self.month, self.day)
        except ValueError:
            return None


def _to_match(m: re.Match[str], day_first: bool, text: str) -> DateMatch | None:
    """The date `m` found in `text` (or in its lower-cased copy: a month's name is then read
    back from `text`, where "May" the month and "may" the verb differ)."""
    g = m.groupdict()
    for key in ("m1", "m2", "m3"):
        if g[key] is not None:
            g[key] = text[m.start(key) : m.end(key)]
    if "may" in (g["m1"], g["m2"], g["m3"]):  # the verb, not the month
        return None
    if g["iso"]:
        return DateMatch(
            int(g["iy"]), int(g["im"]), int(g["id"]), m.start(), m.end(), bool(g["ihh"])
        )
    if g["m1"]:
        return _named(g["m1"], g["d1"], g["y1"], m, bool(g["hh1"]))
    if g["m2"]:
        return _named(g["m2"], g["d2"], g["y2"], m, bool(g["hh2"]))
    if g["n1"]:
        a, b = int(g["n1"]), int(g["n2"])
        day, month = (a, b) if (day_first and b <= 12) or a > 12 else (b, a)
        return DateMatch(int(g["ny"]), month, day, m.start(), m.end(), bool(g["nhh"]))
    if g["m3"]:
        return DateMatch(int(g["y3"]), _MONTHS[g["m3"].lower()], None, m.start(), m.end(), False)
    return None


def _named(month: str, day: str, year: str | None, m: re.Match[str], has_time: bool) -> DateMatch:
    return DateMatch(
        int(year) if year else None, _MONTHS[month.lower()], int(day), m.start(), m.end(), has_time
    )


_DIGIT = re.compile(r"\d")
# What every date shape above needs somewhere: an ISO or numeric date, or a month's name.
# A cheap test first: the full pattern costs about 50 µs a line, and most lines with a
# digit in them hold no date at all. (A case-blind alternation of month names is as slow
# as the pattern itself; a set of three-letter prefixes is not.)
_NUMERIC_DATE = re.compile(r"\d{4}-\d\d-\d\d|\d[./]\d{1,2}[./]\d{4}")
_PREFIX3 = re.compile(r"(?<![^\W\d_])[^\W\d_]{3}")  # a word's first three letters
_MONTH3 = frozenset(name[:3] for name in _MONTHS)


def _maybe_date(text: str, lower: str) -> bool:
    if _NUMERIC_DATE.search(text):
        return True
    return not _MONTH3.isdisjoint(_PREFIX3.findall(lower))


@functools.lru_cache(maxsize=1 << 15)
def find_dates(text: str, day_first: bool = True) -> tuple[DateMatch, ...]:
    """Every date in `text`, in order. Impossible dates (31 Feb, month 13) are dropped.

    Cached: the cleaner asks about the same lines many times (byline? date line? caption?).
    """
    if not _DIGIT.search(text):
        return ()
    lower = text.lower()
    if not _maybe_date(text, lower):
        return ()
    if len(lower) == len(text) and not _FOLD_ODD.search(text):
        matches = _DATE_LOWER.finditer(lower)
    else:
        matches = _DATE_RE.finditer(text)
    return tuple(kept_dates(matches, day_first, text))


def kept_dates(
    matches: Iterable[re.Match[str]], day_first: bool, text: str
) -> Iterator[DateMatch]:
    """The pattern's matches that are possible dates: month 1-12, day 1-31, a year from
    1900 to 2100, and a day its month has (29 Feb in a leap year only)."""
    for m in matches:
        match = _to_match(m, day_first, text)
        if match is None or not 1 <= match.month <= 12:
            continue
        if match.day is not None and not 1 <= match.day <= 31:
            continue
        if match.year is not None and not 1900 <= match.year <= 2100:
            continue
        if match.as_date(match.year or 2000) is None and match.day is not None:
            continue
        yield match


_NUMERIC = re.compile(r"(?<![\w./])(\d{1,2})[./](\d{1,2})[./](\d{4})(?![\w])")


def page_is_day_first(text: str) -> bool:
    """The page's own convention for 05/06/2024: month-first if any numeric date on the page
    can only be month-first (05/15/2024), day-first otherwise (the rest of the world)."""
    for first, second, _ in _NUMERIC.findall(text):
        if int(first) <= 12 < int(second) <= 31:
            return False
    return True


def complete_year(match: DateMatch, reference: dt.date) -> dt.date | None:
    """Give a year-less date ("Sept. 25") the year that puts it on or after `reference`.

    `reference` is the latest complete date elsewhere on the page (a caption, a copyright
    line): a story is published after the photos in it, and "Jan. 3" next to "Dec. 30, 2024"
    means 2025.
    """
    if match.year is not None:
        return match.as_date()
    for year in (reference.year, reference.year + 1):
        day = match.as_date(year)
        if day is not None and day >= reference - dt.timedelta(days=7):
            return day
    return None


# The dates an entry may carry: wide enough for any archive, narrow enough that every week
# label, chart and feed date computed from one is a real date (9999-12-31 + 6 days is not)
EARLIEST, LATEST = dt.date(1800, 1, 1), dt.date(2199, 12, 31)


def plausible(day: dt.date | None) -> dt.date | None:
    """`day` when an entry may carry it, else None."""
    return day if day is not None and EARLIEST <= day <= LATEST else None


def iso_day(text: str) -> dt.date | None:
    """A YYYY-MM-DD string (a scraper's header) as a plausible date; None if it is not one."""
    try:
        return plausible(dt.date.fromisoformat(text))
    except ValueError:
        return None


def parse_date(value: object) -> dt.date | None:
    """A front-matter date (a date, a datetime or an ISO string) as a plausible date; None
    if it is not one."""
    if isinstance(value, dt.datetime):
        return plausible(value.date())
    if isinstance(value, dt.date):
        return plausible(value)
    if isinstance(value, str):
        found = find_dates(value)
        if len(found) == 1 and found[0].complete:
            return plausible(found[0].as_date())
    return None

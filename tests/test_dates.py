"""One date parser for every shape the pages use."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsdigest import dates
from newsdigest.dates import complete_year, find_dates, parse_date
from newsdigest.model import iso_week

from .conftest import FIXTURES


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2023-12-04", dt.date(2023, 12, 4)),
        ("2023-12-04T19:00:00+02:00", dt.date(2023, 12, 4)),
        ("December 4, 2023 7:00 PM", dt.date(2023, 12, 4)),
        ("29 Apr, 2024", dt.date(2024, 4, 29)),
        ("Thursday, 3 October 2024, 14:05", dt.date(2024, 10, 3)),
        ("29/11/2022 - 17:15", dt.date(2022, 11, 29)),
        ("12.02.2025 19:47", dt.date(2025, 2, 12)),
        ("Sept. 25, 2024", dt.date(2024, 9, 25)),
        ("MazurenkoTuesday, 3 December 2024, 12:37", dt.date(2024, 12, 3)),
    ],
)
def test_complete_dates(text, expected):
    found = [d for d in find_dates(text) if d.complete]
    assert found and found[0].as_date() == expected


def test_month_first_numeric_when_day_first_is_off_or_impossible():
    assert find_dates("11/29/2022")[0].as_date() == dt.date(2022, 11, 29)
    assert find_dates("02/12/2025", day_first=False)[0].as_date() == dt.date(2025, 2, 12)


def test_year_less_dates_take_the_year_from_the_page():
    sept = find_dates("on Sept. 25, thanking him")[0]
    assert sept.year is None
    assert complete_year(sept, dt.date(2024, 7, 18)) == dt.date(2024, 9, 25)
    jan = find_dates("on Jan. 3 the talks")[0]
    assert complete_year(jan, dt.date(2024, 12, 30)) == dt.date(2025, 1, 3)


def test_not_dates():
    assert not find_dates("Article 5 partially in force")
    assert not find_dates("they may 2024 be")
    assert not find_dates("31/02/2024")


@pytest.mark.parametrize(
    "day, week",
    [
        (dt.date(2024, 12, 30), "2025-W01"),
        (dt.date(2021, 1, 3), "2020-W53"),
        (dt.date(2023, 12, 4), "2023-W49"),
    ],
)
def test_iso_week_across_year_boundaries(day, week):
    assert iso_week(day) == week


def test_parse_date_front_matter_forms():
    assert parse_date(dt.date(2024, 1, 2)) == dt.date(2024, 1, 2)
    assert parse_date("2024-01-02") == dt.date(2024, 1, 2)
    assert parse_date("soon") is None and parse_date(None) is None


def test_page_convention_decides_ambiguous_numeric_dates():
    from newsdigest.dates import page_is_day_first

    assert page_is_day_first("Posted 05/06/2024 · related 12.02.2025") is True
    assert page_is_day_first("Posted 05/06/2024 · related 04/30/2024") is False


def test_us_page_reads_ambiguous_date_month_first(tmp_path):
    from newsdigest.entries import parse

    from .conftest import make_project

    project = make_project(tmp_path / "p", seeds=[])
    page = (FIXTURES / "pages" / "text_us_dates_mdy.txt").read_text(encoding="utf-8")
    (project.seeds / "us.txt").write_text(
        page.replace("05/15/2024 09:20 AM", "05/06/2024 09:20 AM"), encoding="utf-8"
    )
    assert project.build().code == 0
    [entry] = project.entries()
    assert parse(entry.read_text(encoding="utf-8")).meta["date"] == dt.date(2024, 5, 6)


# --- the fast path of find_dates (a lower-cased copy matched with case) -------------------

_REFERENCE = re.compile(dates._DATE, re.I)  # the pattern as written, on the text as it is


def _reference_dates(text: str, day_first: bool = True) -> list[dates.DateMatch]:
    """find_dates as the pattern alone gives it: every match of the case-blind pattern on
    the text as it is, through the same checks."""
    return list(dates.kept_dates(_REFERENCE.finditer(text), day_first, text))


def test_case_fold_odd_characters_are_derived_from_the_pattern_and_unicode():
    """The characters re.I matches to a letter of the pattern other than their own lower
    case (or whose lower case differs from them in \\w, \\d, \\s) are exactly the listed
    ones, besides those whose lower case is longer (the length check catches those)."""
    literal = dates._DATE.replace("(?P<", "(?<").replace("(?P=", "(?=").replace("[T ]", "[t ]")
    letters = sorted({c for c in literal if c.isalpha()})
    everything = "".join(
        chr(cp)
        for cp in range(0x110000)
        if not 0xD800 <= cp <= 0xDFFF and len(chr(cp).lower()) == 1
    )
    odd: set[str] = set()
    for x in letters:
        for c in re.findall(re.escape(x), everything, re.I):
            if c.lower() != x:
                odd.add(c)
    lowered = [c for c in everything if c.lower() != c]
    for cls in (r"\w", r"\d", r"\s"):
        pattern = re.compile(cls)
        odd |= {c for c in lowered if bool(pattern.match(c)) != bool(pattern.match(c.lower()))}
    odd |= {
        c for c in lowered if c.lower() in letters and not re.match(re.escape(c.lower()), c, re.I)
    }
    assert odd == set(dates.CASE_FOLD_ODD)


_DATE_BITS = list("0123456789 ./-,:–Ttİıſᲀᲃ") + [
    "May",
    "may",
    "MAY",
    "Sept.",
    "SEPTEMBER",
    "dec",
    "Tuesday, ",
    "3rd of ",
    " 2024",
    "2023-12-04T19:00",
    "29/11/2022 - 17:15",
    "жовтня",
    "МАРТА",
    " р.",
    " at ",
    "pm",
    "A.M.",
]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(_DATE_BITS), max_size=14).map("".join))
def test_find_dates_equals_the_case_blind_pattern(text):
    dates.find_dates.cache_clear()
    assert list(dates.find_dates(text)) == _reference_dates(text)

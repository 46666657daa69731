"""Each shortcut the cleaners take for speed gives what the plain form it replaced gives.

The plain forms (a pattern searched at every position, a tree walked for every tag, a page
parsed again for every reading) are written out here as the reference; the shortcuts must
agree with them on random text built from the characters that matter, and on real pages.
"""

from __future__ import annotations

import re

import pytest
import trafilatura
from hypothesis import given, settings
from hypothesis import strategies as st

from newsdigest import corpora
from newsdigest.clean import furniture, html, lines
from newsdigest.textutil import ends_with_mark, normalize_line, normalize_lines

_TAILS = list(".!?…。！？:;,'\"”’»)] \nab") + ["\u3002", "(AFP)", "Photo: x", " by ", "©"]


def _texts(bits: list[str], size: int = 10):
    return st.lists(st.sampled_from(bits), max_size=size).map("".join)


@pytest.mark.parametrize(
    "marks, closers",
    [(".!?…。！？", "'\"”’»)]"), (".!?…。！？:;,", "'\"”’»)")],  # the line model's, a crosshead's
)
@settings(max_examples=2000, deadline=None)
@given(line=_texts(_TAILS))
def test_a_mark_at_the_end_found_without_a_scan_equals_the_pattern(marks, closers, line):
    pattern = f"[{re.escape(marks)}][{re.escape(closers)}]*$"
    assert ends_with_mark(line, marks, closers) == bool(re.search(pattern, line))


_CREDITS = _TAILS + ["PHOTO", "image", "IMAGE BY x", "фото", "credit", "İ", "ı", "getty", "\t"]


@settings(max_examples=3000, deadline=None)
@given(_texts(_CREDITS, 12))
def test_every_credit_the_pattern_finds_passes_the_quick_test(line):
    tail = line[-400:]
    if furniture._CREDIT_TAIL.search(tail):
        assert furniture._may_end_in_credit(tail)


_SPACES = ["\n", " ", "\u00a0", "\u200b", "\u3000", "\t", "\r", "\x85", "\u2028", "\x1c"]
_MARKS = ["e", "\u0301", "\u0308", "a", "\x00", "\ufeff", "\u1100", "\u1161", "\u11a8", "A"]


@settings(max_examples=2000, deadline=None)
@given(_texts(_SPACES + _MARKS, 14))
def test_normalising_a_text_at_once_equals_normalising_each_line(page):
    assert normalize_lines(page) == [normalize_line(line) for line in page.split("\n")]


ROOT = corpora.default_root()
needs_corpora = pytest.mark.skipif(
    ROOT is None, reason="../shared/corpora is not here (CI has it): fast paths not checked on it"
)


def _pages(n: int) -> list[corpora.LabelledPage]:
    return corpora.load(ROOT)[:n]


def _meta_by_walking(tree, *names: str) -> str | None:
    """The form `html._meta` replaced: one walk of the tree per name asked for."""
    for name in names:
        tag = tree.find(f".//meta[@property='{name}']")
        if tag is None:
            tag = tree.find(f".//meta[@name='{name}']")
        if tag is not None and tag.get("content"):
            return html._clean_text(tag.get("content"))
    return None


_NAMES = ("og:title", "og:site_name", "author", "article:author", "description", "og:url")


@needs_corpora
def test_meta_tags_indexed_once_equal_a_walk_per_name():
    asked = 0
    for page in _pages(60):
        tree = html.load_html(page.html().decode("utf-8", "replace"))
        if tree is None:
            continue
        for name in _NAMES:
            assert html._meta(tree, name) == _meta_by_walking(tree, name), (page.id, name)
            asked += 1
        assert html._meta(tree, *_NAMES) == _meta_by_walking(tree, *_NAMES)
    assert asked > 100


@needs_corpora
def test_a_reading_of_the_parsed_tree_equals_trafilaturas_reading_of_the_page():
    """One parse and shared settings give trafilatura's own answer for the page's text,
    in each mode the cleaner asks for."""
    checked = 0
    for page in _pages(15):
        source = page.html().decode("utf-8", "replace")
        tree = html.load_html(source)
        if tree is None:
            continue
        pristine = _serialised(tree)
        for mode in ("precision", "", "recall"):
            ours = html._trafilatura(tree, mode=mode)
            plain = trafilatura.bare_extraction(
                source,
                include_comments=False,
                include_tables=True,
                fast=True,
                favor_precision=mode == "precision",
                favor_recall=mode == "recall",
            )
            assert getattr(ours, "text", None) == getattr(plain, "text", None), (page.id, mode)
            checked += 1
        # the tree the cleaner goes on reading is left as it was parsed
        assert _serialised(tree) == pristine
    assert checked >= 30


def _serialised(tree) -> bytes:
    from lxml import etree

    return etree.tostring(tree)


def test_the_fast_date_pattern_has_no_upper_case_literal():
    """The lower-cased copy can only match what the pattern spells in lower case."""
    from newsdigest import dates

    literal = re.sub(r"\(\?P[<=][^>)]*[>)]?", "", dates._DATE_LOWER.pattern)
    literal = re.sub(r"\\[A-Za-z]", "", literal)
    assert literal == literal.lower()


_GREEK = list("ΑΣσςΟΔ İıabc ΣA\u0345\u0301'.-_1") + ["ΟΔΟΣ", "ΣΑ", " "]


@settings(max_examples=2000, deadline=None)
@given(_texts(_GREEK, 12))
def test_words_lowered_in_one_call_equal_each_word_lowered(line):
    words = lines._WORD.findall(line)
    assert " ".join(words).lower().split() == [w.lower() for w in words]

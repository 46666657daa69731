"""Lines that repeat across several pages of a batch are site furniture, whatever they say.

A newsletter box or a footer line that the vocabulary in furniture.py does not know is still
the same on every page of its outlet; no article paragraph recurs on three different pages.
The batch is the pages built together (at most CHUNK at a time, so memory stays bounded).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from ..textutil import normalize_line

MIN_PAGES = 3
CHUNK = 5000


def page_lines(text: str) -> set[str]:
    return {line for line in (normalize_line(raw) for raw in text.split("\n")) if line}


def repeated_lines(pages: Iterable[set[str]], min_pages: int = MIN_PAGES) -> frozenset[str]:
    """Lines found on at least `min_pages` of the given pages (each a set from page_lines)."""
    counts: Counter[str] = Counter()
    for lines in pages:
        counts.update(lines)
    return frozenset(line for line, n in counts.items() if n >= min_pages)

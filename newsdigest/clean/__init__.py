"""clean: RawPage -> Article (or Skip). Text dumps and HTML pages each have their own room."""

from __future__ import annotations

from ..model import Article, RawPage, Skip
from .furniture import Outlets
from .text import clean_text


def clean(raw: RawPage, outlets: Outlets) -> Article | Skip:
    """Dispatch by form; HTML imports trafilatura lazily (it is slow to import)."""
    if raw.form == "html":
        from .html import clean_html

        return clean_html(raw, outlets)
    return clean_text(raw, outlets)

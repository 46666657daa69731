"""clean: RawPage -> Article (or Skip). Text dumps and HTML pages each have their own room."""

from __future__ import annotations

from ..model import Article, RawPage, Skip
from .furniture import Outlets
from .text import clean_text


def clean(
    raw: RawPage, outlets: Outlets, boilerplate: frozenset[str] = frozenset()
) -> Article | Skip:
    """Dispatch by form; HTML imports trafilatura lazily (it is slow to import).

    `boilerplate`: lines of this page that repeat on other pages built with it.
    """
    if raw.form == "html":
        from .html import clean_html

        return clean_html(raw, outlets)
    return clean_text(raw, outlets, boilerplate)

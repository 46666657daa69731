"""clean: RawPage -> Article (or Skip). Text dumps and HTML pages each have their own room."""

from __future__ import annotations

from dataclasses import replace

from ..model import Article, RawPage, Skip
from ..textutil import web_address
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

        return _hinted(clean_html(raw, outlets), raw)
    return _hinted(clean_text(raw, outlets, boilerplate), raw)


_NO_HEADLINE = "no headline found"


def _hinted(article: Article | Skip, raw: RawPage) -> Article | Skip:
    """What the scraper's record says, where the page says nothing: its address when the
    page names none of its own (a canonical link, an address line), its headline when the
    page shows none."""
    if isinstance(article, Skip):
        return article
    if raw.hints.url and not article.url:
        article = replace(article, url=web_address(raw.hints.url))
    if raw.hints.title and any(n.startswith(_NO_HEADLINE) for n in article.notes):
        notes = tuple(n for n in article.notes if not n.startswith(_NO_HEADLINE))
        article = replace(article, title=raw.hints.title.strip(), notes=notes)
    return article

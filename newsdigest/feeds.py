"""RSS 2.0 feeds with feedgen: stable guids, absolute links, deterministic bytes.

lastBuildDate is the newest item's date (never "now"), so a rebuild with no new entries
writes identical bytes and feed readers see nothing new.

RSS readers take a title and a description as HTML once the XML is decoded, so page text
is HTML-escaped here and then XML-escaped by the serializer: a reader shows "<img>" from a
page as those five characters, never as an image.
"""

from __future__ import annotations

import datetime as dt
from html import escape

from .config import Config


def _when(iso_day: str) -> dt.datetime:
    return dt.datetime.combine(
        dt.date.fromisoformat(iso_day), dt.time(12, 0), tzinfo=dt.timezone.utc
    )


def public_path(rel: str) -> str:
    """The address a page is published under, relative to the base URL: a folder's
    index.html as the folder ("entries/x/"), as the sitemap and feed items both give it."""
    if rel == "index.html":
        return ""
    return rel[: -len("index.html")] if rel.endswith("/index.html") else rel


def _text(text: str) -> str:
    """Plain text as the HTML a reader expects in <title> and <description>."""
    return escape(text, quote=False)


def render_feed(data: dict, config: Config) -> bytes:
    """`data`: title (None for the site feed), self and link (site-relative), items (cards)."""
    base = config.base_url
    from feedgen.feed import FeedGenerator  # lxml + dateutil: loaded only when a feed is made

    fg = FeedGenerator()
    fg.title(_text(f"{config.title}: {data['title']}" if data["title"] else config.title))
    fg.description(
        _text(
            f"Every digest entry naming {data['title']}." if data["title"] else config.description
        )
    )
    fg.link(href=base + data["self"], rel="self")  # feedgen's <link> is the last one set
    fg.link(href=base + public_path(data["link"]), rel="alternate")
    fg.language(config.language)
    fg.generator("newsdigest")
    items = data["items"]
    fg.lastBuildDate(
        _when(items[0]["date"]) if items else dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
    )
    for card in items:
        fe = fg.add_entry(order="append")
        fe.title(_text(card["title"]))
        fe.link(href=base + public_path(card["url"]))
        fe.guid(card["guid"], permalink=False)
        fe.pubDate(_when(card["date"]))
        fe.description(_text(card["summary"] or card["title"]))
        for person in card["people"]:
            fe.category(term=person["name"])
    return fg.rss_str(pretty=True)

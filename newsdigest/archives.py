"""Seed files that hold many pages (WARC, JSON lines) or a gzipped one: bytes -> pages.

Scrapers save pages the way their tools do: wget, Browsertrix and Heritrix write WARC
files; crawlers write one JSON object per line. Each page such a file holds is a seed of
its own, named `FILE#N` (N: the record's place in the file, counting every record from 1,
or the line's number), so an appended crawl keeps the names of the pages it had. Pure
functions over bytes: the shell reads the file.

A record that cannot be read is an `Unreadable` naming its number; the others still build.
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import zlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .dates import iso_day, parse_date
from .model import Form, Hints

if TYPE_CHECKING:
    from warcio.recordloader import ArcWarcRecord

WARC = (".warc", ".warc.gz")
JSONL = (".jsonl", ".jsonl.gz")
_PAGE_LIMIT = 64 * 1024 * 1024  # a page bigger than this unpacked is a gzip bomb, not news
_HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass(frozen=True)
class Page:
    record: int
    data: bytes
    hints: Hints


@dataclass(frozen=True)
class Unreadable:
    record: int
    problem: str
    rest_unknown: bool = False  # the records after it cannot be found: their entries stay


def holds_pages(name: str) -> bool:
    """True for a file that holds many pages (a WARC or JSON-lines file, gzipped or not)."""
    return name.lower().endswith(WARC + JSONL)


def unit(name: str) -> str:
    """What a warning calls one page of the file: a WARC's record, a JSON-lines file's line."""
    return "line" if name.lower().endswith(JSONL) else "record"


def gunzipped(name: str, data: bytes) -> tuple[str, bytes]:
    """(name without `.gz`, the bytes inside) for a gzipped page; else both unchanged.
    Raises ValueError when the bytes are not gzip (or unpack to more than a page can be)."""
    if not name.lower().endswith(".gz"):
        return name, data
    return name[:-3], _gunzip(data, _PAGE_LIMIT)


def _gunzip(data: bytes, limit: int | None) -> bytes:
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as inside:
            out = inside.read(-1 if limit is None else limit + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise ValueError(f"not a readable gzip file ({exc})") from None
    if limit is not None and len(out) > limit:
        raise ValueError(f"unpacks to more than {limit // 2**20} MiB; not read")
    return out


def pages(name: str, data: bytes) -> list[Page | Unreadable]:
    """Every page a WARC or JSON-lines file holds, in the file's order."""
    if name.lower().endswith(WARC):
        return _warc(data)
    try:
        text = _gunzip(data, None) if name.lower().endswith(".gz") else data
    except ValueError as exc:
        return [Unreadable(1, str(exc), rest_unknown=True)]
    return [_json_line(n, line) for n, line in enumerate(text.split(b"\n"), 1) if line.strip()]


def _warc(data: bytes) -> list[Page | Unreadable]:
    """Each response (or resource) record that is an HTML or text page with status 200.
    A damaged record ends the reading: what follows it cannot be found again."""
    from warcio.archiveiterator import ArchiveIterator

    out: list[Page | Unreadable] = []
    n = 0
    try:
        for record in ArchiveIterator(io.BytesIO(data)):
            n += 1
            form = _warc_form(record)
            if form is not None:
                body = record.content_stream().read(_PAGE_LIMIT)
                out.append(Page(n, body, _warc_hints(record, form)))
    except Exception as exc:  # noqa: BLE001 - warcio raises whatever its parser meets
        problem = f"a damaged WARC record ({exc or type(exc).__name__}); the records after it"
        out.append(Unreadable(n + 1, problem + " are not read", rest_unknown=True))
    return out


def _warc_form(record: ArcWarcRecord) -> Form | None:
    """'html' or 'text' for a page record worth reading; None for anything else (requests,
    metadata, images, redirects, errors)."""
    if record.rec_type == "response":
        headers = record.http_headers
        if headers is None or not (headers.get_statuscode() or "").startswith("200"):
            return None
        kind = headers.get_header("Content-Type") or ""
    elif record.rec_type == "resource":
        uri = record.rec_headers.get_header("WARC-Target-URI") or ""
        if not uri.lower().startswith(("http://", "https://")):
            return None  # wget's own command line and log (metadata://gnu.org/...)
        kind = record.rec_headers.get_header("Content-Type") or ""
    else:
        return None
    kind = kind.split(";")[0].strip().lower()
    if kind in _HTML_TYPES:
        return "html"
    return "text" if kind == "text/plain" else None


def _warc_hints(record: ArcWarcRecord, form: Form) -> Hints:
    url = record.rec_headers.get_header("WARC-Target-URI")
    date = record.rec_headers.get_header("WARC-Date") or ""
    return _hints(url, iso_day(date[:10]), None, form, "WARC-Date")


def _json_line(n: int, line: bytes) -> Page | Unreadable:
    """One crawler line: {"url", "html" or "text", "date", "title"}; only a page is needed."""
    try:
        value = json.loads(line)
    except (ValueError, UnicodeDecodeError) as exc:
        return Unreadable(n, f"not JSON: {exc}")
    if not isinstance(value, dict):
        return Unreadable(n, "not a JSON object")
    form = "html" if isinstance(value.get("html"), str) else "text"
    page = value.get(form)
    if not isinstance(page, str):
        return Unreadable(n, "has neither an 'html' nor a 'text' string")

    def text(key: str) -> str | None:
        return value[key] if isinstance(value.get(key), str) else None

    hints = _hints(text("url"), parse_date(value.get("date")), text("title"), form, "date")
    return Page(n, page.encode("utf-8", "replace"), hints)


def _hints(
    url: str | None, fetched: dt.date | None, title: str | None, form: Form, by: str
) -> Hints:
    """A record's hints; with no date of its own, the file's modification time dates it."""
    if fetched is None:
        return Hints(url=url, title=title, form=form)
    return Hints(url=url, fetched=fetched, title=title, form=form, fetched_by=f"the record's {by}")

"""Bytes -> RawPage: detect the encoding, normalise newlines, tell a text dump from HTML.

Anything that is not readable text (binary bytes, empty files) is a Skip with one reason,
never an exception: a bad seed must not stop the build.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re

from .archives import gunzipped
from .model import Hints, RawPage, Skip
from .textutil import publishable

_HTML_START = re.compile(rb"^\s*(<!doctype html|<html|<head|<\?xml[^>]*>\s*<html)", re.I)
_BOMS = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def decode(data: bytes) -> str | None:
    """Text from bytes, or None when the bytes are not text.

    UTF-8 is tried first (strictly) because charset detection on short pages can mistake it
    for a legacy code page; only then does charset-normalizer guess (cp1252, cp1251, …).
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(codec, errors="replace")
    if data[:4096].count(b"\x00") > 16:  # binary, or UTF-16 without a BOM; a stray NUL is not
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    legacy = _legacy_code_page(data)
    if legacy is not None:
        return legacy
    from charset_normalizer import from_bytes  # only for the rare page no cheaper test decodes

    best = from_bytes(data).best()
    if best is None:
        return None
    return str(best)


_LATIN_PUNCT = set("“”‘’„«»–—…•·€£©®°§¶†‡™\u00a0")


def _legacy_code_page(data: bytes) -> str | None:
    """cp1251 or cp1252, the legacy pages news sites use, when the text reads as one script.

    Statistical detection confuses single-byte code pages on short pages (French cp1252 read
    as Baltic cp1257). Cyrillic read as cp1252 shows runs of accented letters ("Çåëåíñüêèé");
    Western text has accents only here and there, inside ASCII words.
    """
    if not any(b >= 0x80 for b in data):
        return None
    try:
        west = data.decode("cp1252")
    except UnicodeDecodeError:
        west = None
    runs = max((len(m) for m in _HIGH_RUN.findall(west or "")), default=0)
    if west is None or runs >= 4:
        try:
            cyr = data.decode("cp1251")
        except UnicodeDecodeError:
            return None
        cyrillic = sum(1 for ch in cyr if "\u0400" <= ch <= "\u04ff")
        in_words = sum(len(w) for w in _CYRILLIC_WORD.findall(cyr))
        return cyr if cyrillic and in_words >= 0.9 * cyrillic else None
    odd = [
        ch
        for ch in west
        if ord(ch) >= 0x80 and not (ch.isalpha() and ord(ch) < 0x250) and ch not in _LATIN_PUNCT
    ]
    return west if not odd else None


_CYRILLIC_WORD = re.compile(r"(?<![^\W\d_])[\u0400-\u04ff]+(?:['’][\u0400-\u04ff]+)?(?![^\W\d_])")
_HIGH_RUN = re.compile(r"[^\x00-\x7f\W\d_]{4,}")


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")


def _looks_binary(text: str) -> bool:
    sample = text[:4096]
    controls = len(_CONTROL.findall(sample))
    return controls > len(sample) * 0.02 or sample.count("\ufffd") > len(sample) * 0.02


def ingest(
    name: str, data: bytes, modified: dt.date | None = None, hints: Hints = Hints()
) -> RawPage | Skip:
    """Decode one seed's bytes; `name` is its path relative to seeds/, `modified` the day
    the file was last changed (a page that states no date at all is dated by it), `hints`
    what a file holding many pages says of this one (`archives`). A gzipped page
    (`.txt.gz`, `.html.gz`) is read as the file inside."""
    sha = sha256(data)
    try:
        inner, data = gunzipped(name, data)
    except ValueError as exc:
        return Skip(str(exc))
    if hints.fetched is not None:
        modified = hints.fetched
    if not data.strip():
        return Skip("empty file")
    text = decode(data)
    if text is None or _looks_binary(text):
        return Skip("binary or undecodable bytes, not a text or HTML page")
    text = publishable(text.replace("\r\n", "\n").replace("\r", "\n"))
    form = hints.form or (
        "html"
        if _HTML_START.match(data.lstrip(b"\xef\xbb\xbf"))
        or inner.lower().endswith((".html", ".htm"))
        else "text"
    )
    return RawPage(name, sha, text, form, modified, hints)

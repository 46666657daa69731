"""The one normaliser, the one slug function, name folding and sentence splitting.

Every stage that compares or prints page text goes through here, so "the same line" means
the same thing everywhere (non-breaking spaces, curly quotes, zero-width junk).
"""

from __future__ import annotations

import re
import unicodedata

from anyascii import anyascii
from slugify import slugify

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")


def normalize_line(line: str) -> str:
    """NFC, drop invisible characters, fold every kind of space to one ASCII space, strip."""
    line = unicodedata.normalize("NFC", line).translate(_INVISIBLE)
    return _SPACES.sub(" ", line).strip()


def fold(text: str) -> str:
    """ASCII, lower-case form of a name for matching: 'Zelenskyy' and 'Зеленський' meet here."""
    return anyascii(text).lower().replace("'", "").replace("’", "")


def slug(text: str, max_length: int = 80) -> str:
    """URL-safe slug; non-Latin scripts are transliterated with anyascii first (not Unidecode)."""
    made = slugify(anyascii(text), max_length=max_length, word_boundary=True, save_order=True)
    return made or "untitled"


# Abbreviations after which a full stop does not end a sentence.
_ABBREV = {
    "mr", "mrs", "ms", "dr", "prof", "gen", "lt", "col", "sen", "rep", "gov", "st", "jr", "sr",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    "no", "vs", "etc", "inc", "co", "corp", "ltd", "u.s", "u.k", "e.u", "u.n", "approx",
}
_SENTENCE_END = re.compile(r"[.!?…][\"”’»)]*\s+(?=[\"“«‘(]?[A-ZÀ-ÖØ-ÞА-ЯЁЇІЄҐ0-9])")


def split_sentences(text: str) -> list[str]:
    """Split prose into sentences, not breaking after 'Dec.', 'U.S.' or an initial."""
    out: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        head = text[start : match.start() + 1]
        word = re.search(r"([\w.]+)[.]$", head)
        if word:
            token = word.group(1).lower()
            if token in _ABBREV or len(token) == 1 or re.fullmatch(r"(\w\.)+\w", token):
                continue
        out.append(text[start : match.end()].strip())
        start = match.end()
    tail = text[start:].strip()
    if tail:
        out.append(tail)
    return out


def word_count(text: str) -> int:
    return len(text.split())

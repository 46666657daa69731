"""The one normaliser, the one slug function, name folding and sentence splitting.

Every stage that compares or prints page text goes through here, so "the same line" means
the same thing everywhere (non-breaking spaces, curly quotes, zero-width junk).
"""

from __future__ import annotations

import re
import unicodedata

from anyascii import anyascii
from slugify import slugify

# zero-width characters, the soft hyphen, and the bidirectional embeddings, overrides and
# isolates (a page's U+202E inside "2025" must not hide the date, nor reverse a title)
_INVISIBLE = dict.fromkeys(
    map(
        ord,
        "\u200b\u200c\u200d\u2060\ufeff\u00ad\u202a\u202b\u202c\u202d\u202e"
        "\u2066\u2067\u2068\u2069",
    ),
    None,
)
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
# What XML 1.0 and HTML forbid in text: C0 controls but tab, newline and carriage return,
# DEL and the C1 controls, lone surrogates, and the non-characters U+FFFE and U+FFFF
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def publishable(text: str) -> str:
    """`text` with every character XML 1.0 and HTML forbid dropped, so whatever a page holds
    can go into a feed, the sitemap, a page or YAML. Applied to a page's text as it is
    decoded and to each line the normaliser sees (hand-edited entries come that way)."""
    return _FORBIDDEN.sub("", text) if _FORBIDDEN.search(text) else text


def normalize_line(line: str) -> str:
    """NFC, drop forbidden and invisible characters, fold every kind of space to one ASCII
    space, strip."""
    line = unicodedata.normalize("NFC", publishable(line)).translate(_INVISIBLE)
    return _SPACES.sub(" ", line).strip()


def normalize_lines(text: str) -> list[str]:
    """`normalize_line` of each of `text`'s lines, in one pass over the text: no step but
    the strip sees a newline (NFC never composes across one, the invisible and forbidden
    characters and the folded spaces are not newlines), so only the strip is per line."""
    text = unicodedata.normalize("NFC", publishable(text)).translate(_INVISIBLE)
    return [line.strip() for line in _SPACES.sub(" ", text).split("\n")]


def ends_with_mark(text: str, marks: str, closers: str) -> bool:
    """Whether `text` ends in one of `marks` with only `closers` (closing quotes, brackets)
    after it: what `re.search("[marks][closers]*$", text)` finds, without trying every
    position of the text (`$` also stands before a final newline)."""
    bare = text.rstrip(closers)
    if bare and bare[-1] in marks:
        return True
    if text.endswith("\n"):
        bare = text[:-1].rstrip(closers)
        return bool(bare) and bare[-1] in marks
    return False


_ODD_NAME = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def printable_name(name: str) -> str:
    """A file name as it can be printed, stored in JSON or YAML and put in a feed: bytes that
    are not UTF-8 (which os.fsdecode keeps as lone surrogates) and control characters are
    spelled as backslash escapes. Names that need none (nearly all) come back as they are."""
    if not _ODD_NAME.search(name):
        return name
    raw = name.encode("utf-8", "surrogateescape")
    text = raw.decode("utf-8", "backslashreplace")
    return _ODD_NAME.sub(
        lambda m: (
            f"\\x{ord(m.group(0)):02x}" if ord(m.group(0)) < 0x100 else f"\\u{ord(m.group(0)):04x}"
        ),
        text,
    )


def fold(text: str) -> str:
    """ASCII, lower-case form of a name for matching: 'Zelenskyy' and 'Зеленський' meet here."""
    return anyascii(text).lower().replace("'", "").replace("’", "")


def slug(text: str, max_length: int = 80) -> str:
    """URL-safe slug; non-Latin scripts are transliterated with anyascii first (not Unidecode)."""
    made = slugify(anyascii(text), max_length=max_length, word_boundary=True, save_order=True)
    return made or "untitled"


# Abbreviations after which a full stop does not end a sentence.
_ABBREV = {
    "mr",
    "mrs",
    "ms",
    "dr",
    "prof",
    "gen",
    "lt",
    "col",
    "sen",
    "rep",
    "gov",
    "st",
    "jr",
    "sr",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "no",
    "vs",
    "etc",
    "inc",
    "co",
    "corp",
    "ltd",
    "u.s",
    "u.k",
    "e.u",
    "u.n",
    "approx",
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


def first_sentence(text: str, limit: int = 140) -> str:
    """The first sentence of `text`, cut at a word within `limit` characters: a stand-in
    headline for a page that has none."""
    sentence = split_sentences(text)[0] if text.strip() else text
    return sentence if len(sentence) <= limit else sentence[: limit - 3].rsplit(" ", 1)[0] + "…"


def word_count(text: str) -> int:
    return len(text.split())


_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")


def text_units(text: str) -> float:
    """How much text this is, in words, for any script: a CJK character counts half a word
    (Chinese and Japanese put no spaces between words; a word is about two characters)."""
    cjk = len(_CJK.findall(text))
    if not cjk:
        return float(len(text.split()))
    return len(_CJK.sub(" ", text).split()) + cjk / 2


_WEB = re.compile(r"https?://[^\s<>\"']+", re.I)


def web_address(value: object) -> str | None:
    """An http(s) address, or None: a `javascript:` or relative link from a page or a hand
    edit must never become a link on the site."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value if _WEB.fullmatch(value) and len(value) <= 2000 else None

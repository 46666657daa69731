"""What each line of a text dump looks like, and the learned tagger that reads them.

A text dump is a page's visible text, one block per line: menus, cookie banners, the
headline, the byline, the article's paragraphs, promos inside it, teasers after it. Which
is which is learned from labelled real pages (`python -m newsdigest.train`), not written
down as phrases: each line becomes a set of features (its length and shape, its
punctuation and capitalisation, how many of its words are function words of the page's
language, its first and last words, dates and bylines, where it sits on the page relative
to the longest run of prose, whether it recurs on the page or across pages of the batch,
and the same for its neighbours), and a linear-chain CRF (python-crfsuite) labels the page
as a sequence:

    T  the headline        B  a line of the article body        O  anything else

The chain smooths each line's label with its neighbours'; the body is then read off the
lines' probabilities of being body as one decision per page (`body_span`): the run the
whole page supports best, with in-body promos cut out, so a menu line that reads like prose
cannot end the article early (there is no "first stop line").
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass
from operator import itemgetter

from ..dates import find_dates
from ..models import open_model
from ..textutil import ends_with_mark

LABELS = ("O", "T", "B")
MODEL = "lines.crfsuite"  # in newsdigest/data/
_WORD = re.compile(r"\w+")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_BULLET = re.compile(r"^[•·▪◦*–-]\s+\S")
_EMAIL = re.compile(r"[^\s@]+@[^\s@]+\.\w+")
# Marks a line carries: separators of menus and breadcrumbs, links, a copyright, a clock
# time. Each is searched only when a character it needs is in the line (one alternation
# over every line cost a quarter of the line model's time).
_MARKS = (
    ("sep", "|·•»›/", re.compile(r"\s[|·•»›/]\s|\s[|]\s?|^[|·•»›]|[|·•»›]$")),
    (
        "url",
        ("http", "www.", ".com", ".org", ".net", ".uk", ".de", ".fr"),
        re.compile(r"https?://|www\.|\.(?:com|org|net|uk|de|fr)\b"),
    ),
    (
        "copyright",
        ("©", "(c)", "(C)", "opyright", "ll rights reserved"),
        re.compile(r"©|\([cC]\)|[Cc]opyright|[Aa]ll rights reserved"),
    ),
    ("time", ":", re.compile(r"\b\d{1,2}:\d{2}\b")),
)
_SHORT = 160  # characters: longer lines are never asked whether they are dates or furniture
_LANGUAGES = (
    "English",
    "French",
    "German",
    "Spanish",
    "Portuguese",
    "Italian",
    "Dutch",
    "Czech",
    "Polish",
    "Russian",
    "Ukrainian",
    "Turkish",
    "Swedish",
    "Danish",
    "Romanian",
    "Hungarian",
    "Indonesian",
    "Tagalog",
    "Albanian",
    "Arabic",
    "Greek",
    "Finnish",
    "Norwegian_Bokmal",
)


@functools.lru_cache(maxsize=1)
def _stop_index() -> dict[str, tuple[int, ...]]:
    """word -> the languages whose stop list holds it (jusText's lists)."""
    import justext

    index: dict[str, list[int]] = {}
    for k, lang in enumerate(_LANGUAGES):
        try:
            words = justext.get_stoplist(lang)
        except (ValueError, OSError):
            continue
        for word in words:
            index.setdefault(word, []).append(k)
    return {word: tuple(langs) for word, langs in index.items()}


_LANGUAGE_WORDS = 150  # words of a page's longer lines enough to tell its language


def page_stopwords(lines: list[str]) -> frozenset[str]:
    """The stop list of the page's language: the one covering most of its longer lines."""
    index = _stop_index()
    counts = [0] * len(_LANGUAGES)
    words: list[str] = []
    for line in lines:
        if line.count(" ") < 5:
            continue
        words += _WORD.findall(line.lower())
        if len(words) > _LANGUAGE_WORDS:
            break
    for word, n in Counter(words).items():  # function words recur: each looked up once
        for k in index.get(word, ()):
            counts[k] += n
    best = max(range(len(_LANGUAGES)), key=counts.__getitem__)
    return _stoplist(best) if counts[best] else frozenset()


@functools.cache
def _stoplist(k: int) -> frozenset[str]:
    return frozenset(w for w, langs in _stop_index().items() if k in langs)


@dataclass(frozen=True)
class Shape:
    """The measurements of one line that its features (and its neighbours') are made of."""

    units: float  # words, a CJK character counting half a word
    end: bool  # ends as a sentence does
    lower: float  # share of alphabetic words in lower case
    stop: float  # share of words that are the language's function words
    prose: float  # a prose score: long, sentence-like, full of function words


def shape(text: str, stop: frozenset[str]) -> Shape:
    words = _WORD.findall(text)
    cjk = 0 if text.isascii() else len(_CJK.findall(text))
    units = len(words) + cjk / 2
    firsts = [w[0] for w in words]  # \w+: never empty
    alpha = sum(map(str.isalpha, firsts))
    lower = sum(map(str.islower, firsts)) / alpha if alpha else 0.0
    # the words lowered in one call: the same as each word lowered (a word's context for
    # the final sigma is the same beside a space as at its end, and lowering makes no space)
    lowered = " ".join(words).lower().split()
    stops = sum(map(stop.__contains__, lowered)) / len(words) if words else 0.0
    end = ends_with_mark(text, _STOPS, _CLOSERS)
    prose = math.log1p(units) * (0.5 + 0.5 * end) * (0.3 + lower + stops) if units >= 4 else 0.0
    return Shape(units, end, lower, stops, prose)


_CLOSERS = "'\"”’»)]"  # what may follow a sentence's mark at the end of a line
_STOPS = ".!?…。！？"


def bucket(value: float, edges: tuple[float, ...]) -> int:
    """The index of the first edge above `value` (len(edges) if none)."""
    return bisect_right(edges, value)


_LEN = (1, 2, 3, 4, 6, 9, 13, 20, 35, 60)
_SHARE = (0.01, 0.2, 0.4, 0.6, 0.8)


def _run(shapes: list[Shape]) -> tuple[int, int]:
    """The run of lines with the most prose in it (Kadane over prose minus a cost per line):
    where the article most likely is, as a whole-page feature every line can see."""
    return best_run([s.prose - 1.0 for s in shapes])


def best_run(gains: list[float]) -> tuple[int, int]:
    """(start, end) of the run of items with the greatest sum of gains (Kadane)."""
    best, span, total, start = 0.0, (0, 0), 0.0, 0
    for i, gain in enumerate(gains):
        if total <= 0:
            total, start = gain, i
        else:
            total += gain
        if total > best:
            best, span = total, (start, i + 1)
    return span


_PROSE = 2.5  # a prose score above this is a sentence-like line


def _context(shapes: list[Shape]) -> list[dict[str, float]]:
    """Where the prose is around each line, skipping the short lines between (an
    "Advertisement" between every paragraph must not make the paragraphs look alone): the
    prose lines within 5 and 15 lines, the distance to the nearest one before and after,
    and the line's length against the page's typical prose line."""
    n = len(shapes)
    prose = [s.prose > _PROSE for s in shapes]
    before = [0] * (n + 1)
    for i in range(n):
        before[i + 1] = before[i] + prose[i]
    lengths = sorted(s.units for s, p in zip(shapes, prose) if p)
    typical = lengths[len(lengths) // 2] if lengths else 20.0
    last, out = -99, []
    for _ in range(n):
        out.append({})
    for i in range(n):
        out[i][_GAPB_KEYS[bisect_right(_GAP, i - last)]] = 1.0
        if prose[i]:
            last = i
    nxt = 10**6
    for i in range(n - 1, -1, -1):
        out[i][_GAPA_KEYS[bisect_right(_GAP, nxt - i)]] = 1.0
        if prose[i]:
            nxt = i
    for i in range(n):
        near = before[min(n, i + 6)] - before[max(0, i - 5)] - prose[i]
        far = before[min(n, i + 16)] - before[max(0, i - 15)] - prose[i]
        out[i][_NEAR_KEYS[bisect_right(_NEAR, near)]] = 1.0
        out[i][_FAR_KEYS[bisect_right(_FAR, far)]] = 1.0
        out[i][_REL_KEYS[bisect_right(_REL, shapes[i].units / typical)]] = 1.0
    return out


def _keys(prefix: str, edges: tuple[float, ...]) -> tuple[str, ...]:
    """The feature names of a bucketed value, made once: `_keys("len", _LEN)[bucket(x)]`."""
    return tuple(f"{prefix}{k}" for k in range(len(edges) + 1))


_GAP, _NEAR, _FAR = (2, 3, 5, 9, 20), (1, 2, 4, 7), (1, 3, 6, 12, 20)
_REL = (0.1, 0.25, 0.5, 0.8, 1.5, 3)
_GAPB_KEYS, _GAPA_KEYS = _keys("gapb", _GAP), _keys("gapa", _GAP)
_NEAR_KEYS, _FAR_KEYS, _REL_KEYS = _keys("near", _NEAR), _keys("far", _FAR), _keys("rel", _REL)


def _word_feature(word: str) -> str | None:
    word = unicodedata.normalize("NFKC", word).lower()
    return word[:15] if word and word[:1].isalpha() else None


@dataclass(frozen=True)
class _Seen:
    """What one line says by itself, made once per distinct line (menus and footers recur on
    every page of an outlet): its shape, its own features, and the features it lends to
    the line before it and after it (and two away)."""

    shape: Shape
    own: dict[str, float]
    lends: tuple[dict[str, float], ...]  # for offsets -2, -1, +1, +2 (the neighbour's view)


_OFFSETS = (-2, -1, 1, 2)


@functools.lru_cache(maxsize=1 << 15)
def _seen(text: str, stop: frozenset[str]) -> _Seen:
    s = shape(text, stop)
    own = _own(text, s)
    length = _LEN_KEYS[bisect_right(_LEN, s.units)]
    w0 = next((k for k in own if k.startswith("w0=")), None)
    lends = []
    for offset in _OFFSETS:
        view = {f"{offset}:{length}": 1.0, f"{offset}:prose": s.prose}
        if s.end:
            view[f"{offset}:end"] = 1.0
        if abs(offset) == 1:
            for key in ("date", "by"):
                if key in own:
                    view[f"{offset}:{key}"] = 1.0
            if w0:
                view[f"{offset}:{w0}"] = 1.0
        lends.append(view)
    return _Seen(s, own, tuple(lends))


_RUN = (2, 4, 8, 16, 40)
_RUN_D_KEYS, _RUN_A_KEYS = _keys("run_d", _RUN), _keys("run_a", _RUN)
_NONE = tuple({f"{offset}:none": 1.0} for offset in _OFFSETS)


def features(
    lines: list[str],
    blank_before: list[bool],
    boilerplate: frozenset[str] = frozenset(),
    stop: frozenset[str] | None = None,
) -> list[dict[str, float]]:
    """One feature dict per line (names -> values; 1.0 for the categorical ones)."""
    stop = page_stopwords(lines) if stop is None else stop
    seen = [_seen(t, stop) for t in lines]
    shapes = [x.shape for x in seen]
    n = len(lines)
    start, end = _run(shapes)
    counts: dict[str, int] = {}
    for t in lines:
        counts[t] = counts.get(t, 0) + 1
    context = _context(shapes)
    out = []
    for i in range(n):
        f = {**seen[i].own, **context[i], "pos": i / n}
        if counts[lines[i]] > 1:
            f["dup"] = 1.0
        if lines[i] in boilerplate:
            f["boiler"] = 1.0
        if blank_before[i]:
            f["blank"] = 1.0
        if i < start:
            f["run_before"] = 1.0
            f[_RUN_D_KEYS[bisect_right(_RUN, start - i)]] = 1.0
        elif i >= end:
            f["run_after"] = 1.0
            f[_RUN_A_KEYS[bisect_right(_RUN, i - end + 1)]] = 1.0
        else:
            f["run_in"] = 1.0
        for k, offset in enumerate(_OFFSETS):
            j = i + offset
            f.update(seen[j].lends[k] if 0 <= j < n else _NONE[k])
        out.append(f)
    return out


_LEN_KEYS, _LOW_KEYS, _STOP_KEYS = _keys("len", _LEN), _keys("low", _SHARE), _keys("stop", _SHARE)
_DIG = (0.01, 0.1, 0.3)
_DIG_KEYS = _keys("dig", _DIG)
_ENDINGS = {":": "endcolon", ",": "endcomma", ";": "endsemi"}
_ASCII_DIGITS = "0123456789"
_PUNCT = "\"“”'‘’«»()[]:,."


def _own(line: str, s: Shape) -> dict[str, float]:
    """The line's own features. Patterns look at its first thousand characters only: a
    line's shape shows there, and a fuzzed page's one-megabyte line must cost no more.
    (Written for speed: the tests compare it with the features the models were trained on.)"""
    text = line[:1000]
    f: dict[str, float] = {
        "bias": 1.0,
        _LEN_KEYS[bisect_right(_LEN, s.units)]: 1.0,
        "loglen": math.log1p(s.units),
        _LOW_KEYS[bisect_right(_SHARE, s.lower)]: 1.0,
        _STOP_KEYS[bisect_right(_SHARE, s.stop)]: 1.0,
        "prose": s.prose,
    }
    if s.end:
        f["end"] = 1.0
    last = text[-1:]
    if last in _ENDINGS:
        f[_ENDINGS[last]] = 1.0
    if text[:1] in "\"“«'‘":
        f["quote0"] = 1.0
    words = text.split()
    if len(words) >= 2 and all(map(str.isupper, filter(str.isalpha, map(itemgetter(0), words)))):
        f["titlecase"] = 1.0
    if text.isupper() and len(text) > 3:
        f["upper"] = 1.0
    if text.isascii():
        digits = sum(map(text.count, _ASCII_DIGITS))
    else:
        digits = sum(map(str.isdigit, text))
    f[_DIG_KEYS[bisect_right(_DIG, digits / max(1, len(text)))]] = 1.0
    for name, needs, pattern in _MARKS:
        if name == "time" and not digits:
            continue  # a clock time has digits
        if any(map(text.__contains__, needs)) and pattern.search(text):
            f[name] = 1.0
    if _BULLET.match(text):
        f["bullet"] = 1.0
    if "@" in text and _EMAIL.search(text):
        f["url"] = 1.0
    short = len(text) <= _SHORT
    dates = find_dates(text) if digits and short else ()  # a date line is short
    if dates:
        f["date"] = 1.0
        rest = text
        for d in reversed(dates):
            rest = rest[: d.start] + rest[d.end :]
        if len(_WORD.findall(rest)) <= 3:
            f["date_only"] = 1.0
    if text[:4].lower().startswith(("by ", "von ", "par ", "por ")):
        f["by"] = 1.0
    if words:
        first, final = _word_feature(words[0].strip(_PUNCT)), _word_feature(words[-1].strip(_PUNCT))
        if first:
            f["w0=" + first] = 1.0
        if final:
            f["wN=" + final] = 1.0
        if len(words) <= 3 and len(text) <= 30:
            f["line=" + text.lower()] = 1.0
    return f


class Tagger:
    """The trained line model (newsdigest/data/lines.crfsuite), loaded once per process."""

    def __init__(self, path: str | None = None) -> None:
        self.tagger = open_model(MODEL, path)

    def probabilities(self, feats: list[dict[str, float]]) -> tuple[list[float], list[float]]:
        """Each line's probability of being article body, and of being the headline."""
        if not feats:
            return [], []
        self.tagger.set(feats)
        n = len(feats)
        return [self.tagger.marginal("B", i) for i in range(n)], [
            self.tagger.marginal("T", i) for i in range(n)
        ]


SPAN_COST = 0.2  # a line of body probability below this shortens the run it is in (chosen by CV)


def body_span(body: list[float], cost: float = SPAN_COST) -> list[int]:
    """The article's lines: the run with the most body probability in excess of `cost`
    (Kadane), less the lines inside it that are unlikely body (promos, captions, ads).
    One run per page: what the whole page supports, not the first line that looks like a
    stop."""
    span = best_run([p - cost for p in body])
    return [i for i in range(*span) if body[i] >= cost / 2]


@functools.lru_cache(maxsize=1)
def tagger() -> Tagger:
    return Tagger()

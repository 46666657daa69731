"""Which words of a text name a person: a tagger learned from annotated news.

English writes names capitalised, so only runs of capitalised words (with the particles
and initials names carry: "de", "van", "N.") are candidates. Each candidate word becomes a
set of features: its shape, the word itself and its ending, how common it is as an
ordinary word (a frequency lexicon), whether it is a known first or last name (census
lists), whether it starts a sentence, whether the article also writes it in lower case,
and the words around it. A linear-chain CRF (python-crfsuite), trained on the CoNLL-2003
English training documents (`python -m newsdigest.train_people`), labels the candidates:

    P  first word of a person's name    p  a later word of the same name
    E  a word of another name (a place, an organisation, a team, an event)
    O  a capitalised word that names nothing (a sentence's first word, a title word)

so "When Federal Reserve Chairman Alan Greenspan spoke" gives one person, Alan Greenspan.
All the candidates of one article are tagged as one sequence: one call per article.
"""

from __future__ import annotations

import functools
import gzip
import re
from dataclasses import dataclass
from importlib import resources
from typing import NamedTuple

from .models import open_model

MODEL = "names.crfsuite"  # in newsdigest/data/
LEXICON = "lexicon.tsv.gz"  # word \t zipf bucket \t F (first name) / L (last name) flags
LABELS = ("O", "P", "p", "E")

_TOKEN = re.compile(r"[^\W\d_](?:[\w'’.-]*[^\W_])?|\d[\d.,:/-]*|[^\w\s]")
_UPPER = "".join(c for c in map(chr, range(0x41, 0x530)) if c.isupper())  # Latin, Greek, Cyrillic
_CAP_WORD = re.compile(r"(?<![\w'’.-])[" + re.escape(_UPPER) + r"](?:[\w'’.-]*[^\W_])?")
_PARTICLES = frozenset(
    "von van der den de da del della di du la le bin ibn al el ter dos das".split()
)
_PARTICLE_GAP = re.compile(r"(?:\s+(?:" + "|".join(sorted(_PARTICLES)) + r"))+\s+")
_PARTICLE = re.compile(r"\S+")
_INITIAL_GAP = re.compile(r"\.\s+")
_SENTENCE_END = frozenset(".!?:;\"“”'‘’«»—–-•|")
_POSSESSIVE = re.compile(r"[’']s$")
_LATIN_END = "\u0250"  # the model knows Latin-script news; other scripts: the registry alone
_LOWER = re.compile(r"(?<![\w'’.-])[a-z][\w'’-]*")
_UNKNOWN = (0, "")
_COMMON = 5  # zipf: a word at least this common (once per 100,000 words) is rarely a name
_CONTEXT = 40  # characters either side of a run read for its neighbouring tokens


@dataclass(frozen=True)
class Span:
    """A person's name as written in one unit (0 = the title)."""

    unit: int
    start: int
    end: int
    text: str


class Word(NamedTuple):
    """A capitalised word (or a particle inside a name) and where it is in its text."""

    text: str
    lower: str
    start: int
    end: int


@functools.lru_cache(maxsize=1024)  # the registry's matching and the model read the same texts
def runs(text: str) -> tuple[tuple[Word, ...], ...]:
    """Runs of capitalised words in one text, in any cased script: words apart by spaces
    only, with the particles ("de", "van der") and initials' dots names carry inside.
    The one definition of a candidate name, shared with the registry's matching."""
    out: list[list[Word]] = []
    run: list[Word] = []
    for m in _CAP_WORD.finditer(text):
        word = m.group()
        w = Word(word, word.lower(), m.start(), m.end())
        if run:
            gap = text[run[-1].end : w.start]
            if gap.isspace() or (len(run[-1].text) == 1 and _INITIAL_GAP.fullmatch(gap)):
                run.append(w)
                continue
            if _PARTICLE_GAP.fullmatch(gap):
                base = run[-1].end
                run += [
                    Word(p.group(), p.group(), base + p.start(), base + p.end())
                    for p in _PARTICLE.finditer(gap)
                ]
                run.append(w)
                continue
            out.append(run)
        run = [w]
    if run:
        out.append(run)
    return tuple(map(tuple, out))


def candidate_runs(text: str) -> list[tuple[Word, ...]]:
    """The runs the model reads: those in Latin script, less a lone sentence-opening common
    word that is no name ("The", "But", "However"; about half of all runs, and the model
    would only have said so more slowly)."""
    lex = lexicon()
    return [
        r
        for r in runs(text)
        if r[0].text[0] < _LATIN_END
        and not (
            len(r) == 1
            and lex.get(r[0].lower, _UNKNOWN)[0] >= _COMMON
            and not lex[r[0].lower][1]
            and _opens_sentence(text, r[0].start)
        )
    ]


def _opens_sentence(text: str, start: int) -> bool:
    before = text[max(0, start - 3) : start].rstrip()
    return not before or before[-1] in _SENTENCE_END


@functools.lru_cache(maxsize=1)
def lexicon() -> dict[str, tuple[int, str]]:
    """word -> (zipf bucket 0-8, name flags): from newsdigest/data/lexicon.tsv.gz."""
    out: dict[str, tuple[int, str]] = {}
    with resources.as_file(resources.files("newsdigest") / "data" / LEXICON) as file:
        for line in gzip.decompress(file.read_bytes()).decode("utf-8").splitlines():
            word, zipf, flags = line.split("\t")
            out[word] = (int(zipf), flags)
    return out


def _shape(word: str) -> str:
    if word.isupper():
        return "X." if len(word) == 1 else "XX"
    if "-" in word:
        return "Xx-" + ("X" if word.rsplit("-", 1)[1][:1].isupper() else "x")
    if word[1:] != word[1:].lower():
        return "XxX"  # McDonald, DiCaprio, iPhone
    if "'" in word or "’" in word:
        return "Xx'"
    return "Xx" if word[:1].isupper() else "x"


def features(units: list[str]) -> list[tuple[int, list[Word], list[dict[str, float]]]]:
    """Every candidate run as (unit, its words, each word's features). Each run is its own
    sequence for the model: chained across a page, one run's label leaked into the next."""
    lex = lexicon()
    lowered = set(_LOWER.findall("\n".join(units)))
    out = []
    for u, text in enumerate(units):
        for run in candidate_runs(text):
            bare = [_bare(w.lower) for w in run]
            entries = [lex.get(b, _UNKNOWN) for b in bare]
            context = _before(text, run[0].start), _after(text, run[-1].end)
            out.append(
                (
                    u,
                    run,
                    [
                        _word_features(run, i, bare, entries, context, u, lowered)
                        for i in range(len(run))
                    ],
                )
            )
    return out


def _bare(lower: str) -> str:
    return lower[:-2] if lower.endswith(("'s", "’s")) else lower


def _before(text: str, start: int) -> tuple[str, str]:
    """The two tokens before a run: a punctuation mark is a token ("<s>" at the start)."""
    chunk = text[max(0, start - _CONTEXT) : start].split()
    if not chunk:
        return "<s>", ""
    last = chunk[-1]
    if not last[-1].isalnum():
        return last[-1], last[:-1].lower() or (chunk[-2].lower() if len(chunk) > 1 else "")
    return last.lower(), (chunk[-2].lower() if len(chunk) > 1 else "<s>")


def _after(text: str, end: int) -> tuple[str, str]:
    """The two tokens after a run ("</s>" at the end)."""
    if end < len(text) and not text[end].isspace():
        rest = text[end + 1 : end + _CONTEXT].split()
        return text[end], (rest[0].lower() if rest and text[end + 1 : end + 2] == " " else "")
    chunk = text[end : end + _CONTEXT].split()
    if not chunk:
        return "</s>", ""
    first = chunk[0]
    if not first[-1].isalnum() and len(first) > 1:
        return first[:-1].lower(), first[-1]
    return first.lower(), (chunk[1].lower() if len(chunk) > 1 else "</s>")


def _word_features(
    run: list[Word],
    i: int,
    bare: list[str],
    entries: list[tuple[int, str]],
    context: tuple[tuple[str, str], tuple[str, str]],
    unit: int,
    lowered: set[str],
) -> dict[str, float]:
    w, word = run[i], bare[i]
    zipf, flags = entries[i]
    last = i == len(run) - 1
    (prev, prev2), (nxt, nxt2) = context
    f: dict[str, float] = {
        "b": 1.0,
        "w=" + word: 1.0,
        "suf=" + word[-3:]: 1.0,
        "shape=" + _shape(w.text): 1.0,
        "zipf=%d" % zipf: 1.0,
        "len=%d" % min(len(word), 8): 1.0,
        "runlen=%d" % min(len(run), 5): 1.0,
        "pos=%d" % min(i, 3): 1.0,
        "p1=" + (run[i - 1].lower if i else prev): 1.0,
        "n1=" + (nxt if last else run[i + 1].lower): 1.0,
        "namezipf=%s%d" % (flags, zipf): 1.0,  # "Chancellor" is a census surname, and a common word
    }
    if last:
        f["last"] = 1.0
    if i == 0 and (prev == "<s>" or prev in _SENTENCE_END):
        f["sent_start"] = 1.0
        f["sent_start_zipf=%d" % zipf] = 1.0
    if unit == 0:
        f["title"] = 1.0
    for flag in flags:
        f["name=" + flag] = 1.0
    if word in lowered:
        f["lowered_here"] = 1.0
    if word != w.lower:
        f["possessive"] = 1.0
    if w.lower in _PARTICLES:
        f["particle"] = 1.0
    if i:
        f["r-1=" + run[i - 1].lower] = 1.0
        f["r-1namezipf=%s%d" % entries[i - 1][::-1]] = 1.0
    elif prev2:
        f["p2=" + prev2] = 1.0
    if not last:
        f["r+1=" + bare[i + 1]] = 1.0
        f["r+1namezipf=%s%d" % entries[i + 1][::-1]] = 1.0
    elif nxt2:
        f["n2=" + nxt2] = 1.0
    return f


class Tagger:
    """The trained name model (newsdigest/data/names.crfsuite), loaded once per process."""

    def __init__(self, path: str | None = None) -> None:
        self.tagger = open_model(MODEL, path)

    def spans(self, units: list[str]) -> list[Span]:
        """Every person's name the model finds in `units` (title first, then body blocks)."""
        return self.read(units)[0]

    def read(self, units: list[str]) -> tuple[list[Span], set[tuple[int, int]]]:
        """The persons' names, and the (unit, start) of every word of another kind of name
        (a place, a team): a registry surname there ("Johnson & Johnson") is no person."""
        spans: list[Span] = []
        others: set[tuple[int, int]] = set()
        for u, run, feats in features(units):
            labels = self.tagger.tag(feats)
            start = None
            for i, label in enumerate(labels + ["O"]):
                if start is not None and label != "p":
                    text = units[u][run[start].start : run[i - 1].end]
                    spans.append(
                        Span(u, run[start].start, run[i - 1].end, _POSSESSIVE.sub("", text))
                    )
                    start = None
                if label == "P" or (label == "p" and start is None):
                    start = i
                elif label == "E":
                    others.add((u, run[i].start))
        return spans, others


@functools.lru_cache(maxsize=1)
def tagger() -> Tagger:
    return Tagger()

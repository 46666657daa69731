"""People named in an article: the registry, detection, canonical names, prominence.

Detection has two sources, then one resolution:
1. the registry's names of two words or more, in any spelling it lists (aliases,
   transliterations, other scripts), matched in runs of capitalised words, longest first;
2. the names a tagger trained on annotated news finds (`namefinder`): it tells a person
   from a place, a team or a title word by the words' shapes, frequency and context, so
   people the registry lacks are found without a cue word;
3. a one-word mention ("Kuleba", "Prime Minister Tusk") is the full name the same article
   gives (by its last, else its first, word); only when the article gives none does the
   registry decide, so a surname never goes to a registry person the article does not
   name. A near-miss spelling ("Stoltenburg") resolves with rapidfuzz to someone the
   article names, or to a registry surname only when very close: a typo never merges two.
Only the title and the cleaned body are read, so teasers, feeds and credits never count.
"""

from __future__ import annotations

import collections
import functools
import operator
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from .namefinder import lexicon, runs
from .textutil import fold

_TOKEN = re.compile(r"[^\W\d_](?:[\w'’.-]*[^\W_])?")
_POSSESSIVE = re.compile(r"[’']s?$")
_UNKNOWN = (0, "")
_ORDINARY = 4  # zipf: a word at least this common (once per 100,000 words) is an ordinary word
_RARE = 3  # zipf: a word rarer than this (once per million words) may be a misspelt name


@dataclass(frozen=True)
class Person:
    name: str
    role: str | None
    aliases: tuple[str, ...]
    short: tuple[str, ...]


@dataclass(frozen=True)
class Registry:
    """Canonical names and every way of writing them, folded for matching."""

    people: tuple[Person, ...]
    full: dict[tuple[str, ...], str] = field(hash=False, compare=False)
    short: dict[tuple[str, ...], tuple[str, ...]] = field(hash=False, compare=False)
    max_len: int = 4
    # one-word, one owner
    surnames: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    # canonical() answers
    memo: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    by_name: dict[str, Person] = field(default_factory=dict, hash=False, compare=False)
    unordered: dict[tuple[str, ...], str] = field(default_factory=dict, hash=False, compare=False)

    @classmethod
    def from_data(cls, *sources: list[dict]) -> Registry:
        """Later sources override earlier ones by canonical name, field by field: a site
        that sets a person's role keeps the aliases the shipped registry lists."""
        merged: dict[str, dict] = {}
        for items in sources:
            for item in items or ():
                if isinstance(item, dict) and item.get("name"):
                    name = str(item["name"]).strip()
                    merged[name] = {**merged.get(name, {}), **item}
        people = tuple(_person(item) for item in merged.values())
        full: dict[tuple[str, ...], str] = {}
        short: dict[tuple[str, ...], tuple[str, ...]] = {}
        for p in people:
            for alias in (p.name,) + p.aliases:
                full.setdefault(_key(alias), p.name)
            for form in p.short:
                key = _key(form)
                short[key] = tuple(dict.fromkeys(short.get(key, ()) + (p.name,)))
        max_len = max((len(k) for k in list(full) + list(short)), default=1)
        surnames = {k[0]: v[0] for k, v in short.items() if len(k) == 1 and len(v) == 1}
        unordered: dict[tuple[str, ...], str] = {}  # "Ishiba Shigeru": the same words, either order
        for key, name in full.items():
            if len(key) > 1:
                unordered[tuple(sorted(key))] = (
                    name if unordered.get(tuple(sorted(key)), name) == name else ""
                )
        return cls(
            people,
            full,
            short,
            max_len=max_len,
            surnames=surnames,
            by_name={p.name: p for p in people},
            unordered={k: v for k, v in unordered.items() if v},
        )

    def full_name(self, key: tuple[str, ...]) -> str | None:
        """The registry person whose name (or an alias) has exactly these words, in any order."""
        return self.full.get(key) or self.unordered.get(tuple(sorted(key)))

    def canonical(self, name: str) -> str:
        """The registry's spelling of `name`, or `name` as written when unknown."""
        if name not in self.memo:
            self.memo[name] = self._canonical(name)
        return self.memo[name]

    def _canonical(self, name: str) -> str:
        key = _key(name)
        if key in self.full:
            return self.full[key]
        owners = self.short.get(key, ())
        return owners[0] if len(owners) == 1 else name

    def changed_keys(self, old: Registry) -> frozenset[tuple[str, ...]]:
        """The folded names (word tuples) whose answer differs between `old` and this
        registry. A page can only match a name all of whose words it has among its
        capitalised words (see `Detected.keys`): a page with none of these resolves to the
        same people under both, so a people.yaml edit re-resolves only pages that could
        name one of them. Roles are not among the answers: they show on person pages only."""
        keys: set[tuple[str, ...]] = set()
        for mine, theirs in (
            (self.full, old.full),
            (self.short, old.short),
            (self.unordered, old.unordered),
        ):
            keys.update(k for k in mine.keys() | theirs.keys() if mine.get(k) != theirs.get(k))
        return frozenset(keys)

    def shown(self) -> dict[str, tuple]:
        """What a person page shows of each registry person (role, aliases), by name."""
        return {p.name: (p.role, p.aliases) for p in self.people}

    def role(self, name: str) -> str | None:
        person = self.by_name.get(name)
        return person.role if person else None

    def aliases(self, name: str) -> tuple[str, ...]:
        person = self.by_name.get(name)
        return person.aliases if person else ()


def _person(item: dict) -> Person:
    name = str(item["name"]).strip()
    aliases = tuple(str(a).strip() for a in item.get("aliases") or ())
    if "short" in item:
        short = tuple(str(s).strip() for s in item.get("short") or ())
    else:
        short = tuple(dict.fromkeys(n.split()[-1] for n in (name,) + aliases))
    return Person(name, item.get("role"), aliases, short)


@functools.lru_cache(maxsize=1 << 16)
def _word_key(word: str) -> str:
    """A capitalised word, folded, without a possessive 's: cached, names recur on every page."""
    return fold(_POSSESSIVE.sub("", word))


@functools.lru_cache(maxsize=1 << 16)
def _key(text: str) -> tuple[str, ...]:
    return tuple(fold(_POSSESSIVE.sub("", t)) for t in _TOKEN.findall(text))


@dataclass(frozen=True)
class Mention:
    """One place a person is named: which text unit (0 = title) and where in it."""

    name: str
    unit: int
    start: int
    end: int
    exact: bool = True


class _Tok(NamedTuple):
    text: str
    start: int
    end: int
    key: str  # folded, without a possessive 's


@dataclass(frozen=True)
class Detected:
    """What detection found in an article, before any registry is consulted: the runs of
    capitalised words per unit and the tagger's reading of them. Kept apart from resolution
    (the build state caches it per cleaned page), so a people.yaml edit re-resolves names
    without running the tagger again."""

    spans: tuple[tuple[tuple[str, int, int], ...], ...]  # per unit: (word, start, end) runs
    persons: tuple[tuple[int, int, int, str], ...]  # the tagger's persons: unit, start, end, text
    others: frozenset[tuple[int, int]]  # (unit, start) of words of another kind of name

    def keys(self) -> frozenset[str]:
        """Every folded word a registry could answer for: a registry change whose names
        share none of them cannot change who this article names."""
        return frozenset(_word_key(w) for unit in self.spans for run in unit for w, _, _ in run)


def detect(units: list[str]) -> Detected:
    """The registry-independent half of finding people (see `resolve` for the other)."""
    from .namefinder import tagger

    spans = tuple([tuple([tuple(map(_PLACE, run)) for run in runs(text)]) for text in units])
    persons, others = tagger().read(units)
    return Detected(
        spans,
        tuple([(s.unit, s.start, s.end, s.text) for s in persons]),
        frozenset(others),
    )


_PLACE = operator.itemgetter(0, 2, 3)  # a namefinder.Word's (text, start, end)


def find_mentions(
    units: list[str], registry: Registry, exclude: tuple[str, ...] = ()
) -> list[Mention]:
    """Every person named in `units` (title first, then body blocks), canonical where known."""
    return resolve(detect(units), registry, exclude)


def resolve(detected: Detected, registry: Registry, exclude: tuple[str, ...] = ()) -> list[Mention]:
    """Who the detected names are. Two sources: the registry's full names (any spelling it
    lists, so transliterations and other scripts resolve), and the names the trained tagger
    found (namefinder). A one-word mention then becomes the full name this article gives
    (its last, else first, word); only when the article gives none does the registry
    decide, and a near-miss spelling resolves only to a name the article gives or one the
    registry knows very closely."""
    found: list[Mention] = []
    taken: dict[int, list[tuple[int, int]]] = collections.defaultdict(list)
    spans = [
        [[_Tok(w, a, b, _word_key(w)) for w, a, b in run] for run in unit]
        for unit in detected.spans
    ]
    for u, unit_spans in enumerate(spans):
        for span in unit_spans:
            _registry_names(u, span, registry, found, taken)
    singles: list[Mention] = []
    for unit, start, end, text in detected.persons:
        if _overlaps(taken.get(unit, ()), start, end):
            continue
        taken[unit].append((start, end))
        if len(_key(text)) > 1:
            name = registry.full_name(_key(text))
            if name or _could_be_a_name(text):
                found.append(Mention(name or text, unit, start, end))
        elif _key(text):
            singles.append(Mention(text, unit, start, end, exact=False))
    found = _expand_initials(found)
    known = _Known({m.name for m in found})
    for m in singles:
        name = _single(m.name, known, registry)
        if name:
            found.append(Mention(name, m.unit, m.start, m.end, exact=False))
    # surnames the tagger left as plain words ("Tusk and Macron sign")
    for u, unit_spans in enumerate(spans):
        for span in unit_spans:
            for tok in span:
                if not _overlaps(taken[u], tok.start, tok.end):
                    name = _leftover(tok, (u, tok.start) in detected.others, known, registry)
                    if name:
                        found.append(Mention(name, u, tok.start, tok.end, exact=False))
    excluded = {_key(a) for a in exclude}
    return [m for m in found if _key(m.name) not in excluded]


def _overlaps(spans: Iterable[tuple[int, int]], start: int, end: int) -> bool:
    """Whether [start, end) overlaps one of `spans` (a plain loop: asked for every
    capitalised word of an article, where a generator's set-up cost more than the test)."""
    for a, b in spans:
        if a < end and start < b:
            return True
    return False


_INITIAL = re.compile(r"[^\W\d_]\.?", re.UNICODE)


def _expand_initials(found: list[Mention]) -> list[Mention]:
    """ "D. Šakalienė" is the article's "Dovilė Šakalienė" when it gives that name: the same
    surname and the same first letter. An initial no full name of the article explains
    stays as it is."""
    full: dict[tuple[str, str], str] = {}
    for m in found:
        parts = m.name.split()
        if len(parts) >= 2 and not _INITIAL.fullmatch(parts[0]):
            full.setdefault((fold(parts[-1]), fold(parts[0])[:1]), m.name)
    out = []
    for m in found:
        parts = m.name.split()
        if len(parts) == 2 and _INITIAL.fullmatch(parts[0]):
            name = full.get((fold(parts[-1]), fold(parts[0])[:1]))
            if name:
                m = Mention(name, m.unit, m.start, m.end, exact=False)
        out.append(m)
    return out


def _could_be_a_name(text: str) -> bool:
    """Not a person when every word is an ordinary word, of English or of another language,
    and none is a known first name or surname ("Estados Unidos", "Medio Oriente"): the
    tagger learnt English, where such words are rarely names."""
    lex = lexicon()
    for word in text.lower().split():
        zipf, flags = lex.get(word, _UNKNOWN)
        if "F" in flags or "L" in flags or (zipf < _ORDINARY and "W" not in flags):
            return True
    return False


def _registry_names(
    u: int,
    span: list[_Tok],
    registry: Registry,
    out: list[Mention],
    taken: dict[int, list[tuple[int, int]]],
) -> None:
    """The registry's names of two words or more inside one run of capitalised words."""
    i = 0
    while i < len(span):
        hit = _longest_alias(span, i, registry)
        if hit:
            name, length = hit
            out.append(Mention(name, u, span[i].start, span[i + length - 1].end))
            taken[u].append((span[i].start, span[i + length - 1].end))
            i += length
        else:
            i += 1


def _longest_alias(span: list[_Tok], i: int, registry: Registry) -> tuple[str, int] | None:
    for length in range(min(registry.max_len, len(span) - i), 1, -1):
        key = tuple(t.key for t in span[i : i + length])
        if key in registry.full:
            return registry.full[key], length
        if key in registry.short and len(registry.short[key]) == 1:
            return registry.short[key][0], length
    return None


def _leftover(tok: _Tok, other_name: bool, known: _Known, registry: Registry) -> str | None:
    """A capitalised word the tagger did not call a person: the surname of a full name the
    article gives is that person; a registry surname counts unless the tagger read the word
    as part of another kind of name ("Johnson & Johnson")."""
    hits = known.by_last.get(tok.key, [])
    if hits:
        return hits[0] if len(hits) == 1 else None
    if other_name:
        return None
    owner = _registry_owner((tok.key,), registry)
    if owner or len(tok.key) < 6 or lexicon().get(tok.key, _UNKNOWN)[0] >= _RARE:
        return owner
    return _near_known(tok.key, known)  # "Stoltenburg" after "Jens Stoltenberg", the tagger unsure


def _near_known(word: str, known: _Known) -> str | None:
    """The one full name of this article whose surname `word` misspells (a typo never merges
    two people: only a name the article gives, and only when one is that close)."""
    if not known.by_last:
        return None
    from rapidfuzz import fuzz, process  # here: only a near-miss spelling needs it, not a re-render

    near = process.extractOne(word, list(known.by_last), scorer=fuzz.ratio, score_cutoff=85)
    return known.by_last[near[0]][0] if near and len(known.by_last[near[0]]) == 1 else None


def _registry_owner(key: tuple[str, ...], registry: Registry) -> str | None:
    """The registry person a lone word names, if exactly one, and the word is not one of the
    commonest surnames ("Smith" alone says nothing of which Smith)."""
    full = registry.full.get(key)
    owners = (full,) if full else registry.short.get(key, ())
    if len(owners) != 1 or "C" in lexicon().get(key[0], ("", ""))[1]:
        return None
    return owners[0]


def _single(word: str, known: _Known, registry: Registry) -> str | None:
    """Who a one-word mention is: the article's own full name first, then the registry."""
    key = _key(word)
    in_article = known.by_last.get(key[0], []) or known.by_first.get(key[0], [])
    if len(in_article) == 1:
        return in_article[0]
    if in_article:
        return None  # two people of the article share it: not guessed
    owner = _registry_owner(key, registry)
    if owner or len(key[0]) < 6 or key in registry.full or key in registry.short:
        return owner
    near = _near_known(key[0], known)
    if near:
        return near
    from rapidfuzz import fuzz, process  # here: only a near-miss spelling needs it, not a re-render

    best = process.extractOne(key[0], registry.surnames.keys(), scorer=fuzz.ratio, score_cutoff=92)
    if best and len(key[0]) >= 8:
        return registry.surnames[best[0]]
    return None


class _Known(set):
    """The full names found so far, indexed by last and first word key: on a page naming
    thousands of people, looking a surname up must not scan them all (that made detection
    quadratic)."""

    def __init__(self, names: set[str]) -> None:
        super().__init__()
        self.by_last: dict[str, list[str]] = collections.defaultdict(list)
        self.by_first: dict[str, list[str]] = collections.defaultdict(list)
        for name in names:
            self.add(name)

    def add(self, name: str) -> None:
        key = _key(name)
        if name not in self and len(key) > 1:
            super().add(name)
            self.by_last[key[-1]].append(name)
            self.by_first[key[0]].append(name)


def rank(mentions: list[Mention]) -> tuple[str, ...]:
    """Most prominent first: named in the title (in title order), then by first mention."""
    first: dict[str, tuple[int, int, int]] = {}
    for m in mentions:
        key = (0 if m.unit == 0 else 1, m.unit, m.start)
        if m.name not in first or key < first[m.name]:
            first[m.name] = key
    return tuple(sorted(first, key=first.__getitem__))

"""People named in an article: the registry, detection, canonical names, prominence.

No pretrained NER model can be installed here, so detection is a registry plus rules:
1. spans of capitalised words are matched against registry aliases (longest first), then
   surname-only forms ("Kuleba", "Prime Minister Tusk");
2. a near-miss spelling ("Stoltenburg") resolves with rapidfuzz only to someone the article
   names correctly elsewhere, or when the match is very close: a typo never merges two people;
3. names the registry lacks count when a cue says they are people: a role word before them
   ("CEO Armin Papperger"), an apposition after them (", CEO of …") or a speech verb.
Only the title and the cleaned body are read, so teasers, feeds and credits never count.
"""

from __future__ import annotations

import collections
import functools
import re
from dataclasses import dataclass, field

from .textutil import fold

_TOKEN = re.compile(r"[^\W\d_](?:[\w'’.-]*[^\W_])?")
_PARTICLES = {"von", "der", "van", "de", "da", "del", "di", "la", "le", "bin", "al", "ter"}
_POSSESSIVE = re.compile(r"[’']s?$")

ROLE_WORDS = set("""
president presidents minister ministers prime foreign defense defence secretary general deputy
chancellor mayor governor head chief ambassador speaker commissioner spokesperson spokesman
spokeswoman king queen pope senator sen rep mr mrs ms dr gen lt col maj former vice high
representative ceo director chair chairman chairwoman adviser advisor commander envoy special
state premier leader lieutenant colonel major admiral marshal sir lord lady chief-of-staff
first lady acting interim
""".split())

# The same for Ukrainian and Russian pages (matched folded, like every token).
ROLE_WORDS |= {fold(w) for w in """
президент президента президентом міністр міністра міністром прем'єр-міністр прем'єр-міністра генеральний
генерального генеральним секретар секретаря секретарем голова голови речник посол канцлер
министр министра премьер-министр генеральный генерального секретарь секретаря пресс-секретарь глава
""".split()}

# Titles that, right before a name, say it is a person's ("CEO Armin Papperger").
_TITLE_CUES = set("""
president minister secretary chancellor mayor governor ambassador speaker commissioner spokesperson
spokesman spokeswoman senator sen rep ceo director chairman chairwoman chair adviser advisor commander
envoy general colonel king queen pope mr mrs ms dr sir lord lady premier leader prosecutor lieutenant
admiral marshal negotiator founder coach captain judge
""".split())
_ROLE_BEFORE = re.compile(
    r"(?:\b(?:" + "|".join(sorted(_TITLE_CUES)) + r"|head|chief|deputy)\b"
    r"(?:\s+of\s+(?:the\s+)?(?:[A-Z][\w'’-]*\s+){1,4})?|\b(?:Mr|Mrs|Ms|Dr|Sir)\.?)[\s,]*$", re.I)

_NOT_NAMES = set("""
ukraine ukraines ukrainian ukrainians russia russian russians nato eu un us usa uk europe european
brussels kyiv kiev moscow washington berlin paris london warsaw new york white house kremlin
pentagon alliance allies allied council commission parliament rada verkhovna ministry office
presidential government army forces armed summit compact union nations united states republic
federation oblast region sumy kharkiv kherson odesa odessa crimea donbas donetsk luhansk
zaporizhzhia belarus poland germany france britain china iran turkey canada japan italy spain
hungary slovakia moldova romania finland sweden norway denmark estonia latvia lithuania netherlands
dutch french german british polish italian american chinese korean japanese belarusian czech czechia
january february march april may june july august september october november december
monday tuesday wednesday thursday friday saturday sunday the this that these those he she they it
we in on at but and or for with after before during according however instead meanwhile earlier
later also details source background quote read more news update live photo video x telegram
facebook instagram god christmas easter euro-atlantic black sea baltic west western east eastern
north northern south southern central security defence intelligence service services agency
national international world global day week month year today yesterday tomorrow patriot
himars f-16 leopard abrams storm shadow atacms iris-t nasams airport station street square
pravda independent journal post times guardian reuters afp ap bbc cnn politico bloomberg
group committee confederation party command bank fund company institute university organization
organisation association conference foundation corporation club league court tribunal policy
contact league cup finance interior justice economy economic health agriculture agrarian energy
education culture transport infrastructure trade digital environment labour labor social veterans
strategic industries european-integration
belgian austrian swiss swedish norwegian danish finnish estonian latvian lithuanian hungarian slovak
slovenian croatian serbian romanian bulgarian greek turkish georgian armenian azerbaijani moldovan
spanish portuguese irish scottish welsh canadian mexican brazilian argentine australian indian
pakistani iranian iraqi israeli palestinian syrian saudi egyptian african nigerian kenyan conservative
labour liberal democratic republican socialist green communist championship olympic games festival museum hospital airlines railways
treaty declaration plan formula initiative coalition mission operation programme program fleet
""".split()) | {fold(w) for w in """
україна україни україну україні росія росії росію нато сша європа європи єс київ києві брюссель
брюсселі москва москви вашингтон верховна рада альянс альянсу план перемоги
украина украины россия россии москвы вашингтоном киев кремль сша ес
""".split()}

_APPOSITION = re.compile(
    r"^,?\s+(?:the\s+|a\s+|an\s+|who\s+is\s+(?:the\s+)?)?(?:[\w'’]+[\s-]+){0,4}?"
    r"(?:ceo|founder|minister|president|spokes\w+|mayor|governor|head|chief|director|ambassador|"
    r"advis[eo]r|chair\w*|leader|commander|secretary|official|envoy|analyst|expert|professor|"
    r"researcher|lawmaker|mp|deputy|senator|prosecutor|journalist|economist|general|colonel)\b",
    re.I)
_SPEECH_AFTER = re.compile(r"^\s+(?:said|says|told|wrote|added|stressed|noted|announced|stated|"
                           r"explained|emphasi[sz]ed|warned|argued|posted)\b")
_SPEECH_BEFORE = re.compile(r"(?:said|says|told|wrote|according\s+to)\s+$")


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
    surnames: dict[str, str] = field(default_factory=dict, hash=False, compare=False)  # one-word, one owner
    memo: dict[str, str] = field(default_factory=dict, hash=False, compare=False)  # canonical() answers
    by_name: dict[str, Person] = field(default_factory=dict, hash=False, compare=False)

    @classmethod
    def from_data(cls, *sources: list[dict]) -> "Registry":
        """Later sources override earlier ones by canonical name (a site fixes a name once)."""
        by_name: dict[str, Person] = {}
        for items in sources:
            for item in items or ():
                if isinstance(item, dict) and item.get("name"):
                    person = _person(item)
                    by_name[person.name] = person
        people = tuple(by_name.values())
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
        return cls(people, full, short, max_len=max_len, surnames=surnames, by_name={p.name: p for p in people})

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


@dataclass(frozen=True)
class _Tok:
    text: str
    start: int
    end: int
    key: str  # folded, without a possessive 's


def _spans(text: str) -> list[list[_Tok]]:
    """Runs of capitalised words (with name particles such as 'von der') in one text.

    Only capitalised words and particles become tokens: folding every word of every article
    was the costliest step of understanding.
    """
    spans: list[list[_Tok]] = []
    current: list[_Tok] = []
    for m in _TOKEN.finditer(text):
        word = m.group()
        if not (word[0].isupper() or (word in _PARTICLES and current)):
            if current:
                spans.append(current)
                current = []
            continue
        if current:
            prev = current[-1]
            joined = text[prev.end : m.start()].strip() == "" and not _POSSESSIVE.search(prev.text[-2:])
            if not joined:
                spans.append(current)
                current = []
        current.append(_Tok(word, m.start(), m.end(), fold(_POSSESSIVE.sub("", word))))
    if current:
        spans.append(current)
    return spans


def find_mentions(units: list[str], registry: Registry, exclude: tuple[str, ...] = ()) -> list[Mention]:
    """Every person named in `units` (title first, then body blocks), canonical where known."""
    exact: list[Mention] = []
    pending: list[tuple[str, int, _Tok, tuple[str, ...]]] = []  # (kind, unit, tok, candidates)
    for u, text in enumerate(units):
        for span in _spans(text):
            _match_span(text, u, span, registry, exact, pending)
    known = _Known({m.name for m in exact})
    words: collections.Counter[str] | None = None
    for kind, u, tok, candidates in pending:
        if kind == "weak":
            words = words if words is not None else collections.Counter(_WORD.findall("\n".join(units)))
            if _recurs(tok.name.split()[-1], units, words, times=2):
                exact.append(tok)
                known.add(tok.name)
            continue
        name = _resolve(kind, tok, candidates, known, registry)
        if name:
            exact.append(Mention(name, u, tok.start, tok.end, exact=False))
    excluded = {_key(a) for a in exclude}
    return [m for m in exact if _key(m.name) not in excluded]


def _match_span(text: str, u: int, span: list[_Tok], registry: Registry,
                out: list[Mention], pending: list) -> None:
    i, leftover = 0, []
    while i < len(span):
        hit = _longest_alias(span, i, registry)
        if hit:
            name, length = hit
            out.append(Mention(name, u, span[i].start, span[i + length - 1].end))
            _flush_unknown(text, u, leftover, out, pending)
            leftover = []
            i += length
            continue
        tok = span[i]
        owners = registry.short.get((tok.key,), ())
        if len(owners) == 1:
            out.append(Mention(owners[0], u, tok.start, tok.end))
            _flush_unknown(text, u, leftover, out, pending)
            leftover = []
        elif len(owners) > 1:
            pending.append(("ambiguous", u, tok, owners))
        else:
            leftover.append(tok)
        i += 1
    _flush_unknown(text, u, leftover, out, pending)


def _longest_alias(span: list[_Tok], i: int, registry: Registry) -> tuple[str, int] | None:
    for length in range(min(registry.max_len, len(span) - i), 0, -1):
        key = tuple(t.key for t in span[i : i + length])
        if key in registry.full:
            return registry.full[key], length
        if length > 1 and key in registry.short and len(registry.short[key]) == 1:
            return registry.short[key][0], length
    return None


def _flush_unknown(text: str, u: int, toks: list[_Tok], out: list[Mention], pending: list) -> None:
    """Tokens the registry did not claim: a person if cues say so, else maybe a typo."""
    role_before = False
    run: list[_Tok] = []
    for tok in toks + [None]:  # type: ignore[list-item]
        if tok is not None and tok.key not in ROLE_WORDS and tok.key not in _NOT_NAMES \
                and tok.text[:1].isupper() and not tok.text.isupper():
            run.append(tok)
            continue
        if run:
            _judge_run(text, u, run, role_before, out, pending)
            run = []
        role_before = tok is not None and tok.key in _TITLE_CUES
    return None


def _judge_run(text: str, u: int, run: list[_Tok], role_before: bool,
               out: list[Mention], pending: list) -> None:
    after, before = text[run[-1].end :], text[max(0, run[0].start - 80) : run[0].start]
    cued = role_before or _ROLE_BEFORE.search(before) or _APPOSITION.match(after) or \
        _SPEECH_AFTER.match(after) or _SPEECH_BEFORE.search(before)
    if 2 <= len(run) <= 4:
        name = " ".join(_POSSESSIVE.sub("", t.text) if k == len(run) - 1 else t.text
                        for k, t in enumerate(run))
        mention = Mention(name, u, run[0].start, run[-1].end)
        if cued:
            out.append(mention)
        else:
            pending.append(("weak", u, mention, ()))
        return
    for tok in run:
        if len(tok.key) >= 6:
            pending.append(("typo", u, tok, ()))
        elif len(run) == 1:
            pending.append(("surname", u, tok, ()))


_WORD = re.compile(r"\w+")


class _Known(set):
    """The names found so far, with an index by last name key: on a page naming thousands
    of people, looking a surname up must not scan them all (that made detection quadratic)."""

    def __init__(self, names: set[str]) -> None:
        super().__init__()
        self.by_last: dict[str, list[str]] = collections.defaultdict(list)
        for name in names:
            self.add(name)

    def add(self, name: str) -> None:
        if name not in self:
            super().add(name)
            last = _key(name)[-1:]
            if last:
                self.by_last[last[0]].append(name)


def _recurs(word: str, units: list[str], words: collections.Counter[str], times: int) -> bool:
    """A capitalised name without a cue counts when its surname recurs ("Ancelotti said").
    `words`: the page's word counts, made once (a plain word is looked up, not searched)."""
    if _WORD.fullmatch(word):
        return words[word] >= times
    pattern = _word_pattern(word)
    return sum(len(pattern.findall(text)) for text in units) >= times


@functools.lru_cache(maxsize=4096)
def _word_pattern(word: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)" + re.escape(word) + r"(?:['’]s)?(?!\w)")


def _resolve(kind: str, tok: _Tok, candidates: tuple[str, ...], known: set[str],
             registry: Registry) -> str | None:
    if kind == "ambiguous":
        present = [c for c in candidates if c in known]
        return present[0] if len(present) == 1 else None
    if kind == "surname":
        return _surname_of_known(tok, known)
    by_surname = _surname_of_known(tok, known)
    if by_surname:
        return by_surname
    from rapidfuzz import fuzz, process  # here: only a near-miss spelling needs it, not a re-render

    best = process.extractOne(tok.key, registry.surnames.keys(), scorer=fuzz.ratio, score_cutoff=85)
    if not best:
        return None
    name = registry.surnames[best[0]]
    if name in known or (best[1] >= 92 and len(tok.key) >= 8):
        return name
    return None


def _surname_of_known(tok: _Tok, known: _Known) -> str | None:
    """'Papperger' after 'Armin Papperger' (a person the registry lacks) is the same person."""
    hits = known.by_last.get(tok.key, [])
    return hits[0] if len(hits) == 1 else None


def rank(mentions: list[Mention]) -> tuple[str, ...]:
    """Most prominent first: named in the title (in title order), then by first mention."""
    first: dict[str, tuple[int, int, int]] = {}
    for m in mentions:
        key = (0 if m.unit == 0 else 1, m.unit, m.start)
        if m.name not in first or key < first[m.name]:
            first[m.name] = key
    return tuple(sorted(first, key=first.__getitem__))

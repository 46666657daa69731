"""The labelled real pages in ../shared/corpora, and how an extraction is scored against them.

One module for the reading and the scoring, so `python -m newsdigest.evaluate`, the test that
gates the floors, `bench/quality.py` (the anchors, run the same way) and the training of the
cleaner's models all mean the same thing by "the body", "title exact" and "date exact".

- body: a bag of lower-case word tokens (`\\w+`); precision, recall and F1 of the tokens of
  the entry's paragraphs against the gold text's. A page that gives no entry scores 0.
- title exact: equal after normalising case, spaces and quotes, to the gold title or to its
  longest part: the gold keeps the page's " | Site" suffix where <title> has one, and a
  text dump only ever shows the headline.
- date exact: the publication date, YYYY-MM-DD, as the page states it.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

CORPORA = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora"
_TOKEN = re.compile(r"\w+")
_SITE_SPLIT = re.compile(r"\s+[|–—\-·»:]+\s+|\s*[|｜_]\s*|\s*::\s*")
_TRAILER = re.compile(r"\s*(?:\[[^\]]*\]|（[^）]*）|\([^)]*\))\s*$")
_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "«": '"', "»": '"', "\u00a0": " "})


@dataclass(frozen=True)
class LabelledPage:
    id: str
    corpus: str  # readability | htmldate
    html_path: Path
    txt_path: Path
    title: str | None  # gold headline (readability)
    body: str | None  # gold article text (readability)
    date: str | None  # gold publication date YYYY-MM-DD
    article: bool  # False for pages that hold no article
    lang: str
    kind: str

    def html(self) -> bytes:
        return gzip.decompress(self.html_path.read_bytes())

    def txt(self) -> bytes:
        return self.txt_path.read_bytes()


def default_root() -> Path | None:
    """../shared/corpora beside the repository (or beside the working folder), if present."""
    for root in (CORPORA, Path.cwd().parent / "shared" / "corpora"):
        if (root / "pages").is_dir():
            return root
    return None


def load(root: Path | None = None, corpus: str | None = None) -> list[LabelledPage]:
    """Every labelled page of `root`/pages (readability, htmldate), in id order."""
    root = root or default_root()
    if root is None:
        return []
    out: list[LabelledPage] = []
    for folder in sorted((root / "pages").iterdir()):
        if corpus and folder.name != corpus or not (folder / "labels.json").is_file():
            continue
        labels = json.loads((folder / "labels.json").read_text(encoding="utf-8"))
        for pid in sorted(labels):
            lab = labels[pid]
            out.append(
                LabelledPage(
                    id=pid,
                    corpus=folder.name,
                    html_path=folder / f"{pid}.html.gz",
                    txt_path=folder / f"{pid}.txt",
                    title=lab.get("title"),
                    body=lab.get("body_text"),
                    date=lab.get("published"),
                    article=lab.get("article", True) is not False,
                    lang=lab.get("lang") or "",
                    kind=lab.get("kind") or "",
                )
            )
    return out


def tokens(text: str) -> Counter[str]:
    return Counter(_TOKEN.findall(unicodedata.normalize("NFC", text).lower()))


def prf(got: str | None, gold: str) -> tuple[float, float, float]:
    """Token precision, recall and F1 of `got` against `gold` (None: no entry, all 0)."""
    if not got:
        return 0.0, 0.0, 0.0
    a, b = tokens(got), tokens(gold)
    common = sum((a & b).values())
    if not common:
        return 0.0, 0.0, 0.0
    p, r = common / sum(a.values()), common / sum(b.values())
    return p, r, 2 * p * r / (p + r)


def normal_title(text: str) -> str:
    return " ".join(
        unicodedata.normalize("NFKC", text).translate(_QUOTES).casefold().split()
    ).strip(" .")


def title_forms(gold: str) -> set[str]:
    """The gold title, and the headline inside it when it carries a site or section name
    ("Headline | Site", "Site - Headline", "Headline_Section_Site", "Headline [Site]")."""
    parts = [p for p in _SITE_SPLIT.split(gold) if p.strip()]
    texts = {gold, max(parts, key=len) if parts else gold}
    at = 0
    # every cut at a separator: "Headline | Site", "Site | Headline"
    for part in parts:
        at = gold.find(part, at)
        texts.add(gold[: at + len(part)])
        texts.add(gold[at:])
        at += len(part)
    forms = {normal_title(t) for t in texts} | {normal_title(_TRAILER.sub("", t)) for t in texts}
    forms.discard("")
    return forms


def title_exact(got: str | None, gold: str | None) -> bool:
    return bool(got and gold) and normal_title(got) in title_forms(gold)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Score:
    """One page in one form: what the extractor gave and how it scores."""

    id: str
    corpus: str
    form: str  # html | txt
    dropped: bool
    reason: str  # why it was dropped (or the fallback a warning named)
    p: float
    r: float
    f1: float
    title: bool | None  # None where there is no gold title
    date: bool | None  # None where there is no gold date
    got_title: str | None = None  # the title given

    def as_dict(self) -> dict:
        return self.__dict__.copy()


def score(
    page: LabelledPage,
    form: str,
    title: str | None,
    body: str | None,
    date: str | None,
    reason: str = "",
) -> Score:
    dropped = body is None
    p, r, f1 = prf(body, page.body) if page.body is not None else (0.0, 0.0, 0.0)
    return Score(
        page.id,
        page.corpus,
        form,
        dropped,
        reason,
        p,
        r,
        f1,
        title_exact(title, page.title) if page.title else None,
        (date == page.date) if page.date and page.article else None,
        title,
    )


@dataclass
class Summary:
    """The mean figures of a set of scores (one extractor, one corpus, one form)."""

    pages: int
    articles: int
    dropped: int
    p: float
    r: float
    f1: float
    title: float | None
    date: float | None
    bodied: int = 0  # articles with a gold body

    @classmethod
    def of(cls, scores: list[Score], pages: dict[str, LabelledPage]) -> Summary:
        arts = [s for s in scores if pages[s.id].article]
        bodied = [s for s in arts if pages[s.id].body is not None]
        titled = [s.title for s in arts if s.title is not None]
        dated = [s.date for s in arts if s.date is not None]
        mean = lambda xs: sum(xs) / len(xs) if xs else 0.0  # noqa: E731
        return cls(
            len(scores),
            len(arts),
            sum(s.dropped for s in arts),
            mean([s.p for s in bodied]),
            mean([s.r for s in bodied]),
            mean([s.f1 for s in bodied]),
            mean([float(t) for t in titled]) if titled else None,
            mean([float(d) for d in dated]) if dated else None,
            len(bodied),
        )


def build_code(seeds: list[tuple[str, bytes, dt.date | None]], jobs: int = 1) -> list:
    """(name, bytes, modification day) through exactly the code a build runs (ingest, clean,
    understand, with the cross-page boilerplate pass over the whole set): each SeedResult."""
    from .ingest import sha256
    from .knowledge import load_knowledge
    from .log import Log
    from .workers import SeedTask, mapper, with_boilerplate

    knowledge = load_knowledge(None, Log(quiet=True))
    tasks = [SeedTask(name, sha256(data), data, None, modified=day) for name, data, day in seeds]
    with mapper(knowledge, jobs, "process") as run:
        return list(run(with_boilerplate(tasks)))


def run_ours(pages: list[LabelledPage], form: str, jobs: int = 1) -> list[Score]:
    """Each page through the build's own code, scored. A page's day is its dump file's
    modification day, as a scraper's file would have."""
    from .model import Skip

    seeds = [
        (
            f"{p.id}.{form}",
            p.html() if form == "html" else p.txt(),
            dt.date.fromtimestamp(p.txt_path.stat().st_mtime),
        )
        for p in pages
    ]
    out = []
    for page, result in zip(pages, build_code(seeds, jobs)):
        entry = result.entry
        if isinstance(entry, Skip):
            out.append(score(page, form, None, None, None, entry.reason))
            continue
        body = "\n\n".join(b.text for b in entry.blocks)
        out.append(
            score(page, form, entry.title, body, entry.date.isoformat(), "; ".join(result.notes))
        )
    return out


def table(rows: list[tuple[str, str, str, Summary]]) -> str:
    """A Markdown table: one row per (extractor, corpus, form)."""
    head = (
        "| extractor | corpus | form | pages | dropped | body P | body R | body F1 | title | date |"
    )
    lines = [head, "|" + "---|" * 10]
    fmt = lambda x: "–" if x is None else f"{x:.3f}"  # noqa: E731
    for name, corpus, form, s in rows:
        bodied = s.f1 if s.bodied else None
        lines.append(
            f"| {name} | {corpus} | {form} | {s.articles} | {s.dropped} | "
            f"{fmt(s.p if s.bodied else None)} "
            f"| {fmt(s.r if s.bodied else None)} | {fmt(bodied)} | {fmt(s.title)} | {fmt(s.date)} |"
        )
    return "\n".join(lines)


# People: people/conll2003-dev (Reuters news with each document's people, CoNLL-2003).

_NAME_WORD = re.compile(r"\w+")
_CAPITALISED_RUN = re.compile(r"\b[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)+")


@dataclass(frozen=True)
class NewsDoc:
    id: str
    path: Path
    people: tuple[dict, ...]  # [{name, forms}] as gold.json gives them
    prose: bool  # False for tables and results lists

    def txt(self) -> bytes:
        return self.path.read_bytes()


def load_news(root: Path | None = None, split: str = "testa") -> list[NewsDoc]:
    """The documents of one split (`testa`: for choosing settings and the floor; `train`:
    what the name tagger learns from), in id order."""
    root = root or default_root()
    folder = root / "people" / "conll2003-dev" if root else None
    if folder is None or not (folder / "gold.json").is_file():
        return []
    gold = json.loads((folder / "gold.json").read_text(encoding="utf-8"))
    return [
        NewsDoc(k, folder / f"{k}.txt", tuple(g["people"]), bool(g["prose"]))
        for k, g in sorted(gold.items())
        if g["split"] == split
    ]


def name_key(name: str) -> tuple[str, ...]:
    from .textutil import fold

    return tuple(_NAME_WORD.findall(fold(name)))


def person_matches(name: str, person: dict) -> bool:
    """A name found is a gold person when it is one of their spellings, or when one of the
    two is a single word and it is the other's surname ("Arafat", "Yasser Arafat")."""
    got = name_key(name)
    if any(name_key(f) == got for f in [person["name"], *person["forms"]]):
        return True
    full = name_key(person["name"])
    return bool(got) and (len(got) == 1 or len(full) == 1) and got[-1:] == full[-1:]


@dataclass(frozen=True)
class PeopleScore:
    """Counts over a set of documents: names found, gold people, and the matches."""

    docs: int
    found: int
    gold: int
    hits: int

    @classmethod
    def of(cls, found: list[tuple[str, ...]], docs: list[NewsDoc]) -> PeopleScore:
        hits = 0
        for names, doc in zip(found, docs):
            used: set[int] = set()
            for name in names:
                k = next(
                    (
                        i
                        for i, p in enumerate(doc.people)
                        if i not in used and person_matches(name, p)
                    ),
                    None,
                )
                if k is not None:
                    used.add(k)
                    hits += 1
        return cls(len(docs), sum(map(len, found)), sum(len(d.people) for d in docs), hits)

    @property
    def p(self) -> float:
        return self.hits / self.found if self.found else 0.0

    @property
    def r(self) -> float:
        return self.hits / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        return 2 * self.p * self.r / (self.p + self.r) if self.hits else 0.0


def naive_people(text: str) -> tuple[str, ...]:
    """The baseline: every run of two or more capitalised words in the dump is a person."""
    return tuple(dict.fromkeys(m.group() for m in _CAPITALISED_RUN.finditer(text)))


def people_ours(docs: list[NewsDoc], jobs: int = 1) -> list[tuple[str, ...]]:
    """Each document through the build's own code: the people of its entry, none where it
    gives no entry."""
    from .model import Skip

    results = build_code([(f"{d.id}.txt", d.txt(), None) for d in docs], jobs)
    return [() if isinstance(r.entry, Skip) else tuple(r.entry.people) for r in results]


def people_rows(
    docs: list[NewsDoc], runs: dict[str, list[tuple[str, ...]]]
) -> list[tuple[str, str, PeopleScore]]:
    """(extractor, subset, score) for prose documents and for all, per extractor."""
    rows = []
    for name, found in runs.items():
        for subset in ("prose", "all"):
            keep = [k for k, d in enumerate(docs) if subset == "all" or d.prose]
            rows.append(
                (name, subset, PeopleScore.of([found[k] for k in keep], [docs[k] for k in keep]))
            )
    return rows


def people_table(rows: list[tuple[str, str, PeopleScore]]) -> str:
    lines = [
        "| extractor | conll2003 testa | docs | people | found | P | R | F1 |",
        "|" + "---|" * 8,
    ]
    for name, subset, s in rows:
        lines.append(
            f"| {name} | {subset} | {s.docs} | {s.gold} | {s.found} | {s.p:.3f} | {s.r:.3f} | "
            f"{s.f1:.3f} |"
        )
    return "\n".join(lines)


# -- story pairs: which pages hold one article, which report one event ---------------------

STORY_PAGES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "stories"


@dataclass(frozen=True)
class PairScore:
    """One decision (same article, or same event) over a set of labelled pairs."""

    decision: str
    subset: str
    threshold: float
    tp: int
    fp: int
    fn: int
    tn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


def _profiles(seeds: list[tuple[str, bytes, dt.date | None]], jobs: int = 1) -> dict:
    """name -> stories.Profile of each page's entry, made by the build's own code."""
    from .entries import body_markdown, front_matter
    from .model import Skip
    from .stories import profile

    out = {}
    for result in build_code(seeds, jobs):
        if not isinstance(result.entry, Skip):
            out[result.name] = profile(front_matter(result.entry), body_markdown(result.entry))
    return out


def written_pairs(folder: Path = STORY_PAGES, jobs: int = 1) -> tuple[dict, list]:
    """(profiles, pairs) of the written pair set: `labels.yaml` says of each page which
    event and which article it holds; each pair is (a, b, "article" | "event" | "other")."""
    import yaml

    labels = yaml.safe_load((folder / "labels.yaml").read_text(encoding="utf-8"))["pages"]
    seeds = [(lab["file"], (folder / lab["file"]).read_bytes(), None) for lab in labels]
    profiles = _profiles(seeds, jobs)
    pairs = []
    for i, a in enumerate(labels):
        for b in labels[i + 1 :]:
            kind = (
                "article"
                if a["article"] == b["article"]
                else "event"
                if a["event"] == b["event"]
                else "other"
            )
            pairs.append((a["file"], b["file"], kind))
    return profiles, pairs


def corpus_pairs(root: Path | None = None, jobs: int = 1) -> tuple[dict, list]:
    """(profiles, pairs) from the real pages: each readability page as HTML and as a text
    dump is one article; any two different pages are different articles and events."""
    pages = load(root, "readability")
    seeds = []
    for p in pages:
        day = dt.date.fromtimestamp(p.txt_path.stat().st_mtime)  # as run_ours dates them
        seeds += [(f"{p.id}.html", p.html(), day), (f"{p.id}.txt", p.txt(), day)]
    profiles = _profiles(seeds, jobs)
    gold = {p.id: set(tokens(p.body or "")) for p in pages}
    names = sorted(profiles)
    pairs = []
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            x, y = gold[a.rsplit(".", 1)[0]], gold[b.rsplit(".", 1)[0]]
            # one article: one page, or two pages whose gold texts are one (a page saved twice)
            same = x == y or len(x & y) >= 0.9 * len(x | y)
            pairs.append((a, b, "article" if same else "other"))
    return profiles, pairs


def score_pairs(profiles: dict, pairs: list, subset: str) -> list[PairScore]:
    """Both decisions as a build takes them: same article on every pair; same event on the
    pairs that are not one article (those are merged into one entry before stories)."""
    from . import stories

    counts = {"article": [0, 0, 0, 0], "event": [0, 0, 0, 0]}
    for a, b, kind in pairs:
        if a not in profiles or b not in profiles:
            continue  # a page with no entry: counted by the page scores, not here
        x, y = profiles[a], profiles[b]
        _count(counts["article"], kind == "article", stories.same_article(x, y))
        if kind != "article":
            _count(counts["event"], kind == "event", stories.same_event(x, y))
    return [
        PairScore("same article", subset, stories.SAME_ARTICLE, *counts["article"]),
        PairScore("same event", subset, stories.EVENT_TEXT, *counts["event"]),
    ]


def _count(cell: list[int], truth: bool, said: bool) -> None:
    cell[(0 if said else 2) if truth else (1 if said else 3)] += 1  # tp, fp, fn, tn


def pairs_table(scores: list[PairScore]) -> str:
    lines = [
        "| decision | pairs | threshold | positive pairs | precision | recall | TP | FP | FN |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for s in scores:
        lines.append(
            f"| {s.decision} | {s.subset} | {s.threshold:.2f} | {s.tp + s.fn} of "
            f"{s.tp + s.fp + s.fn + s.tn} | {s.precision:.3f} | {s.recall:.3f} | {s.tp} | "
            f"{s.fp} | {s.fn} |"
        )
    return "\n".join(lines)

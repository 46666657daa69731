"""Train the text-dump cleaner's models: `python -m newsdigest.train [--corpora DIR] [--cv 5]`.

Reproducible from ../shared/corpora (and the project's own labelled fixtures): the same
inputs give the same model files, which ship in newsdigest/data/.

Labels, line by line, for every text dump:
- `pages/readability`: gold. A dump line is article body when it is (a piece of) a paragraph
  of the gold text, taken in the gold's order (a teaser repeating a paragraph out of order is
  not body); the headline is the line equal to the gold title (or its longest part).
- `pages/htmldate`: silver. The gold text is what trafilatura (defaults) keeps of the saved
  HTML, and the headline the title it reads; pages that are not articles have no body.
- `tests/fixtures` text pages (pages/ and holdout/) and the five `seeds/` (with
  tests/fixtures/seeds/expected.yaml): their expected title and first and
  last paragraph; lines in between are body unless the expected values list them as
  furniture or the furniture vocabulary names them. (holdout/ was written to check the old
  rules; it is training data now, and the unseen check is the cross-validation below.)

The date model is trained after the line model, on the same dumps: every date a dump
holds is a candidate, positioned by where the (just trained) line model puts the headline
and body; the candidates equal to the page's gold date are the positives (pages whose
gold date is not in the dump teach nothing and are left out).

`--cv K` first reports K-fold cross-validated body F1 and date accuracy per corpus (each
page scored by models that never saw it), the honest estimate; the shipped models are
then trained on all.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import sys
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml

from . import corpora
from .clean import lines as L
from .ingest import decode
from .textutil import normalize_line

DATA = Path(__file__).resolve().parent / "data"
REPO = Path(__file__).resolve().parent.parent
PARAMS = {"c1": 0.3, "c2": 0.01, "max_iterations": 300, "feature.possible_transitions": True}
NEWS_EVERY = 3  # one in three CoNLL training documents: 315 wire stories
FIXTURE_WEIGHT = 3  # each fixture page counts this many times: few pages, but the target shapes


@dataclass(frozen=True)
class Sample:
    id: str
    group: str  # readability | htmldate | fixtures
    lines: list[str]
    blank: list[bool]
    labels: list[str]
    gold: str | None  # the gold text, for scoring extractions
    text: str = ""  # the dump as a seed holds it
    date: str | None = None  # the gold publication date


def dump_lines(text: str) -> tuple[list[str], list[bool]]:
    """The dump's non-empty lines, normalised, and whether a blank line came before each; a
    scraper's ' date YYYY-MM-DD' header line is not page text."""
    out, blank, was_blank = [], [], True
    for k, raw in enumerate(text.replace("\r\n", "\n").split("\n")):
        if k == 0 and raw.startswith(" date "):
            raw = raw[16:]
        norm = normalize_line(raw)
        if norm:
            out.append(norm)
            blank.append(was_blank)
        was_blank = not norm
    return out, blank


def _key(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def body_flags(lines: list[str], gold: str) -> list[bool]:
    """Which lines are the gold text: the heaviest chain of (dump line, gold line) matches
    that keeps both orders (several dump lines may share one gold paragraph, split by a
    <br>), so a byline or teaser that repeats a sentence from elsewhere is not body."""
    gold_lines = [_key(g) for para in gold.split("\n\n") for g in para.split("\n") if g.strip()]
    where: dict[str, list[int]] = {}
    for j, g in enumerate(gold_lines):
        where.setdefault(g, []).append(j)
    pairs: list[tuple[int, int, int]] = []  # (dump line, gold line, weight)
    for i, text in enumerate(lines):
        key = _key(text)
        if len(key) < 2:
            continue
        hits = where.get(key) or (
            [j for j, g in enumerate(gold_lines) if key in g] if len(key) >= 25 else []
        )
        pairs += [(i, j, len(key)) for j in hits]
    size = len(gold_lines) + 1
    tree = [(0, -1)] * (
        size + 1
    )  # Fenwick tree of (best chain weight, its last pair) by gold index

    def best_upto(j: int) -> tuple[int, int]:
        out, k = (0, -1), j + 1
        while k > 0:
            out = max(out, tree[k])
            k -= k & -k
        return out

    def put(j: int, value: tuple[int, int]) -> None:
        k = j + 1
        while k <= size:
            tree[k] = max(tree[k], value)
            k += k & -k

    back: list[int] = []
    score: list[int] = []
    k = 0
    while k < len(pairs):
        same = [p for p in range(k, len(pairs)) if pairs[p][0] == pairs[k][0]]
        found = [best_upto(pairs[p][1]) for p in same]
        for p, (value, prev) in zip(same, found):
            score.append(value + pairs[p][2])
            back.append(prev)
        for p in same:
            put(pairs[p][1], (score[p], p))
        k = same[-1] + 1
    flags = [False] * len(lines)
    last = max(range(len(pairs)), key=score.__getitem__) if pairs else -1
    while last >= 0:
        flags[pairs[last][0]] = True
        last = back[last]
    return flags


def sequence(lines: list[str], body: list[bool], title: str | None) -> list[str]:
    """O T B labels from the body flags and the headline: the last line above the body that
    reads as the title (or, when none does, the first one in the body's first lines)."""
    labels = ["B" if b else "O" for b in body]
    first = body.index(True) if True in body else len(lines)
    if title:
        forms = corpora.title_forms(title)
        hits = [
            i for i in range(min(len(lines), first + 3)) if corpora.normal_title(lines[i]) in forms
        ]
        above = [i for i in hits if i < first]
        if above or hits:
            labels[(above or hits)[-1 if above else 0]] = "T"
    return labels


def corpus_samples(root: Path) -> list[Sample]:
    import trafilatura

    out = []
    for page in corpora.load(root):
        text = decode(page.txt()) or ""
        lines, blank = dump_lines(text)
        if not lines:
            continue
        if page.corpus == "readability":
            gold, title = page.body or "", page.title
        elif page.article:
            html = gzip.decompress(page.html_path.read_bytes()).decode("utf-8", "replace")
            doc = trafilatura.bare_extraction(html, with_metadata=True)
            gold = getattr(doc, "text", None) or ""
            title = getattr(doc, "title", None)
        else:
            gold, title = "", None
        labels = sequence(lines, body_flags(lines, gold) if gold else [False] * len(lines), title)
        out.append(
            Sample(
                page.id,
                page.corpus,
                lines,
                blank,
                labels,
                gold or None,
                text,
                page.date if page.article else None,
            )
        )
    return out


def news_samples(root: Path) -> list[Sample]:
    """Every third `eng.train` document of people/conll2003-dev (never `eng.testa`, which
    the people floor is measured on): wire stories as a scraper copies them, headline,
    dateline, one sentence a line; short briefs among them. Exact labels from gold.json."""
    folder = root / "people" / "conll2003-dev"
    if not (folder / "gold.json").is_file():
        return []
    gold = json.loads((folder / "gold.json").read_text(encoding="utf-8"))
    out = []
    for doc_id in sorted(k for k in gold if gold[k]["split"] == "train")[::NEWS_EVERY]:
        g = gold[doc_id]
        if g.get("nominal_date"):
            continue
        text = (folder / f"{doc_id}.txt").read_text(encoding="utf-8")
        lines, blank = dump_lines(text)
        head = 1 + len(g.get("lines_before_dateline") or []) + (1 if g.get("dateline") else 0)
        labels = ["T"] + ["O"] * (head - 1) + ["B"] * (len(lines) - head)
        out.append(
            Sample(
                doc_id,
                "news",
                lines,
                blank,
                labels[: len(lines)],
                "\n\n".join(lines[head:]),
                text,
                g.get("date"),
            )
        )
    return out


def labelled_fixtures(suffixes: tuple[str, ...]) -> list[tuple[Path, dict]]:
    """The project's own labelled pages, in path order: tests/fixtures/pages/ and holdout/
    (each beside its .expected.yaml) and the five seeds (tests/fixtures/seeds/expected.yaml)."""
    fixtures = REPO / "tests" / "fixtures"
    wanted: dict[Path, dict] = {}
    for folder in ("pages", "holdout"):
        for path in (fixtures / folder).iterdir():
            expected = path.with_name(path.stem + ".expected.yaml")
            if path.suffix in suffixes and expected.is_file():
                wanted[path] = yaml.safe_load(expected.read_text(encoding="utf-8")) or {}
    seeds = yaml.safe_load((fixtures / "seeds" / "expected.yaml").read_text(encoding="utf-8"))
    wanted |= {REPO / "seeds" / name: want for name, want in seeds.items()}
    return sorted(wanted.items())


def fixture_samples() -> list[Sample]:
    from .clean import furniture as fur

    out = []
    for path, want in labelled_fixtures((".txt",)):
        text = decode(path.read_bytes()) or ""
        lines, blank = dump_lines(text)
        if want.get("skip") or not lines:
            out.append(Sample(path.name, "fixtures", lines, blank, ["O"] * len(lines), None, text))
            continue
        start = next((i for i, t in enumerate(lines) if t.startswith(str(want["body_from"]))), None)
        end = next(
            (i for i in range(len(lines) - 1, -1, -1) if lines[i].endswith(str(want["body_to"]))),
            None,
        )
        if start is None or end is None:
            continue
        never = [str(n) for n in want.get("never") or []]
        body = [
            start <= i <= end
            and not any(n in t for n in never)
            and not fur.is_promo(t)
            and not fur.is_caption(t)
            for i, t in enumerate(lines)
        ]
        out.append(
            Sample(
                path.name,
                "fixtures",
                lines,
                blank,
                sequence(lines, body, want.get("title")),
                "\n\n".join(t for t, b in zip(lines, body) if b),
                text,
                str(want.get("date") or "") or None,
            )
        )
    return out


def featurize(sample: Sample) -> list[dict[str, float]]:
    return L.features(sample.lines, sample.blank)


def train(samples: list[Sample], model: Path, feats: dict[str, list] | None = None) -> None:
    import pycrfsuite

    trainer = pycrfsuite.Trainer(verbose=False)
    for s in samples:
        for _ in range(FIXTURE_WEIGHT if s.group == "fixtures" else 1):
            trainer.append((feats or {}).get(s.id) or featurize(s), s.labels)
    trainer.set_params(PARAMS)
    trainer.train(str(model))


def date_items(samples: list[Sample], tagger: L.Tagger | None = None) -> dict[str, list]:
    """{page: [(candidate, is the gold date)]}: the date model's training items."""
    from .clean import dating

    out: dict[str, list] = {}
    for s in samples:
        if not s.date:
            continue
        reading = _reading(s, tagger)
        if reading is None:
            continue
        texts = [ln.text for ln in reading.lines]
        cands = dating.candidates(texts, reading.title, reading.kept[0][0], reading.kept[-1][0] + 1)
        items = [(c, c.day.isoformat() == s.date) for c in cands]
        if any(y for _, y in items):
            out[s.id] = items
    return out


def _reading(s: Sample, tagger: L.Tagger | None):
    """The cleaner's reading of a sample's dump, with `tagger` as its line model."""
    from .clean import text as T
    from .model import Skip

    reading = T.read(s.text, model=tagger)
    return None if isinstance(reading, Skip) else reading


def train_dates(items: dict[str, list], model: Path) -> None:
    import pycrfsuite

    trainer = pycrfsuite.Trainer(verbose=False)
    for page in items.values():
        for cand, yes in page:
            trainer.append([cand.features], ["Y" if yes else "N"])
    trainer.set_params({"c1": 0.1, "c2": 0.01, "max_iterations": 200})
    trainer.train(str(model))


def extract(tagger: L.Tagger, feats: list[dict[str, float]], lines: list[str]) -> str:
    body, _ = tagger.probabilities(feats)
    return "\n\n".join(lines[i] for i in L.body_span(body))


def cross_validate(samples: list[Sample], folds: int, feats: dict[str, list], work: Path) -> None:
    """Each page scored by models trained without it (pages grouped into K folds)."""
    from .clean import dating

    order = sorted(samples, key=lambda s: s.id)
    random.Random(1).shuffle(order)
    scored: dict[str, list[float]] = {}
    dated: dict[str, list[bool]] = {}
    for k in range(folds):
        held = order[k::folds]
        held_ids = {s.id for s in held}
        rest = [s for s in order if s.id not in held_ids]
        model = work / f"cv{k}.crfsuite"
        train(rest, model, feats)
        tagger = L.Tagger(str(model))
        train_dates(date_items(rest, tagger), work / f"cv{k}.dates.crfsuite")
        scorer = dating.Scorer(str(work / f"cv{k}.dates.crfsuite"))
        for s in held:
            if s.gold is not None:
                got = extract(tagger, feats[s.id], s.lines)
                scored.setdefault(s.group, []).append(corpora.prf(got or None, s.gold)[2])
            if s.date:
                reading = _reading(s, tagger)
                best = None
                if reading is not None:
                    texts = [ln.text for ln in reading.lines]
                    best = scorer.best(
                        dating.candidates(
                            texts, reading.title, reading.kept[0][0], reading.kept[-1][0] + 1
                        )
                    )
                dated.setdefault(s.group, []).append(bool(best) and best[0].isoformat() == s.date)
    for group, f1s in sorted(scored.items()):
        print(
            f"cv body F1 (line model alone) {group}: {sum(f1s) / len(f1s):.3f} over {len(f1s)} "
            f"pages"
        )
    for group, oks in sorted(dated.items()):
        print(
            f"cv date exact (date model alone) {group}: {sum(oks) / len(oks):.3f} over {len(oks)} "
            f"pages"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m newsdigest.train", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--corpora", type=Path, default=corpora.default_root())
    parser.add_argument("--cv", type=int, default=0, help="K-fold cross-validation first (0: none)")
    parser.add_argument("--out", type=Path, default=DATA, help="where the model files go")
    args = parser.parse_args(argv)
    if args.corpora is None:
        print(
            "train: error: no corpora (pass --corpora DIR, the folder holding pages/)",
            file=sys.stderr,
        )
        return 2
    started = time.perf_counter()
    samples = corpus_samples(args.corpora) + news_samples(args.corpora) + fixture_samples()
    feats = {s.id: featurize(s) for s in samples}
    print(
        f"{len(samples)} labelled dumps, {sum(len(s.lines) for s in samples)} lines "
        f"({time.perf_counter() - started:.1f} s)"
    )
    args.out.mkdir(parents=True, exist_ok=True)
    if args.cv:
        cross_validate(samples, args.cv, feats, args.out)
        for k in range(args.cv):
            (args.out / f"cv{k}.crfsuite").unlink(missing_ok=True)
            (args.out / f"cv{k}.dates.crfsuite").unlink(missing_ok=True)
    train(samples, args.out / L.MODEL, feats)
    from .clean import dating

    train_dates(date_items(samples, L.Tagger(str(args.out / L.MODEL))), args.out / dating.MODEL)
    for name in (L.MODEL, dating.MODEL):
        size = (args.out / name).stat().st_size
        print(f"wrote {args.out / name} ({size / 1024:.0f} KB)")
    print(f"in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

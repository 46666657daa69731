"""Train the name tagger: `python -m newsdigest.train_people [--corpora DIR] [--out DIR]`.

Reproducible from ../shared/corpora/people/conll2003-dev: the `eng.train` documents
(`conll2003_train_*`) are the training data; `eng.testa` (`conll2003_testa_*`) is only for
choosing settings and for the floor the tests gate, never trained on.

Labels. `gold.json` lists each document's people with every spelling it uses (`forms`) and
its other names (`others`: organisations, places, events). Every run of capitalised words
in the headline and body is matched against them, longest first: a person's words are
P (first) and p (later), another name's words E, the rest O (a sentence's first word, a
title such as "Chairman", a capitalised common word).

The lexicon (`newsdigest/data/lexicon.tsv.gz`: word, zipf bucket, F first name, L surname,
C one of the 1,000 commonest surnames, W a common word of Spanish, French, German,
Portuguese, Italian or Dutch that English rarely uses) is made from wordfreq's English word
frequencies (data CC BY-SA 4.0, Robyn Speer) and the 1990 US Census name lists (public
domain, read from the MIT-licensed `names` package). With those two packages installed
(`pip install -e ".[train]"`) it is rebuilt; without them the shipped one is used.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import random
import sys
import time
from pathlib import Path

from . import corpora, namefinder
from .textutil import fold

DATA = Path(__file__).resolve().parent / "data"
REPO = Path(__file__).resolve().parent.parent
FIXTURE_WEIGHT = 3  # each fixture page counts this many times: few pages, but today's style
PARAMS = {"c1": 0.3, "c2": 0.05, "max_iterations": 200, "feature.possible_transitions": True}
_TOKEN = namefinder._TOKEN
_LAST_NAMES = 20000  # the most common census surnames kept
_COMMON_SURNAMES = 1000  # flagged C: too common for a lone surname to say who it is
_WORDS = 60000  # the most common English words kept
_OTHER_LANGUAGES = ("es", "fr", "de", "pt", "it", "nl")
_OTHER_WORDS = 5000  # the commonest words of each, flagged W where English rarely uses them
_COMMON_ELSEWHERE = 4  # English zipf below which such a word counts as foreign


def people_root(root: Path | None) -> Path | None:
    root = root or corpora.default_root()
    folder = root / "people" / "conll2003-dev" if root else None
    return folder if folder and (folder / "gold.json").is_file() else None


def document_units(text: str, gold: dict) -> list[str]:
    """Headline, then the body lines (the byline and dateline lines before it left out)."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    if lines and lines[0].startswith("date "):
        lines = lines[1:]
    skip = 1 + len(gold.get("lines_before_dateline") or []) + (1 if gold.get("dateline") else 0)
    return lines[:1] + lines[skip:]


def _phrase(text: str) -> tuple[str, ...]:
    return tuple(
        fold(namefinder._POSSESSIVE.sub("", t)) for t in _TOKEN.findall(text) if t not in "."
    )


def labels_for(units: list[str], gold: dict) -> list[str]:
    """One label per candidate word of `units`, in namefinder.features' order."""
    phrases: dict[tuple[str, ...], str] = {}
    for key in gold.get("others") or {}:
        phrases.setdefault(_phrase(key), "E")
    for person in gold["people"] + gold.get("people_all", []):
        for form in [person["name"]] + person["forms"]:
            phrases[_phrase(form)] = "P"
    longest = max((len(k) for k in phrases), default=1)
    out: list[str] = []
    for text in units:
        for run in namefinder.candidate_runs(text):
            words = [(k, _phrase(w.text)) for k, w in enumerate(run)]
            keys = [(k, p[0]) for k, p in words if p]
            tags = ["O"] * len(run)
            i = 0
            while i < len(keys):
                for n in range(min(longest, len(keys) - i), 0, -1):
                    kind = phrases.get(tuple(x for _, x in keys[i : i + n]))
                    if kind:
                        for j in range(n):
                            tags[keys[i + j][0]] = kind if kind == "E" else ("P" if j == 0 else "p")
                        i += n
                        break
                else:
                    i += 1
            out += tags
    return out


def samples(folder: Path, split: str) -> list[tuple[str, list[str], dict]]:
    gold = json.loads((folder / "gold.json").read_text(encoding="utf-8"))
    out = []
    for doc_id in sorted(gold):
        if gold[doc_id]["split"] != split:
            continue
        text = (folder / f"{doc_id}.txt").read_text(encoding="utf-8")
        out.append((doc_id, document_units(text, gold[doc_id]), gold[doc_id]))
    return out


def fixture_docs() -> list[tuple[str, list[str], dict]]:
    """The project's labelled pages (tests/fixtures pages and holdout, the five seeds) as the
    build cleans them, each person's forms from the registry: today's news style (Mr, Sir,
    Downing Street), which 1996 Reuters wire copy rarely shows. Trained on, so the fixtures
    are in-sample for people; the floor that counts is on eng.testa."""
    from .clean import clean
    from .ingest import ingest
    from .knowledge import load_knowledge
    from .log import Log
    from .model import Skip
    from .train import labelled_fixtures

    knowledge = load_knowledge(None, Log(quiet=True))
    registry = knowledge.registry
    out = []
    for path, want in labelled_fixtures((".txt", ".html")):
        if want.get("skip") or not want.get("title"):
            continue
        article = ingest(path.name, path.read_bytes())
        article = article if isinstance(article, Skip) else clean(article, knowledge.outlets)
        if isinstance(article, Skip):
            continue
        people = [
            {"name": n, "forms": [n, *registry.aliases(n), *_short(registry, n)]}
            for n in want.get("people") or []
        ]
        units = [article.title] + [b.text for b in article.blocks]
        out.append((path.name, units, {"people": people, "others": {}}))
    return out


def _short(registry, name: str) -> tuple[str, ...]:
    person = registry.by_name.get(name)
    return person.short if person else (name.split()[-1],)


def build_lexicon(out: Path) -> bool:
    """wordfreq zipf buckets and census first/last names -> lexicon.tsv.gz (False: no packages)."""
    try:
        import names
        import wordfreq
    except ImportError:
        return False
    folder = Path(names.__file__).parent
    flags: dict[str, str] = {}
    for part in ("dist.male.first", "dist.female.first"):
        for line in (folder / part).read_text().splitlines():
            flags[line.split()[0].lower()] = "F"
    for rank, line in enumerate((folder / "dist.all.last").read_text().splitlines()[:_LAST_NAMES]):
        word = line.split()[0].lower()
        flags[word] = flags.get(word, "") + ("LC" if rank < _COMMON_SURNAMES else "L")
    words = {
        w: int(math.floor(wordfreq.zipf_frequency(w, "en")))
        for w in wordfreq.top_n_list("en", _WORDS)
    }
    for lang in _OTHER_LANGUAGES:  # W: a common word of another language ("Unión", "Estados")
        for w in wordfreq.top_n_list(lang, _OTHER_WORDS):
            if words.get(w, 0) < _COMMON_ELSEWHERE and "W" not in flags.get(w, ""):
                flags[w] = flags.get(w, "") + "W"
    rows = sorted(set(words) | set(flags))
    text = "".join(f"{w}\t{words.get(w, 0)}\t{flags.get(w, '')}\n" for w in rows if "\t" not in w)
    out.write_bytes(gzip.compress(text.encode("utf-8"), mtime=0))
    return True


def train(docs: list[tuple[str, list[str], dict]], model: Path) -> None:
    import pycrfsuite

    trainer = pycrfsuite.Trainer(verbose=False)
    for _, units, gold in docs:
        labels = labels_for(units, gold)
        at = 0
        for _, run, feats in namefinder.features(units):
            trainer.append(feats, labels[at : at + len(run)])
            at += len(run)
    trainer.set_params(PARAMS)
    trainer.train(str(model))


def _collapse(names: list[str]) -> tuple[str, ...]:
    """One name per person: a one-word name that is a word of a longer one found is that one."""
    key = corpora.name_key
    longer = [n for n in names if len(key(n)) > 1]
    out = [n for n in names if len(key(n)) > 1 or not any(key(n)[0] in key(m) for m in longer)]
    return tuple(dict.fromkeys(out))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m newsdigest.train_people", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--corpora", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=DATA)
    args = parser.parse_args(argv)
    folder = people_root(args.corpora)
    if folder is None:
        print("train_people: error: no people/conll2003-dev under the corpora", file=sys.stderr)
        return 2
    started = time.perf_counter()
    args.out.mkdir(parents=True, exist_ok=True)
    if build_lexicon(args.out / namefinder.LEXICON):
        print(f"wrote {args.out / namefinder.LEXICON}")
        namefinder.lexicon.cache_clear()
    docs = samples(folder, "train") + fixture_docs() * FIXTURE_WEIGHT
    random.Random(1).shuffle(docs)
    train(docs, args.out / namefinder.MODEL)
    size = (args.out / namefinder.MODEL).stat().st_size
    print(
        f"{len(docs)} training documents; wrote {args.out / namefinder.MODEL} ({size / 1024:.0f} "
        f"KB) "
        f"in {time.perf_counter() - started:.1f} s"
    )
    tagger = namefinder.Tagger(str(args.out / namefinder.MODEL))
    docs_a = corpora.load_news(folder.parent.parent, "testa")
    units = {d[0]: d[1] for d in samples(folder, "testa")}
    found = [_collapse([s.text for s in tagger.spans(units[d.id])]) for d in docs_a]
    print("the tagger alone on testa (choose settings by this; the build's figure is evaluate's):")
    print(corpora.people_table(corpora.people_rows(docs_a, {"tagger": found})))
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Cost of cleaning and understanding one article: `python bench/cost.py --n 1000`.

Runs the build's own per-seed code (workers.process_seed: ingest, clean, understand, and
the stories' signatures) over the benchmark corpus (bench/corpus.py, four in five text
dumps) in one process, after one warm-up page, and prints the median and 90th percentile
milliseconds per article of each stage (process_seed's own timers) and of the whole call,
for text dumps and saved HTML apart. Also --corpora to time the labelled real pages, which
are longer. Never part of the test suite.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path[:0] = [str(HERE), str(REPO)]

from corpus import _registry_names, page  # noqa: E402


def _pages(n: int, real: bool) -> list[tuple[str, bytes]]:
    if real:
        from newsdigest import corpora

        out = []
        for p in corpora.load()[:n]:
            out += [(f"{p.id}.txt", p.txt()), (f"{p.id}.html", p.html())]
        return out
    names = _registry_names()
    return [(name, text.encode("utf-8")) for name, text in (page(i, names) for i in range(n))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--corpora", action="store_true", help="the labelled real pages instead")
    parser.add_argument(
        "--people",
        action="store_true",
        help="time people detection alone (find_mentions + rank on each cleaned article)",
    )
    args = parser.parse_args()
    if args.people:
        return _people(args.n, args.corpora)
    from newsdigest import workers
    from newsdigest.ingest import sha256
    from newsdigest.knowledge import load_knowledge
    from newsdigest.log import Log

    workers._install(load_knowledge(None, Log(quiet=True)))
    pages = _pages(args.n, args.corpora)
    workers.process_seed(
        workers.SeedTask(*pages[0][:1], sha256(pages[0][1]), pages[0][1], None)
    )  # warm-up
    rows: dict[str, list[tuple[float, ...]]] = {"txt": [], "html": []}
    for name, data in pages:
        started = time.perf_counter()
        result = workers.process_seed(workers.SeedTask(name, sha256(data), data, None))
        whole = (time.perf_counter() - started) * 1000
        ingest_s, clean_s, understand_s = (x * 1000 for x in result.seconds)
        rows["html" if name.endswith((".html", ".htm")) else "txt"].append(
            (ingest_s + clean_s + understand_s, ingest_s + clean_s, understand_s, whole)
        )
    print(
        "median (p90) ms per article; 'clean + understand' is the issue-15 figure, 'whole' adds"
        " the stories' signatures and packing"
    )
    print(
        f"{'pages':>6} {'n':>5} {'clean + understand':>20} {'ingest + clean':>16} "
        f"{'understand':>12} {'whole':>14}"
    )
    every = rows["txt"] + rows["html"]
    for label, xs in (("all", every), ("text", rows["txt"]), ("html", rows["html"])):
        if xs:
            cells = [_cell([x[k] for x in xs]) for k in range(4)]
            print(
                f"{label:>6} {len(xs):5d} {cells[0]:>20} {cells[1]:>16} {cells[2]:>12} "
                f"{cells[3]:>14}"
            )
    return 0


def _cell(xs: list[float]) -> str:
    p90 = sorted(xs)[int(0.9 * (len(xs) - 1))]
    return f"{statistics.median(xs):.2f} ({p90:.2f})"


def _people(n: int, real: bool) -> int:
    """People detection alone, per article: the title and blocks, as understand sees them."""
    from newsdigest import corpora
    from newsdigest.clean import clean
    from newsdigest.ingest import ingest
    from newsdigest.knowledge import load_knowledge
    from newsdigest.log import Log
    from newsdigest.model import Skip
    from newsdigest.people import find_mentions, rank

    knowledge = load_knowledge(None, Log(quiet=True))
    pages = (
        [(f"{d.id}.txt", d.txt()) for d in corpora.load_news()[:n]] if real else _pages(n, False)
    )
    articles = []
    for name, data in pages:
        raw = ingest(name, data)
        article = raw if isinstance(raw, Skip) else clean(raw, knowledge.outlets)
        if not isinstance(article, Skip):
            articles.append(([article.title] + [b.text for b in article.blocks], article.authors))
    find_mentions(*articles[0][:1], knowledge.registry)  # warm-up: the model loads once per process
    times = []
    for units, authors in articles:
        started = time.perf_counter()
        rank(find_mentions(units, knowledge.registry, authors))
        times.append((time.perf_counter() - started) * 1000)
    p90 = sorted(times)[int(0.9 * (len(times) - 1))]
    print(
        f"people detection, {len(times)} articles "
        f"({'conll2003 testa' if real else 'bench corpus'}): "
        f"median {statistics.median(times):.3f} ms, p90 {p90:.3f} ms, mean "
        f"{statistics.mean(times):.3f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

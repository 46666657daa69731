"""The quality report: `python -m newsdigest.evaluate [DIR]`.

With no DIR, or a DIR holding `pages/` (the labelled real pages of ../shared/corpora), it
scores every page in both forms, saved HTML and text dump: body token precision, recall and
F1 against the gold text, title exact, date exact, articles dropped (see corpora.py).

Otherwise DIR holds pages (any name) each beside `<stem>.expected.yaml`: title, date, source,
authors, people, body_from (start of the first paragraph), body_to (end of the last), never
(lines that must not appear), or `skip: true` for a non-article.

Either way pages go through exactly the code a build runs (workers.process_seed), so the
report measures what users get.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from . import corpora
from .entries import body_markdown
from .ingest import sha256
from .knowledge import load_knowledge
from .log import Log
from .model import Entry, Skip
from .workers import SeedTask, mapper, with_boilerplate


@dataclass
class Case:
    name: str
    failures: list[str] = field(default_factory=list)


@dataclass
class Report:
    pages: int = 0
    articles: int = 0
    non_articles: int = 0
    hits: dict[str, int] = field(default_factory=dict)
    true_pos: int = 0
    false_pos: int = 0
    false_neg: int = 0
    clean_pages: int = 0
    skipped_right: int = 0
    cases: list[Case] = field(default_factory=list)

    def rate(self, name: str) -> float:
        return self.hits.get(name, 0) / self.articles if self.articles else 1.0

    @property
    def precision(self) -> float:
        return (
            self.true_pos / (self.true_pos + self.false_pos)
            if self.true_pos + self.false_pos
            else 1.0
        )

    @property
    def recall(self) -> float:
        return (
            self.true_pos / (self.true_pos + self.false_neg)
            if self.true_pos + self.false_neg
            else 1.0
        )

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def no_leak_rate(self) -> float:
        return self.clean_pages / self.articles if self.articles else 1.0

    def table(self) -> str:
        rows = [
            ("pages", f"{self.pages} ({self.articles} articles, {self.non_articles} non-articles)")
        ]
        rows += [
            (name, f"{self.rate(name):.3f}")
            for name in (
                "title",
                "date",
                "source",
                "authors",
                "people exact",
                "body start",
                "body end",
                "body boundaries",
            )
        ]
        rows += [
            ("people precision", f"{self.precision:.3f}"),
            ("people recall", f"{self.recall:.3f}"),
            ("people F1", f"{self.f1:.3f}"),
            ("pages with no leaked line", f"{self.no_leak_rate:.3f}"),
            ("non-articles skipped", f"{self.skipped_right}/{self.non_articles}"),
        ]
        width = max(len(r[0]) for r in rows)
        lines = [f"| {'field'.ljust(width)} | value |", f"|{'-' * (width + 2)}|-------|"]
        lines += [f"| {k.ljust(width)} | {v} |" for k, v in rows]
        failing = [f"- {c.name}: " + "; ".join(c.failures) for c in self.cases if c.failures]
        return "\n".join(lines + (["", "Failing cases:"] + failing if failing else []))


def _pages(folder: Path) -> list[tuple[Path, dict]]:
    out = []
    for path in sorted(folder.iterdir()):
        if path.name.endswith(".expected.yaml") or path.name.startswith(".") or not path.is_file():
            continue
        expected = path.with_name(path.name.rsplit(".", 1)[0] + ".expected.yaml")
        if expected.exists():
            out.append((path, yaml.safe_load(expected.read_text(encoding="utf-8")) or {}))
    return out


def _hit(report: Report, case: Case, name: str, ok: bool, detail: str) -> None:
    if ok:
        report.hits[name] = report.hits.get(name, 0) + 1
    else:
        case.failures.append(f"{name}: {detail}")


def _score(report: Report, case: Case, entry: Entry, want: dict) -> None:
    _hit(report, case, "title", entry.title == want.get("title"), repr(entry.title))
    _hit(report, case, "date", entry.date == want.get("date"), str(entry.date))
    _hit(report, case, "source", entry.source == want.get("source"), repr(entry.source))
    _hit(
        report,
        case,
        "authors",
        list(entry.authors) == list(want.get("authors") or []),
        repr(entry.authors),
    )
    got, exp = set(entry.people), set(want.get("people") or [])
    report.true_pos += len(got & exp)
    report.false_pos += len(got - exp)
    report.false_neg += len(exp - got)
    _hit(
        report,
        case,
        "people exact",
        list(entry.people) == list(want.get("people") or []),
        f"got {list(entry.people)}, missing {sorted(exp - got)}, extra {sorted(got - exp)}",
    )
    first = entry.blocks[0].text if entry.blocks else ""
    last = entry.blocks[-1].text if entry.blocks else ""
    start = first.startswith(str(want.get("body_from", "")))
    end = last.endswith(str(want.get("body_to", "")))
    _hit(report, case, "body start", start, repr(first[:70]))
    _hit(report, case, "body end", end, repr(last[-70:]))
    _hit(report, case, "body boundaries", start and end, "see above")
    text = entry.title + "\n" + body_markdown(entry).replace("\\", "")
    leaked = [line for line in want.get("never") or [] if line in text]
    if leaked:
        case.failures.append(f"leaked {leaked}")
    else:
        report.clean_pages += 1


def evaluate(folder: Path) -> Report:
    pages = _pages(folder)
    knowledge = load_knowledge(None, Log(quiet=True))
    tasks = []
    for path, _ in pages:
        data = path.read_bytes()
        tasks.append(SeedTask(path.name, sha256(data), data, None))
    report = Report(pages=len(pages))
    with mapper(knowledge, 1, "process") as run:
        results = list(run(with_boilerplate(tasks)))
    for (path, want), result in zip(pages, results):
        case = Case(path.name)
        report.cases.append(case)
        if want.get("skip"):
            report.non_articles += 1
            if isinstance(result.entry, Skip):
                report.skipped_right += 1
            else:
                case.failures.append("a non-article was not skipped")
            continue
        report.articles += 1
        if isinstance(result.entry, Skip):
            case.failures.append(f"skipped: {result.entry.reason}")
            report.false_neg += len(want.get("people") or [])
            continue
        _score(report, case, result.entry, want)
    return report


def real_pages(
    root: Path, jobs: int = 1, corpus: str | None = None, forms: tuple[str, ...] = ("html", "txt")
) -> tuple[list[tuple[str, str, str, corpora.Summary]], list]:
    """Our scores on the labelled real pages: (table rows, every page's score)."""
    pages = corpora.load(root, corpus)
    by_id = {p.id: p for p in pages}
    rows, scores = [], []
    for corpus in sorted({p.corpus for p in pages}):
        chosen = [p for p in pages if p.corpus == corpus]
        for form in forms:
            done = corpora.run_ours(chosen, form, jobs)
            scores += done
            rows.append(("newsdigest", corpus, form, corpora.Summary.of(done, by_id)))
    return rows, scores


def people(root: Path, jobs: int = 1) -> list[tuple[str, str, corpora.PeopleScore]]:
    """People on conll2003-dev `eng.testa`, ours beside the naive baseline (capitalised runs)."""
    docs = corpora.load_news(root, "testa")
    if not docs:
        return []
    naive = [corpora.naive_people(d.txt().decode("utf-8")) for d in docs]
    return corpora.people_rows(
        docs, {"newsdigest": corpora.people_ours(docs, jobs), "naive baseline": naive}
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m newsdigest.evaluate",
        description="Per-field accuracy of the digest on labelled pages.",
    )
    parser.add_argument(
        "folder",
        type=Path,
        nargs="?",
        help="fixture pages with .expected.yaml, or a corpora root (default: ../shared/corpora)",
    )
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument(
        "--corpus", choices=["readability", "htmldate", "people"], help="one corpus only"
    )
    parser.add_argument("--form", choices=["html", "txt"], help="one form only")
    parser.add_argument("--json", type=Path, help="also write every page's score as JSON")
    parser.add_argument(
        "--stories",
        action="store_true",
        help="the same-article and same-event decisions on the labelled pairs",
    )
    args = parser.parse_args(argv)
    if args.stories:
        scores = corpora.score_pairs(*corpora.written_pairs(jobs=args.jobs), "written")
        if corpora.default_root() is not None:
            scores += corpora.score_pairs(*corpora.corpus_pairs(jobs=args.jobs), "readability")
        print(corpora.pairs_table(scores))
        return 0
    folder = args.folder or corpora.default_root()
    if folder is None or not folder.is_dir():
        print(f"evaluate: error: not a folder: {folder or '../shared/corpora'}", file=sys.stderr)
        return 2
    if (folder / "pages").is_dir():
        report: dict = {}
        if args.corpus != "people":
            rows, scores = real_pages(
                folder, args.jobs, args.corpus, (args.form,) if args.form else ("html", "txt")
            )
            print(corpora.table(rows))
            report["pages"] = [s.as_dict() for s in scores]
        if args.corpus in (None, "people"):
            rows = people(folder, args.jobs)
            print("\n" + corpora.people_table(rows))
            report["people"] = [dict(extractor=n, subset=k, **s.__dict__) for n, k, s in rows]
        if args.json:
            args.json.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
        return 0
    print(evaluate(folder).table())
    return 0


if __name__ == "__main__":
    sys.exit(main())

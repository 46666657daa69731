#!/usr/bin/env python3
"""Quality on real pages, beside the anchors, in one run: `python bench/quality.py`.

Every labelled page of ../shared/corpora (or --corpora DIR), in both forms (saved HTML, text
dump), through newsdigest (the build's own worker code) and through the anchors, run the
same way and scored by the same code (newsdigest/corpora.py):

- trafilatura with its defaults (body, title and date from its metadata);
- jusText with the page's language's stop list (body only);
- readability-lxml (body and its short title);
- a naive baseline: all the text (the whole dump; the HTML's visible text), the page's first
  line or <title>, the first complete date in the text.

A text dump is given to the HTML extractors as one <p> per line. Prints the table and writes
every page's score to bench/out/quality.json. Needs the bench extra for the anchors
(`pip install -e ".[bench]"`); never part of the test suite.
"""

from __future__ import annotations

import argparse
import dataclasses
import html as htmllib
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from newsdigest import corpora  # noqa: E402
from newsdigest.dates import find_dates  # noqa: E402

_JUSTEXT_LANG = {
    "en": "English",
    "fr": "French",
    "es": "Spanish",
    "de": "German",
    "cs": "Czech",
    "pt": "Portuguese",
    "it": "Italian",
    "nl": "Dutch",
    "ru": "Russian",
    "uk": "Ukrainian",
    "pl": "Polish",
    "sq": "Albanian",
    "tl": "Tagalog",
    "ar": "Arabic",
    "gu": "Gujarati",
}


def _as_html(page: corpora.LabelledPage, form: str) -> str:
    if form == "html":
        return page.html().decode("utf-8", "replace")
    lines = page.txt().decode("utf-8", "replace").splitlines()
    return (
        "<html><body>"
        + "".join(f"<p>{htmllib.escape(line)}</p>" for line in lines if line.strip())
        + "</body></html>"
    )


def _first_date(text: str) -> str | None:
    found = [d.as_date() for d in find_dates(text) if d.complete]
    return next((d.isoformat() for d in found if d), None)


def trafilatura_defaults(page, form):
    import trafilatura

    doc = trafilatura.bare_extraction(_as_html(page, form), with_metadata=True)
    if doc is None or not getattr(doc, "text", None):
        return None, None, None
    return getattr(doc, "title", None), doc.text, getattr(doc, "date", None)


def justext_anchor(page, form):
    import justext

    lang = _JUSTEXT_LANG.get(page.lang.split("-")[0], "English")
    try:
        stoplist = justext.get_stoplist(lang)
    except ValueError:
        stoplist = justext.get_stoplist("English")
    paragraphs = justext.justext(_as_html(page, form).encode("utf-8"), stoplist)
    body = "\n\n".join(p.text for p in paragraphs if not p.is_boilerplate)
    return None, body or None, None


def readability_anchor(page, form):
    from lxml import html as lhtml
    from readability import Document

    doc = Document(_as_html(page, form))
    try:
        summary = doc.summary(html_partial=True)
        title = doc.short_title()
    except Exception:  # noqa: BLE001 - an anchor that fails on a page scores 0 there
        return None, None, None
    text = lhtml.fromstring(summary).text_content() if summary.strip() else ""
    return title, text.strip() or None, None


def naive(page, form):
    if form == "txt":
        text = page.txt().decode("utf-8", "replace")
        first = next((line.strip() for line in text.splitlines() if line.strip()), None)
        return first, text, _first_date(text)
    from lxml import html as lhtml

    tree = lhtml.fromstring(page.html())
    for bad in tree.xpath("//script|//style|//noscript|//template"):
        bad.drop_tree()
    title = tree.findtext(".//title")
    body = tree.find("body")
    text = (body if body is not None else tree).text_content()
    return (title.strip() if title else None), text, _first_date(text)


ANCHORS = {
    "trafilatura (defaults)": trafilatura_defaults,
    "jusText": justext_anchor,
    "readability-lxml": readability_anchor,
    "naive baseline": naive,
}
GIVES = {"jusText": {"body"}, "readability-lxml": {"body", "title"}}  # the rest give all three


def run_anchor(name, fn, pages, form):
    out = []
    for page in pages:
        try:
            title, body, date = fn(page, form)
        except Exception as exc:  # noqa: BLE001
            title, body, date = None, None, None
            print(f"  {name} failed on {page.id} ({form}): {type(exc).__name__}", file=sys.stderr)
        scored = corpora.score(page, form, title, body, date)
        gives = GIVES.get(
            name, {"body", "title", "date"}
        )  # a field an anchor never gives: "–", not 0
        out.append(
            dataclasses.replace(
                scored,
                title=scored.title if "title" in gives else None,
                date=scored.date if "date" in gives else None,
            )
        )
    return out


def _people(root: Path, jobs: int, only: str | None) -> list:
    """People on conll2003 eng.testa: ours and the naive baseline (capitalised runs), same run."""
    docs = corpora.load_news(root, "testa")
    runs = {}
    if docs and only != "anchors":
        runs["newsdigest"] = corpora.people_ours(docs, jobs)
    if docs and only != "ours":
        runs["naive baseline"] = [corpora.naive_people(d.txt().decode("utf-8")) for d in docs]
    return corpora.people_rows(docs, runs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpora", type=Path, default=corpora.default_root())
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--only", choices=["ours", "anchors"], help="run just one side")
    parser.add_argument("--out", type=Path, default=HERE / "out" / "quality.json")
    args = parser.parse_args()
    if args.corpora is None:
        raise SystemExit("no corpora: pass --corpora DIR (the folder holding pages/)")
    pages = corpora.load(args.corpora)
    by_id = {p.id: p for p in pages}
    rows, every = [], []
    names = ([] if args.only == "anchors" else ["newsdigest"]) + (
        [] if args.only == "ours" else list(ANCHORS)
    )
    for corpus in sorted({p.corpus for p in pages}):
        chosen = [p for p in pages if p.corpus == corpus]
        for form in ("html", "txt"):
            for name in names:
                started = time.perf_counter()
                if name == "newsdigest":
                    scores = corpora.run_ours(chosen, form, args.jobs)
                else:
                    scores = run_anchor(name, ANCHORS[name], chosen, form)
                seconds = time.perf_counter() - started
                rows.append((name, corpus, form, corpora.Summary.of(scores, by_id)))
                every += [dict(s.as_dict(), extractor=name) for s in scores]
                print(f"  {name}, {corpus} {form}: {seconds:.1f} s", file=sys.stderr, flush=True)
    print(corpora.table(rows))
    people = _people(args.corpora, args.jobs, args.only)
    if people:
        print("\n" + corpora.people_table(people))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps(
            {
                "rows": [dict(extractor=n, corpus=c, form=f, **s.__dict__) for n, c, f, s in rows],
                "people": [dict(extractor=n, subset=k, **s.__dict__) for n, k, s in people],
                "pages": every,
            },
            indent=1,
        )
        + "\n",
        encoding="utf-8",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

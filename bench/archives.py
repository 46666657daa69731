#!/usr/bin/env python3
"""Pages from one WARC or JSON-lines file against the same pages as loose files:
`python bench/archives.py --n 2000`.

The bench corpus (bench/corpus.py) is written three ways: loose `.txt` files, one
`pages.jsonl` and one `crawl.warc.gz` (a request and a response record per page, as wget
writes). Each is built cold, then again with nothing changed, then with one page appended
(to the file, or as one more loose file), the three projects side by side in each round on
this machine. Prints wall and CPU seconds and their ratios to the loose files.
"""

from __future__ import annotations

import argparse
import io
import json
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path[:0] = [str(HERE), str(REPO)]

from corpus import _registry_names, generate, page  # noqa: E402
from run import _build, bench_project  # noqa: E402
from warcio.statusandheaders import StatusAndHeaders  # noqa: E402
from warcio.warcwriter import WARCWriter  # noqa: E402

from newsdigest.config import THEME  # noqa: E402

FORMS = ("loose", "jsonl", "warc")


def _kind(name: str) -> str:
    """The corpus holds text dumps and saved HTML pages: each goes in as what it is."""
    return "html" if name.endswith(".html") else "text"


def _warc_records(out, pages: list[tuple[str, bytes]]) -> None:
    writer = WARCWriter(out, gzip=True)
    for name, body in pages:
        uri = f"https://bench.example.org/{name}"
        request = io.BytesIO(b"GET / HTTP/1.1\r\n\r\n")
        writer.write_record(writer.create_warc_record(uri, "request", payload=request))
        kind = "text/html" if _kind(name) == "html" else "text/plain"
        headers = StatusAndHeaders("200 OK", [("Content-Type", kind)], "HTTP/1.1")
        response = writer.create_warc_record(
            uri, "response", payload=io.BytesIO(body), http_headers=headers
        )
        writer.write_record(response)


def _seeds(form: str, corpus: Path, target: Path) -> None:
    """The corpus as `form` in `target` (a fresh folder)."""
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    pages = [(p.name, p.read_bytes()) for p in sorted(corpus.iterdir()) if p.is_file()]
    pages = [(name, body) for name, body in pages if not name.startswith(".")]
    if form == "loose":
        for name, body in pages:
            (target / name).write_bytes(body)
    elif form == "jsonl":
        with open(target / "pages.jsonl", "w", encoding="utf-8") as out:
            for name, body in pages:
                text = body.decode("utf-8", "replace")
                line = {"url": f"https://bench.example.org/{name}", _kind(name): text}
                out.write(json.dumps(line, ensure_ascii=False) + "\n")
    else:
        with open(target / "crawl.warc.gz", "wb") as out:
            _warc_records(out, pages)


def _append(form: str, seeds: Path, n: int) -> None:
    name, body = page(n + 1, _registry_names())
    data = body.encode("utf-8") if isinstance(body, str) else body
    if form == "loose":
        (seeds / f"extra-{name}").write_bytes(data)
    elif form == "jsonl":
        with open(seeds / "pages.jsonl", "a", encoding="utf-8") as out:
            line = {_kind(name): data.decode("utf-8", "replace")}
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
    else:
        with open(seeds / "crawl.warc.gz", "ab") as out:
            _warc_records(out, [(name, data)])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=1)
    args = ap.parse_args()
    out = HERE / "out" / "archives"
    corpus = out / f"corpus-{args.n}"
    generate(corpus, args.n)
    rows: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for _ in range(args.rounds):
        for form in FORMS:
            seeds = out / f"seeds-{form}"
            _seeds(form, corpus, seeds)
            proj = bench_project(out / f"proj-{form}", seeds, THEME)
            for step in ("cold", "no change", "one page appended"):
                if step == "one page appended":
                    _append(form, seeds, args.n)
                done = _build(proj, None, [])
                rows.setdefault((form, step), []).append((done["wall"], done["cpu"]))
    print(f"{args.n} pages, {args.rounds} round(s), median wall / CPU seconds; ratio to loose")
    for step in ("cold", "no change", "one page appended"):
        base = _median(rows[("loose", step)])
        for form in FORMS:
            wall, cpu = _median(rows[(form, step)])
            print(
                f"{step:18} {form:6} {wall:7.2f} s {cpu:7.2f} CPU-s"
                f"   x{wall / base[0]:.2f} wall  x{cpu / base[1]:.2f} CPU"
            )


def _median(pairs: list[tuple[float, float]]) -> tuple[float, float]:
    walls, cpus = sorted(p[0] for p in pairs), sorted(p[1] for p in pairs)
    return walls[len(walls) // 2], cpus[len(cpus) // 2]


if __name__ == "__main__":
    main()

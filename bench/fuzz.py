#!/usr/bin/env python3
"""Fuzzed seeds, built in batches: `python bench/fuzz.py --seeds 10000` (also --batch N).

Each batch is a folder of hostile seeds: random bytes, real pages (the project's seeds and
fixtures, and the labelled corpora in ../shared/corpora when present) mutated in ways that
keep the article (control characters, odd file names, CRLF and BOMs, a huge line, deep
HTML, links to other seeds) or break it (truncation, random splices), plus links out of
seeds/ and link loops. Every batch is built by `python build.py` as a separate process.
A crashed build is a traceback or an exit status other than 0/1; a lost article is a
mutant of an article that gave no entry. Prints the tally and the largest peak RSS.
tests/test_fuzz.py runs the same generator through hypothesis. Never part of the suite.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
THEME = REPO / "newsdigest" / "theme"  # the packaged theme
CORPORA = REPO.parent / "shared" / "corpora" / "pages"
_CONTROLS = [chr(c) for c in (*range(0, 9), 11, 12, *range(14, 32), 127)] + [
    "\ufffe",
    "\uffff",
    "\u202e",
]
_NAME_JUNK = [
    b"\xff",
    b"\xfe",
    b"\x1b",
    b"\x01",
    b" ",
    b"?",
    b"#",
    b"%",
    b"&",
    b"'",
    b'"',
    b"<",
    b">",
    b"\xc3\xa9",
    b"\xd0\x96",
    b"\xe2\x80\xae",
    b"\\",
    b"\t",
]


@dataclass(frozen=True)
class Mutant:
    name: bytes  # file name in seeds/ (bytes: it need not be UTF-8)
    data: bytes | None  # None for a symbolic link
    keeps_article: bool  # an entry must come of it
    link_to: str | None = None  # a link's target (relative names stay inside seeds/)


def base_pages() -> list[tuple[str, bytes]]:
    """Real pages that each make an entry as they are: (file name, bytes)."""
    pages = [(p.name, p.read_bytes()) for p in sorted((REPO / "seeds").glob("*.txt"))]
    for folder in (REPO / "tests" / "fixtures" / "pages", REPO / "tests" / "fixtures" / "holdout"):
        for expected in sorted(folder.glob("*.expected.yaml")):
            if "skip: true" in expected.read_text(encoding="utf-8"):
                continue
            page = next(
                (
                    p
                    for p in folder.glob(expected.name.replace(".expected.yaml", ".*"))
                    if not p.name.endswith(".yaml")
                ),
                None,
            )
            if page is not None:
                pages.append((page.name, page.read_bytes()))
    return pages


def corpus_pages(limit: int = 400) -> list[tuple[str, bytes]]:
    """Real pages nobody here wrote, for mutation only (whether each makes an entry is the
    cleaner's business, measured elsewhere): never required to keep an article."""
    out: list[tuple[str, bytes]] = []
    for folder in sorted(CORPORA.glob("*")) if CORPORA.is_dir() else []:
        for path in sorted(folder.glob("*.txt"))[: limit // 4]:
            out.append((path.name, path.read_bytes()))
        for path in sorted(folder.glob("*.html.gz"))[: limit // 4]:
            out.append((path.name[:-3], gzip.decompress(path.read_bytes())))
    return out


def _sprinkle(rng: random.Random, text: str, count: int) -> str:
    chars = list(text)
    for _ in range(count):
        chars.insert(rng.randrange(len(chars) + 1), rng.choice(_CONTROLS))
    return "".join(chars)


def _odd_name(rng: random.Random, base: str, index: int) -> bytes:
    stem, _, suffix = base.rpartition(".")
    junk = b"".join(rng.choice(_NAME_JUNK) for _ in range(rng.randint(1, 6)))
    name = (
        f"{index:05d}_".encode()
        + junk
        + stem.encode()[: rng.randint(0, 120)]
        + b"."
        + suffix.encode()
    )
    return name.replace(b"/", b"_")


def _deep_html(rng: random.Random, html: bytes) -> bytes:
    depth = rng.choice([300, 3000, 20000])
    at = html.lower().find(b"<body")
    at = html.find(b">", at) + 1 if at >= 0 else 0
    end = html.lower().rfind(b"</body>")
    end = end if end > at else len(html)
    return html[:at] + b"<div>" * depth + html[at:end] + b"</div>" * depth + html[end:]


def mutate(
    rng: random.Random, pages: list[tuple[str, bytes]], extra: list[tuple[str, bytes]], index: int
) -> Mutant:
    """One hostile seed. `pages` make entries as they are; `extra` are other real pages."""
    roll = rng.random()
    if roll < 0.08:
        return Mutant(
            f"{index:05d}_random.bin".encode(), rng.randbytes(rng.randint(0, 20000)), False
        )
    if roll < 0.12:
        return Mutant(
            f"{index:05d}_blank.txt".encode(),
            rng.choice([b"", b"\n\n", b"   \t\n", b"\xef\xbb\xbf"]),
            False,
        )
    use_extra = extra and roll > 0.85
    name, data = rng.choice(extra if use_extra else pages)
    keeps = not use_extra
    is_html = name.endswith((".html", ".htm"))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    kind = rng.choice(
        [
            "controls",
            "name",
            "crlf",
            "huge",
            "deep" if is_html else "controls",
            "truncate",
            "splice",
            "bom",
            "name",
        ]
    )
    if kind == "controls" and text is not None:
        data = _sprinkle(rng, text, rng.randint(1, 12)).encode("utf-8", "surrogatepass")
    elif kind == "crlf" and text is not None:
        data = text.replace("\n", "\r\n").encode("utf-8")
    elif kind == "bom" and text is not None:
        data = b"\xef\xbb\xbf" + data
    elif kind == "huge":
        line = (
            rng.choice(["x", "word ", "<b>", "&amp;", "Zelensky "]) * rng.randint(10_000, 400_000)
        ).encode()
        data = data + b"\n" + line + b"\n"
    elif kind == "deep":  # past libxml2's 255 levels the parser cuts the page: crash-proof only
        data, keeps = _deep_html(rng, data), False
    elif kind == "truncate":
        data, keeps = data[: rng.randint(0, len(data))], False
    elif kind == "splice":
        at = rng.randrange(len(data) + 1)
        data, keeps = data[:at] + rng.randbytes(rng.randint(1, 4000)) + data[at:], False
    file_name = _odd_name(rng, name, index) if kind == "name" else f"{index:05d}_{name}".encode()
    return Mutant(file_name, data, keeps)


def write_batch(folder: Path, mutants: list[Mutant], rng: random.Random) -> None:
    """The batch as files in `folder` (seeds/), with links in and out and a loop."""
    folder.mkdir(parents=True, exist_ok=True)
    root = os.fsencode(folder)
    for m in mutants:
        with open(root + b"/" + m.name, "wb") as handle:
            handle.write(m.data or b"")
    if mutants:
        inside = rng.choice(mutants).name
        os.symlink(inside, root + b"/zz_link_to_" + inside[:40].replace(b"/", b"_"))
    os.symlink("/etc/passwd", root + b"/zz_passwd.txt")
    os.symlink(".", root + b"/zz_loop", target_is_directory=True)


def kept(content: Path) -> set[str]:
    """The seed names the entries of `content/` name, and those of seeds holding an article
    an entry holds already (listed in its duplicate_seeds)."""
    ledger = json.loads((content / ".newsdigest-ledger.json").read_text(encoding="utf-8"))
    return {name for name, rec in ledger["seeds"].items() if rec.get("entry") or rec.get("same_as")}


def lost_articles(mutants: list[Mutant], content: Path) -> list[str]:
    from newsdigest.textutil import printable_name

    made = kept(content) if (content / ".newsdigest-ledger.json").exists() else set()
    return [
        printable_name(os.fsdecode(m.name))
        for m in mutants
        if m.keeps_article and printable_name(os.fsdecode(m.name)) not in made
    ]


def _project(root: Path) -> None:
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    shutil.copytree(THEME, root / "templates")
    (root / "pyproject.toml").write_text(
        '[tool.newsdigest]\ntitle = "Fuzz"\nbase_url = "https://fuzz.example.org/"\n'
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    pages, extra = base_pages(), corpus_pages()
    print(
        f"{len(pages)} real pages that make entries, {len(extra)} more from ../shared/corpora",
        flush=True,
    )
    crashed = lost = made = 0
    peak = 0.0
    with tempfile.TemporaryDirectory(prefix="newsdigest-fuzz-") as tmp:
        for start in range(0, args.seeds, args.batch):
            root = Path(tmp) / "p"
            _project(root)
            mutants = [
                mutate(rng, pages, extra, i)
                for i in range(start, min(start + args.batch, args.seeds))
            ]
            write_batch(root / "seeds", mutants, rng)
            started = time.perf_counter()
            before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            done = subprocess.run(
                [
                    sys.executable,
                    str(REPO / "build.py"),
                    "--quiet",
                    "--jobs",
                    str(args.jobs),
                    "--report",
                    str(root / "report.json"),
                ],
                cwd=root,
                capture_output=True,
                text=True,
                errors="replace",
                timeout=3600,
            )
            peak = max(
                peak, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, before / 1024
            )
            bad = done.returncode not in (0, 1) or "Traceback" in done.stderr
            crashed += bad
            gone = lost_articles(mutants, root / "content")
            lost += len(gone)
            made += (
                len(kept(root / "content"))
                if (root / "content" / ".newsdigest-ledger.json").exists()
                else 0
            )
            print(
                f"seeds {start:5d}-{start + len(mutants) - 1:5d}: exit {done.returncode}, "
                f"{'CRASHED' if bad else 'ok'}, {len(gone)} articles lost, "
                f"{time.perf_counter() - started:.1f} s",
                flush=True,
            )
            if bad:
                print(done.stderr[-3000:])
            for name in gone[:5]:
                why = [line for line in done.stderr.splitlines() if name in line]
                print(f"  lost: {name}: {why[0] if why else 'no warning'}")
    print(
        f"{args.seeds} seeds in {-(-args.seeds // args.batch)} builds: {crashed} crashed builds, "
        f"{lost} articles lost, {made} entries made; largest peak RSS of a build {peak:.0f} MiB"
    )
    return 1 if crashed or lost else 0


if __name__ == "__main__":
    sys.exit(main())

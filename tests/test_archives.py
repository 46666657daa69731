"""Scrapers' formats in seeds/: WARC and JSON-lines files (gzipped or not) and gzipped
pages build the same entries as the loose files, one entry per page, with a warning per
record that cannot be read."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import re
import shutil
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newsdigest.entries import parse

from .conftest import SEEDS, Project, make_project

SAMPLES = sorted(SEEDS.glob("*.txt"))
# what names the page's file and address; all else must agree
IDENTITY = frozenset({"seed", "url"})


def _uri(path: Path) -> str:
    return f"https://news.example.org/{path.stem}"


def _warc(target: Path, pages: list[tuple[str, bytes, str]], date: str = "") -> None:
    """A WARC as wget writes one: warcinfo, then a request and a response per page."""
    with open(target, "wb") as out:
        writer = WARCWriter(out, gzip=target.name.endswith(".gz"))
        writer.write_record(writer.create_warcinfo_record(target.name, {"software": "test"}))
        for uri, body, kind in pages:
            request = io.BytesIO(b"GET / HTTP/1.1\r\nHost: news.example.org\r\n\r\n")
            writer.write_record(writer.create_warc_record(uri, "request", payload=request))
            headers = StatusAndHeaders("200 OK", [("Content-Type", kind)], protocol="HTTP/1.1")
            extra = {"WARC-Date": date} if date else None
            record = writer.create_warc_record(
                uri,
                "response",
                payload=io.BytesIO(body),
                http_headers=headers,
                warc_headers_dict=extra,
            )
            writer.write_record(record)


def _jsonl(target: Path, lines: list[object]) -> None:
    text = "".join(
        (line if isinstance(line, str) else json.dumps(line, ensure_ascii=False)) + "\n"
        for line in lines
    )
    data = text.encode("utf-8")
    target.write_bytes(gzip.compress(data) if target.name.endswith(".gz") else data)


def _entries(project: Project, unlike: frozenset[str] = IDENTITY) -> dict[str, tuple[dict, str]]:
    """{entry path: (front matter less the page's identity, body)}."""
    out = {}
    for path in project.entries():
        parsed = parse(path.read_text(encoding="utf-8"))
        meta = {k: v for k, v in parsed.meta.items() if k not in unlike}
        out[path.relative_to(project.content).as_posix()] = (meta, parsed.body)
    return out


def _seeds_of(project: Project) -> dict[str, str]:
    return {
        path.stem: parse(path.read_text(encoding="utf-8")).meta["seed"]
        for path in project.entries()
    }


def _loose(tmp_path: Path) -> Project:
    loose = make_project(tmp_path / "loose")
    assert loose.build().code == 0
    return loose


def _packed(tmp_path: Path, name: str) -> Project:
    project = make_project(tmp_path / name.replace(".", "-"), seeds=[])
    return project


def test_a_warc_of_the_samples_builds_the_entries_of_the_loose_files(tmp_path: Path) -> None:
    loose = _loose(tmp_path)
    project = _packed(tmp_path, "crawl.warc.gz")
    pages = [(_uri(p), p.read_bytes(), "text/plain; charset=utf-8") for p in SAMPLES]
    _warc(project.seeds / "crawl.warc.gz", pages)
    result = project.build("--strict")
    assert result.code == 0, result.err
    assert _entries(project) == _entries(loose)
    # record 1 is the warcinfo, then a request and a response per page
    assert sorted(_seeds_of(project).values()) == sorted(
        f"crawl.warc.gz#{2 * i + 3}" for i in range(len(SAMPLES))
    )
    for path in project.entries():
        meta = parse(path.read_text(encoding="utf-8")).meta
        record = int(meta["seed"].rsplit("#", 1)[1])
        assert meta["url"] == _uri(SAMPLES[(record - 3) // 2])  # its WARC-Target-URI


def test_a_json_lines_file_of_the_samples_builds_the_entries_of_the_loose_files(
    tmp_path: Path,
) -> None:
    loose = _loose(tmp_path)
    for name in ("pages.jsonl", "pages.jsonl.gz"):
        project = _packed(tmp_path, name)
        lines = [{"url": _uri(p), "text": p.read_text(encoding="utf-8")} for p in SAMPLES]
        _jsonl(project.seeds / name, lines[:2] + [""] + lines[2:])  # a blank line is passed over
        result = project.build("--strict")
        assert result.code == 0, result.err
        assert _entries(project) == _entries(loose)
        assert sorted(_seeds_of(project).values()) == [f"{name}#{n}" for n in (1, 2, 4, 5, 6)]


def test_gzipped_pages_build_the_entries_of_the_loose_files(tmp_path: Path) -> None:
    loose = _loose(tmp_path)
    project = _packed(tmp_path, "gz")
    for path in SAMPLES:
        (project.seeds / (path.name + ".gz")).write_bytes(gzip.compress(path.read_bytes()))
    assert project.build("--strict").code == 0
    # a gzipped page's seed_sha256 is the file's, as for any loose file
    unlike = IDENTITY | {"seed_sha256"}
    assert _entries(project, unlike) == _entries(loose, unlike)
    assert set(_seeds_of(project).values()) == {p.name + ".gz" for p in SAMPLES}


def test_a_line_that_cannot_be_read_is_one_warning_and_the_others_build(tmp_path: Path) -> None:
    project = _packed(tmp_path, "bad.jsonl")
    good = [{"text": p.read_text(encoding="utf-8")} for p in SAMPLES[:2]]
    _jsonl(project.seeds / "pages.jsonl", [good[0], "{not json", {"url": "x"}, good[1]])
    result = project.build()
    assert result.code == 0
    warnings = [line for line in result.err.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 2, result.err
    assert "seeds/pages.jsonl" in warnings[0] and "line 2 cannot be read" in warnings[0]
    assert "seeds/pages.jsonl" in warnings[1] and "line 3 cannot be read" in warnings[1]
    assert sorted(_seeds_of(project).values()) == ["pages.jsonl#1", "pages.jsonl#4"]
    assert project.build("--strict").code == 1


def test_a_damaged_warc_keeps_the_pages_before_the_damage_and_their_entries(
    tmp_path: Path,
) -> None:
    project = _packed(tmp_path, "damaged.warc")
    target = project.seeds / "crawl.warc"
    _warc(target, [(_uri(p), p.read_bytes(), "text/plain") for p in SAMPLES])
    assert project.build().code == 0 and len(project.entries()) == len(SAMPLES)
    data = target.read_bytes()
    last = data.rindex(b"WARC/1.0\r\nWARC-Type: response")
    target.write_bytes(data[: last + 40] + b"\r\nnot a header\r\n")  # the last response cut
    result = project.build()
    assert result.code == 0
    assert "seeds/crawl.warc" in result.err and "cannot be read" in result.err
    # nothing is retired for a record that could not be read
    assert len(project.entries()) == len(SAMPLES)


def test_pages_of_one_file_keep_edit_protection_and_come_and_go_one_by_one(
    tmp_path: Path,
) -> None:
    project = _packed(tmp_path, "edits.jsonl")
    target = project.seeds / "pages.jsonl"
    lines = [{"url": _uri(p), "text": p.read_text(encoding="utf-8")} for p in SAMPLES]
    _jsonl(target, lines[:3])
    assert project.build().code == 0
    by_seed = {v: k for k, v in _seeds_of(project).items()}
    edited = next(p for p in project.entries() if p.stem == by_seed["pages.jsonl#1"])
    edited.write_text(edited.read_text(encoding="utf-8") + "\nA note by hand.\n", "utf-8")
    _jsonl(target, [{**lines[0], "url": _uri(SAMPLES[0]) + "?v=2"}, lines[1], lines[3]])
    assert project.build().code == 0
    assert edited.read_text(encoding="utf-8").endswith("A note by hand.\n")  # kept as edited
    seeds = sorted(_seeds_of(project).values())
    assert seeds == ["pages.jsonl#1", "pages.jsonl#2", "pages.jsonl#3"]
    third = next(p for p in project.entries() if _seeds_of(project)[p.stem] == "pages.jsonl#3")
    assert parse(third.read_text(encoding="utf-8")).meta["url"] == _uri(SAMPLES[3])
    assert not any(
        parse(p.read_text(encoding="utf-8")).meta["url"] == _uri(SAMPLES[2])
        for p in project.entries()
    )  # the page that left the file took its entry with it


def test_a_warc_html_page_with_no_date_is_dated_by_its_warc_date(tmp_path: Path) -> None:
    project = _packed(tmp_path, "html.warc")
    paragraphs = "".join(
        f"<p>{line}</p>"
        for line in SAMPLES[0].read_text(encoding="utf-8").splitlines()
        if len(line) > 120 and not any(ch.isdigit() for ch in line)  # no date in it
    )
    html = (
        "<html><head><title>Allies meet in Brussels</title></head><body><article>"
        f"<h1>Allies meet in Brussels</h1>{paragraphs}</article></body></html>"
    ).encode()
    _warc(
        project.seeds / "crawl.warc.gz",
        [("https://news.example.org/allies", html, "text/html; charset=utf-8")],
        date="2025-03-20T10:11:12Z",
    )
    result = project.build()
    assert result.code == 0, result.err
    [entry] = project.entries()
    meta = parse(entry.read_text(encoding="utf-8")).meta
    assert meta["title"] == "Allies meet in Brussels"
    assert str(meta["date"]) == str(dt.date(2025, 3, 20))
    assert meta["url"] == "https://news.example.org/allies"
    assert "dated 2025-03-20 by the record's WARC-Date" in result.err


def test_a_crawl_touched_but_unchanged_makes_no_entry_again(tmp_path: Path) -> None:
    project = _packed(tmp_path, "again.warc")
    target = project.seeds / "crawl.warc.gz"
    _warc(target, [(_uri(p), p.read_bytes(), "text/plain") for p in SAMPLES])
    assert project.build().code == 0
    before = {p.name: p.read_bytes() for p in project.entries()}
    shutil.copy(target, target.with_suffix(".tmp"))
    target.with_suffix(".tmp").replace(target)  # same bytes, new stamp
    result = project.build("--verbose")
    assert result.code == 0
    assert {p.name: p.read_bytes() for p in project.entries()} == before
    assert re.search(r"\b0 entries made", result.err), result.err


def test_wget_metadata_redirects_and_images_in_a_warc_are_passed_over(tmp_path: Path) -> None:
    project = _packed(tmp_path, "wget.warc")
    target = project.seeds / "crawl.warc.gz"
    _warc(target, [(_uri(SAMPLES[0]), SAMPLES[0].read_bytes(), "text/plain")])
    with open(target, "ab") as out:
        writer = WARCWriter(out, gzip=True)
        log = io.BytesIO(b"wget -r --warc-file=crawl https://news.example.org/\n")
        writer.write_record(
            writer.create_warc_record(
                "metadata://gnu.org/software/wget/warc/wget_arguments.txt",
                "resource",
                payload=log,
                warc_content_type="text/plain",
            )
        )
        for status, kind in (("301 Moved Permanently", "text/html"), ("200 OK", "image/png")):
            headers = StatusAndHeaders(status, [("Content-Type", kind)], protocol="HTTP/1.1")
            writer.write_record(
                writer.create_warc_record(
                    "https://news.example.org/other",
                    "response",
                    payload=io.BytesIO(b"<html>moved</html>"),
                    http_headers=headers,
                )
            )
    result = project.build("--strict")
    assert result.code == 0, result.err
    assert list(_seeds_of(project).values()) == ["crawl.warc.gz#3"]


def test_the_same_pages_in_a_warc_and_a_json_lines_file_make_one_entry_each(
    tmp_path: Path,
) -> None:
    project = _packed(tmp_path, "both")
    _warc(
        project.seeds / "crawl.warc.gz",
        [(_uri(p), p.read_bytes(), "text/plain") for p in SAMPLES],
    )
    _jsonl(
        project.seeds / "pages.jsonl", [{"text": p.read_text(encoding="utf-8")} for p in SAMPLES]
    )
    result = project.build("--strict")
    assert result.code == 0
    assert len(project.entries()) == len(SAMPLES)
    assert f"{len(SAMPLES)} entries made" in result.err  # each once, though regrouped
    listed = sorted(
        seed
        for path in project.entries()
        for seed in parse(path.read_text(encoding="utf-8")).meta.get("duplicate_seeds") or []
    )
    assert listed == sorted(f"pages.jsonl#{n}" for n in range(1, len(SAMPLES) + 1))


def _headless_html(body_lines: list[str]) -> str:
    """A saved page with article paragraphs and neither a headline, a title nor a date."""
    paragraphs = "".join(f"<p>{line}</p>" for line in body_lines)
    return f"<html><head></head><body><article>{paragraphs}</article></body></html>"


def _dateless_lines() -> list[str]:
    return [
        line
        for line in SAMPLES[0].read_text(encoding="utf-8").splitlines()
        if len(line) > 120 and not any(ch.isdigit() for ch in line)
    ]


def test_a_json_line_gives_the_title_and_date_a_page_leaves_out(tmp_path: Path) -> None:
    project = _packed(tmp_path, "hints.jsonl")
    line = {
        "url": "https://news.example.org/kyiv",
        "html": _headless_html(_dateless_lines()),
        "title": "Ministers meet in Kyiv",
        "date": "2024-05-02T23:30:00+03:00",
    }
    _jsonl(project.seeds / "pages.jsonl", [line])
    result = project.build()
    assert result.code == 0, result.err
    [entry] = project.entries()
    meta = parse(entry.read_text(encoding="utf-8")).meta
    assert meta["title"] == "Ministers meet in Kyiv"  # the line's, not a first sentence
    assert str(meta["date"]) == "2024-05-02"  # the date as written, not shifted to UTC
    assert meta["url"] == "https://news.example.org/kyiv"
    assert "dated 2024-05-02 by the record's date" in result.err
    assert "no headline found" not in result.err


def test_a_gzipped_html_page_is_read_as_the_html_inside(tmp_path: Path) -> None:
    page = (
        "<!doctype html><html><head><title>Allies meet in Brussels</title>"
        '<meta property="article:published_time" content="2025-03-20"></head><body>'
        "<article><h1>Allies meet in Brussels</h1>"
        + "".join(f"<p>{line}</p>" for line in _dateless_lines())
        + "</article></body></html>"
    ).encode("utf-8")
    loose = _packed(tmp_path, "plain")
    (loose.seeds / "allies.html").write_bytes(page)
    packed = _packed(tmp_path, "html.gz")
    (packed.seeds / "allies.html.gz").write_bytes(gzip.compress(page))
    (packed.seeds / "broken.html.gz").write_bytes(b"\x1f\x8b not gzip at all")
    assert loose.build("--strict").code == 0
    result = packed.build()
    assert result.code == 0
    unlike = IDENTITY | {"seed_sha256"}
    assert _entries(packed, unlike) == _entries(loose, unlike) != {}
    warnings = [line for line in result.err.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1 and "seeds/broken.html.gz" in warnings[0], result.err

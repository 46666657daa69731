"""Entry <-> Markdown file (contract 2): YAML front matter, then the digest body.

Front matter is written and read by PyYAML (C dumper/loader), never assembled by hand, so a
title with ": ", quotes or a leading "#" round-trips. Page text is escaped before it becomes
Markdown: nothing a page says can turn into markup.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import yaml

from .dates import EARLIEST, LATEST, parse_date
from .model import Entry, EntryMeta, iso_week
from .textutil import normalize_line, publishable, slug, web_address

try:
    _Dumper: type = yaml.CSafeDumper
    _Base: type = yaml.CSafeLoader
except AttributeError:  # PyYAML built without libyaml: same output, slower
    _Dumper, _Base = yaml.SafeDumper, yaml.SafeLoader


class _Loader(_Base):  # type: ignore[misc,valid-type]
    """The safe loader, except that a date YAML cannot make (a hand-typed `2024-02-30`) stays
    text instead of raising, which would cost the whole entry; `to_meta` then falls back to
    the entry's week."""

    def construct_yaml_timestamp(self, node):  # noqa: ANN001 - PyYAML's own signature
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError):
            return self.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)


def load_yaml(text: str) -> object:
    """The one YAML reader (front matter, registries): the C loader when PyYAML has it.

    Anchors and aliases are refused: a kilobyte of nested aliases ("billion laughs") expands
    to gigabytes once anything walks it, and no entry or registry needs them."""
    if ("&" in text or "*" in text) and _has_alias(text):
        raise yaml.YAMLError("anchors and aliases (& and *) are not allowed here")
    return yaml.load(text, Loader=_Loader)


def _has_alias(text: str) -> bool:
    return any(
        isinstance(token, (yaml.AnchorToken, yaml.AliasToken))
        for token in yaml.scan(text, Loader=_Loader)
    )


MAX_FRONT_MATTER = 64 * 1024  # bytes: a real entry's is under 2 KB
MAX_NAMES = 200  # authors or people in one entry; the rest are dropped with a warning
FIELDS = (
    "title",
    "date",
    "week",
    "source",
    "authors",
    "people",
    "summary",
    "seed",
    "seed_sha256",
    "duplicate_seeds",
    "story",
    "url",
)
_INLINE = re.compile(r"([\\`*_\[\]<>|~])")
_BLOCK_START = re.compile(r"^(\s*)([#>+=-]|\d+[.)])")


class EntryError(ValueError):
    """An entry file that cannot be read; the message says what is wrong."""


def md_escape(text: str) -> str:
    """Escape Markdown syntax so page text renders as the literal text it is."""
    text = _INLINE.sub(r"\\\1", text)
    return _BLOCK_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)


def front_matter(entry: Entry) -> dict:
    return {
        "title": entry.title,
        "date": entry.date,
        "week": entry.week,
        "source": entry.source,
        "authors": list(entry.authors),
        "people": list(entry.people),
        "summary": entry.summary,
        "seed": entry.seed,
        "seed_sha256": entry.seed_sha256,
        "duplicate_seeds": list(entry.duplicate_seeds),
        "story": entry.story,
        "url": entry.url,
    }


def body_markdown(entry: Entry) -> str:
    """The digest: summary, key quotes with speakers, then the cleaned article."""
    parts = [md_escape(entry.summary)] if entry.summary else []
    if entry.quotes:
        parts.append("## Key quotes")
        for quote in entry.quotes:
            opening, closing = (quote.marks + "”")[:2] if quote.marks else "“”"
            lines = [f"> {opening}{md_escape(quote.text)}{closing}"]
            if quote.speaker:
                lines.append(f"> — {md_escape(quote.speaker)}")
            parts.append("\n>\n".join(lines))
    parts.append("## Article")
    for block in entry.blocks:
        text = md_escape(block.text)
        parts.append({"h": f"### {text}", "li": f"- {text}"}.get(block.kind, text))
    return "\n\n".join(_join_lists(parts)) + "\n"


def _join_lists(parts: list[str]) -> list[str]:
    """Consecutive list items form one list (one blank-free run), not loose paragraphs."""
    out: list[str] = []
    for part in parts:
        if part.startswith("- ") and out and out[-1].startswith("- "):
            out[-1] += "\n" + part
        else:
            out.append(part)
    return out


def to_markdown(entry: Entry) -> str:
    head = yaml.dump(
        front_matter(entry),
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=None,
        width=100_000,
    )
    return f"---\n{head}---\n\n{body_markdown(entry)}"


@dataclass(frozen=True)
class ParsedEntry:
    meta: dict
    body: str


def _split(text: str) -> tuple[str, str]:
    """(front matter YAML, body); raises EntryError with a one-line reason."""
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.replace("\r\n", "\n")
    if not text.startswith("---\n"):
        raise EntryError("no YAML front matter (the file must start with a '---' line)")
    end = text.find("\n---\n", 3)
    if end < 0:
        end = text.find("\n---", 3) if text.rstrip().endswith("\n---") else -1
    if end < 0:
        raise EntryError("front matter is not closed by a '---' line")
    return text[4:end], text[end + 5 :].lstrip("\n")


def parse(text: str) -> ParsedEntry:
    """Split and load front matter; raises EntryError with a one-line reason."""
    head, body = _split(text)
    if len(head) > MAX_FRONT_MATTER:
        raise EntryError(
            f"front matter is {len(head) // 1024} KB, over the {MAX_FRONT_MATTER // 1024} KB an "
            "entry may have"
        )
    try:
        meta = load_yaml(head)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark else ""
        raise EntryError(
            f"invalid YAML front matter{where}: {getattr(exc, 'problem', None) or exc}"
        ) from None
    except (ValueError, TypeError, OverflowError, RecursionError) as exc:  # e.g. date: 2024-02-30
        raise EntryError(f"invalid YAML front matter: {exc}") from None
    if not isinstance(meta, dict):
        raise EntryError("front matter is not a YAML mapping")
    return ParsedEntry(meta, body)


def body_of(text: str) -> str:
    """Just the Markdown body: the page renderer needs no front matter (read and checked
    already), and loading YAML again for every page cost a tenth of a cold build's render."""
    return publishable(_split(text)[1])


def shown_body(body: str) -> str:
    """The body as the entry page shows it. The digest opens with the summary, which is the
    lead's first sentences: the article's first paragraph then goes on from there instead
    of saying them again (or is left out, when it is the summary and no more)."""
    parts = body.split("\n\n")
    if len(parts) < 3 or parts[0].startswith(("#", ">", "- ")) or "## Article" not in parts:
        return body
    lead = parts.index("## Article") + 1
    summary = parts[0].strip()
    if lead < len(parts) and summary and parts[lead].startswith(summary):
        rest = parts[lead][len(summary) :].strip()
        parts[lead : lead + 1] = [rest] if rest else []
    return "\n\n".join(parts)


def _names(meta: dict, key: str) -> tuple[str, ...]:
    value = meta.get(key) or []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, (str, int, float)) for v in value):
        raise EntryError(f"'{key}' must be a list of names")
    value = value[:MAX_NAMES]
    names = (normalize_line(str(v)) for v in value)
    return tuple(dict.fromkeys(n for n in names if n))


def to_meta(parsed: ParsedEntry, path: str, slug: str, sha256: str) -> EntryMeta:
    """The site's view of an entry; validates every field the site needs."""
    meta = parsed.meta
    title = meta.get("title")
    if not isinstance(title, (str, int, float)) or not normalize_line(str(title)):
        raise EntryError("'title' is missing or empty")
    day = parse_date(meta.get("date")) or _week_day(meta, path)
    if day is None:
        raise EntryError(
            f"'date' is missing, not a date (YYYY-MM-DD) or out of range (years "
            f"{EARLIEST.year} to {LATEST.year}): {str(meta.get('date'))[:40]!r}"
        )
    source = meta.get("source")
    seed = meta.get("seed")
    return EntryMeta(
        slug=slug,
        path=path,
        sha256=sha256,
        title=normalize_line(str(title)),
        date=day,
        source=normalize_line(str(source)) or None if source not in (None, "") else None,
        authors=_names(meta, "authors"),
        people=_names(meta, "people"),
        summary=normalize_line(str(meta.get("summary") or "")),
        seed=publishable(str(seed)) or None if seed else None,
        story=_story(meta.get("story")),
        url=web_address(meta.get("url")),
        duplicate_seeds=_names(meta, "duplicate_seeds"),
    )


def _story(value: object) -> str | None:
    """A story id as a maintainer may type it; made safe for a URL fragment and an id."""
    if not isinstance(value, (str, int, float)) or not str(value).strip():
        return None
    return slug(normalize_line(str(value)))


def meta_of(entry: Entry, path: str, slug: str, sha256: str) -> EntryMeta:
    """The EntryMeta that reading back `to_markdown(entry)` gives, without the YAML round
    trip (tests/test_entries.py checks the two agree): sync hands these to the read stage
    so a cold build does not parse the 10,000 files it has just written."""
    return to_meta(ParsedEntry(front_matter(entry), ""), path, slug, sha256)


_WEEK = re.compile(r"(\d{4})-W(\d{2})")


def _week_day(meta: dict, path: str) -> dt.date | None:
    """The Monday of the entry's `week`, or of the week folder it sits in: the fallback for
    a date that is not one (`2024-02-30`), so a typo does not take an article off the site."""
    for text in (str(meta.get("week") or ""), path.split("/", 1)[0]):
        match = _WEEK.fullmatch(text)
        if match:
            try:
                return parse_date(dt.date.fromisocalendar(int(match[1]), int(match[2]), 1))
            except ValueError:
                continue
    return None


def notes(parsed: ParsedEntry, day: dt.date) -> str | None:
    """What is worth a warning in an entry that is otherwise fine: a date that is not one
    (dated by its week instead), a hand-edited date whose `week` was left behind (the date
    wins), a list of names over MAX_NAMES long."""
    found = []
    week = parsed.meta.get("week")
    if parse_date(parsed.meta.get("date")) is None:
        found.append(
            f"'date: {str(parsed.meta.get('date'))[:40]}' is not a date from {EARLIEST.year} to "
            f"{LATEST.year}; dated {day}, the Monday of its week"
        )
    elif week and str(week) != iso_week(day):
        found.append(
            f"'week: {str(week)[:20]}' does not match 'date: {day}' ({iso_week(day)}); using the "
            f"date"
        )
    for key in ("authors", "people"):
        value = parsed.meta.get(key)
        if isinstance(value, list) and len(value) > MAX_NAMES:
            found.append(f"'{key}' has {len(value)} names; the first {MAX_NAMES} are kept")
    return "; ".join(found) or None

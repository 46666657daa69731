"""The frozen values that flow between stages.

Every stage takes one of these and returns the next, so a stage can be run in another process
(or on another machine) and its result cached by the hash of what it was made from.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

Form = Literal["text", "html"]


@dataclass(frozen=True)
class Hints:
    """What a file holding many pages says about one of them (a WARC record's headers, a
    crawler's JSON line): used where the page itself says nothing."""

    url: str | None = None  # the address it was fetched from
    fetched: dt.date | None = None  # the day it was fetched: the date when the page has none
    title: str | None = None  # the crawler's headline: the title when the page shows none
    form: Form | None = None  # what the record says it is (its content type, its key)
    fetched_by: str = "the file's modification time"  # where `fetched` came from, for warnings


@dataclass(frozen=True)
class RawPage:
    """A seed decoded to text: what ingest hands to clean."""

    name: str  # path relative to seeds/, with forward slashes
    sha256: str  # hash of the raw bytes
    text: str  # decoded, newlines normalised to \n
    form: Form
    modified: dt.date | None = None  # the file's modification day: the last fallback for a date
    hints: Hints = Hints()


BlockKind = Literal["p", "h", "li"]


@dataclass(frozen=True)
class Block:
    """One block of article body: a paragraph, a crosshead or a list item."""

    kind: BlockKind
    text: str


@dataclass(frozen=True)
class Article:
    """What clean found on a page: the article itself, stripped of the site around it."""

    title: str
    date: dt.date | None
    source: str | None
    authors: tuple[str, ...]
    blocks: tuple[Block, ...]
    notes: tuple[
        str, ...
    ] = ()  # what clean had to fall back on (a warning each: "no date found; ...")
    url: str | None = None  # the article's own address, when the page gives one


@dataclass(frozen=True)
class Skip:
    """A page that yields no entry, and why (one warning line)."""

    reason: str


@dataclass(frozen=True)
class Quote:
    text: str
    speaker: str | None
    marks: str = "“”"  # the page's own opening and closing quotation marks


@dataclass(frozen=True)
class FrontMatter:
    """What an entry says about its article: shared by the entry made and the entry read."""

    title: str
    date: dt.date
    source: str | None
    authors: tuple[str, ...]
    people: tuple[str, ...]
    summary: str

    @property
    def week(self) -> str:
        return iso_week(self.date)


@dataclass(frozen=True)
class Entry(FrontMatter):
    """One digest entry, ready to be written as content/<week>/<slug>.md."""

    seed: str
    seed_sha256: str
    quotes: tuple[Quote, ...]
    blocks: tuple[Block, ...]
    duplicate_seeds: tuple[str, ...] = ()  # other seeds holding the same article
    story: str | None = None  # shared by the entries that report one event
    url: str | None = None


@dataclass(frozen=True)
class EntryMeta(FrontMatter):
    """An entry as the site sees it: front matter plus where its body lives.

    The site model holds only these (never bodies), so memory stays flat as the archive grows.
    """

    slug: str
    path: str  # relative to content/
    sha256: str  # hash of the entry file's bytes
    seed: str | None
    story: str | None = None  # None: a story of its own (named by its slug)
    url: str | None = None
    duplicate_seeds: tuple[str, ...] = ()

    @property
    def story_id(self) -> str:
        return self.story or self.slug


@dataclass(frozen=True)
class Warning_:
    """One warning line: always names the file it is about."""

    file: str
    message: str
    once: bool = False  # about something this build repaired: not said again by a replay

    def __str__(self) -> str:
        return f"warning: {self.file}: {self.message}"


def iso_week(day: dt.date) -> str:
    """ISO 8601 week label, e.g. 2023-W49 (the ISO year, which differs near 1 January)."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class BuildOptions:
    jobs: int = 1
    executor: str = "process"
    clean: bool = False
    prune: bool = False  # retire entries even when more than half of them would go at once
    search: str = "now"  # "now": index before returning; "later": the caller indexes (watch mode)


@dataclass(frozen=True)
class BuildSummary:
    entries: int
    people: int
    generated: int
    written: int
    unchanged: int
    removed: int
    warnings: int
    seconds: float
    stages: dict[str, float]
    entries_written: tuple[
        str, ...
    ] = ()  # content/ files this build wrote, ledger too (watch ignores them)
    search_pages: dict[str, str] | None = (
        None  # entry page -> search key, for a search index built later
    )

    def line(self) -> str:
        return (
            f"built {self.entries} entries, {self.people} people: {self.generated} entries made, "
            f"{self.written} files written, {self.unchanged} unchanged, {self.removed} removed, "
            f"{self.warnings} warning(s) in {self.seconds:.2f}s"
        )


@dataclass
class SyncReport:
    """What one pass of seeds -> content did (filled in as it goes; a skipped sync is empty)."""

    generated: list[str] = field(default_factory=list)
    # what the generated files say, unparsed
    made: dict[str, EntryMeta] = field(default_factory=dict)
    ledger_written: bool = False
    removed: list[str] = field(default_factory=list)
    kept_edits: list[str] = field(default_factory=list)
    # every content/ file sync wrote or removed: the stat check's snapshot of content/ is
    # brought up to date from it rather than by scanning 10,000 entries again
    touched: list[str] = field(default_factory=list)
    rescan: bool = False  # a killed sync's journal was replayed: what it did is not listed

"""The site model: entries' front matter -> every page of contract 3, as plain data.

Everything pages are made from (cards, weeks, people, their groupings) is built whole
before anything is written (Pelican's two phases). The pages themselves are then *streamed*:
`SiteModel.pages` yields one Page at a time, so at 100,000 entries memory holds the cards
and the pages being rendered, not 100,000 page dicts. Each Page carries the data its template
needs and nothing else, so the page's fingerprint is exactly its inputs: a page is
re-rendered only when that data, its template or the config changed. Bodies are never held
here; an entry page names the content file its body comes from.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import Counter, defaultdict
from collections.abc import Callable, Container, Iterator
from itertools import chain
from dataclasses import dataclass, field, replace

from .model import EntryMeta
from .people import Registry
from .textutil import printable_name, slug as make_slug


ALL = "@all"  # depends on every entry (lists with counts, the sitemap)
WEEKS = "@weeks"  # depends on which weeks exist (prev/next links, the latest weeks)
PEOPLE = "@people"  # depends on which people exist and their slugs
REGISTRY = "@registry:"  # + a name: depends on what the registry says of that person


@dataclass(frozen=True, slots=True)
class Page:
    """One output. Its `deps` are known before its data: `data` may be None and made by
    `make` only when the page must be rendered, so a page nothing it shows has changed
    costs its dependency check and no more (a person's timeline and chart, a week's
    groups are never built for a one-entry change elsewhere)."""

    path: str  # relative to site/
    kind: str  # template name (html) or "feed" / "sitemap"
    data: dict | None = field(hash=False)
    body_from: str | None = None  # content/ path of the Markdown body (entry pages)
    body_sha: str | None = None
    deps: frozenset[str] = frozenset()  # entry paths (content/-relative) and the @ sets above
    make: Callable[[], dict] | None = field(default=None, hash=False, compare=False, repr=False)

    def filled(self) -> "Page":
        """The page with its data made (and nothing left to call: it may cross a process)."""
        if self.make is None:
            return self
        return replace(self, data=self.make(), make=None)


@dataclass(frozen=True)
class SiteModel:
    pages: Iterator[Page]  # one pass, made as they are consumed
    count: int  # how many pages `pages` yields
    entries: int
    people: int
    state: dict = field(default_factory=dict, hash=False)  # what the pages were made from, by kind
    # the same stream with only the entry pages a change can reach (see `Selection`)
    select: Callable[["Selection"], Iterator[Page]] | None = field(default=None, compare=False)


@dataclass
class Selection:
    """Which entry pages to make: those of the `changed` entries and of their neighbours
    (an entry page links the next and previous one), those in `must` (their last output
    named a changed entry, or failed) and those not in `known` (new). Every other entry
    page's path is put in `skipped`: its output is carried over as it is, without building
    the page at all, so a one-entry change at 10,000 entries builds a handful of pages, not
    10,000 (their Page objects and dependency sets were most of the site model's time)."""

    changed: set[str]  # content/ paths
    must: set[str]  # site/ paths
    known: Container[str]  # site/ paths of the last build's outputs
    skipped: list[str] = field(default_factory=list)

    def wants(self, entries: list[EntryMeta], cards: list[dict], i: int) -> bool:
        url = cards[i]["url"]
        if url in self.must or url not in self.known:
            return True
        near = entries[max(0, i - 1) : i + 2]
        return any(e.path in self.changed for e in near)


@functools.lru_cache(maxsize=4096)
def week_label(week: str) -> str:
    year, num = week.split("-W")
    monday = dt.date.fromisocalendar(int(year), int(num), 1)
    sunday = monday + dt.timedelta(days=6)
    span = f"{monday.day} {monday:%b} – {sunday.day} {sunday:%b} {sunday.year}"
    return f"Week {int(num)}, {year} · {span}"


def person_slugs(names: list[str]) -> dict[str, str]:
    """One slug per name; two names that fold to one slug get deterministic suffixes."""
    out: dict[str, str] = {}
    taken: Counter[str] = Counter()
    for name in sorted(names):
        base = make_slug(name)
        taken[base] += 1
        out[name] = base if taken[base] == 1 else f"{base}-{taken[base]}"
    return out


def _person_refs(pslug: dict[str, str]) -> dict[str, dict]:
    """One {name, slug} dict per person, shared by every card naming them (templates only
    read them): at 100,000 entries, a copy per mention cost tens of megabytes."""
    return {name: {"name": name, "slug": slug} for name, slug in pslug.items()}


def _card(e: EntryMeta, refs: dict[str, dict]) -> dict:
    url = f"entries/{e.slug}/index.html"
    return {
        "path": e.path,
        "slug": e.slug,
        "title": e.title,
        "date": e.date.isoformat(),
        "week": e.week,
        "source": e.source,
        "authors": list(e.authors),
        "summary": e.summary,
        "people": [refs[p] for p in e.people],
        "url": url,
        "guid": _guid(e),
        "link": {"title": e.title, "url": url},
    }


def _guid(e: EntryMeta) -> str:
    """Stable across hosts, rebuilds and title edits: the seed's name (or the entry's path)."""
    return f"newsdigest:{printable_name(e.seed or e.path)}"


def _deps(cards: list[dict], *extra: str) -> frozenset[str]:
    return frozenset([c["path"] for c in cards] + list(extra))


def _groups(cards: list[dict], lead_only: bool = False) -> list[dict]:
    """A week's entries grouped by person (most entries first); unnamed ones last.

    `lead_only`: each entry once, under its most prominent person (the front page, which
    should read as a list of headlines, not repeat one story under five names).
    """
    by_person: dict[str, list[dict]] = defaultdict(list)
    slugs: dict[str, str] = {}
    prominence: dict[str, int] = {}
    loose = []
    for card in cards:
        for rank, p in enumerate(card["people"][:1] if lead_only else card["people"]):
            by_person[p["name"]].append(card)
            slugs[p["name"]] = p["slug"]
            prominence[p["name"]] = min(rank, prominence.get(p["name"], rank))
        if not card["people"]:
            loose.append(card)
    order = sorted(by_person, key=lambda n: (-len(by_person[n]), prominence[n], n))
    groups = [{"person": {"name": n, "slug": slugs[n]}, "entries": by_person[n]} for n in order]
    if loose:
        groups.append({"person": None, "entries": loose})
    return groups


def build_model(
    entries: list[EntryMeta], registry: Registry, feed_items: int, index_weeks: int
) -> SiteModel:
    entries = sorted(entries, key=lambda e: (e.date, e.slug), reverse=True)
    pslug = person_slugs(sorted({p for e in entries for p in e.people}))
    cards = _cards(entries, pslug)
    weeks: dict[str, list[dict]] = defaultdict(list)
    mine: dict[str, list[dict]] = defaultdict(list)
    for card in cards:
        weeks[card["week"]].append(card)
        for p in card["people"]:
            mine[p["name"]].append(card)
    week_keys = sorted(weeks, reverse=True)

    def pages(selection: Selection | None = None) -> Iterator[Page]:
        urls: list[str] = [card["url"] for card in cards]
        for page in chain(
            _week_pages(weeks, week_keys, index_weeks),
            _people_pages(mine, pslug, registry, feed_items),
            _entry_pages(entries, cards, selection),
            _site_pages(cards, feed_items),
        ):
            if (
                page.path.endswith(".html")
                and page.path != "404.html"
                and page.kind != "entry.html"
            ):
                urls.append(page.path)
            yield page
        yield Page("sitemap.xml", "sitemap", {"urls": sorted(urls)}, deps=frozenset({ALL}))

    count = 2 + len(week_keys) + 1 + 2 * len(mine) + len(entries) + 3 + 1
    state = {
        "entries": {e.path: entry_state(e) for e in entries},
        "weeks": week_keys,
        "people": pslug,
    }
    return SiteModel(pages(), count, len(entries), len(pslug), state, pages)


@dataclass
class _Cards:
    """The cards of the last model, by the identity of the EntryMeta they were made from: a
    resident process (--watch) keeps the metas of unchanged entries as they were (see
    reading._patch), so their cards need not be made again while the people's slugs hold."""

    pslug: dict[str, str] = field(default_factory=dict)
    refs: dict[str, dict] = field(default_factory=dict)
    made: dict[int, tuple[EntryMeta, dict]] = field(default_factory=dict)


_LAST_CARDS = _Cards()


def _cards(entries: list[EntryMeta], pslug: dict[str, str]) -> list[dict]:
    last = _LAST_CARDS
    if last.pslug != pslug:
        last.pslug, last.refs, last.made = dict(pslug), _person_refs(pslug), {}
    made: dict[int, tuple[EntryMeta, dict]] = {}
    out = []
    for e in entries:
        known = last.made.get(id(e))
        card = known[1] if known is not None and known[0] is e else _card(e, last.refs)
        made[id(e)] = (e, card)
        out.append(card)
    last.made = made
    return out


def _site_pages(cards: list[dict], feed_items: int) -> Iterator[Page]:
    yield Page(
        "feed.xml",
        "feed",
        {"title": None, "self": "feed.xml", "link": "index.html", "items": cards[:feed_items]},
        deps=_deps(cards[:feed_items], PEOPLE),
    )
    yield Page("404.html", "404.html", {})
    yield Page("search/index.html", "search.html", {})


def entry_state(e: EntryMeta) -> str:
    """What other pages know of an entry besides its card: the file's hash, people, slug."""
    return f"{e.sha256}|{'|'.join(e.people)}|{e.slug}"


def entry_pages_only(entries: list[EntryMeta], wanted: set[str]) -> SiteModel:
    """Just the entry pages of `wanted` (content/ paths): the model of an edit that changed
    bodies and nothing any other page shows. Neighbours come from the same ordering as in
    build_model, so each page equals what the whole model would have made."""
    entries = sorted(entries, key=lambda e: (e.date, e.slug), reverse=True)
    refs = _person_refs(person_slugs(sorted({p for e in entries for p in e.people})))
    card = lambda i: _card(entries[i], refs) if 0 <= i < len(entries) else None  # noqa: E731
    pages = [
        _entry_page(entries[i], card(i), card(i - 1), card(i + 1))
        for i, e in enumerate(entries)
        if e.path in wanted
    ]
    state = {"entries": {e.path: entry_state(e) for e in entries if e.path in wanted}}
    return SiteModel(iter(pages), len(pages), len(entries), len(refs), state)


def _week_pages(weeks: dict[str, list[dict]], keys: list[str], index_weeks: int) -> Iterator[Page]:
    summaries = [
        {
            "week": w,
            "label": week_label(w),
            "count": len(weeks[w]),
            "people": len({p["name"] for c in weeks[w] for p in c["people"]}),
            "url": f"weeks/{w}/index.html",
        }
        for w in keys
    ]
    shown = [c for s in summaries[:index_weeks] for c in weeks[s["week"]]]

    def index() -> dict:
        latest = [
            dict(s, groups=_groups(weeks[s["week"]], lead_only=True))
            for s in summaries[:index_weeks]
        ]
        return {"weeks": latest, "all_weeks": len(keys)}

    yield Page("index.html", "index.html", None, deps=_deps(shown, WEEKS, PEOPLE), make=index)
    yield Page("weeks/index.html", "weeks.html", {"weeks": summaries}, deps=frozenset({ALL}))
    for i, w in enumerate(keys):
        newer = summaries[i - 1] if i > 0 else None
        older = summaries[i + 1] if i + 1 < len(keys) else None
        yield Page(
            f"weeks/{w}/index.html",
            "week.html",
            None,
            deps=_deps(weeks[w], WEEKS, PEOPLE),
            make=functools.partial(_week_data, summaries[i], weeks[w], newer, older),
        )


def _week_data(summary: dict, cards: list[dict], newer: dict | None, older: dict | None) -> dict:
    return {"week": summary, "groups": _groups(cards), "newer": newer, "older": older}


def _people_pages(
    mine: dict[str, list[dict]], pslug: dict[str, str], registry: Registry, feed_items: int
) -> Iterator[Page]:
    """`mine`: each person's cards, newest first."""
    index = [
        {
            "name": n,
            "slug": pslug[n],
            "count": len(mine[n]),
            "first": mine[n][-1]["date"],
            "last": mine[n][0]["date"],
        }
        for n in sorted(mine)
    ]
    yield Page("people/index.html", "people.html", {"people": index}, deps=frozenset({ALL}))
    for row in index:
        name, own = row["name"], mine[row["name"]]
        base = f"people/{row['slug']}/"
        yield Page(
            base + "index.html",
            "person.html",
            None,
            deps=_deps(own, PEOPLE, REGISTRY + name),
            make=functools.partial(_person_data, row, own, registry, base + "feed.xml"),
        )
        yield Page(
            base + "feed.xml",
            "feed",
            {
                "title": name,
                "self": base + "feed.xml",
                "link": base + "index.html",
                "items": own[:feed_items],
            },
            deps=_deps(own[:feed_items], PEOPLE),
        )


def _person_data(row: dict, own: list[dict], registry: Registry, feed: str) -> dict:
    """A person page's data: the registry's role and aliases, the timeline by week, the
    weekly chart and who else is named with them."""
    name = row["name"]
    by_week: dict[str, list[dict]] = defaultdict(list)
    for card in own:
        by_week[card["week"]].append(card)
    timeline = [
        {
            "week": w,
            "label": week_label(w),
            "url": f"weeks/{w}/index.html",
            "entries": by_week[w],
        }
        for w in sorted(by_week, reverse=True)
    ]
    person = dict(
        row,
        role=registry.role(name),
        aliases=list(registry.aliases(name)),
        chart=weekly_chart({w: len(v) for w, v in by_week.items()}),
        together=_together(name, own),
    )
    return {"person": person, "timeline": timeline, "feed": feed}


CHART_WEEKS = 104  # the chart covers at most the last two years a person was in the news


def weekly_chart(counts: dict[str, int]) -> dict:
    """Bars for an inline SVG of articles per ISO week, drawn at build time (no script)."""
    if not counts:
        return {"bars": [], "width": 0, "height": 0, "max": 0, "from": "", "to": ""}
    last = max(counts)
    year, num = last.split("-W")
    end = dt.date.fromisocalendar(int(year), int(num), 1)
    first_key = min(counts)
    y0, n0 = first_key.split("-W")
    start = max(
        dt.date.fromisocalendar(int(y0), int(n0), 1), end - dt.timedelta(weeks=CHART_WEEKS - 1)
    )
    weeks = []
    day = start
    while day <= end:
        iso = day.isocalendar()
        weeks.append(f"{iso[0]}-W{iso[1]:02d}")
        day += dt.timedelta(weeks=1)
    top = max(counts.get(w, 0) for w in weeks) or 1
    bar, gap, height = 6, 2, 60
    bars = [
        {
            "x": i * (bar + gap),
            "h": round(height * counts.get(w, 0) / top, 1),
            "week": w,
            "count": counts.get(w, 0),
        }
        for i, w in enumerate(weeks)
    ]
    for b in bars:
        b["y"] = round(height - b["h"], 1)
    return {
        "bars": [b for b in bars if b["count"]],
        "width": len(weeks) * (bar + gap),
        "height": height,
        "bar": bar,
        "max": top,
        "from": weeks[0],
        "to": weeks[-1],
    }


def _together(name: str, own: list[dict], limit: int = 6) -> list[dict]:
    """The people named most often in the same entries as `name`."""
    counts: Counter[str] = Counter()
    slugs: dict[str, str] = {}
    for card in own:
        for p in card["people"]:
            if p["name"] != name:
                counts[p["name"]] += 1
                slugs[p["name"]] = p["slug"]
    return [
        {"name": n, "slug": slugs[n], "count": c}
        for n, c in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    ]


def _entry_pages(
    entries: list[EntryMeta], cards: list[dict], selection: Selection | None = None
) -> Iterator[Page]:
    last = len(cards) - 1
    for i, (e, card) in enumerate(zip(entries, cards)):
        if selection is not None and not selection.wants(entries, cards, i):
            selection.skipped.append(card["url"])
            continue
        yield _entry_page(
            e, card, cards[i - 1] if i > 0 else None, cards[i + 1] if i < last else None
        )


def _entry_page(e: EntryMeta, card: dict, newer: dict | None, older: dict | None) -> Page:
    data = {"entry": card, "newer": _link(newer), "older": _link(older)}
    return Page(
        card["url"],
        "entry.html",
        data,
        body_from=e.path,
        body_sha=e.sha256,
        deps=_deps([c for c in (card, newer, older) if c], PEOPLE),
    )


def _link(card: dict | None) -> dict | None:
    return card["link"] if card else None

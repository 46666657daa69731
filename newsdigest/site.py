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
from dataclasses import dataclass, field, replace
from itertools import chain

from .model import EntryMeta
from .people import Registry
from .textutil import printable_name
from .textutil import slug as make_slug

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

    def filled(self) -> Page:
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
    select: Callable[[Selection], Iterator[Page]] | None = field(default=None, compare=False)


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

    def wants(self, entries: list[EntryMeta], cards: list[dict], i: int, siblings: list) -> bool:
        url = cards[i]["url"]
        if url in self.must or url not in self.known:
            return True
        near = entries[max(0, i - 1) : i + 2]
        return any(e.path in self.changed for e in near) or any(
            c["path"] in self.changed for c in siblings
        )


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
        "story": e.story_id,
        "original": e.url,
    }


def _guid(e: EntryMeta) -> str:
    """Stable across hosts, rebuilds and title edits: the seed's name (or the entry's path)."""
    return f"newsdigest:{printable_name(e.seed or e.path)}"


def _deps(cards: list[dict], *extra: str) -> frozenset[str]:
    return frozenset([c["path"] for c in cards] + list(extra))


def _stories(cards: list[dict], last: dict[str, tuple[list[dict], dict]] | None = None) -> dict:
    """Story id -> the story: its reports oldest first (the first report leads: its
    headline and summary), everyone they name (most often named first), and every source.
    `last`: the stories a resident process made before, each with its reports; a story
    whose reports are the very same cards (see `_cards`) is that story again, and `last`
    is brought up to date."""
    members: dict[str, list[dict]] = defaultdict(list)
    for card in cards:
        members[card["story"]].append(card)
    if last is None:
        return {sid: _story(sid, own[::-1]) for sid, own in members.items()}
    made: dict[str, tuple[list[dict], dict]] = {}
    for sid, own in members.items():
        reports = own[::-1]
        known = last.get(sid)
        if known is not None and _same_cards(known[0], reports):
            made[sid] = known
        else:
            made[sid] = (reports, _story(sid, reports))
    last.clear()
    last.update(made)
    return {sid: story for sid, (_, story) in made.items()}


def _same_cards(a: list[dict], b: list[dict]) -> bool:
    """The same card objects in the same order (`last` holds them, so no id is reused)."""
    return len(a) == len(b) and all(x is y for x, y in zip(a, b))


def _story(sid: str, reports: list[dict]) -> dict:
    lead = reports[0]
    named: Counter[str] = Counter()
    refs: dict[str, dict] = {}
    for card in reports:
        for p in card["people"]:
            named[p["name"]] += 1
            refs.setdefault(p["name"], p)
    first = {name: i for i, name in enumerate(refs)}
    founder = next((c for c in reports if c["slug"] == sid), lead)
    return {
        "id": sid,
        "title": lead["title"],
        "url": lead["url"],
        "summary": lead["summary"],
        "date": lead["date"],
        "last": max(c["date"] for c in reports),
        "week": lead["week"],
        "people": [refs[n] for n in sorted(refs, key=lambda n: (-named[n], first[n]))],
        "reports": reports,
        "guid": founder["guid"],  # a story's feed item keeps its first entry's guid
    }


def _story_item(story: dict) -> dict:
    """A story as one feed item: its lead's card, its sources named in the description."""
    reports = story["reports"]
    summary = story["summary"] or story["title"]
    if len(reports) > 1:
        outlets = ", ".join(dict.fromkeys(c["source"] or "an unnamed outlet" for c in reports))
        summary = f"{summary} (Reported by {outlets}.)"
    return {
        "title": story["title"],
        "url": story["url"],
        "guid": story["guid"],
        "date": story["date"],
        "summary": summary,
        "people": story["people"],
    }


def _newest_first(stories: list[dict]) -> list[dict]:
    return sorted(stories, key=lambda s: (s["last"], s["date"], s["id"]), reverse=True)


def _story_deps(stories: list[dict], *extra: str) -> frozenset[str]:
    return frozenset([c["path"] for s in stories for c in s["reports"]] + list(extra))


def build_model(
    entries: list[EntryMeta], registry: Registry, feed_items: int, index_weeks: int
) -> SiteModel:
    entries = sorted(entries, key=lambda e: (e.date, e.slug), reverse=True)
    pslug = person_slugs(sorted({p for e in entries for p in e.people}))
    cards = _cards(entries, pslug)
    stories = _stories(cards, _LAST_CARDS.stories)
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
            _week_pages(weeks, week_keys, index_weeks, stories),
            _people_pages(mine, pslug, registry, feed_items, stories),
            _entry_pages(entries, cards, stories, selection),
            _site_pages(cards, feed_items, stories),
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
    stories: dict[str, tuple[list[dict], dict]] = field(default_factory=dict)  # see _stories


_LAST_CARDS = _Cards()


def _cards(entries: list[EntryMeta], pslug: dict[str, str]) -> list[dict]:
    last = _LAST_CARDS
    if last.pslug != pslug:
        last.pslug, last.refs, last.made = dict(pslug), _person_refs(pslug), {}
        last.stories.clear()
    made: dict[int, tuple[EntryMeta, dict]] = {}
    out = []
    for e in entries:
        known = last.made.get(id(e))
        card = known[1] if known is not None and known[0] is e else _card(e, last.refs)
        made[id(e)] = (e, card)
        out.append(card)
    last.made = made
    return out


def _of_cards(cards: list[dict], stories: dict[str, dict]) -> list[dict]:
    """The stories of `cards` (newest first), each once."""
    return _newest_first([stories[sid] for sid in dict.fromkeys(c["story"] for c in cards)])


def _site_pages(cards: list[dict], feed_items: int, stories: dict[str, dict]) -> Iterator[Page]:
    latest = _of_cards(cards[: feed_items * 4], stories)[:feed_items]
    yield Page(
        "feed.xml",
        "feed",
        {
            "title": None,
            "self": "feed.xml",
            "link": "index.html",
            "items": [_story_item(s) for s in latest],
        },
        deps=_story_deps(latest, PEOPLE),
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
    ids = {e.story_id for e in entries if e.path in wanted}
    told = _stories([_card(e, refs) for e in entries if e.story_id in ids])
    pages = [
        _entry_page(entries[i], card(i), card(i - 1), card(i + 1), told[e.story_id])
        for i, e in enumerate(entries)
        if e.path in wanted
    ]
    state = {"entries": {e.path: entry_state(e) for e in entries if e.path in wanted}}
    return SiteModel(iter(pages), len(pages), len(entries), len(refs), state)


def _week_pages(
    weeks: dict[str, list[dict]], keys: list[str], index_weeks: int, stories: dict[str, dict]
) -> Iterator[Page]:
    summaries = [
        {
            "week": w,
            "label": week_label(w),
            "count": len(weeks[w]),
            "stories": len({c["story"] for c in weeks[w]}),
            "people": len({p["name"] for c in weeks[w] for p in c["people"]}),
            "url": f"weeks/{w}/index.html",
        }
        for w in keys
    ]
    told: dict[str, list[dict]] = {w: _of_cards(weeks[w], stories) for w in keys[:index_weeks]}
    shown = [s for w in keys[:index_weeks] for s in told[w]]

    def index() -> dict:
        seen: set[str] = set()
        latest = []
        for summary in summaries[:index_weeks]:
            own = [s for s in told[summary["week"]] if s["id"] not in seen]
            seen.update(s["id"] for s in own)
            latest.append(dict(summary, told=own))
        return {"weeks": latest, "all_weeks": len(keys)}

    yield Page("index.html", "index.html", None, deps=_story_deps(shown, WEEKS, PEOPLE), make=index)
    yield Page("weeks/index.html", "weeks.html", {"weeks": summaries}, deps=frozenset({ALL}))
    for i, w in enumerate(keys):
        newer = summaries[i - 1] if i > 0 else None
        older = summaries[i + 1] if i + 1 < len(keys) else None
        own = told[w] if w in told else _of_cards(weeks[w], stories)
        yield Page(
            f"weeks/{w}/index.html",
            "week.html",
            None,
            deps=_story_deps(own, WEEKS, PEOPLE),
            make=functools.partial(_week_data, summaries[i], own, newer, older),
        )


def _week_data(summary: dict, told: list[dict], newer: dict | None, older: dict | None) -> dict:
    """A week: its stories (most sources first), who was in them, and who met whom."""
    ordered = sorted(told, key=lambda s: (-len(s["reports"]), s["date"], s["id"]))
    return {
        "week": summary,
        "stories": ordered,
        "people": _week_people(told),
        "met": meeting_graph(told),
        "newer": newer,
        "older": older,
    }


def _week_people(told: list[dict]) -> list[dict]:
    counts: Counter[str] = Counter()
    refs: dict[str, dict] = {}
    for story in told:
        for p in story["people"]:
            counts[p["name"]] += 1
            refs[p["name"]] = p
    return [
        dict(refs[n], count=c) for n, c in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]


GRAPH_PEOPLE = 10  # the "who met whom" drawing shows the week's most connected people


def meeting_graph(told: list[dict], size: int = 320) -> dict:
    """People pairs named in the same stories this week, laid out on a circle for an inline
    SVG drawn at build time (no script): an edge per pair, as thick as the stories they
    share; the people with the most shared stories, at most GRAPH_PEOPLE of them."""
    import math

    pairs: Counter[tuple[str, str]] = Counter()
    refs: dict[str, dict] = {}
    for story in told:
        names = [p["name"] for p in story["people"][:6]]
        refs.update({p["name"]: p for p in story["people"][:6]})
        for i, a in enumerate(names):
            for b in names[i + 1 :]:
                pairs[tuple(sorted((a, b)))] += 1  # type: ignore[arg-type]
    degree: Counter[str] = Counter()
    for (a, b), n in pairs.items():
        degree[a] += n
        degree[b] += n
    chosen = sorted(degree, key=lambda n: (-degree[n], n))[:GRAPH_PEOPLE]
    if len(chosen) < 2:
        return {"nodes": [], "edges": [], "size": size}
    centre, radius = size / 2, size / 2 - 30
    spot = {}
    for i, name in enumerate(sorted(chosen)):
        angle = 2 * math.pi * i / len(chosen) - math.pi / 2
        x, y = centre + radius * math.cos(angle), centre + radius * math.sin(angle)
        anchor = "middle" if abs(x - centre) < 1 else ("start" if x > centre else "end")
        spot[name] = {
            "name": name,
            "label": name.split()[-1],  # the surname: the drawing stays legible on a phone
            "slug": refs[name]["slug"],
            "x": round(x, 1),
            "y": round(y, 1),
            "lx": round(centre + (radius + 12) * math.cos(angle), 1),
            "ly": round(centre + (radius + 12) * math.sin(angle) + 7, 1),
            "anchor": anchor,
        }
    edges = [
        {
            "x1": spot[a]["x"],
            "y1": spot[a]["y"],
            "x2": spot[b]["x"],
            "y2": spot[b]["y"],
            "width": min(1 + n, 6),
            "title": f"{a} and {b}: {n} {'story' if n == 1 else 'stories'}",
        }
        for (a, b), n in sorted(pairs.items())
        if a in spot and b in spot
    ]
    return {"nodes": [spot[n] for n in sorted(spot)], "edges": edges, "size": size}


def _people_pages(
    mine: dict[str, list[dict]],
    pslug: dict[str, str],
    registry: Registry,
    feed_items: int,
    stories: dict[str, dict],
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
        told = _of_cards(own, stories)
        yield Page(
            base + "index.html",
            "person.html",
            None,
            deps=_story_deps(told, PEOPLE, REGISTRY + name),
            make=functools.partial(_person_data, row, own, told, registry, base + "feed.xml"),
        )
        latest = told[:feed_items]
        yield Page(
            base + "feed.xml",
            "feed",
            {
                "title": name,
                "self": base + "feed.xml",
                "link": base + "index.html",
                "items": [_story_item(s) for s in latest],
            },
            deps=_story_deps(latest, PEOPLE),
        )


def _person_data(
    row: dict, own: list[dict], told: list[dict], registry: Registry, feed: str
) -> dict:
    """A person page's data: the registry's role and aliases, the timeline of their stories
    by week (each story once, however many outlets reported it), the weekly chart and who
    else is named with them."""
    name = row["name"]
    by_week: dict[str, list[dict]] = defaultdict(list)
    for story in told:
        by_week[story["week"]].append(story)
    weekly: Counter[str] = Counter(card["week"] for card in own)
    timeline = [
        {
            "week": w,
            "label": week_label(w),
            "url": f"weeks/{w}/index.html",
            "stories": by_week[w],
        }
        for w in sorted(by_week, reverse=True)
    ]
    person = dict(
        row,
        role=registry.role(name),
        aliases=list(registry.aliases(name)),
        chart=weekly_chart(dict(weekly)),
        stories=len(told),
        together=_together(name, own),
    )
    return {"person": person, "timeline": timeline, "feed": feed}


CHART_WEEKS = 104  # the chart covers at most the last two years a person was in the news
CHART_MIN_WEEKS = 12  # ... and at least the last quarter


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
    # at least CHART_MIN_WEEKS: one week's bar is a bar, not a slab across the page
    start = min(start, end - dt.timedelta(weeks=CHART_MIN_WEEKS - 1))
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
            # a week with one article stays visible beside a week with fifty
            "h": round(max(height * counts.get(w, 0) / top, 3 if counts.get(w) else 0), 1),
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
    entries: list[EntryMeta],
    cards: list[dict],
    stories: dict[str, dict],
    selection: Selection | None = None,
) -> Iterator[Page]:
    last = len(cards) - 1
    for i, (e, card) in enumerate(zip(entries, cards)):
        story = stories[card["story"]]
        if selection is not None and not selection.wants(entries, cards, i, story["reports"]):
            selection.skipped.append(card["url"])
            continue
        yield _entry_page(
            e, card, cards[i - 1] if i > 0 else None, cards[i + 1] if i < last else None, story
        )


def _entry_page(
    e: EntryMeta, card: dict, newer: dict | None, older: dict | None, story: dict
) -> Page:
    """An entry, with the other reports of its story ("also reported by")."""
    also = [
        {"source": c["source"], "date": c["date"], "url": c["url"], "title": c["title"]}
        for c in story["reports"]
        if c["path"] != card["path"]
    ]
    data = {"entry": card, "newer": _link(newer), "older": _link(older), "also": also}
    return Page(
        card["url"],
        "entry.html",
        data,
        body_from=e.path,
        body_sha=e.sha256,
        deps=_deps([c for c in (card, newer, older, *story["reports"]) if c], PEOPLE),
    )


def _link(card: dict | None) -> dict | None:
    return card["link"] if card else None

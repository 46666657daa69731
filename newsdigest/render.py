"""Site model -> site/: Jinja2 pages, feeds, sitemap, static files; only changed bytes written.

Each output's fingerprint (its data, its template and every template that one extends or
includes, the config) is kept in a manifest beside site/. An output whose fingerprint is
unchanged is not rendered at all; a rendered output whose bytes are unchanged is not written;
an output no longer produced is removed. This is the explicit table of what made each page.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import os
import pickle
import shutil
from collections import deque
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from itertools import chain, islice
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit
from xml.sax.saxutils import escape as xml_escape

import jinja2
import jinja2.meta
from markdown_it import MarkdownIt
from markupsafe import Markup

from . import code_digest
from .config import THEME, Config, Paths
from .entries import EntryError, body_of, shown_body
from .feeds import public_path, render_feed
from .log import Log
from .search import pages_in_manifest, search_key
from .site import ALL, PEOPLE, REGISTRY, WEEKS, Page, Selection, SiteModel
from .state import Reader, State
from .store import Guard, Journal, Writes, contained, remove, temp_name
from .textutil import printable_name

MANIFEST = "manifest"  # the build state's fact: the site's inputs and what the pages showed
JOURNAL = "journal-site"  # in the cache: outputs being written (see store.Journal)
_MARKDOWN = MarkdownIt("commonmark", {"html": False, "typographer": False})


@dataclass
class RenderReport:
    written: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)


def markdown_html(text: str) -> Markup:
    """Markdown to HTML with raw HTML disabled: page text can never become markup."""
    return Markup(_MARKDOWN.render(text))


class Templates:
    """The Jinja environment plus a digest per template covering everything it pulls in."""

    def __init__(self, folders: list[Path], cache: Path | None = None) -> None:
        """`folders`: where templates are looked for, first match wins (the site's own
        templates/, then the packaged theme)."""
        bytecode = None
        if cache is not None:  # compiled templates reused by workers and by later builds
            cache.mkdir(parents=True, exist_ok=True)
            bytecode = jinja2.FileSystemBytecodeCache(str(cache))
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader([str(f) for f in folders]),
            autoescape=True,
            bytecode_cache=bytecode,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self._digests: dict[str, str] = {}

    def digest(self, name: str) -> str:
        if name not in self._digests:
            self._digests[name] = ""  # guards against a template cycle
            try:
                # type: ignore[union-attr]
                source, _, _ = self.env.loader.get_source(self.env, name)
            except jinja2.TemplateNotFound:
                source = ""
            try:
                refs = sorted(
                    r for r in jinja2.meta.find_referenced_templates(self.env.parse(source)) if r
                )
            except jinja2.TemplateSyntaxError:
                refs = []  # rendering will report it, naming the file and line
            blob = source + "".join(self.digest(r) for r in refs)
            self._digests[name] = hashlib.sha256(blob.encode()).hexdigest()
        return self._digests[name]

    def render(self, name: str, context: dict) -> str:
        return self.env.get_template(name).render(context)


def _root(path: str) -> str:
    """The relative prefix from a page back to the site root ('' at the top)."""
    depth = path.count("/")
    return "../" * depth


def _fingerprint(page: Page, template_digest: str, global_digest: str) -> bytes:
    """A hash of everything the page's bytes are made from. The data is pickled with the memo
    off ("fast" mode): the bytes then depend on values only, never on which of them happen
    to be the same object. Four times quicker than sorted JSON on a person page's 180 KB of
    cards, which was 3 s of a cold 10k build. A key order the model changes costs a
    re-render whose bytes are then found equal, never a stale page."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=5)
    pickler.fast = True
    pickler.dump((global_digest, page.kind, template_digest, page.data, page.body_sha))
    return hashlib.sha256(buffer.getvalue()).digest()


class PageRenderer:
    """Turns one Page into bytes. Built once per process (the parent or a pool worker)."""

    def __init__(self, paths: Paths, config: Config) -> None:
        self.templates = Templates([paths.templates, THEME], paths.cache / "jinja")
        self.content, self.config = paths.content, config
        # bodies already made into HTML (the build state's `bodies` table), and those this
        # process made since, for the build to keep
        self.bodies = Reader(paths.cache, "bodies")
        self.fresh: dict[str, str] = {}

    def render(self, page: Page) -> tuple[bytes | None, tuple[str, str] | None]:
        """(bytes, None), or (None, (file, problem)) when the page cannot be made: whatever
        goes wrong with one page (text a feed library refuses, a template's bug) costs that
        page, never the build."""
        try:
            return self._render(page)
        except Exception as exc:  # noqa: BLE001 - one warning naming the page's source
            culprit = f"content/{page.body_from}" if page.body_from else f"site/{page.path}"
            return None, (
                printable_name(culprit),
                f"cannot be rendered ({type(exc).__name__}: {exc})",
            )

    def _render(self, page: Page) -> tuple[bytes | None, tuple[str, str] | None]:
        if page.kind == "feed":
            return render_feed(page.data, self.config), None
        if page.kind == "sitemap":
            return _sitemap(page.data["urls"], self.config.base_url), None
        base_path = urlsplit(self.config.base_url).path or "/"
        # the 404 page is handed out at any depth: its links start from the site's base
        root = base_path if page.kind == "404.html" else _root(page.path)
        context = dict(
            page.data,
            site=asdict(self.config),
            root=root,
            page_path=page.path,
            feed_url=root + "feed.xml",
            base_path=base_path,
        )
        if page.body_from is not None:
            key = f"{code_digest()}:{page.body_sha}"
            html = self.bodies.get(key) if page.body_sha else None
            if not isinstance(html, str):
                try:
                    text = (self.content / page.body_from).read_text(encoding="utf-8")
                    html = str(markdown_html(shown_body(body_of(text))))
                except (OSError, UnicodeDecodeError, EntryError) as exc:
                    return None, (f"content/{page.body_from}", f"body not readable: {exc}")
                self.fresh[key] = html
            context["body"] = Markup(html)
        try:
            return self.templates.render(page.kind, context).encode("utf-8"), None
        except jinja2.TemplateError as exc:
            where = Path(getattr(exc, "filename", None) or page.kind).name
            line = getattr(exc, "lineno", None)
            return None, (
                f"templates/{where}" + (f":{line}" if line else ""),
                f"{type(exc).__name__}: {getattr(exc, 'message', None) or exc}",
            )


# a page's bytes (None: not made), its problem, the bytes' sha256 and search key (hashed
# where the page was rendered, so a pool's workers share it), and the bodies it made
Rendered = tuple["bytes | None", "tuple[str, str] | None", bytes, "str | None", dict]
T = TypeVar("T")
_RENDERER: PageRenderer | None = None
_POOL_BELOW = 300  # fewer pages than this render in-process
_BATCH = 32  # pages per task sent to a worker
_IN_FLIGHT = 4  # batches per worker queued at once: enough to keep workers busy, no more


def _install(paths: Paths, config: Config) -> None:
    global _RENDERER
    _RENDERER = PageRenderer(paths, config)


def _render_batch(pages: list[Page]) -> list[Rendered]:
    assert _RENDERER is not None
    return [_made(_RENDERER, page) for page in pages]


def _made(renderer: PageRenderer, page: Page) -> Rendered:
    data, problem = renderer.render(page)
    fresh, renderer.fresh = renderer.fresh, {}
    if data is None:
        return None, problem, b"", None, fresh
    return data, problem, hashlib.sha256(data).digest(), search_key(page.path, data), fresh


def _batches(items: Iterator[T], size: int) -> Iterator[list[T]]:
    while batch := list(islice(items, size)):
        yield batch


class SiteWriter:
    """Renders and writes pages whose inputs changed; removes pages no longer made."""

    def __init__(
        self, paths: Paths, config: Config, log: Log, jobs: int = 1, executor: str = "process"
    ) -> None:
        self.paths, self.config, self.log, self.jobs, self.executor = (
            paths,
            config,
            log,
            jobs,
            executor,
        )
        self.renderer = PageRenderer(paths, config)
        self.state = State.open(paths.cache)
        manifest = self.state.fact(MANIFEST) or {}
        self.outputs_store = self.state.table("outputs")
        self.entries_store = self.state.table("entry_state")
        self.old = self.outputs_store.load()
        self.old_inputs = manifest.get("inputs")
        self.old_state = dict(manifest.get("state") or {}, entries=self.entries_store.load())
        self.new: dict[str, dict] = {}
        self.report = RenderReport()
        self.failed = False
        self.guard = Guard(paths.site)
        self.refused: set[str] = set()
        self.journal = Journal(paths.cache / JOURNAL)
        self.writes = Writes()
        self.recovering = self._recover()
        # every output the last build recorded was on disk when this build began (the stat
        # check's finding); a page may then be carried over without looking
        self.outputs_intact = False

    def _recover(self) -> bool:
        """A build killed while writing left notes of the outputs it was writing: they are
        the tool's own files, but the manifest does not know what they now hold. Each is
        rendered again (or removed, if no page makes it any more), its temp file is removed,
        and nothing is taken on trust from the manifest this time."""
        notes, pids = self.journal.left()
        if not notes:
            return False
        self.old = dict(self.old)  # never change the loaded dict in place (Table.save)
        for rel in filter(None, map(contained, notes)):
            for pid in pids:
                temp_name(self.paths.site / rel, pid).unlink(missing_ok=True)
            self.old[rel] = {"fp": b"", "sha": b""}
        self.old_inputs = None
        return True

    @functools.cached_property
    def templates_digest(self) -> str:
        """Every template and static file, with the config and the code: a change re-renders."""
        digest = hashlib.sha256(self._global.encode())
        for rel, path in self.paths.theme_files().items():
            try:
                data = path.read_bytes()
            except OSError as exc:  # rendering (or copying) names the file in its warning
                data = f"unreadable: {exc.strerror}".encode()
            digest.update(rel.encode("utf-8", "surrogateescape") + b"\0" + data)
        return digest.hexdigest()

    def current(self, inputs: str) -> bool:
        """True when the last build had the same inputs and all its outputs are still there."""
        site = str(self.paths.site) + os.sep
        return inputs == self.old_inputs and all(os.path.exists(site + rel) for rel in self.old)

    def complete(self) -> bool:
        """True when every page was made (none failed, so the next build need not retry)."""
        outputs = self.new or self.old
        return (
            not self.failed and bool(outputs) and not any(o.get("failed") for o in outputs.values())
        )

    def search_pages(self) -> dict[str, str]:
        """{entry page: hash of its indexed part}, for the search index."""
        return pages_in_manifest(self.new or self.old)

    def outputs(self) -> list[str]:
        """Every file this site/ holds by the manifest, sorted."""
        return sorted(self.new or self.old)

    def changed_inputs(self, model: SiteModel, registry: dict) -> set[str] | None:
        """Which inputs differ from the last build: entry paths and @-sets; None = everything."""
        old, new = self.old_state, model.state
        if old.get("global") != self._global:
            return None
        old_entries, new_entries = old.get("entries", {}), new["entries"]
        changed = {
            p
            for p in old_entries.keys() | new_entries.keys()
            if old_entries.get(p) != new_entries.get(p)
        }
        if changed:
            changed.add(ALL)
        if old.get("weeks") != new["weeks"]:
            changed.add(WEEKS)
        old_people = old.get("people", {})
        if any(old_people.get(name, slug) != slug for name, slug in new["people"].items()):
            changed.add(PEOPLE)
        before = old.get("registry")
        if not isinstance(before, dict):
            return None
        changed.update(
            REGISTRY + name
            for name in before.keys() | registry.keys()
            if before.get(name) != registry.get(name)
        )
        return changed

    @functools.cached_property
    def _global(self) -> str:
        """The code and the settings: what every page depends on."""
        return hashlib.sha256(
            json.dumps([code_digest(), asdict(self.config)], sort_keys=True).encode()
        ).hexdigest()

    def same_templates_and_registry(self, registry: dict) -> bool:
        """Code, settings, every template and the registry as the last build had them."""
        old = self.old_state
        return (
            old.get("global") == self._global
            and old.get("registry") == registry
            and old.get("templates") == self.templates_digest
        )

    def write(
        self,
        model: SiteModel,
        inputs: str = "",
        registry: dict | None = None,
        partial: bool = False,
    ) -> RenderReport:
        """`partial`: the model holds only some pages (see site.entry_pages_only); every other
        output is carried over as it is."""
        registry = registry or {}
        changed = None if partial else self.changed_inputs(model, registry)
        if partial:
            self.new = dict(self.old)
        problems: dict[tuple[str, str], list[str]] = {}
        selection = self._selection(changed) if model.select is not None else None
        pages = model.select(selection) if selection is not None else model.pages  # type: ignore[misc]
        rendered = self._render_stream(self._wanted(pages, changed))
        bodies = self.state.table("bodies", code_digest())
        for (page, fp), (data, problem, sha, key, fresh) in self.log.progress(
            rendered, model.count, "site"
        ):
            for body_key, html in fresh.items():
                bodies.put(body_key, html)
            if problem:
                problems.setdefault(problem, []).append(page.path)
            if data is None:
                if page.path in self.old:  # keep the last good output; try again next build
                    self.new[page.path] = dict(self.old[page.path], failed=True)
                continue
            reason = "new" if page.path not in self.old else "inputs changed"
            self._emit(page.path, data, fp, reason, sha, key)
            if page.path in self.new:
                self.new[page.path].update(deps=sorted(page.deps), tpl=self._template_digest(page))
        for rel in selection.skipped if selection is not None else ():
            self.new[rel] = self.old[rel]  # nothing it shows changed (see site.Selection)
            self.report.unchanged += 1
        self.failed = self.failed or bool(problems)
        for (file, message), pages in problems.items():  # one warning per problem, not per page
            count = f"{len(pages)} pages" if len(pages) > 1 else "1 page"
            self.log.warn(file, f"{message}; {count} kept as last built (e.g. site/{pages[0]})")
        if not partial:
            self._static()
        with self.log.stage("write"):
            self.writes.drain()  # every page on disk before the state says it is
            if partial:
                state = dict(
                    self.old_state, entries={**self.old_state["entries"], **model.state["entries"]}
                )
            else:
                self._remove_stale()
                state = dict(
                    model.state,
                    registry=registry,
                    templates=self.templates_digest,
                    **{"global": self._global},
                )
            self._save_manifest(None if problems else inputs, state)
        return self.report

    def _save_manifest(self, inputs: str | None, state: dict) -> None:
        """The table of what made each output, in one transaction: only changed rows are
        written, so recording one re-rendered page does not rewrite 10,000. The journal is
        cleared after the commit: a build killed before it leaves the old state and the
        notes of what it wrote. `inputs` is None after a failed page: the next build tries
        again."""
        self.outputs_store.save(self.new)
        self.entries_store.save(state["entries"])
        rest = {k: v for k, v in state.items() if k != "entries"}
        self.state.set_fact(MANIFEST, {"inputs": inputs, "state": rest})
        self.state.commit()
        self.journal.clear()  # the manifest now knows every output this build wrote

    def _selection(self, changed: set[str] | None) -> Selection | None:
        """Which entry pages the model need make, when a change reaches only some: not when
        everything changed, the people's slugs, a template, or an output of the last build
        is missing (the stat check found one gone: every page is then looked at)."""
        if (
            changed is None
            or PEOPLE in changed
            or not self.outputs_intact
            or self.old_state.get("templates") != self.templates_digest
        ):
            return None
        must = {
            rel
            for rel, out in self.old.items()
            if rel.startswith("entries/")
            and (out.get("failed") or not changed.isdisjoint(out.get("deps", ())))
        }
        return Selection(changed, must, self.old)

    def _untouched(self, page: Page, changed: set[str]) -> bool:
        """Carry a page over without even fingerprinting it: nothing it shows changed."""
        old = self.old.get(page.path)
        if old is None or old.get("failed") or old.get("tpl") != self._template_digest(page):
            return False
        if not page.deps.isdisjoint(changed) or not changed.isdisjoint(old.get("deps", ())):
            return False
        if not os.path.exists(os.path.join(self.paths.site, page.path)):
            return False
        self.new[page.path] = old
        self.report.unchanged += 1
        return True

    def _template_digest(self, page: Page) -> str:
        return self.renderer.templates.digest(page.kind) if page.kind.endswith(".html") else ""

    def _fingerprint(self, page: Page) -> bytes | None:
        """The page's fingerprint if it must be rendered; None when its output is current."""
        fp = _fingerprint(page, self._template_digest(page), self._global)
        old = self.old.get(page.path)
        if (
            old
            and old["fp"] == fp
            and not old.get("failed")
            and (self.paths.site / page.path).exists()
        ):
            self.new[page.path] = dict(old, deps=sorted(page.deps), tpl=self._template_digest(page))
            self.report.unchanged += 1
            return None
        return fp

    def _wanted(
        self, pages: Iterator[Page], changed: set[str] | None
    ) -> Iterator[tuple[Page, bytes]]:
        """The pages that must be rendered, with their fingerprints, as the model makes them."""
        while True:
            with self.log.stage("site model"):
                page = next(pages, None)
            if page is None:
                return
            with self.log.stage("render"):
                if changed is not None and self._untouched(page, changed):
                    continue
            with self.log.stage("site model"):
                page = page.filled()
            with self.log.stage("render"):
                fp = self._fingerprint(page)
            if fp is not None:
                yield page, fp

    def _render_stream(
        self, todo: Iterator[tuple[Page, bytes]]
    ) -> Iterator[tuple[tuple[Page, bytes], Rendered]]:
        """Render in this process, or over the executor once there are enough pages to pay
        for it; either way at most a few batches are in flight, so memory holds those
        pages and their bytes, not the whole site."""
        first = list(islice(todo, _POOL_BELOW))
        if self.jobs <= 1 or len(first) < _POOL_BELOW:
            for item in chain(first, todo):
                with self.log.stage("render"):
                    result = _made(self.renderer, item[0])
                yield item, result
            return
        # here: a one-page edit never starts (or imports) a pool
        from .executors import open_executor

        with open_executor(
            self.executor,
            self.jobs,
            _install,
            (self.paths, self.config),
        ) as pool:
            pending: deque = deque()
            for batch in _batches(chain(first, todo), _BATCH):
                pending.append((batch, pool.submit(_render_batch, [page for page, _ in batch])))
                if len(pending) >= _IN_FLIGHT * self.jobs:
                    yield from self._collect(*pending.popleft())
            while pending:
                yield from self._collect(*pending.popleft())

    def _collect(
        self, batch: list[tuple[Page, bytes]], future
    ) -> Iterator[tuple[tuple[Page, bytes], Rendered]]:
        with self.log.stage("render"):
            results = future.result()
        yield from zip(batch, results)

    def _emit(
        self,
        rel: str,
        data: bytes,
        fp: bytes,
        reason: str,
        sha: bytes | None = None,
        key: str | None = None,
    ) -> None:
        sha = sha or hashlib.sha256(data).digest()
        old = self.old.get(rel)
        target = self.paths.site / rel
        if not self.guard.allows(target):
            self._refuse(rel)
            return
        self.new[rel] = {"fp": fp, "sha": sha}
        if key is not None:
            self.new[rel]["search"] = key
        if old and old.get("sha") == sha and target.exists():
            self.report.unchanged += 1
            return
        with self.log.stage("write"):
            self.journal.note(rel)
            self.writes.write(target, data)
        self.report.written.append(rel)
        self.log.info(f"wrote site/{rel} ({reason})")

    def _refuse(self, rel: str) -> None:
        """An output whose folder is a symbolic link out of site/: not written through it."""
        self.failed = True
        parts = rel.split("/")
        link = next(
            (
                "/".join(parts[:i])
                for i in range(1, len(parts))
                if (self.paths.site / "/".join(parts[:i])).is_symlink()
            ),
            rel,
        )
        if link not in self.refused:
            self.refused.add(link)
            self.log.warn(
                f"site/{link}", "a symbolic link out of site/; nothing is written through it"
            )

    def _static(self) -> None:
        for rel, src in self.paths.theme_files().items():
            if not rel.startswith("static/"):
                continue
            try:
                data = src.read_bytes()
            except OSError as exc:
                self.log.warn(
                    f"templates/{rel}",
                    f"cannot be read ({exc.strerror}); site/{rel} kept as it was",
                )
                if rel in self.old:
                    self.new[rel] = self.old[rel]
                self.failed = True
                continue
            fp = hashlib.sha256(data).digest()
            if self.old.get(rel, {}).get("fp") == fp and (self.paths.site / rel).exists():
                self.new[rel] = self.old[rel]
                self.report.unchanged += 1
                continue
            self._emit(rel, data, fp, "static file changed")

    def _remove_stale(self) -> None:
        for rel in sorted(set(self.old) - set(self.new)):
            if not contained(rel) or not self.guard.allows(self.paths.site / rel):
                continue
            remove(self.paths.site / rel, self.paths.site)
            self.report.removed.append(rel)
            self.log.info(f"removed site/{rel} (its source is gone)")


def _sitemap(urls: list[str], base: str) -> bytes:
    """The sitemap, laid out as ElementTree's indent would (the same bytes), built as text:
    ElementTree took a third of a second for 11,000 URLs, on every build that adds a page."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    ]
    for rel in urls:
        lines.append(f"  <url>\n    <loc>{xml_escape(base + public_path(rel))}</loc>\n  </url>")
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def clean_outputs(paths: Paths, log: Log) -> None:
    """--clean: remove what this tool made for this site (every output the manifest and a
    killed build's journal name, the search index) and the caches; nothing else. A file
    someone put in site/ by hand stays."""
    from .search import own_folders

    cache = paths.cache
    owned = set(Journal(cache / JOURNAL).left()[0])
    if cache.is_dir():
        owned |= set(State.open(cache).table("outputs").load())
    State.forget_all()
    owned = {rel for rel in owned if contained(rel)}
    guard = Guard(paths.site)
    for rel in sorted(owned):
        target = paths.site / rel
        if guard.allows(target):
            remove(target, paths.site)
    for folder in own_folders(paths.site):
        if folder.is_symlink():
            folder.unlink()
        elif folder.is_dir():
            shutil.rmtree(folder, ignore_errors=True)
    shutil.rmtree(cache, ignore_errors=True)
    left = sum(1 for p in paths.site.rglob("*") if p.is_file()) if paths.site.is_dir() else 0
    if left:
        log.info(f"--clean: {left} file(s) in site/ were not made by this tool and are kept")

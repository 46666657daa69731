"""Site model -> site/: Jinja2 pages, feeds, sitemap, static files; only changed bytes written.

Each output's fingerprint (its data, its template and every template that one extends or
includes, the config) is kept in a manifest beside site/. An output whose fingerprint is
unchanged is not rendered at all; a rendered output whose bytes are unchanged is not written;
an output no longer produced is removed. This is the explicit table of what made each page.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
import xml.etree.ElementTree as ET
from dataclasses import asdict, dataclass, field
from pathlib import Path

import jinja2
import jinja2.meta
from markdown_it import MarkdownIt
from markupsafe import Markup

from . import code_digest
from .config import Config, Paths
from .entries import EntryError, parse
from .feeds import render_feed
from .log import Log
from .site import Page, SiteModel
from .store import read_json, remove, write_atomic, write_json

MANIFEST = "manifest.json"
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

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(folder)), autoescape=True,
            undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
            keep_trailing_newline=True)
        self._digests: dict[str, str] = {}

    def digest(self, name: str) -> str:
        if name not in self._digests:
            self._digests[name] = ""  # guards against a template cycle
            source, _, _ = self.env.loader.get_source(self.env, name)  # type: ignore[union-attr]
            refs = sorted(r for r in jinja2.meta.find_referenced_templates(self.env.parse(source)) if r)
            blob = source + "".join(self.digest(r) for r in refs)
            self._digests[name] = hashlib.sha256(blob.encode()).hexdigest()
        return self._digests[name]

    def render(self, name: str, context: dict) -> str:
        return self.env.get_template(name).render(context)


def _root(path: str) -> str:
    """The relative prefix from a page back to the site root ('' at the top)."""
    depth = path.count("/")
    return "../" * depth


def _fingerprint(page: Page, template_digest: str, config: Config) -> str:
    blob = json.dumps([code_digest(), page.kind, template_digest, asdict(config), page.data, page.body_sha],
                      sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


class SiteWriter:
    """Renders and writes pages whose inputs changed; removes pages no longer made."""

    def __init__(self, paths: Paths, config: Config, log: Log) -> None:
        self.paths, self.config, self.log = paths, config, log
        self.templates = Templates(paths.templates)
        self.old = read_json(paths.cache / MANIFEST, {}).get("outputs", {})
        self.new: dict[str, dict] = {}
        self.report = RenderReport()

    def write(self, model: SiteModel) -> RenderReport:
        for page in model.pages:
            self._page(page)
        self._static()
        with self.log.stage("write"):
            self._remove_stale()
            write_json(self.paths.cache / MANIFEST, {"outputs": self.new})
        return self.report

    def _page(self, page: Page) -> None:
        template = page.kind if page.kind.endswith(".html") else ""
        fp = _fingerprint(page, self.templates.digest(template) if template else "", self.config)
        old = self.old.get(page.path)
        target = self.paths.site / page.path
        if old and old["fp"] == fp and target.exists():
            self.new[page.path] = old
            self.report.unchanged += 1
            return
        with self.log.stage("render"):
            data = self._render(page)
        if data is None:
            if old:  # keep the last good output of a page that failed to render
                self.new[page.path] = old
            return
        reason = "new" if not old else "inputs changed"
        self._emit(page.path, data, fp, reason)

    def _render(self, page: Page) -> bytes | None:
        if page.kind == "feed":
            return render_feed(page.data, self.config)
        if page.kind == "sitemap":
            return _sitemap(page.data["urls"], self.config.base_url)
        context = dict(page.data, site=asdict(self.config), root=_root(page.path), page_path=page.path,
                       feed_url=_root(page.path) + "feed.xml")
        if page.body_from is not None:
            context["body"] = self._body(page.body_from)
            if context["body"] is None:
                return None
        try:
            return self.templates.render(page.kind, context).encode("utf-8")
        except jinja2.TemplateError as exc:
            where = getattr(exc, "filename", None) or page.kind
            line = getattr(exc, "lineno", None)
            self.log.warn(f"templates/{Path(where).name}" + (f":{line}" if line else ""),
                          f"{type(exc).__name__}: {exc.message if hasattr(exc, 'message') else exc}; "
                          f"{page.path} not updated")
            return None

    def _body(self, rel: str) -> Markup | None:
        try:
            parsed = parse((self.paths.content / rel).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, EntryError) as exc:
            self.log.warn(f"content/{rel}", f"body not readable: {exc}")
            return None
        return markdown_html(parsed.body)

    def _emit(self, rel: str, data: bytes, fp: str, reason: str) -> None:
        sha = hashlib.sha256(data).hexdigest()
        old = self.old.get(rel)
        target = self.paths.site / rel
        self.new[rel] = {"fp": fp, "sha": sha}
        if old and old.get("sha") == sha and target.exists():
            self.report.unchanged += 1
            return
        with self.log.stage("write"):
            write_atomic(target, data)
        self.report.written.append(rel)
        self.log.info(f"wrote site/{rel} ({reason})")

    def _static(self) -> None:
        folder = self.paths.templates / "static"
        if not folder.is_dir():
            return
        for src in sorted(p for p in folder.rglob("*") if p.is_file()):
            rel = "static/" + src.relative_to(folder).as_posix()
            data = src.read_bytes()
            fp = hashlib.sha256(data).hexdigest()
            if self.old.get(rel, {}).get("fp") == fp and (self.paths.site / rel).exists():
                self.new[rel] = self.old[rel]
                self.report.unchanged += 1
                continue
            self._emit(rel, data, fp, "static file changed")

    def _remove_stale(self) -> None:
        for rel in sorted(set(self.old) - set(self.new)):
            remove(self.paths.site / rel, self.paths.site)
            self.report.removed.append(rel)
            self.log.info(f"removed site/{rel} (its source is gone)")


def _sitemap(urls: list[str], base: str) -> bytes:
    ns = "http://www.sitemaps.org/schemas/sitemap/0.9"
    root = ET.Element("urlset", xmlns=ns)
    for rel in urls:
        loc = posixpath.dirname(rel) + "/" if rel.endswith("index.html") else rel
        ET.SubElement(ET.SubElement(root, "url"), "loc").text = base + loc.lstrip("/")
    ET.indent(root)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8") + b"\n"

"""The command line (contract 1). Exit 0 built, 1 with --strict after warnings, 2 usage/config."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .config import ConfigError, Paths, default_jobs, load_config
from .log import Log
from .pipeline import BuildOptions, build


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="build.py", description="Build the news digest: seeds/ -> content/ -> site/.")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--watch", action="store_true", help="build, then rebuild on every change")
    mode.add_argument("--serve", action="store_true", help="--watch plus a live-reloading preview server")
    p.add_argument("--clean", action="store_true", help="drop site/ and caches, then a full build")
    for name in ("seeds", "content", "site", "templates"):
        p.add_argument(f"--{name}", metavar="DIR", type=Path, help=f"the {name} folder (default: ./{name})")
    p.add_argument("--base-url", metavar="URL", help="absolute base for links in feeds and the sitemap")
    p.add_argument("--jobs", metavar="N", type=int, help="parallel workers (default: number of cores)")
    p.add_argument("--executor", default="process", metavar="KIND",
                   help="process | dask-local | dask://HOST:PORT (default: process)")
    p.add_argument("--port", type=int, default=8000, help="preview port for --serve (default: 8000)")
    p.add_argument("--poll", action="store_true", help="poll for changes (bind mounts, WSL, NFS)")
    p.add_argument("--strict", action="store_true", help="exit 1 if anything was skipped or warned")
    p.add_argument("--report", metavar="FILE", type=Path,
                   help="write the build's summary (counts, per-stage seconds, peak memory) as JSON")
    talk = p.add_mutually_exclusive_group()
    talk.add_argument("--quiet", action="store_true", help="only warnings")
    talk.add_argument("--verbose", action="store_true", help="say what was rebuilt and why")
    return p


def _paths(args: argparse.Namespace, root: Path) -> Paths:
    pick = lambda name: (getattr(args, name) or root / name).resolve()  # noqa: E731
    return Paths(root=root.resolve(), seeds=pick("seeds"), content=pick("content"), site=pick("site"),
                 templates=pick("templates"))


def _usage_error(message: str) -> int:
    print(f"build.py: error: {message}", file=sys.stderr)
    return 2


def _write_report(path: Path, summary) -> None:
    import dataclasses
    import json
    import resource

    data = dataclasses.asdict(summary)
    data["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    data["peak_rss_workers_mib"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    path.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.jobs is not None and args.jobs < 1:
        return _usage_error("--jobs must be at least 1")
    if args.executor not in ("process", "dask-local") and not args.executor.startswith("dask://"):
        return _usage_error(f"--executor must be process, dask-local or dask://HOST:PORT, not {args.executor!r}")
    if args.watch or args.serve:
        return _usage_error(f"--{'watch' if args.watch else 'serve'} is not built yet; run a plain build")
    paths = _paths(args, Path.cwd())
    try:
        config = load_config(paths.pyproject, {"base_url": args.base_url})
    except ConfigError as exc:
        return _usage_error(str(exc))
    if not paths.templates.is_dir():
        return _usage_error(f"templates folder not found: {paths.templates}")
    if args.executor != "process":
        try:
            import distributed  # noqa: F401
        except ImportError:
            return _usage_error("--executor dask needs the dask extra: pip install 'newsdigest[dask]'")
    log = Log(quiet=args.quiet, verbose=args.verbose)
    options = BuildOptions(jobs=args.jobs or default_jobs(), executor=args.executor, clean=args.clean)
    summary = build(paths, config, options, log)
    log.say(summary.line())
    if args.report:
        _write_report(args.report, summary)
    return 1 if args.strict and log.warnings else 0

"""The command line (contract 1). Exit 0 built, 1 with --strict after warnings, 2 usage/config."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from pathlib import Path

from . import __version__
from .config import ConfigError, Paths, default_jobs, load_config
from .log import Log
from .model import BuildOptions
from .pipeline import build
from .store import BuildLock, Busy

SUBCOMMANDS = ("build", "watch", "serve", "init")
_FOLDER_HELP = {
    "seeds": "the raw pages (default: ./seeds)",
    "content": "the entries, one Markdown file per article (default: ./content)",
    "site": "the built site (default: ./site)",
    "templates": "templates that override the packaged theme file by file (default: ./templates)",
}


def _prog() -> str:
    """The name errors are signed with: the command as the user typed it."""
    name = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else ""
    return "build.py" if name == "build.py" else "newsdigest"


def parser(prog: str = "build.py", modes: bool = True) -> argparse.ArgumentParser:
    """The build's flags. `modes`: the --watch / --serve flags of `build.py` (the
    subcommands `newsdigest watch|serve` say the same with a word)."""
    p = argparse.ArgumentParser(
        prog=prog,
        description="Build the news digest: seeds/ -> content/ -> site/.",
        epilog=(
            "subcommands: newsdigest build | watch | serve | init DIR (each with --help)"
            if modes
            else None
        ),
    )
    p.add_argument("--version", action="version", version=f"newsdigest {__version__}")
    if modes:
        mode = p.add_mutually_exclusive_group()
        mode.add_argument(
            "--watch", action="store_true", help="build, then rebuild on every change"
        )
        mode.add_argument(
            "--serve", action="store_true", help="--watch plus a live-reloading preview server"
        )
    p.add_argument(
        "--clean",
        action="store_true",
        help="drop what the tool made in site/ and its caches, then a full build",
    )
    p.add_argument(
        "--prune",
        action="store_true",
        help="retire entries whose seeds are gone even when that is more than half of them",
    )
    for name in ("seeds", "content", "site", "templates"):
        p.add_argument(
            f"--{name}", metavar="DIR", type=Path, help=_FOLDER_HELP[name]
        )
    p.add_argument(
        "--base-url", metavar="URL", help="absolute base for links in feeds and the sitemap"
    )
    p.add_argument(
        "--jobs", metavar="N", type=int, help="parallel workers (default: number of cores)"
    )
    p.add_argument(
        "--executor",
        default="process",
        metavar="KIND",
        help="process | dask-local | dask://HOST:PORT (default: process)",
    )
    p.add_argument(
        "--port", type=_port, default=8000, help="preview port for --serve (default: 8000)"
    )
    p.add_argument("--poll", action="store_true", help="poll for changes (bind mounts, WSL, NFS)")
    p.add_argument("--strict", action="store_true", help="exit 1 if anything was skipped or warned")
    p.add_argument(
        "--report",
        metavar="FILE",
        type=Path,
        help="write the build's summary (counts, per-stage seconds, peak memory) as JSON",
    )
    talk = p.add_mutually_exclusive_group()
    talk.add_argument("--quiet", action="store_true", help="only warnings")
    talk.add_argument("--verbose", action="store_true", help="say what was rebuilt and why")
    return p


def _port(text: str) -> int:
    """A TCP port (0 lets the system pick one); anything else is a usage error."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"a port is 0 to 65535, not {port}")
    return port


def _paths(args: argparse.Namespace, root: Path) -> Paths:
    pick = lambda name: (getattr(args, name) or root / name).resolve()  # noqa: E731
    return Paths(
        root=root.resolve(),
        seeds=pick("seeds"),
        content=pick("content"),
        site=pick("site"),
        templates=pick("templates"),
    )


def _usage_error(message: str) -> int:
    print(f"{_prog()}: error: {message}", file=sys.stderr)
    return 2


def _failed(message: str) -> int:
    """A build that could not run or finish through no fault of its inputs: exit 1."""
    print(f"{_prog()}: error: {message}", file=sys.stderr)
    return 1


def _disk_problem(exc: OSError) -> str:
    where = f" {exc.filename}" if exc.filename else ""
    return (
        f"cannot write{where}: {exc.strerror or exc}; every file already there is whole (old or "
        f"new), "
        "and the next build finishes the job"
    )


def _write_report(path: Path, summary) -> None:
    import dataclasses
    import json
    import resource

    data = dataclasses.asdict(summary)
    data["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    data["peak_rss_workers_mib"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    path.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def _watch(args: argparse.Namespace, paths: Paths, config, options: BuildOptions) -> int:
    """--watch / --serve: rebuild on every change until Ctrl-C (exit 0)."""
    from dataclasses import replace

    from .search import SearchIndexer
    from .serve import BuildState, PreviewServer
    from .unchanged import Monitor
    from .watch import Watcher, describe

    state, server = BuildState(), None
    if args.serve:
        try:
            from urllib.parse import urlsplit

            base_path = urlsplit(config.base_url).path or "/"
            server = PreviewServer(paths.site, args.port, state, base_path)
        except OSError as exc:
            return _usage_error(
                f"cannot serve on 127.0.0.1:{args.port} ({exc.strerror or exc}); "
                "is another server running? choose another port with --port N"
            )
    own: dict[str, tuple[int, int]] = {}
    last = {"config": config, "options": replace(options, search="later")}
    indexer = SearchIndexer(paths.site, paths.cache, args.quiet)
    monitor = Monitor()  # the watcher's events tell each rebuild's stat check what to look at

    def stamp(path: Path) -> tuple[int, int] | None:
        try:
            st = path.stat()
        except OSError:
            return None
        return st.st_mtime_ns, st.st_size

    def rebuild(changes) -> None:
        real = [
            c
            for c in changes
            if own.get(c.path) is None or own[c.path] != stamp(paths.root / c.path)
        ]
        if changes and not real:
            return  # only the entries the last build wrote itself
        log = Log(quiet=args.quiet, verbose=args.verbose)
        if real:
            log.say(f"changed: {describe(real)}")
        try:
            last["config"] = load_config(paths.pyproject, {"base_url": args.base_url})
        except ConfigError as exc:
            log.warn("pyproject.toml", f"{exc}; keeping the last good settings")
        lock = BuildLock(paths.lock)
        try:
            lock.acquire()
        except Busy as exc:
            print(f"{exc}; waiting for it", file=sys.stderr, flush=True)
            lock.acquire(wait=True)
        try:
            summary = build(paths, last["config"], last["options"], log, monitor=monitor)
        finally:
            lock.release()
        # --clean only before the first build
        last["options"] = replace(last["options"], clean=False)
        for rel in summary.entries_written:
            path = paths.content / rel
            key = (
                path.relative_to(paths.root).as_posix() if paths.root in path.parents else str(path)
            )
            own[key] = stamp(path)  # type: ignore[assignment]
        log.say(summary.line())
        state.finished([str(w) for w in log.warnings])  # the browser reloads now ...
        if summary.search_pages is not None:
            # ... and search catches up in the background
            indexer.request(summary.search_pages, last["config"].search_shard_pages)

    # Ctrl-C stops the watcher even when whatever started it ignored SIGINT (a background
    # job of a shell script, a test runner): Python then installs no handler of its own,
    # and the watcher would run on for ever
    signal.signal(signal.SIGINT, signal.default_int_handler)
    # the first new page would otherwise wait a second for the cleaners and models to load
    threading.Thread(target=_warm_up, name="warm-up", daemon=True).start()
    watcher = Watcher(
        paths,
        rebuild,
        poll=args.poll,
        say=lambda line: print(line, file=sys.stderr, flush=True),
        note=monitor.changed,
    )
    if server is not None:
        server.start()
        print(f"serving {paths.site} on {server.url} (Ctrl-C to stop)", file=sys.stderr, flush=True)
    elif not args.quiet:
        print(
            f"watching {paths.seeds}, {paths.content}, {paths.templates} (Ctrl-C to stop)",
            file=sys.stderr,
            flush=True,
        )
    try:
        watcher.run()
    except KeyboardInterrupt:
        pass
    finally:
        indexer.stop()
        if server is not None:
            server.stop()
    if indexer.busy.is_set():
        # Pagefind runs at low priority, and the interpreter would wait for it at exit: on
        # a busy machine, for longer than anyone waits for Ctrl-C. The index drops its
        # record before it changes, so the next build redoes a run cut short, and
        # Pagefind dies with this process.
        print("search index update stopped; the next build finishes it", file=sys.stderr)
        sys.stderr.flush()
        sys.stdout.flush()
        os._exit(0)
    return 0


def _warm_up() -> None:
    """Import the cleaners and load the trained models in a resident process (--watch,
    --serve), off the build's path: a page dropped into seeds/ then costs its own cleaning."""
    try:
        from .clean import lines
        from .namefinder import lexicon, tagger

        lines.tagger()
        tagger()
        lexicon()
        import trafilatura  # noqa: F401

        from .stories import signatures

        signatures("", "")  # datasketch and its scipy import: a second, once
    except Exception:  # noqa: BLE001 - a warm-up that fails only means a slower first page
        pass


def _init(argv: list[str]) -> int:
    """`newsdigest init DIR`: a new site with the sample pages, ready to build."""
    from .scaffold import InitError, init_site

    p = argparse.ArgumentParser(
        prog=f"{_prog()} init", description="Make a new site in DIR (new or empty)."
    )
    p.add_argument("dir", metavar="DIR", type=Path, help="the new site's folder")
    p.add_argument(
        "--samples",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="put the five sample pages in seeds/ (default: yes)",
    )
    args = p.parse_args(argv)
    try:
        written = init_site(args.dir, args.samples)
    except (InitError, OSError) as exc:
        return _usage_error(str(exc))
    print(
        f"made a new site in {args.dir} ({len(written)} files); next: "
        f"cd {args.dir} && newsdigest build && newsdigest serve",
        file=sys.stderr,
    )
    return 0


def _arguments(argv: list[str]) -> argparse.Namespace:
    """`build.py [--watch|--serve] FLAGS`, or `newsdigest build|watch|serve FLAGS`."""
    if argv and argv[0] in SUBCOMMANDS:
        command, rest = argv[0], argv[1:]
        args = parser(f"{_prog()} {command}", modes=False).parse_args(rest)
        args.watch, args.serve = command == "watch", command == "serve"
        return args
    return parser(_prog()).parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and argv[0] == "init":
        return _init(argv[1:])
    args = _arguments(argv)
    if args.jobs is not None and args.jobs < 1:
        return _usage_error("--jobs must be at least 1")
    if args.executor not in ("process", "dask-local") and not args.executor.startswith("dask://"):
        return _usage_error(
            f"--executor must be process, dask-local or dask://HOST:PORT, not {args.executor!r}"
        )
    paths = _paths(args, Path.cwd())
    problem = paths.problem(
        frozenset(n for n in ("seeds", "content", "site", "templates") if getattr(args, n))
    )
    if problem:
        return _usage_error(problem)
    try:
        config = load_config(paths.pyproject, {"base_url": args.base_url})
    except ConfigError as exc:
        return _usage_error(str(exc))
    if args.executor != "process":
        try:
            import distributed  # noqa: F401
        except ImportError:
            return _usage_error(
                "--executor dask needs the dask extra: pip install 'newsdigest[dask]'"
            )
    options = BuildOptions(
        jobs=args.jobs or default_jobs(), executor=args.executor, clean=args.clean, prune=args.prune
    )
    if args.watch or args.serve:
        return _watch(args, paths, config, options)
    log = Log(quiet=args.quiet, verbose=args.verbose)
    try:
        with BuildLock(paths.lock):
            summary = build(paths, config, options, log)
    except Busy as exc:
        return _failed(str(exc))
    except OSError as exc:  # a read-only or full disk: each file is whole, old or new
        return _failed(_disk_problem(exc))
    log.say(summary.line())
    if args.report:
        _write_report(args.report, summary)
    return 1 if args.strict and log.warnings else 0

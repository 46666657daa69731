"""The one atomic writer and the small JSON state files (ledger, manifest, caches).

Every file the tool writes goes through `write_atomic`: a temp file in the same folder,
fsync'd, then renamed over the target, so a reader (a browser, a crash) never sees half a file.
"""

from __future__ import annotations

import json
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any


def write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def remove(path: Path, stop_at: Path) -> None:
    """Delete a file and any folders it leaves empty, up to (not including) `stop_at`."""
    path.unlink(missing_ok=True)
    folder = path.parent
    while folder != stop_at and stop_at in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            break
        folder = folder.parent


def read_json(path: Path, default: Any) -> Any:
    """A state file, or `default` when it is missing or unreadable (caches can be rebuilt)."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return default


def dump_json(value: Any) -> bytes:
    """Stable, diff-friendly JSON: sorted keys, one item per line."""
    return (json.dumps(value, sort_keys=True, indent=1, ensure_ascii=False) + "\n").encode("utf-8")


def write_json(path: Path, value: Any) -> None:
    data = dump_json(value)
    try:
        if path.read_bytes() == data:
            return
    except OSError:
        pass
    write_atomic(path, data)


def read_pickle(path: Path) -> Any | None:
    """A cached stage result; None if absent or unreadable (the cache is only a shortcut)."""
    try:
        with path.open("rb") as handle:
            return pickle.load(handle)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
        return None


def write_pickle(path: Path, value: Any) -> None:
    write_atomic(path, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))

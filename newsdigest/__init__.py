"""newsdigest: raw scraped news pages in, a clean weekly digest site out."""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

__version__ = "0.1.0"
# the package's code, models and packaged theme: a theme change is a new version of the tool
_CODE = (".py", ".yaml", ".crfsuite", ".gz", ".html", ".css", ".js", ".svg")


@functools.lru_cache(maxsize=1)
def code_digest() -> str:
    """Hash of this package's own code and data: part of every cache key and page fingerprint,
    so a new version of the tool never serves results made by an old one."""
    digest = hashlib.sha256(__version__.encode())
    root = Path(__file__).parent
    for path in sorted(root.rglob("*")):
        if path.suffix in _CODE and "__pycache__" not in path.parts:
            digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]

"""Which entries hold one article, and which report one event.

Both decisions compare an entry's *profile*: what its front matter says (title, date, people,
seed, story) and two MinHash signatures (datasketch) of its article text, so a comparison
costs a few microseconds and a profile a few hundred bytes, whatever the article's length.

- **Same article** (a re-scrape with other furniture, the page saved as HTML and as text):
  the article's word 3-shingles overlap almost entirely. Cleaning leaves a little furniture
  now and then, so the test is a Jaccard estimate over a threshold, not byte equality.
- **Same event** (several outlets' reports of one meeting): different words, but the same
  people, the same few days, and more of the same content words (places, topics) than two
  events of the same people share. Two reports more than `EVENT_DAYS` apart never share a
  story, so a meeting of the same two people weeks later is another story.

A profile is a pure function of an entry file's bytes (or of the Entry that becomes them),
so a build with no build state decides exactly as an incremental one. The thresholds are
measured on a labelled pair set (`python bench/stories.py`; docs/stories.md).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import zlib
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from .textutil import fold

if TYPE_CHECKING:
    import numpy as np

# numpy is used here for elementwise sums and minima, never for linear algebra: its BLAS
# needs no thread pool of its own (a pool per process, then forked into the build's
# workers, only costs CPU and start-up). Set before numpy is first imported.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

NUM_PERM = 128
SAME_ARTICLE = 0.50  # 3-shingle Jaccard at or above which two texts are one article
EVENT_PEOPLE = 0.40  # people Jaccard at or above which two reports name the same meeting's
EVENT_TEXT = 0.08  # ... and content-word Jaccard at or above which they tell of one event
EVENT_TEXT_ALONE = 0.30  # content-word Jaccard for two reports that name nobody
EVENT_DAYS = 3  # reports of one event are at most this many days apart
_WORD = re.compile(r"\w+")
_MIN_WORD = 4  # content words: at least this long and not a stop word


@dataclass(frozen=True)
class Profile:
    """What the two decisions need of one entry."""

    title: str
    date: dt.date
    people: frozenset[str]  # folded surnames: spellings of one name agree
    seed: str | None
    story: str | None
    shingles: bytes  # MinHash of the article's word 3-shingles (uint32 per permutation)
    words: bytes  # MinHash of the title's and article's content words


def article_text(body: str) -> str:
    """The article part of an entry body (after its "## Article" heading); the whole body
    when a hand-written entry has no such heading."""
    head, sep, rest = body.partition("## Article\n")
    return rest if sep else head


Signatures = tuple[bytes, bytes]  # (shingles, words): the costly part, made in a pool worker


def signatures(title: str, body: str) -> Signatures:
    """The two MinHash signatures of an entry's title and Markdown body. Each word is
    hashed once (crc32); a 3-shingle's hash is mixed from its words' hashes in numpy, so
    no shingle is ever spelled out as a string."""
    import numpy as np

    tokens = _WORD.findall(article_text(body).lower())
    hashed = np.fromiter(map(zlib.crc32, map(str.encode, tokens)), np.uint64, len(tokens))
    if len(hashed) >= 3:
        hashed = (hashed[:-2] * _MIX_A) ^ (hashed[1:-1] * _MIX_B) ^ hashed[2:]
    words = {t for t in set(_WORD.findall(title.lower())).union(tokens) if _content(t)}
    return _signature(np.unique(hashed & _LOW32)), _signature(
        np.fromiter(map(zlib.crc32, map(str.encode, sorted(words))), np.uint64, len(words))
    )


def profile(meta: dict, body: str, made: Signatures | None = None) -> Profile:
    """The profile of an entry from its front matter (as loaded) and Markdown body; `made`:
    its signatures, when a worker made them already."""
    title = str(meta.get("title") or "")
    shingles, words = made or signatures(title, body)
    day = meta.get("date")
    seed, story = meta.get("seed"), meta.get("story")
    return Profile(
        title,
        day if isinstance(day, dt.date) else dt.date(1970, 1, 1),
        frozenset(_surname(p) for p in meta.get("people") or () if isinstance(p, str)),
        seed if isinstance(seed, str) else None,
        str(story) if story not in (None, "") else None,
        shingles,
        words,
    )


def _content(token: str) -> bool:
    return len(token) >= _MIN_WORD and not token.isdigit() and token not in _stop_words()


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    import justext  # its English stop list: the same one the line model's features use

    return frozenset(w.lower() for w in justext.get_stoplist("English"))


def _surname(name: str) -> str:
    parts = fold(name).split()
    return parts[-1] if parts else ""


_MIX_A, _MIX_B, _LOW32 = 0x9E3779B1, 0x85EBCA77, 0xFFFFFFFF  # odd constants: shingle order counts


@lru_cache(maxsize=1)
def _permutations() -> object:
    """The MinHash permutations, drawn once: datasketch draws them again for every sketch
    otherwise, which was most of a signature's cost."""
    from datasketch import MinHash

    return MinHash(num_perm=NUM_PERM, seed=1, scheme="affine32").permutations


def _signature(hashed: np.ndarray) -> bytes:
    """The MinHash of a set of 32-bit hashes (datasketch, its affine32 scheme)."""
    import numpy as np
    from datasketch import MinHash

    sketch = MinHash(
        num_perm=NUM_PERM, hashfunc=int, permutations=_permutations(), scheme="affine32"
    )
    sketch.update_batch(hashed.tolist() or [0])
    return sketch.hashvalues.astype(np.uint32).tobytes()


def jaccard(a: bytes, b: bytes) -> float:
    """The Jaccard estimate of two signatures: the share of permutations whose minimum agrees."""
    import numpy as np

    x, y = np.frombuffer(a, dtype=np.uint32), np.frombuffer(b, dtype=np.uint32)
    return float(np.count_nonzero(x == y)) / NUM_PERM


def same_article(a: Profile, b: Profile) -> bool:
    return jaccard(a.shingles, b.shingles) >= SAME_ARTICLE


def shared_people(a: Profile, b: Profile) -> float:
    """The Jaccard index of the two reports' people (surnames): a meeting's reports name
    its participants, and a few other officials each."""
    union = len(a.people | b.people)
    return len(a.people & b.people) / union if union else 0.0


def same_event(a: Profile, b: Profile) -> bool:
    """Within EVENT_DAYS, mostly the same people, and some of the same content words (the
    place, the topic); two reports that name nobody need many more of the same words."""
    if abs((a.date - b.date).days) > EVENT_DAYS:
        return False
    if not a.people and not b.people:
        return jaccard(a.words, b.words) >= EVENT_TEXT_ALONE
    return shared_people(a, b) >= EVENT_PEOPLE and jaccard(a.words, b.words) >= EVENT_TEXT


def neighbour_weeks(day: dt.date) -> tuple[str, ...]:
    """The ISO weeks an entry within EVENT_DAYS of `day` can sit in (its own first)."""
    from .model import iso_week

    days = (day, day - dt.timedelta(days=EVENT_DAYS), day + dt.timedelta(days=EVENT_DAYS))
    return tuple(dict.fromkeys(iso_week(d) for d in days))

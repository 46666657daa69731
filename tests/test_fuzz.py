"""Fuzzed seeds never crash a build and never cost a readable article: random bytes, real
pages mutated (control characters, odd file names, CRLF, BOMs, huge lines, deep HTML,
truncations, splices), links in, out and in loops, built in batches through the real CLI.
bench/fuzz.py runs the same generator over 10,000 seeds."""

from __future__ import annotations

import random
import sys

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import REPO, make_project

sys.path.insert(0, str(REPO / "bench"))
import fuzz  # noqa: E402

PAGES = fuzz.base_pages()
EXTRA = fuzz.corpus_pages(limit=80)


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(0, 2**32 - 1), size=st.integers(1, 14))
def test_a_batch_of_fuzzed_seeds_builds_and_keeps_every_readable_article(
    tmp_path_factory, seed, size
):
    rng = random.Random(seed)
    project = make_project(tmp_path_factory.mktemp("fuzz") / "p", seeds=[])
    mutants = [fuzz.mutate(rng, PAGES, EXTRA, i) for i in range(size)]
    fuzz.write_batch(project.seeds, mutants, rng)
    result = project.build()  # in-process: any exception fails the test with its traceback
    assert result.code == 0, result.err
    assert "Traceback" not in result.err
    assert fuzz.lost_articles(mutants, project.content) == []
    again = project.build("--strict")  # the second build agrees, and only warns what it warned
    assert again.code in (0, 1)
    assert "0 entries made" in again.err

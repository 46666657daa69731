"""A killed build costs nothing: SIGKILL at moments spread over a cold build, a rebuild, a
rebuild whose change is then undone, and a `--watch` rebuild; the next ordinary build must
hold exactly what a clean build of the same inputs makes (bench/kill.py runs many more)."""

from __future__ import annotations

import sys

import pytest

from .conftest import REPO

sys.path.insert(0, str(REPO / "bench"))
from kill import Trials  # noqa: E402


@pytest.fixture(scope="module")
def trials(tmp_path_factory):
    return Trials(tmp_path_factory.mktemp("kill"), 40, 1)


@pytest.mark.parametrize(
    "kind,fraction",
    [
        ("cold", 0.35),
        ("cold", 0.8),
        ("rebuild", 0.5),
        ("revert", 0.3),
        ("revert", 0.6),
        ("watch", 0.4),
    ],
)
def test_a_build_killed_at_any_moment_is_followed_by_a_build_equal_to_a_clean_one(
    trials, kind, fraction
):
    index = hash((kind, fraction)) & 0xFFFF
    trials.run(kind, fraction, index)  # raises when the project differs from the clean build

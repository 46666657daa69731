"""A rebuild after any sequence of changes equals a clean build of the same inputs, byte for
byte (entries, ledger and pages; the same search results). Hypothesis draws the sequences:
seeds added, edited and deleted; entries edited (body, title, people) and deleted; people.yaml
edits (a role, an alias, a new person, the file removed); template edits. The project is
built after every change, as a maintainer's edits would be; before the last build its
inputs are copied to a fresh folder and built there with no build state at all.

Also here: a build state of another schema or a damaged one is rebuilt with a warning, and
the build then equals a clean one."""

from __future__ import annotations

import shutil
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import FIXTURES, Project, inputs_copy, make_project, same_as_clean

POOL = sorted(p for p in (FIXTURES / "pages").iterdir() if p.suffix in (".txt", ".html"))[
    :12
] + sorted((Path(__file__).resolve().parent.parent / "seeds").glob("*.txt"))

PEOPLE = [
    "- {name: Jens Stoltenberg, role: Prime Minister of Norway}\n",
    "- {name: Rustem Umerov, aliases: [R. Umerov, Rustem Umierov]}\n",
    "- {name: Quentin Quokka, role: Chief of the Island}\n- {name: Mark Rutte, short: [Rutte]}\n",
    None,  # no people.yaml
]


def _op(project: Project, op: tuple) -> None:
    kind, n = op
    seeds = sorted(project.seeds.iterdir())
    entries = project.entries()
    if kind == "add":
        page = POOL[n % len(POOL)]
        shutil.copy(page, project.seeds / f"s{n}-{page.name}")
    elif kind == "edit seed" and seeds:
        path = seeds[n % len(seeds)]
        data = path.read_bytes()
        path.write_bytes(data.replace(b" the ", b" a ", 1) + b"\n")
    elif kind == "delete seed" and seeds:
        seeds[n % len(seeds)].unlink()
    elif kind == "edit body" and entries:
        path = entries[n % len(entries)]
        text = path.read_text(encoding="utf-8")
        path.write_text(text.rstrip("\n") + f"\n\nAn added line {n}.\n", encoding="utf-8")
    elif kind == "edit title" and entries:
        path = entries[n % len(entries)]
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("title: ", f"title: Edited {n} ", 1), encoding="utf-8")
    elif kind == "edit people" and entries:
        path = entries[n % len(entries)]
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("people:\n", "people:\n- Zoe Zebra\n", 1), encoding="utf-8")
    elif kind == "delete entry" and entries:
        entries[n % len(entries)].unlink()
    elif kind == "registry":
        people = PEOPLE[n % len(PEOPLE)]
        if people is None:
            (project.root / "people.yaml").unlink(missing_ok=True)
        else:
            (project.root / "people.yaml").write_text(people, encoding="utf-8")
    elif kind == "template":
        name = ["entry.html", "person.html", "week.html", "base.html"][n % 4]
        path = project.root / "templates" / name
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("</", f"<!-- t{n} --></", 1), encoding="utf-8")


OPS = st.tuples(
    st.sampled_from(
        [
            "add",
            "edit seed",
            "delete seed",
            "edit body",
            "edit title",
            "edit people",
            "delete entry",
            "registry",
            "template",
        ]
    ),
    st.integers(0, 50),
)


@settings(
    max_examples=14,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(OPS, min_size=1, max_size=5))
def test_a_rebuild_after_any_sequence_of_changes_equals_a_clean_build(tmp_path_factory, ops):
    work = tmp_path_factory.mktemp("sequence")
    project = make_project(work / "proj", seeds=POOL[:4])
    assert project.build().code == 0
    for op in ops[:-1]:
        _op(project, op)
        assert project.build().code == 0
    _op(project, ops[-1])
    clean = inputs_copy(project, work / "clean")
    assert project.build().code == 0
    assert clean.build().code == 0
    same_as_clean(project, clean)
    shutil.rmtree(work, ignore_errors=True)


def test_a_damaged_build_state_is_rebuilt_with_a_warning(tmp_path):
    from newsdigest.state import FILE, State

    project = make_project(tmp_path / "proj")
    assert project.build().code == 0
    cache = project.root / ".newsdigest-cache" / "site"
    State.forget_all()  # as a new process would, it opens the file afresh
    for suffix in ("-wal", "-shm"):
        (cache / (FILE + suffix)).unlink(missing_ok=True)
    (cache / FILE).write_bytes(b"this is not a database" * 200)
    entry = project.entries()[0]
    entry.write_text(entry.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    clean = inputs_copy(project, tmp_path / "clean")
    result = project.build()
    assert result.code == 0
    assert f".newsdigest-cache/site/{FILE}: the build state" in result.err
    assert "rebuilt" in result.err
    assert clean.build().code == 0
    same_as_clean(project, clean)


def test_a_build_state_of_another_schema_is_not_trusted(tmp_path):
    import sqlite3

    from newsdigest.state import FILE, State

    project = make_project(tmp_path / "proj")
    assert project.build().code == 0
    State.forget_all()
    cache = project.root / ".newsdigest-cache" / "site"
    db = sqlite3.connect(cache / FILE)
    db.execute("pragma user_version = 1")
    db.close()
    result = project.build("--strict")
    assert result.code == 1 and "of another schema" in result.err
    again = project.build("--strict")
    assert again.code == 0, again.err

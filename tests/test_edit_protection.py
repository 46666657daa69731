"""Entries are source once written: hand edits are never overwritten or deleted."""

from __future__ import annotations

from newsdigest.entries import parse

from .conftest import FIXTURES

SEED = "000_3a43c9c14ebcedef.txt"


def _entry(project):
    return next(
        p for p in project.entries() if parse(p.read_text(encoding="utf-8")).meta["seed"] == SEED
    )


def _change_seed(project):
    path = project.seeds / SEED
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "The two also discussed reform efforts in Ukraine",
            "The two ministers also discussed reform efforts in Ukraine",
        ),
        encoding="utf-8",
    )


def test_edited_entry_survives_a_changed_seed_and_the_build_says_so(project):
    assert project.build().code == 0
    entry = _entry(project)
    edited = entry.read_text(encoding="utf-8").replace(
        "title: Umerov meets Stoltenberg in Brussels",
        "title: 'Umerov meets Stoltenberg: a hand-fixed title'",
    )
    entry.write_text(edited, encoding="utf-8")
    _change_seed(project)
    result = project.build()
    assert result.code == 0
    assert entry.read_text(encoding="utf-8") == edited
    assert (
        f"content/{entry.parent.name}/{entry.name}" in result.err and "edited by hand" in result.err
    )
    page = (project.site / "entries" / entry.stem / "index.html").read_text(encoding="utf-8")
    assert "Umerov meets Stoltenberg: a hand-fixed title" in page


def test_unedited_entry_follows_its_seed(project):
    assert project.build().code == 0
    _change_seed(project)
    assert project.build().code == 0
    assert "The two ministers also discussed reform efforts" in _entry(project).read_text(
        encoding="utf-8"
    )


def test_edited_entry_is_kept_when_its_seed_is_removed(project):
    assert project.build().code == 0
    entry = _entry(project)
    entry.write_text(
        entry.read_text(encoding="utf-8") + "\nA note added by the editor.\n", encoding="utf-8"
    )
    (project.seeds / SEED).unlink()
    result = project.build()
    assert entry.exists() and "A note added by the editor." in entry.read_text(encoding="utf-8")
    assert "kept because it was edited by hand" in result.err
    assert (project.site / "entries" / entry.stem / "index.html").exists()


def test_hand_fixed_person_spelling_is_canonicalised_on_the_site(project):
    assert project.build().code == 0
    entry = _entry(project)
    entry.write_text(
        entry.read_text(encoding="utf-8").replace(
            "people: [Rustem Umerov, Jens Stoltenberg, Dmytro Kuleba]",
            "people: [Rustem Umerov, Stoltenberg, Dmytro Kouleba]",
        ),
        encoding="utf-8",
    )
    assert project.build().code == 0
    assert not (project.site / "people" / "dmytro-kouleba").exists()
    assert "Umerov meets" in (project.site / "people" / "dmytro-kuleba" / "feed.xml").read_text()


def test_site_people_yaml_override_reaches_every_entry(project):
    assert project.build().code == 0
    (project.root / "people.yaml").write_text(
        "- {name: Jens Stoltenberg, role: Norwegian Minister of Finance, aliases: [Stoltenburg]}\n",
        encoding="utf-8",
    )
    assert project.build().code == 0
    page = (project.site / "people" / "jens-stoltenberg" / "index.html").read_text(encoding="utf-8")
    assert "Norwegian Minister of Finance" in page


def test_slug_collisions_get_distinct_deterministic_slugs_and_a_warning(project):
    # another article under seed 000's headline: the same slug, and not a re-scrape of it
    other = (FIXTURES / "stories" / "e07-wire.txt").read_bytes()
    (project.seeds / "zz_copy_of_000.txt").write_bytes(
        other.replace(
            b"EU's Kallas promises Moldova extra security aid, help against election meddling",
            b"Umerov meets Stoltenberg in Brussels",
        )
    )
    result = project.build()
    assert result.code == 0
    stems = sorted(
        p.stem
        for p in project.entries()
        if p.stem.startswith("umerov-meets-stoltenberg-in-brussels")
    )
    assert len(stems) == 2 and stems[0] == "umerov-meets-stoltenberg-in-brussels"
    assert "seeds/zz_copy_of_000.txt" in result.err and "slug" in result.err
    again = project.root.parent / "again"
    import shutil

    from .conftest import Project

    shutil.copytree(
        project.root, again, ignore=shutil.ignore_patterns("site", "content", ".newsdigest-cache")
    )
    assert Project(again).build().code == 0
    assert sorted(p.stem for p in Project(again).entries() if p.stem.startswith("umerov")) == stems

"""Contract 1: flags, exit codes, and warnings that name the file."""

from __future__ import annotations

from .conftest import make_project


def test_garbage_seed_one_warning_rest_builds_and_strict_exits_1(tmp_path):
    project = make_project(tmp_path / "p")
    (project.seeds / "broken.txt").write_bytes(bytes(range(256)) * 20)
    (project.seeds / "empty.txt").write_bytes(b"")
    (project.seeds / "menus.txt").write_text(
        "Home\nNews\nSport\nWeather\nAbout us\nContact\n", encoding="utf-8"
    )
    result = project.run()
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert len(lines) == 3
    for name in ["seeds/broken.txt", "seeds/empty.txt", "seeds/menus.txt"]:
        assert sum(name in line for line in lines) == 1
    assert len(project.entries()) == 5
    strict = project.run("--strict")
    assert strict.returncode == 1
    assert sum("seeds/broken.txt" in line for line in strict.stderr.splitlines()) == 1


def test_clean_build_with_strict_exits_0(tmp_path):
    project = make_project(tmp_path / "p")
    result = project.run("--strict", "--quiet")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


def test_usage_errors_exit_2_with_one_clear_line(tmp_path):
    project = make_project(tmp_path / "p")
    assert project.run("--no-such-flag").returncode == 2
    bad_jobs = project.run("--jobs", "0")
    assert bad_jobs.returncode == 2 and "--jobs" in bad_jobs.stderr
    bad_url = project.run("--base-url", "ftp://x")
    assert (
        bad_url.returncode == 2
        and "base URL" in bad_url.stderr
        and len(bad_url.stderr.strip().splitlines()) == 1
    )
    (project.root / "pyproject.toml").write_text("[tool.newsdigest]\nfeed_items = 'many'\n")
    bad_config = project.run()
    assert bad_config.returncode == 2 and "feed_items" in bad_config.stderr
    assert not (project.root / "site").exists()


def test_folders_flags_are_honoured(tmp_path):
    project = make_project(tmp_path / "p")
    (project.root / "seeds").rename(project.root / "raw")
    result = project.run("--seeds", "raw", "--content", "entries", "--site", "public", "--quiet")
    assert result.returncode == 0, result.stderr
    assert len(list((project.root / "entries").rglob("*.md"))) == 5
    assert (project.root / "public" / "index.html").exists()


def test_bad_entry_yaml_is_one_warning_and_the_file_is_untouched(tmp_path):
    project = make_project(tmp_path / "p")
    assert project.build().code == 0
    entry = project.entries()[0]
    broken = "---\ntitle: [unclosed\n---\nbody\n"
    entry.write_text(broken, encoding="utf-8")
    result = project.build()
    assert result.code == 0
    assert entry.read_text(encoding="utf-8") == broken
    assert f"content/{entry.parent.name}/{entry.name}" in result.err
    assert not (project.site / "entries" / entry.stem).exists()
    assert project.build("--strict").code == 1


def test_template_syntax_error_is_one_warning_naming_it_and_the_rest_builds(tmp_path):
    project = make_project(tmp_path / "p")
    template = project.root / "templates" / "person.html"
    template.write_text(template.read_text().replace("{% endblock %}", "{% endblok %}", 1))
    result = project.run()
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert (
        len(warnings) == 1 and "templates/person.html" in warnings[0] and "9 pages" in warnings[0]
    )
    assert (project.site / "index.html").exists()
    assert not (project.site / "people" / "mark-rutte" / "index.html").exists()
    assert project.run("--strict").returncode == 1

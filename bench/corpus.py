"""A deterministic synthetic corpus of raw news pages for the benchmark.

Realistic mix: text dumps in three outlet shapes (a Kyiv Independent-like page with teaser
and news feed, an agency page, a wire page without blank lines) and saved HTML (with JSON-LD,
and with only meta tags), about one in five HTML. Each page has menus, related blocks full
of famous names, in-body promos, 2-4 people from the registry plus an unknown official,
dates over several years.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import random
from importlib import resources
from pathlib import Path

import yaml

GENERATOR_VERSION = 4
CITIES = [
    "Brussels",
    "Kyiv",
    "Warsaw",
    "Berlin",
    "Paris",
    "London",
    "Vilnius",
    "Riga",
    "Tallinn",
    "Helsinki",
    "Washington",
    "Rome",
    "Madrid",
    "Prague",
    "Bucharest",
    "Ankara",
    "Oslo",
    "Stockholm",
    "The Hague",
    "Vienna",
]
TOPICS = [
    "air defence deliveries",
    "sanctions against Russia",
    "energy security",
    "the reconstruction of Ukraine",
    "joint production of drones",
    "grain exports",
    "security guarantees",
    "EU accession talks",
    "artillery ammunition",
    "frozen Russian assets",
    "demining",
    "a peace formula",
    "training of pilots",
    "the protection of critical infrastructure",
    "cyber defence",
    "humanitarian aid",
]
UNKNOWN = [
    "Olena Kovalchuk",
    "Marek Nowicki",
    "Ingrid Solberg",
    "Tomas Berzins",
    "Agnieszka Wrona",
    "Pieter de Vries",
    "Lucia Romano",
    "Henrik Dahl",
    "Andrea Kovacs",
    "Mykola Petrenko",
]
ROLES = ["deputy minister", "spokesperson", "adviser", "ambassador", "mayor"]


def _registry_names() -> list[str]:
    data = yaml.safe_load(
        (resources.files("newsdigest") / "data" / "people.yaml").read_text(encoding="utf-8")
    )
    return [p["name"] for p in data if "short" not in p or p["short"]]


def _paragraphs(
    rng: random.Random, people: list[str], city: str, topic: str, day: dt.date
) -> list[str]:
    a, b = people[0], people[1]
    sa, sb = a.split()[-1], b.split()[-1]
    unknown = rng.choice(UNKNOWN)
    role = rng.choice(ROLES)
    n1, n2, n3 = rng.randint(2, 90), rng.randint(3, 40), rng.randint(100, 9000)
    paras = [
        f"{a} met with {b} in {city} on {day:%B} {day.day} to discuss {topic}, officials said "
        f"after the talks.",
        f"The two sides also reviewed the situation on the front line, where {n1} attacks were "
        f"reported over the past "
        f"day, and the next steps on {rng.choice(TOPICS)}.",
        f'"We agreed on {n2} concrete steps, and we will keep working on {rng.choice(TOPICS)} '
        f'until the job is done," '
        f"{sa} said at a joint press conference.",
        f"{sb} said that allies had to move faster, adding that {rng.choice(TOPICS)} and "
        f"{rng.choice(TOPICS)} "
        f"remained priorities for the next {n2} months.",
        f"The meeting was also attended by {role} {unknown}, who presented a plan worth {n3} "
        f"million euros on "
        f"{rng.choice(TOPICS)}.",
    ]
    for extra in people[2:]:
        paras.append(
            f"Earlier in the week, {extra} spoke by phone with {sa} about {rng.choice(TOPICS)} "
            f"for {rng.randint(10, 90)} minutes."
        )
    paras.append(
        f"{sa} is expected to travel to {rng.choice(CITIES)} on "
        f"{rng.choice(['Monday', 'Tuesday', 'Friday'])} "
        f"for {rng.randint(2, 9)} days of further consultations."
    )
    return paras


def _text_kyiv(
    rng: random.Random, title: str, day: dt.date, paras: list[str], famous: list[str]
) -> str:
    body = "\n\n".join(
        paras[:3] + ["Read also: " + f"{famous[0]} says talks will continue"] + paras[3:]
    )
    return (
        f"News Feed\nWar\nPolitics\nBusiness\nNewsletters\n\n{title}\n\nby Staff Reporter and The "
        f"Kyiv Independent news desk "
        f"{day:%B} {day.day}, {day.year} 7:00 PM 2 min read\n{paras[0][:60]}, {day:%b}. "
        f"{day.day}, {day.year}. (Press Service)\n\n"
        f"{body}\n\n{famous[1]} says new offensive is coming\nKey developments on {day:%b}. "
        f"{day.day}: * {famous[2]} meets allies…\n"
        f"The Kyiv IndependentSome Author\nAuthors: Staff Reporter, The Kyiv Independent news "
        f"desk\n"
        f"Support independent journalism in Ukraine. Join us in this fight.\nNews Feed\n6:48 AM\n"
        f"{famous[3]} announces new measures on energy.\n© {day.year} The Kyiv Independent\n"
    )


def _text_agency(
    rng: random.Random, title: str, day: dt.date, paras: list[str], famous: list[str]
) -> str:
    body = "\n\n".join(paras[:2] + ["Advertisement"] + paras[2:])
    return (
        f"Ukrinform\nUkrainian\nEnglish\nPolitics\nWar\nWorld\n\n{title}\n\n{day:%d.%m.%Y} "
        f"19:47\nUkrinform\n"
        f"Photo: Office of the President\n{body}\n\nRead also\n{famous[0]} visits front "
        f"line\nMost read\n"
        f"{famous[1]} and {famous[2]} discuss peace plan\n© 2015-{day.year} Ukrinform. All rights "
        f"reserved.\n"
    )


def _text_wire(
    rng: random.Random, title: str, day: dt.date, paras: list[str], famous: list[str]
) -> str:
    lines = [
        "World",
        "Business",
        "Markets",
        title,
        "By Jane Roe and John Doe",
        f"{day:%B} {day.day}, {day.year} 4:12 PM GMT+2",
    ]
    lines += [f"{rng.choice(CITIES).upper()}, {day:%b} {day.day} (Reuters) - " + paras[0]] + paras[
        1:
    ]
    lines += [
        "Reporting by Jane Roe; Editing by John Doe",
        "Read Next",
        f"{famous[0]} says war will end soon",
        f"© {day.year} Reuters. All rights reserved",
    ]
    return "\n".join(lines) + "\n"


def _html(
    rng: random.Random, title: str, day: dt.date, paras: list[str], famous: list[str], jsonld: bool
) -> str:
    ld = {
        "@type": "NewsArticle",
        "headline": title,
        "datePublished": day.isoformat(),
        "author": {"@type": "Person", "name": "Anna Kowalska"},
        "publisher": {"name": "Kyiv Post"},
    }
    meta = (
        f'<script type="application/ld+json">{json.dumps(ld)}</script>'
        if jsonld
        else '<meta property="og:site_name" content="Euronews">'
        f'<meta property="article:published_time" content="{day.isoformat()}T10:00:00Z">'
        f'<meta property="article:modified_time" '
        f'content="{(day + dt.timedelta(days=3)).isoformat()}T10:00:00Z"><meta name="author" '
        f'content="Anna Kowalska">'
    )
    ps = "".join(
        f"<p>{html.escape(p)}</p>" + ('<div class="ad">Advertisement</div>' if i == 1 else "")
        for i, p in enumerate(paras)
    )
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)} | "
        f"News</title>{meta}</head><body>"
        "<nav><a>Home</a><a>World</a><a>Politics</a></nav>"
        f"<article><h1>{html.escape(title)}</h1>{ps}</article>"
        f"<aside class='related'><h3>Related</h3><a>{famous[0]} says talks "
        f"stalled</a><a>{famous[1]} visits Kyiv</a></aside>"
        f"<footer>© {day.year}</footer></body></html>"
    )


def page(i: int, names: list[str]) -> tuple[str, str]:
    """The i-th page: (file name, text). Same i, same page, on every machine."""
    rng = random.Random(i * 7919 + GENERATOR_VERSION)
    people = rng.sample(names, rng.randint(2, 4))
    famous = rng.sample(names, 4)
    day = dt.date(2019, 1, 1) + dt.timedelta(days=rng.randrange(7 * 365))
    city, topic = rng.choice(CITIES), rng.choice(TOPICS)
    title = f"{people[0].split()[-1]} and {people[1].split()[-1]} discuss {topic} in {city} ({i})"
    paras = _paragraphs(rng, people, city, topic, day)
    kind = rng.random()
    if kind < 0.1:
        return f"{i:06d}.html", _html(rng, title, day, paras, famous, jsonld=True)
    if kind < 0.2:
        return f"{i:06d}.html", _html(rng, title, day, paras, famous, jsonld=False)
    if kind < 0.5:
        return f"{i:06d}.txt", _text_kyiv(rng, title, day, paras, famous)
    if kind < 0.75:
        return f"{i:06d}.txt", _text_agency(rng, title, day, paras, famous)
    return f"{i:06d}.txt", _text_wire(rng, title, day, paras, famous)


def generate(folder: Path, n: int) -> None:
    """Write pages 0..n-1 into `folder` (reusing a previous run's files when complete)."""
    stamp = folder / ".generated"
    if stamp.exists() and stamp.read_text() == f"{GENERATOR_VERSION}:{n}":
        return
    folder.mkdir(parents=True, exist_ok=True)
    names = _registry_names()
    for i in range(n):
        name, text = page(i, names)
        (folder / name).write_text(text, encoding="utf-8")
    stamp.write_text(f"{GENERATOR_VERSION}:{n}")

"""People: registry aliases, typos without merging, surname-only, unknown names by cue."""

from __future__ import annotations

from importlib import resources

import yaml

from newsdigest.people import Registry, find_mentions, rank

REGISTRY = Registry.from_data(
    yaml.safe_load(
        (resources.files("newsdigest") / "data" / "people.yaml").read_text(encoding="utf-8")
    )
)


def people(*units: str, exclude=()) -> tuple[str, ...]:
    return rank(find_mentions(list(units), REGISTRY, exclude))


def test_registry_is_large_and_names_are_unique():
    names = [p.name for p in REGISTRY.people]
    assert len(names) >= 100 and len(names) == len(set(names))


def test_spellings_fold_to_one_canonical_name():
    for spelling in [
        "Zelensky",
        "Zelenskyy",
        "Zelenskyi",
        "Zelenskiy",
        "Volodymyr Zelenskyy",
        "Володимир Зеленський",
    ]:
        assert people(f"The speech by {spelling} was long.") == ("Volodymyr Zelensky",), spelling


def test_typo_resolves_only_to_someone_the_article_names():
    assert people("Jens Stoltenberg arrived.", "Stoltenburg said the talks went well.") == (
        "Jens Stoltenberg",
    )
    assert people("Stoltenburg visited a farm.") == ()  # no context, not close enough: not guessed


def test_different_people_are_never_merged():
    found = people("Boris Johnson met Boris Pistorius and Mike Johnson.")
    assert set(found) == {"Boris Johnson", "Boris Pistorius", "Mike Johnson"}


def test_role_and_surname_resolve_to_the_full_name():
    assert people("Prime Minister Tusk spoke in Warsaw.") == ("Donald Tusk",)
    assert people("Chancellor Scholz and President Macron met.") == (
        "Olaf Scholz",
        "Emmanuel Macron",
    )


def test_unknown_people_detected_by_cues_and_kept_as_written():
    assert people(
        "Earlier, Kuleba met with Armin Papperger, CEO of Rheinmetall.", "Papperger agreed."
    ) == ("Dmytro Kuleba", "Armin Papperger")
    assert people("Mayor Ihor Polishchuk said the city was ready.") == ("Ihor Polishchuk",)
    assert people("The Washington Summit and the Ukraine Compact were discussed in New York.") == ()


def test_authors_are_not_people():
    assert people("Elsa Court said Kuleba agreed.", exclude=("Elsa Court",)) == ("Dmytro Kuleba",)


def test_prominence_title_first_then_first_mention():
    assert people("Umerov meets Stoltenberg", "Dmytro Kuleba was there. Rustem Umerov spoke.") == (
        "Rustem Umerov",
        "Jens Stoltenberg",
        "Dmytro Kuleba",
    )


def test_site_override_replaces_an_entry():
    reg = Registry.from_data(
        yaml.safe_load((resources.files("newsdigest") / "data" / "people.yaml").read_text()),
        [{"name": "Jens Stoltenberg", "role": "Finance Minister of Norway"}],
    )
    assert reg.role("Jens Stoltenberg") == "Finance Minister of Norway"
    assert reg.canonical("stoltenberg") == "Jens Stoltenberg"


def test_bylines_keep_names_that_look_like_job_titles():
    from newsdigest.clean.furniture import is_caption, split_names

    assert split_names("By Anna Writer") == ("Anna Writer",)
    assert split_names("Pippa Crerar Political editor") == ("Pippa Crerar",)
    assert not is_caption("Kuleba and Blinken discuss air defence in Brussels (38)")
    assert is_caption("Kuleba and Blinken in Brussels. (Dursun Aydemir/Anadolu via Getty Images)")


# The trained tagger (newsdigest/namefinder.py), on the error classes real news showed.


def test_people_the_registry_lacks_are_found_without_a_cue_word():
    assert people("Ancelotti picked Jude Bellingham for the final.") == ("Jude Bellingham",)


def test_places_organisations_and_titles_are_not_people():
    found = people(
        "When Federal Reserve Chairman Alan Greenspan spoke in Hong Kong, "
        "California Attorney General Dan Lungren listened in Bucharest."
    )
    assert found == ("Alan Greenspan", "Dan Lungren")


def test_a_sentence_opening_word_is_not_glued_to_a_name():
    assert people(
        "Top-seeded Pete Sampras beat Goran Ivanisevic.", "Both Sampras and Ivanisevic were tired."
    ) == ("Pete Sampras", "Goran Ivanisevic")


def test_a_name_holding_a_title_word_is_kept():
    assert people("Former prime minister John Major met the delegation.") == ("John Major",)


def test_a_surname_goes_to_the_full_name_the_article_gives_not_the_registrys():
    # Magdalena Andersson is in the registry; this article's Andersson is a footballer.
    assert people(
        "Sweden's Daniel Andersson scored twice.", "Andersson said the team was happy."
    ) == ("Daniel Andersson",)
    assert people("Andersson said the government would act.") == ("Magdalena Andersson",)


def test_a_common_surname_alone_is_nobody_in_particular():
    assert people("Smith said the vote would be close.") == ()


def test_names_in_other_scripts_come_from_the_registry_alone():
    assert people("Раніше Зеленський зустрівся з генсеком НАТО Марком Рютте.") == (
        "Volodymyr Zelensky",
        "Mark Rutte",
    )

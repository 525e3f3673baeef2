"""The story-weaving pack: the built-in one loads; a broken one says where and what."""

from __future__ import annotations

import pytest

from relworkbook.config import Settings
from relworkbook.content import BUILT_IN, ContentError
from relworkbook.story.pack import CHOICES, CONSENTS, PACK_FILE, load_story_pack


@pytest.fixture
def story_pack():
    return load_story_pack()


def story_yaml() -> str:
    return (BUILT_IN / PACK_FILE).read_text(encoding="utf-8")


def custom(tmp_path, text: str) -> Settings:
    (tmp_path / PACK_FILE).write_text(text, encoding="utf-8")
    return Settings(content_dir=tmp_path)


def test_the_five_phases_and_the_out_turn_in_two_parts(story_pack):
    assert [p.name for p in story_pack.phases] == [
        "The Honeymoon", "The False Dawn", "The Downturn", "The Long Winter", "The Out Turn",
    ]
    out_turn = story_pack.phases[-1]
    assert [p.name for p in out_turn.parts] == ["Recuperation", "Renewal"]
    assert all(p.description for p in story_pack.phases)
    assert all(not p.parts for p in story_pack.phases[:-1])


def test_the_five_undercurrents_run_from_to(story_pack):
    assert [u.name for u in story_pack.undercurrents] == [
        "Doubting > Trusting", "Controlling > Enabling", "Competing > Cooperating",
        "Standardised > Personalised", "If it ain't broke > What if?",
    ]
    trusting = story_pack.undercurrent("trusting")
    assert trusting.label("towards") == "Doubting > Trusting"
    assert trusting.label("away") == "Trusting > Doubting"
    assert story_pack.shift_words("trusting", "towards") == "towards Trusting"
    assert story_pack.shift_words("trusting", "away") == "back towards Doubting"
    assert story_pack.shift_words("trusting", None) == "not noticed"


def test_feeling_runs_from_dark_to_light(story_pack):
    feeling = story_pack.feeling
    assert (feeling.min, feeling.max) == (1, 5)
    assert feeling.values == (1, 2, 3, 4, 5)
    assert "dark" in feeling.label(1).lower() and "light" in feeling.label(5).lower()
    assert feeling.label(None) == ""


def test_who_mattered_dark_and_light_consent_and_sources(story_pack):
    assert [t.id for t in story_pack.who] == ["family", "neighbours", "colleagues", "strangers", "services", "online"]
    assert story_pack.tag("online").name == "Online communities"
    assert 16 <= len(story_pack.statements) <= 24
    assert len({s.id for s in story_pack.statements}) == len(story_pack.statements)
    assert [c for c, _ in story_pack.choices] == list(CHOICES)
    assert story_pack.choice_label("not_ours") == "Not our experience"
    assert [c.id for c in story_pack.consent] == list(CONSENTS)
    assert all(c.label and c.help for c in story_pack.consent)
    assert "https://relationshipsproject.org/spirit-of-lockdown/" in story_pack.sources
    assert "https://relationshipsproject.org/covidrelationships/" in story_pack.sources
    assert {"the", "and", "no", "on"} <= story_pack.stop_words
    assert story_pack.words("story_label") and len(story_pack.prompts) >= 3


def test_screen_words_fill_their_blanks(story_pack):
    assert story_pack.screen("add_moment") == "Add this moment"
    assert story_pack.screen("editing", title="Street party") == 'Editing "Street party". Change it above, then save.'
    assert story_pack.screen("hidden_small", k=3) == "hidden (fewer than 3)"
    assert "{count}" not in story_pack.screen("sort_saved", count=4)


def test_loader_is_cached_and_a_custom_pack_replaces_it(tmp_path, story_pack):
    assert load_story_pack() is story_pack
    settings = custom(tmp_path, story_yaml().replace("title: Story Weaving", "title: Gwehyddu Straeon"))
    assert load_story_pack(settings).title == "Gwehyddu Straeon"


def test_a_custom_pack_can_rename_the_phases_and_tags(tmp_path):
    text = story_yaml().replace("name: The Long Winter", "name: Y Gaeaf Hir").replace(
        "  - id: online\n    name: Online communities\n", "  - id: pets\n    name: Pets\n")
    pack = load_story_pack(custom(tmp_path, text))
    assert pack.phases[3].name == "Y Gaeaf Hir"
    assert pack.who[-1].id == "pets"


@pytest.mark.parametrize(
    "change, place, problem",
    [
        (lambda t: t.replace("      - id: renewal\n", "      - id: honeymoon\n"),
         "phases[4].parts[1].id", "used twice"),
        (lambda t: t.replace("    5: Very light\n", ""), "feeling.labels.5", "every point of the scale needs a label"),
        (lambda t: t.replace("    not_ours: Not our experience\n", ""), "dark_and_light.choices.not_ours",
         "is missing"),
        (lambda t: t.replace("workbook: story-weaving", "workbook: heatmap"), "workbook", "must be 'story-weaving'"),
        (lambda t: t.replace("  consent_label: Who may see this moment?\n", ""), "form.consent_label", "is missing"),
        (lambda t: t.replace("  save_sort: Save my sorting\n", ""), "screen.save_sort", "is missing"),
        (lambda t: t.replace('"no", not,', "no, not,"), "stop_words[", "must be text, not yes/no"),
        (lambda t: t.replace("    from: Doubting\n", "    from: 7\n"), "undercurrents[0].from",
         "must be text, not a number"),
        (lambda t: t.replace("      - id: recuperation", "      - id: out turn"), "phases[4].parts[0].id",
         "may use only letters"),
    ],
)
def test_broken_pack_names_file_place_and_problem(tmp_path, change, place, problem):
    text = change(story_yaml())
    assert text != story_yaml()
    with pytest.raises(ContentError) as caught:
        load_story_pack(custom(tmp_path, text))
    assert caught.value.file.endswith(PACK_FILE)
    assert place in caught.value.place
    assert problem in caught.value.problem


def test_a_phase_split_into_one_part_is_refused(tmp_path):
    text = story_yaml()
    start = text.index("      - id: renewal")
    end = text.index("# How a moment felt")
    text = text[:start] + "\n" + text[end:]
    with pytest.raises(ContentError, match=r"phases\[4\]\.parts: needs at least 2 entries"):
        load_story_pack(custom(tmp_path, text))


def test_too_few_statements_to_sort(tmp_path):
    text = story_yaml()
    start = text.index("    - id: old-systems")
    end = text.index("# Who may see a moment.")
    text = text[:start] + "\n" + text[end:]
    with pytest.raises(ContentError, match=r"dark_and_light\.statements: needs at least 4 entries"):
        load_story_pack(custom(tmp_path, text))

"""The persona-mapping pack: the built-in one loads with the sources' names and figures; a broken copy says where."""

from __future__ import annotations

import pytest

from relworkbook.config import Settings
from relworkbook.content import BUILT_IN, ContentError
from relworkbook.persona.pack import ABOUT, CARD_FIELDS, KIT, PACK_FILE, RISKS, load_persona_pack

REVIEW = "https://relationshipsproject.org/covidrelationships/"
FIELD_GUIDE = "https://relationshipsproject.org/active-neighbours"


@pytest.fixture
def persona_pack():
    return load_persona_pack()


def pack_yaml() -> str:
    return (BUILT_IN / PACK_FILE).read_text(encoding="utf-8")


def custom(tmp_path, text: str) -> Settings:
    (tmp_path / PACK_FILE).write_text(text, encoding="utf-8")
    return Settings(content_dir=tmp_path)


def broken(tmp_path, old: str, new: str) -> ContentError:
    text = pack_yaml()
    assert old in text, f"the built-in pack no longer holds {old!r}: update this test"
    with pytest.raises(ContentError) as caught:
        load_persona_pack(custom(tmp_path, text.replace(old, new, 1)))
    return caught.value


def test_the_five_personas_by_their_published_names(persona_pack):
    assert [p.name for p in persona_pack.personas] == [
        "Practical Taskers", "Everyday Carers", "Neighbourly Empathisers", "Community Weavers", "Visionary Disruptors",
    ]
    assert [p.singular for p in persona_pack.personas] == [
        "Practical Tasker", "Everyday Carer", "Neighbourly Empathiser", "Community Weaver", "Visionary Disruptor",
    ]
    assert persona_pack.persona("everyday-carers").with_article == "an Everyday Carer"
    for persona in persona_pack.personas:
        assert persona.summary and all(words for _field, words in persona.card.parts())
        assert [field for field, _ in persona.card.parts()] == list(CARD_FIELDS)
    # The risks the issue names are on the cards.
    assert "burn" in persona_pack.persona("everyday-carers").card.risks.lower()
    assert "dry up" in persona_pack.persona("practical-taskers").card.risks.lower()


def test_statements_fit_three_minutes_on_a_phone(persona_pack):
    items = persona_pack.items
    assert 17 <= len(items) <= 18
    assert len({i.id for i in items}) == len(items)
    for persona in persona_pack.personas:
        assert 3 <= len(persona_pack.items_for(persona.id)) <= 4
    for item in items:
        assert len(item.me) <= 90 and len(item.them) <= 90 and item.me != item.them
        assert " I " in f" {item.me}" or " me" in item.me or " my " in item.me
        assert "they" in item.them.lower() or "them" in item.them.lower() or "their" in item.them.lower()
    item = persona_pack.item("pt-job")
    assert persona_pack.item_text(item, "self") == "I like being given a clear job and getting it done."
    assert persona_pack.item_text(item, "someone") == "They like being given a clear job and getting it done."


def test_one_scale_worded_for_me_and_for_them(persona_pack):
    scale = persona_pack.scale
    assert (scale.min, scale.max, scale.values) == (1, 5, (1, 2, 3, 4, 5))
    assert scale.label(1) == "Not like me at all" and scale.label(5) == "Very like me"
    assert scale.dont_know == "Not sure" and scale.percent(4) == 75.0
    them = persona_pack.scale_for("someone")
    assert them.label(1) == "Not like them at all" and them.label(5) == "Very like them"
    assert them.values == scale.values and them.dont_know == scale.dont_know
    assert persona_pack.scale_for("self") is scale
    assert [a.id for a in persona_pack.about] == list(ABOUT)
    assert persona_pack.about_choice("someone").label == "For someone I support"


def test_checkin_questions_warn_of_drifting_and_burning_out(persona_pack):
    checkin = persona_pack.checkin
    assert 3 <= len(checkin) <= 4
    assert {c.risk for c in checkin} == set(RISKS)
    assert persona_pack.checkin_item("ci-too-much").reverse is False
    assert persona_pack.checkin_item("ci-rest").reverse is True
    assert not {c.id for c in checkin} & {i.id for i in persona_pack.items}


def test_pathways_say_where_they_come_from(persona_pack):
    named = {p.id: p for p in persona_pack.pathways if not p.from_kit}
    assert [p.name for p in named.values()] == [
        "A borough-wide connectors programme", "Emotional wellbeing", "Micro care", "Social justice",
        "A peer support programme",
    ]
    assert all(p.source == REVIEW for p in named.values())
    assert all(p.source == KIT for p in persona_pack.pathways if p.from_kit)
    assert persona_pack.source_words(persona_pack.pathway("micro-care")) == "Named in the review Turning to the Light"
    assert persona_pack.source_words(persona_pack.pathway("ready-tasks")) == "Suggested by this kit"
    for persona in persona_pack.personas:
        assert 2 <= len(persona_pack.pathways_for(persona.id)) <= 3
    assert [p.id for p in persona_pack.pathways_for("everyday-carers")] == [
        "peer-support", "emotional-wellbeing", "micro-care"]
    assert persona_pack.clear_lead == 15


def test_sources_note_and_figures_quote_the_review(persona_pack):
    assert persona_pack.sources == (FIELD_GUIDE, REVIEW)
    assert "own design" in persona_pack.note and "pathways" in persona_pack.note
    texts = [f.text for f in persona_pack.figures]
    assert ["9m" in texts[0], "6.29m" in texts[1], "3.94m" in texts[2]] == [True, True, True]
    assert "three hours a week" in texts[0]
    assert all(f.source == REVIEW for f in persona_pack.figures)
    assert not any("%" in t or "per cent" in t for t in texts), "no percentages derived from the figures"


def test_screen_words_fill_their_blanks(persona_pack):
    assert persona_pack.screen("headline_blend", top="A", second="B") == "A with a streak of B"
    assert persona_pack.screen("hidden_small", k=3) == "hidden (fewer than 3)"
    assert persona_pack.screen("progress", count=4, total=18) == "Answered: 4 of 18"
    # A value is never evaluated as a template: braces in it stay as typed.
    assert persona_pack.screen("plan_added", name="{k}") == "Added to the plan for {k}."
    with pytest.raises(KeyError):
        persona_pack.screen("no_such_key")


def test_loader_is_cached_and_a_custom_pack_replaces_it(tmp_path, persona_pack):
    assert load_persona_pack() is persona_pack
    settings = custom(tmp_path, pack_yaml().replace("Busy people, often new", "Busy folk, often new"))
    mine = load_persona_pack(settings)
    assert mine is not persona_pack and mine.persona("practical-taskers").summary.startswith("Busy folk")
    assert load_persona_pack(settings) is mine


@pytest.mark.parametrize(("old", "new", "place", "problem"), [
    ("name: Practical Taskers", "name: 42", "personas[0].name", "must be text, not a number"),
    ("    persona: everyday-carers\n    me: I have been",
     "    persona: everyday-careers\n    me: I have been", "items[5].persona", "'everyday-careers' is not the id"),
    ("  - id: vd-speak\n", "  - id: vd-picture\n", "items[17].id", "'vd-picture' is used twice"),
    ("    risk: burnout\n    reverse: false", "    risk: boredom\n    reverse: false", "checkin[2].risk",
     "must be one of: drift, burnout"),
    ("    risk: burnout\n    reverse: false", "    risk: burnout\n    reverse: no way", "checkin[2].reverse",
     "must be true or false"),
    ("    source: kit\n  - id: neighbour-pairs", "    source: www.example.org\n  - id: neighbour-pairs",
     "pathways[5].source", "must be a web address starting with https://"),
    ("everyday-carers: [peer-support,", "everyday-carers: [peer-suport,", "persona_pathways.everyday-carers[0]",
     "'peer-suport' is not the id"),
    ("visionary-disruptors: [social-justice, shape-services, connectors]", "visionary-disruptors: [social-justice]",
     "persona_pathways.visionary-disruptors", "needs at least 2 entries"),
    ("hidden_small: hidden (fewer than {k})", "hidden_small: hidden (fewer than {kk})", "screen.hidden_small",
     "uses {kk}, which this text cannot fill in; it can use {k}"),
    ("  plan_empty: No plans written yet.\n", "", "screen.plan_empty", "is missing"),
    ("    4: Mostly like them\n", "", "scale.them_labels.4", "every point of the scale needs a label"),
    ("clear_lead: 15", "clear_lead: 150", "clear_lead", "from 1 to 100"),
    ("      how_to_help: >-\n        Offer breaks", "      how_to_hlep: >-\n        Offer breaks",
     "personas[1].card.how_to_help", "is missing"),
    ("workbook: persona-mapping", "workbook: heatmap", "workbook", "must be 'persona-mapping'"),
])
def test_a_broken_copy_names_file_place_and_problem(tmp_path, old, new, place, problem):
    error = broken(tmp_path, old, new)
    assert error.file.endswith(PACK_FILE) and str(tmp_path) in error.file
    assert error.place == place
    assert problem in error.problem
    assert f"{PACK_FILE}, {place}: " in error.message


def test_a_persona_with_too_few_statements_is_refused(tmp_path):
    text = pack_yaml()
    start = text.index("  - id: ne-listen\n")
    end = text.index("  - id: cw-connect\n")
    with pytest.raises(ContentError) as caught:
        load_persona_pack(custom(tmp_path, text[:start] + text[end:]))
    assert caught.value.place == "items"
    assert "Neighbourly Empathisers has 2 statements; each persona needs 3 or 4" in caught.value.problem


def test_a_file_that_is_not_yaml_says_where(tmp_path):
    with pytest.raises(ContentError) as caught:
        load_persona_pack(custom(tmp_path, pack_yaml().replace("title: Active", "title: [Active", 1)))
    assert caught.value.place.startswith("line ") and "not valid YAML" in caught.value.problem

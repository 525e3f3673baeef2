"""Story weaving's logic: timelines, checking moments, consent, sorting and weaving."""

from __future__ import annotations

import re

import pytest

from relworkbook.errors import FriendlyError
from relworkbook.story.model import (
    MAX_PHASES,
    MAX_STORY_CHARS,
    SharedMoment,
    by_group,
    carry_forward,
    check_moment,
    check_payload,
    check_sort,
    feeling_curve,
    groups,
    outside_timeline,
    pack_timeline_settings,
    parse_custom_timeline,
    pinned,
    shared_moments,
    shift_counts,
    sort_results,
    timeline,
    timeline_from_settings,
    timeline_text,
    timeline_to_settings,
    who_counts,
    without_private,
    word_counts,
)
from relworkbook.story.pack import Phase, load_story_pack

HELLO = "שלום 🌻 hello"


@pytest.fixture
def story_pack():
    return load_story_pack()


@pytest.fixture
def phases(story_pack):
    return timeline(story_pack)


def moment(**fields):
    data = {"phase": "honeymoon", "title": "Clapping on the street", "story": "We all came out at eight.",
            "feeling": 4, "who": ["neighbours"], "shifts": {"trusting": "towards"}, "spirit": "Say hello",
            "consent": "anonymous"}
    data.update(fields)
    return data


def shared(**fields) -> SharedMoment:
    values = {"id": "m", "phase": "honeymoon", "title": "t", "story": "s", "feeling": 3, "who": (), "shifts": (),
              "spirit": "", "name": "", "group": ""}
    values.update(fields)
    return SharedMoment(**values)


# -- timelines --------------------------------------------------------------------


def test_timeline_from_the_pack_whole_and_split(story_pack):
    whole = timeline(story_pack)
    assert [p.name for p in whole] == ["The Honeymoon", "The False Dawn", "The Downturn", "The Long Winter",
                                       "The Out Turn"]
    split = timeline(story_pack, split=True)
    assert [p.name for p in split] == ["The Honeymoon", "The False Dawn", "The Downturn", "The Long Winter",
                                       "Recuperation", "Renewal"]
    assert all(isinstance(p, Phase) and p.description for p in split)
    assert len({p.id for p in split}) == len(split)


def test_custom_timeline_from_typed_lines():
    phases = parse_custom_timeline(
        "Before the flood: ordinary life\n\n- The night of the flood: water everywhere\n"
        "2) Clearing up\n* Back home: months later  \n"
    )
    assert [(p.id, p.name, p.description) for p in phases] == [
        ("before-the-flood", "Before the flood", "ordinary life"),
        ("the-night-of-the-flood", "The night of the flood", "water everywhere"),
        ("clearing-up", "Clearing up", ""),
        ("back-home", "Back home", "months later"),
    ]


def test_custom_timeline_ids_are_unique_and_any_script_works():
    phases = parse_custom_timeline("Flood!\nFlood?\nשבוע ראשון: הכול השתנה\n!!!")
    assert [p.id for p in phases] == ["flood", "flood-2", "שבוע-ראשון", "phase"]
    assert phases[2].description == "הכול השתנה"


def test_custom_timeline_keeps_ids_of_phases_it_already_had(story_pack):
    current = timeline(story_pack)
    edited = parse_custom_timeline(
        "the honeymoon: a new description\nA brand new phase\nThe Long Winter\n"
    )
    assert [p.id for p in edited] == ["the-honeymoon", "a-brand-new-phase", "the-long-winter"]
    kept = parse_custom_timeline("the honeymoon: a new description\nA brand new phase\nThe Long Winter\n", current)
    assert [p.id for p in kept] == ["honeymoon", "a-brand-new-phase", "long-winter"]
    assert parse_custom_timeline(timeline_text(current), current) == current


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "at least one phase"),
        ("   \n\n", "at least one phase"),
        ("Spring\nSummer\n: only a description", "Line 3 has no phase name"),
        ("Spring\nSummer: hot\nspring: again", "'spring' is listed twice (lines 1 and 3)"),
        ("\n".join(f"Phase {n}" for n in range(MAX_PHASES + 1)), f"That is {MAX_PHASES + 1} phases"),
        ("x" * 61 + ": long", "Line 1: The phase name is 61 characters long"),
    ],
)
def test_custom_timeline_refusals(text, message):
    with pytest.raises(FriendlyError, match=re.escape(message)):
        parse_custom_timeline(text)


def test_timeline_settings_round_trip(story_pack):
    assert timeline_from_settings(story_pack, {}) == timeline(story_pack)
    assert timeline_from_settings(story_pack, None) == timeline(story_pack)
    assert timeline_from_settings(story_pack, {"split_out_turn": True}) == timeline(story_pack, split=True)
    own = parse_custom_timeline("Before: calm\nDuring\nAfter: repair")
    settings = {"min_group": 3, **timeline_to_settings(own)}
    assert timeline_from_settings(story_pack, settings) == own
    settings.update(pack_timeline_settings(split=True))
    assert timeline_from_settings(story_pack, settings) == timeline(story_pack, split=True)


@pytest.mark.parametrize("phases", [
    "not a list", [{"id": "a b", "name": "A"}], [{"id": "a", "name": ""}],
    [{"id": "a", "name": "A"}, {"id": "a", "name": "B"}], [{"id": f"p{n}", "name": "P"} for n in range(13)],
])
def test_a_broken_stored_timeline_is_refused_politely(story_pack, phases):
    with pytest.raises(FriendlyError, match="own timeline could not be read"):
        timeline_from_settings(story_pack, {"phases": phases})


# -- checking a moment -----------------------------------------------------------------


def test_a_good_moment_is_cleaned(story_pack, phases):
    clean = check_moment(story_pack, phases, moment(who=["online", "family", "online"], extra="dropped",
                                                    shifts={"what-if": "away", "trusting": "towards",
                                                            "enabling": None}))
    assert len(clean["id"]) == 32 and int(clean["id"], 16) >= 0
    assert clean["who"] == ["family", "online"]  # the pack's order, each once
    assert clean["shifts"] == {"trusting": "towards", "what-if": "away"}
    assert clean["consent"] == "anonymous" and "extra" not in clean
    assert check_moment(story_pack, phases, moment(id="keep-me"))["id"] == "keep-me"
    plain = check_moment(story_pack, phases, moment(consent=None, feeling=None, spirit=None))
    assert (plain["consent"], plain["feeling"], plain["spirit"]) == ("anonymous", None, "")


def test_emoji_and_right_to_left_text_are_kept_exactly(story_pack, phases):
    clean = check_moment(story_pack, phases, moment(title=HELLO, story=f"{HELLO}\n\u200fשורה שנייה",
                                                    spirit=HELLO))
    assert clean["title"] == HELLO
    assert clean["story"] == f"{HELLO}\n\u200fשורה שנייה"
    assert clean["spirit"] == HELLO


def test_an_empty_story_is_refused(story_pack, phases):
    for story in ("", "   \n ", None):
        with pytest.raises(FriendlyError, match="Please fill in the story"):
            check_moment(story_pack, phases, moment(story=story))
    with pytest.raises(FriendlyError, match="Please fill in the title"):
        check_moment(story_pack, phases, moment(title=""))


def test_a_huge_paste_says_its_length_and_the_limit(story_pack, phases):
    with pytest.raises(FriendlyError) as caught:
        check_moment(story_pack, phases, moment(story="x" * 100_000))
    assert "100,000" in caught.value.message and f"{MAX_STORY_CHARS:,}" in caught.value.message
    assert check_moment(story_pack, phases, moment(story="y" * MAX_STORY_CHARS))["story"] == "y" * MAX_STORY_CHARS
    with pytest.raises(FriendlyError, match="title is 81 characters"):
        check_moment(story_pack, phases, moment(title="t" * 81))
    with pytest.raises(FriendlyError, match="spirit you want to bottle is 501 characters"):
        check_moment(story_pack, phases, moment(spirit="s" * 501))


def test_a_phase_no_longer_on_the_timeline_asks_for_another(story_pack, phases):
    with pytest.raises(FriendlyError) as caught:
        check_moment(story_pack, phases, moment(phase="recuperation"))  # only on the split timeline
    assert "no longer on the workshop's timeline" in caught.value.message
    assert "choose another phase" in caught.value.message
    with pytest.raises(FriendlyError, match="Please choose when this moment happened"):
        check_moment(story_pack, phases, moment(phase=""))


@pytest.mark.parametrize("field, value, message", [
    ("who", ["pets"], "'pets' is not one of the people"),
    ("who", "family", "chosen from the list"),
    ("feeling", 0, r"from 1 \(Very dark\) to 5 \(Very light\)"),
    ("feeling", 6, "how it felt"),
    ("feeling", 2.5, "how it felt"),
    ("feeling", "3", "how it felt"),
    ("feeling", True, "how it felt"),
    ("shifts", {"trusting": "sideways"}, "can only go 'towards' or 'away'"),
    ("shifts", {"hope": "towards"}, "not one this workbook asks about"),
    ("consent", "everyone", "who may see this moment"),
    ("id", "../../etc", "id is not valid"),
])
def test_bad_moments_are_refused_with_a_reason(story_pack, phases, field, value, message):
    with pytest.raises(FriendlyError, match=message):
        check_moment(story_pack, phases, moment(**{field: value}))


def test_check_payload_validates_moments_and_sorting(story_pack, phases):
    payload = {"moments": [moment(id="a"), moment(id="b", phase="renewal")], "sort": {"grief": "dark", "bonds": None}}
    clean = check_payload(story_pack, payload)  # a file: any well-formed phase id
    assert [m["phase"] for m in clean["moments"]] == ["honeymoon", "renewal"]
    assert clean["sort"] == {"grief": "dark"}
    with pytest.raises(FriendlyError, match=r"Moment 2 \('Clapping on the street'\): This moment was placed"):
        check_payload(story_pack, payload, phases)
    with pytest.raises(FriendlyError, match="Moment 1: This moment's phase is not valid"):
        check_payload(story_pack, {"moments": [moment(phase="a/b", title=None)]})
    with pytest.raises(FriendlyError, match="same id as an earlier moment"):
        check_payload(story_pack, {"moments": [moment(id="a"), moment(id="a")]})
    with pytest.raises(FriendlyError, match="one person can keep at most"):
        check_payload(story_pack, {"moments": [moment()] * 51})
    assert check_payload(story_pack, {}) == {"moments": [], "sort": {}}
    with pytest.raises(FriendlyError, match="not in the right shape"):
        check_payload(story_pack, ["not", "a", "payload"])


def test_check_sort_refuses_unknown_statements_and_choices(story_pack):
    with pytest.raises(FriendlyError, match="statement this workbook does not have"):
        check_sort(story_pack, {"nope": "dark"})
    with pytest.raises(FriendlyError, match="Dark, Light, Both, Not our experience"):
        check_sort(story_pack, {"grief": "grey"})


# -- consent ------------------------------------------------------------------------


def payload(*moments):
    return {"moments": list(moments), "sort": {}}


def test_private_moments_are_never_shared_and_anonymous_ones_carry_no_name():
    entries = [
        ("Ann", "staff", payload(moment(id="a1", consent="private", story="my secret"),
                                 moment(id="a2", consent="anonymous"), moment(id="a3", consent="named"))),
        ("", "residents", payload(moment(id="b1", consent="named"))),  # no name given: anonymous
        ("Cy", "", payload(moment(id="c1", consent="whatever"), {"id": "c2", "title": "no consent key",
                                                                 "phase": "honeymoon", "story": "s"})),
    ]
    moments = shared_moments(entries)
    # Changed with the privacy rules: an anonymous moment carries no group either (a2 used to keep
    # "staff"), and named moments come first, anonymous ones after (in an order of their own), so
    # a list never puts Ann's anonymous a2 beside her named a3.
    assert [(m.id, m.name, m.group) for m in moments] == [
        ("a3", "Ann", "staff"), ("b1", "", "residents"), ("a2", "", ""), ("c2", "", ""),
    ]
    assert all("my secret" != m.story for m in moments)
    assert not moments[0].anonymous and moments[2].anonymous
    assert moments[0].shift("trusting") == "towards" and moments[0].who == ("neighbours",)


def test_hidden_moments_and_broken_payloads_are_left_out():
    entries = [("Ann", "", payload(moment(id="a1"), moment(id="a2"))), ("Bo", "", "not a payload"),
               ("Cy", "", {"moments": ["not a moment", moment(id="c1", feeling=True)]})]
    moments = shared_moments(entries, hidden={"a2"})
    by_id = {m.id: m for m in moments}
    assert sorted(by_id) == ["a1", "c1"]  # anonymous moments: in an order of their own, not the tellers'
    assert by_id["c1"].feeling is None


def test_without_private_removes_private_moments_only():
    answer = payload(moment(id="a", consent="private"), moment(id="b"), moment(id="c", consent="named"))
    answer["sort"] = {"grief": "dark"}
    kept = without_private(answer)
    assert [m["id"] for m in kept["moments"]] == ["b", "c"]
    assert kept["sort"] == {"grief": "dark"}
    assert len(answer["moments"]) == 3  # the original is left alone


# -- the Dark and the Light ----------------------------------------------------------


def test_sort_counts_leading_choice_and_agreement(story_pack):
    sorts = [{"grief": "dark", "bonds": "light"}, {"grief": "dark", "bonds": "light"},
             {"grief": "dark", "bonds": "light"}, {"grief": "both", "bonds": "not_ours"}]
    results = {r.id: r for r in sort_results(sorts, story_pack, min_group=3)}
    grief = results["grief"]
    assert grief.people == 4
    assert grief.counts == {"dark": 3, "light": 0, "both": 1, "not_ours": 0}
    assert grief.leading == "dark" and grief.agreement == 0.75 and not grief.split
    assert results["bonds"].leading == "light" and results["bonds"].agreement == 0.75
    assert [r.id for r in sort_results(sorts, story_pack, 3)] == [s.id for s in story_pack.statements]


def test_a_statement_is_split_when_the_group_is_divided(story_pack):
    even = [{"grief": "dark"}, {"grief": "light"}, {"grief": "dark"}, {"grief": "light"}]
    result = sort_results(even, story_pack, 3)[[s.id for s in story_pack.statements].index("grief")]
    assert result.split and result.leading is None and result.agreement == 0.5  # a tie: no single leader
    both_sides = [{"bonds": "light"}] * 6 + [{"bonds": "dark"}] * 4
    result = {r.id: r for r in sort_results(both_sides, story_pack, 3)}["bonds"]
    assert result.leading == "light" and result.agreement == 0.6 and result.split  # dark 40%, light 60%
    scattered = [{"health": c} for c in ("dark", "both", "not_ours", "dark", "both")]
    result = {r.id: r for r in sort_results(scattered, story_pack, 3)}["health"]
    assert result.split and result.agreement == 0.4


def test_too_few_sorters_hide_the_counts(story_pack):
    results = {r.id: r for r in sort_results([{"grief": "dark"}, {"grief": "dark"}, "junk", {"grief": "pink"}],
                                             story_pack, min_group=3)}
    grief = results["grief"]
    assert grief.people == 2 and grief.hidden
    assert grief.counts is None and grief.leading is None and grief.agreement is None and not grief.split
    assert results["bonds"].people == 0 and not results["bonds"].hidden


# -- weaving ------------------------------------------------------------------------


def test_feeling_curve_per_phase_with_k(phases):
    # Each moment now says who told it (k counts people): here every moment is a different person's.
    moments = [shared(phase="honeymoon", feeling=f, teller=f"h{f}{n}") for n, f in enumerate((5, 4, 4))] + [
        shared(phase="downturn", feeling=1, teller="d1"), shared(phase="downturn", feeling=2, teller="d2"),
        shared(phase="downturn", feeling=None, teller="d3"), shared(phase="deleted", feeling=1, teller="x"),
    ]
    curve = feeling_curve(moments, phases, min_group=3)
    assert [p.phase.id for p in curve] == [p.id for p in phases]
    first, downturn = curve[0], curve[2]
    assert (first.count, first.rated, first.mean) == (3, 3, 4.33)
    assert (downturn.count, downturn.rated, downturn.mean, downturn.hidden) == (3, 2, None, True)
    assert curve[1].mean is None and not curve[1].hidden
    assert feeling_curve(moments, phases, min_group=2)[2].mean == 1.5
    assert [m.phase for m in outside_timeline(moments, phases)] == ["deleted"]


def test_shift_and_who_counts_per_phase(phases):
    moments = [
        shared(phase="honeymoon", shifts=(("trusting", "towards"), ("enabling", "away")), who=("family",)),
        shared(phase="honeymoon", shifts=(("trusting", "towards"),), who=("family", "neighbours")),
        shared(phase="downturn", shifts=(("trusting", "away"),), who=("strangers",)),
        shared(phase="gone", shifts=(("trusting", "away"),), who=("family",)),
    ]
    rows = {(r.phase, r.undercurrent): (r.towards, r.away) for r in shift_counts(moments, phases)}
    assert rows[("honeymoon", "trusting")] == (2, 0)
    assert rows[("honeymoon", "enabling")] == (0, 1)
    assert rows[("downturn", "trusting")] == (0, 1)
    assert rows[("long-winter", "trusting")] == (0, 0)
    assert len(shift_counts(moments, phases, ["trusting", "enabling", "what-if"])) == 3 * len(phases)
    who = {(r.phase, r.tag): r.count for r in who_counts(moments, phases, ["family", "neighbours", "strangers"])}
    assert who[("honeymoon", "family")] == 2 and who[("honeymoon", "neighbours")] == 1
    assert who[("downturn", "strangers")] == 1 and who[("downturn", "family")] == 0


def test_word_counts_leave_out_stop_words_digits_and_short_words(story_pack):
    texts = [
        "The neighbours brought food. The neighbours' children drew 2020 rainbows!",
        "Food, food and more FOOD from neighbours; it's what we did in 2021.",
        f"{HELLO} שלום — the street's party, we're together",
        None,
    ]
    counts = word_counts(texts, story_pack.stop_words, top=5)
    assert counts[0] == ("food", 4)
    assert counts[1] == ("neighbours", 3)
    words = dict(word_counts(texts, story_pack.stop_words, top=50))
    assert words["שלום"] == 2 and words["street"] == 1 and words["hello"] == 1
    assert not {"the", "and", "it's", "we're", "2020", "it", "did", "we"} & set(words)
    assert len(counts) == 5
    assert word_counts(["ox ox ox cat"], set()) == [("cat", 1)]  # fewer than 3 letters: left out


def test_carry_forward_groups_and_pins():
    moments = [shared(id="a", spirit=" Say hello ", group="staff"), shared(id="b", spirit="", group="residents"),
               shared(id="c", spirit="Share the load", group="staff"), shared(id="d", group="")]
    assert carry_forward(moments) == ["Say hello", "Share the load"]
    assert [m.id for m in by_group(moments, "staff")] == ["a", "c"]
    assert by_group(moments, None) == moments
    assert groups(moments) == ["residents", "staff"]  # no "" choice: moments without a group belong to none
    assert [m.id for m in pinned(moments, {"c", "a", "zzz"})] == ["a", "c"]

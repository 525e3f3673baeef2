"""The storybook and the exports: typed text escaped, private moments never leave the participant."""

from __future__ import annotations

import csv
import io
import json

import pytest

from relworkbook import charts
from relworkbook.exchange import read_response_file
from relworkbook.store import Response, Workshop
from relworkbook.story.model import (
    WORKBOOK,
    check_import,
    check_payload,
    feeling_curve,
    own_moments,
    parse_custom_timeline,
    shared_moments,
    sort_results,
    timeline,
    timeline_to_settings,
)
from relworkbook.story.pack import load_story_pack
from relworkbook.story.storybook import (
    MOMENT_COLUMNS,
    export_files,
    feeling_chart,
    feeling_table,
    moment_rows,
    my_export_files,
    my_story_html,
    storybook_html,
)

XSS = "<script>alert('story')</script>"
SECRET = "my private secret"
HELLO = "שלום 🌻 hello"


@pytest.fixture
def story_pack():
    return load_story_pack()


@pytest.fixture
def phases(story_pack):
    return timeline(story_pack)


def moment(id, consent="anonymous", **fields):
    data = {"id": id, "phase": "honeymoon", "title": f"Title {id}", "story": f"Story {id}", "feeling": 4,
            "who": ["neighbours"], "shifts": {"trusting": "towards"}, "spirit": f"Spirit {id}", "consent": consent}
    data.update(fields)
    return data


def answers():
    """Three people: Ann (named and private moments), Bozena (anonymous, typed HTML), Cy (no name given)."""
    return [
        ("Ann", "staff", {"moments": [moment("a1", "named", title=HELLO, story=HELLO),
                                      moment("a2", "private", title="Private one", story=SECRET,
                                             spirit="private spirit")],
                          "sort": {"grief": "dark", "bonds": "light"}}),
        ("Bozena Quill", "residents", {"moments": [moment("b1", title=XSS, story=f"{XSS}\nsecond line", spirit=XSS,
                                                phase="downturn", feeling=1)],
                             "sort": {"grief": "dark", "bonds": "light"}}),
        ("", "residents", {"moments": [moment("c1", "named", story="Cy's unpinned story", feeling=3)],
                           "sort": {"grief": "both", "bonds": "light"}}),
    ]


#: Real times: response files refuse times before 2000 (and the anonymous parts of a facilitator's
#: file take the workshop's start as theirs).
STARTED = 1_700_000_000.0


def responses(round_name="baseline"):
    return [
        Response(uid=f"r{n}", workshop_id=1, participant_uid=f"p{n}", workbook=WORKBOOK, round=round_name,
                 group_label=group, display_name=name, payload=payload, created_at=STARTED + 10,
                 updated_at=STARTED + 20 + n)
        for n, (name, group, payload) in enumerate(answers())
    ]


def workshop(settings=None, **fields):
    values = dict(id=1, code="ABCDEF", workbook=WORKBOOK, title="Our <i>street</i>", key_hash="x", created_at=STARTED,
                  locked=False, revealed=False, min_group=3, current_round="baseline", settings=settings or {})
    values.update(fields)
    return Workshop(**values)


def book(story_pack, phases, pinned_ids=("a1", "b1", "a2"), **kwargs):
    moments = shared_moments(answers())
    results = sort_results([p["sort"] for _, _, p in answers()], story_pack, 3)
    return storybook_html(story_pack, "Our <i>street</i>", phases, moments, pinned_ids, results, min_group=3,
                          **kwargs)


def files_by_name(files):
    return {f.filename: f for f in files}


# -- the storybook ----------------------------------------------------------------------


def test_pinned_stories_are_printed_escaped_exactly_as_typed(story_pack, phases):
    html = book(story_pack, phases)
    assert "<script" not in html and "<i>street" not in html
    assert "&lt;script&gt;alert(&#x27;story&#x27;)&lt;/script&gt;\nsecond line" in html
    assert "Our &lt;i&gt;street&lt;/i&gt;" in html
    assert HELLO in html  # emoji and Hebrew as typed
    assert "Story c1" not in html  # shared but not pinned: counted, not printed in full


def test_private_moments_never_reach_the_storybook_even_when_pinned(story_pack, phases):
    html = book(story_pack, phases)
    assert SECRET not in html and "Private one" not in html and "private spirit" not in html
    # Even if someone passes a participant's own moments (private included) by mistake.
    own = own_moments(answers()[0][2], "Ann")
    leaked = storybook_html(story_pack, "t", phases, own, ["a2"], [], min_group=3)
    assert SECRET not in leaked


def test_names_only_with_consent(story_pack, phases):
    html = book(story_pack, phases, pinned_ids=("a1", "b1", "c1"))
    assert "Ann, staff" in html  # named
    assert html.count("Anonymous") == 2  # Bozena chose anonymous; Cy chose named but gave no name
    assert "Bozena" not in html


def test_storybook_is_self_contained_and_printable(story_pack, phases):
    html = book(story_pack, phases)
    assert html.startswith("<!DOCTYPE html>") and "@media print" in html
    for fetches in ("<script", "<link", "src=", "@import", "url("):
        assert fetches not in html
    assert "https://relationshipsproject.org/spirit-of-lockdown/" in html
    for heading in ("Our timeline", "How it felt", "The undercurrents", "Who mattered", "The Dark and the Light",
                    "What we will carry forward"):
        assert heading in html
    assert "Spirit a1" in html and "Spirit c1" in html  # every shared spirit is carried forward


def test_feeling_curve_has_a_table_alternative_and_hides_small_phases(story_pack, phases):
    moments = shared_moments(answers())
    curve = feeling_curve(moments, phases, min_group=2)
    table = feeling_table(story_pack, curve, min_group=2)
    assert "3.5 (Mostly light)" in table  # honeymoon: 4 and 3
    assert "hidden (fewer than 2 people said how it felt)" in table  # downturn: one person's moment
    html = book(story_pack, phases)
    assert "hidden (fewer than 3 people said how it felt)" in html


def test_dark_and_light_results_in_the_storybook(story_pack, phases):
    html = book(story_pack, phases)
    assert "Light (100%)" in html  # bonds: all three chose light
    assert "Dark (67%)" in html  # grief: two dark, one both
    assert "hidden (fewer than 3 sorted it)" in html  # nobody or too few: one wording, no counts


def test_feeling_chart_draws_numbers_and_escapes_the_title(story_pack, phases):
    moments = shared_moments(answers())
    svg = charts.render_svg(feeling_chart(story_pack, feeling_curve(moments, phases, 1), XSS))
    assert svg.startswith("<svg") and "<script" not in svg
    assert ">3.5<" in svg and ">1.0<" in svg  # each point is labelled with its number
    html = book(story_pack, phases, curve_svg=svg)
    assert "<figure" in html and "How it felt, phase by phase" in html


# -- tidy rows and downloads ------------------------------------------------------------


def test_moment_rows_leave_out_private_moments_unless_asked(story_pack, phases):
    rows = moment_rows(story_pack, phases, answers(), pinned_ids={"a1"}, hidden={"b1"})
    # Named moments first (a1, and c1: shared with a name, though Cy gave none), then anonymous ones:
    # an anonymous row never sits beside its teller's named row (this used to be a1, b1, c1).
    assert [r["moment_id"] for r in rows] == ["a1", "c1", "b1"]
    by_id = {r["moment_id"]: r for r in rows}
    assert by_id["a1"]["name"] == "Ann" and by_id["a1"]["pinned"] == 1
    assert by_id["b1"]["name"] == "" and by_id["b1"]["hidden"] == 1
    assert by_id["b1"]["group"] == "" and by_id["c1"]["group"] == "residents"  # no group on an anonymous row
    assert by_id["a1"]["who"] == "Neighbours" and by_id["a1"]["shifts"] == "towards Trusting"
    assert by_id["b1"]["phase"] == "The Downturn" and by_id["b1"]["feeling_label"] == "Very dark"
    own = moment_rows(story_pack, phases, answers()[:1], include_private=True)
    assert [r["moment_id"] for r in own] == ["a1", "a2"] and own[1]["story"] == SECRET


def test_facilitator_exports_hold_no_private_moment(story_pack, phases):
    files = files_by_name(export_files(story_pack, workshop(), responses(), pinned_ids=["a1", "a2", "b1"],
                                       hidden_ids=["c1"]))
    assert set(files) == {
        "story-weaving-ABCDEF-storybook.html", "story-weaving-ABCDEF-moments.csv",
        "story-weaving-ABCDEF-dark-and-light.csv", "story-weaving-ABCDEF-responses.json",
        "story-weaving-ABCDEF-feeling.svg",
    }
    for f in files.values():
        text = f.data.decode("utf-8")
        assert SECRET not in text and "private spirit" not in text, f.filename
    storybook = files["story-weaving-ABCDEF-storybook.html"].data.decode("utf-8")
    assert "&lt;script&gt;" in storybook and "<script" not in storybook and "<svg" in storybook
    rows = list(csv.DictReader(io.StringIO(files["story-weaving-ABCDEF-moments.csv"].data.decode("utf-8"))))
    assert list(rows[0]) == MOMENT_COLUMNS
    assert [r["moment_id"] for r in rows] == ["a1", "c1", "b1"]  # named rows first, anonymous ones apart
    assert rows[0]["story"] == HELLO and rows[0]["workshop"] == "ABCDEF" and rows[0]["round"] == "baseline"
    assert rows[1]["hidden"] == "1" and rows[0]["pinned"] == "1"
    document = json.loads(files["story-weaving-ABCDEF-responses.json"].data)
    moments = [m for r in document["responses"] for m in r["answers"]["moments"]]
    assert sorted(m["id"] for m in moments) == ["a1", "b1", "c1"]
    assert all(m["consent"] != "private" for m in moments)
    assert document["responses"][0]["answers"]["sort"] == {"grief": "dark", "bonds": "light"}
    assert "sealed" not in json.dumps(document)


def test_dark_and_light_csv_applies_k(story_pack):
    files = files_by_name(export_files(story_pack, workshop(min_group=4), responses()))
    rows = list(csv.DictReader(io.StringIO(files["story-weaving-ABCDEF-dark-and-light.csv"].data.decode("utf-8"))))
    grief = next(r for r in rows if r["statement_id"] == "grief")
    # Three sorted it, fewer than k = 4: no count at all, not even of the people who sorted it.
    assert grief["people"] == "" and grief["hidden"] == "1" and grief["dark"] == "" and grief["agreement"] == ""
    unsorted = next(r for r in rows if r["statement_id"] not in ("grief", "bonds"))  # nobody sorted it
    assert {k: v for k, v in unsorted.items() if k not in ("statement_id", "statement")} == \
        {k: v for k, v in grief.items() if k not in ("statement_id", "statement")}  # it looks the same
    shown = files_by_name(export_files(story_pack, workshop(min_group=3), responses()))
    rows = list(csv.DictReader(io.StringIO(shown["story-weaving-ABCDEF-dark-and-light.csv"].data.decode("utf-8"))))
    grief = next(r for r in rows if r["statement_id"] == "grief")
    assert (grief["people"], grief["dark"], grief["hidden"]) == ("3", "2", "0")


def test_exports_follow_the_workshops_own_timeline_and_current_round(story_pack):
    own = parse_custom_timeline("Before\nDuring\nAfter")
    shop = workshop(settings=timeline_to_settings(own), current_round="second")
    files = files_by_name(export_files(story_pack, shop, responses("first") + responses("second")))
    storybook = files["story-weaving-ABCDEF-storybook.html"].data.decode("utf-8")
    assert "During" in storybook and "The Long Winter" not in storybook
    assert "Other moments" not in storybook  # nothing pinned
    rows = list(csv.DictReader(io.StringIO(files["story-weaving-ABCDEF-moments.csv"].data.decode("utf-8"))))
    assert {r["round"] for r in rows} == {"second"}
    assert rows[0]["phase"] == "honeymoon (no longer on the timeline)"
    document = json.loads(files["story-weaving-ABCDEF-responses.json"].data)
    # The record keeps every round. Each round's three answers are now four parts: three named ones
    # (Bozena's holds only her sorting) and Bozena's anonymous moment on its own (was 6).
    assert len(document["responses"]) == 8
    assert {r["round"] for r in document["responses"]} == {"first", "second"}


def test_facilitator_json_re_imports_through_the_checked_importer(story_pack):
    files = files_by_name(export_files(story_pack, workshop(), responses()))
    data = files["story-weaving-ABCDEF-responses.json"].data
    entries = read_response_file(data, "export.json", WORKBOOK, lambda a: check_payload(story_pack, a))
    # Named parts (Ann's a1; Bozena's sorting only; Cy's c1), then Bozena's anonymous b1 on its own
    # with no name or group (this used to be three whole responses, [1, 1, 1]).
    assert [len(e["answers"]["moments"]) for e in entries] == [1, 0, 1, 1]
    assert entries[0]["answers"]["moments"][0]["title"] == HELLO
    assert (entries[3]["name"], entries[3]["group"], entries[3]["answers"]["moments"][0]["id"]) == ("", "", "b1")


def test_a_participants_own_export_keeps_private_moments(story_pack, phases):
    mine = responses()[:1]
    files = files_by_name(my_export_files(story_pack, phases, mine, workshop()))
    assert set(files) == {"story-weaving-ABCDEF-my-story.html", "story-weaving-ABCDEF-my-moments.csv",
                          "story-weaving-ABCDEF-my-answers.json"}
    for f in files.values():
        assert SECRET in f.data.decode("utf-8"), f.filename
    story = files["story-weaving-ABCDEF-my-story.html"].data.decode("utf-8")
    assert "Private: only you can see this" in story and "How I sorted the year" in story
    assert my_export_files(story_pack, phases, []) == []
    solo = files_by_name(my_export_files(story_pack, phases, mine))
    assert "story-weaving-my-story.html" in solo


def test_my_story_escapes_and_shows_every_phase(story_pack, phases):
    html = my_story_html(story_pack, phases, own_moments({"moments": [moment("x", "private", title=XSS)]}))
    assert "<script" not in html and "&lt;script&gt;" in html
    assert all(p.name in html for p in phases)


def test_importing_a_participants_own_file_drops_their_private_moments(story_pack):
    data = files_by_name(my_export_files(story_pack, timeline(story_pack), responses()[:1]))[
        "story-weaving-my-answers.json"].data
    entries = read_response_file(data, "mine.json", WORKBOOK, lambda a: check_import(story_pack, a))
    assert [m["id"] for m in entries[0]["answers"]["moments"]] == ["a1"]
    assert entries[0]["solo"] is True

"""Persona mapping's rules, each with numbers worked by hand.

On the built-in 1 to 5 scale a rating sits at (rating - 1) x 25 points: 1 = 0, 2 = 25, 3 = 50, 4 = 75, 5 = 100.
A persona's score is the mean of those points over its answered statements.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace

import pytest

from relworkbook.config import Settings
from relworkbook.content import BUILT_IN
from relworkbook.errors import FriendlyError
from relworkbook.persona import model
from relworkbook.persona.model import (
    PersonaScore,
    Profile,
    check_in_risks,
    check_payload,
    compare_rounds,
    group_mix,
    group_pathways,
    headline,
    lead,
    payload_check,
    plan_note_text,
    profile,
    read_plans,
    suggested_pathways,
    suppress_counts,
)
from relworkbook.persona.pack import PACK_FILE, load_persona_pack
from relworkbook.store import Note, Response, Workshop

PT, EC, NE, CW, VD = ("practical-taskers", "everyday-carers", "neighbourly-empathisers", "community-weavers",
                      "visionary-disruptors")


@pytest.fixture
def pp():
    return load_persona_pack()


def rate(pack, **by_persona) -> dict[str, int | None]:
    """Ratings given persona by persona, in the pack's statement order: rate(pack, practical_taskers=(5, 4))."""
    ratings: dict[str, int | None] = {}
    for key, values in by_persona.items():
        items = pack.items_for(key.replace("_", "-"))
        assert len(values) <= len(items)
        ratings.update({item.id: value for item, value in zip(items, values, strict=False)})
    return ratings


def ids(pathways) -> list[str]:
    return [p.id for p in pathways]


# -- checking answers --------------------------------------------------------------------


def test_a_good_payload_comes_back_clean(pp):
    answers = {"about": "someone", "ratings": {"pt-job": 5, "ec-close": None, "cw-join": 4.0},
               "checkin": {"ci-rest": 2}, "extra": "dropped"}
    assert check_payload(pp, answers) == {
        "about": "someone", "ratings": {"pt-job": 5, "ec-close": None, "cw-join": 4}, "checkin": {"ci-rest": 2}}
    # Nothing said about who: the person answered for themselves; nothing rated yet is fine.
    assert check_payload(pp, {}) == {"about": "self", "ratings": {}, "checkin": {}}
    assert payload_check(pp)({"ratings": {"vd-speak": 1}})["ratings"] == {"vd-speak": 1}


@pytest.mark.parametrize(("answers", "message"), [
    ([1, 2], "The answers are not in the right shape."),
    ({"ratings": [5, 4]}, "The answers are not in the right shape."),
    ({"checkin": "yes"}, "The answers are not in the right shape."),
    ({"about": "boss"}, "for the person themselves or for someone they support"),
    ({"about": None}, "for the person themselves or for someone they support"),
    ({"ratings": {"pt-jobs": 5}}, "One of the answers is for a statement this workbook does not have."),
    ({"ratings": {"ci-rest": 5}}, "One of the answers is for a statement this workbook does not have."),
    ({"checkin": {"pt-job": 5}}, "One of the check-in answers is for a question this workbook does not have."),
    ({"ratings": {"pt-job": 6}}, 'Answers must be whole numbers from 1 to 5, or "Not sure".'),
    ({"ratings": {"pt-job": 0}}, 'Answers must be whole numbers from 1 to 5, or "Not sure".'),
    ({"ratings": {"pt-job": 2.5}}, 'Answers must be whole numbers from 1 to 5, or "Not sure".'),
    ({"ratings": {"pt-job": True}}, 'Answers must be whole numbers from 1 to 5, or "Not sure".'),
    ({"ratings": {"pt-job": "3"}}, 'Answers must be whole numbers from 1 to 5, or "Not sure".'),
    ({"checkin": {"ci-rest": -1}}, 'Answers must be whole numbers from 1 to 5, or "Not sure".'),
])
def test_every_bad_shape_or_value_gets_a_friendly_message(pp, answers, message):
    with pytest.raises(FriendlyError) as caught:
        check_payload(pp, answers)
    assert message in caught.value.message


# -- one person's profile ------------------------------------------------------------------


def test_a_profile_is_the_mean_of_each_personas_answered_statements(pp):
    ratings = rate(pp, practical_taskers=(5, 4, 4, 3), everyday_carers=(2, 2, None, 1),
                   neighbourly_empathisers=(None, None, None), community_weavers=(3, 3, 3, 3),
                   visionary_disruptors=(5, 1, None))
    result = profile(pp, ratings)
    # 100, 75, 75, 50 -> 75; 25, 25, 0 -> 16.7; nothing -> None; 50 x 4 -> 50; 100, 0 -> 50.
    assert [(s.persona, s.score, s.answered) for s in result] == [
        (PT, 75.0, 4), (CW, 50.0, 4), (VD, 50.0, 2), (EC, 16.7, 3), (NE, None, 0)]
    assert result.score(NE).name == "Neighbourly Empathisers"
    assert lead(pp, result) == PT  # 75 - 50 = 25 >= 15
    assert headline(pp, result) == "Mostly a Practical Tasker"
    assert ids(suggested_pathways(pp, result)) == ["ready-tasks", "micro-care", "connectors"]
    assert ids(suggested_pathways(pp, result, limit=2)) == ["ready-tasks", "micro-care"]


def test_less_than_a_clear_lead_is_a_blend_of_the_top_two(pp):
    ratings = rate(pp, practical_taskers=(4, 4, 4, 4), community_weavers=(4, 4, 4, 3), everyday_carers=(1, 1, 1, 1),
                   neighbourly_empathisers=(2, 2, 2), visionary_disruptors=(2, 2, 2))
    result = profile(pp, ratings)
    # 75 against 68.75 (shown as 68.8): 6.2 points apart, less than 15.
    assert [s.score for s in result] == [75.0, 68.8, 25.0, 25.0, 0.0]
    assert lead(pp, result) is None
    assert headline(pp, result) == "A Practical Tasker with a streak of Community Weaver"
    # The two personas' best pathways in turn: Taskers' 1st, Weavers' 1st, Taskers' 2nd.
    assert ids(suggested_pathways(pp, result)) == ["ready-tasks", "connectors", "micro-care"]


def test_the_clear_lead_counts_from_exactly_fifteen_points(pp):
    def scores(top: float, second: float) -> Profile:
        return Profile((PersonaScore(VD, "Visionary Disruptors", top, 3),
                        PersonaScore(EC, "Everyday Carers", second, 4), PersonaScore(PT, "Practical Taskers", None, 0)))

    assert lead(pp, scores(75.0, 60.0)) == VD
    assert lead(pp, scores(74.9, 60.0)) is None
    assert lead(pp, scores(60.0, 60.0)) is None
    assert headline(pp, scores(75.0, 60.0)) == "Mostly a Visionary Disruptor"
    assert headline(pp, scores(74.9, 60.0)) == "A Visionary Disruptor with a streak of Everyday Carer"


def test_exactly_fifteen_points_from_real_ratings(tmp_path):
    # On a 0 to 10 scale each point is 10: (9 + 8) / 2 -> 85 and (7 + 7) / 2 -> 70 lie exactly 15 apart.
    text = (BUILT_IN / PACK_FILE).read_text(encoding="utf-8")
    start, end = text.index("scale:\n"), text.index("  dont_know:")
    labels = "".join(f"    {n}: Point {n}\n" for n in range(11))
    text = text[:start] + f"scale:\n  min: 0\n  max: 10\n  labels:\n{labels}  them_labels:\n{labels}" + text[end:]
    (tmp_path / PACK_FILE).write_text(text, encoding="utf-8")
    ten = load_persona_pack(Settings(content_dir=tmp_path))
    assert ten.scale.values == tuple(range(11))
    exact = profile(ten, rate(ten, practical_taskers=(9, 8), community_weavers=(7, 7)))
    assert [(s.persona, s.score) for s in exact.shown] == [(PT, 85.0), (CW, 70.0)]
    assert lead(ten, exact) == PT and headline(ten, exact) == "Mostly a Practical Tasker"
    closer = profile(ten, rate(ten, practical_taskers=(9, 8), community_weavers=(7, 8)))
    assert [s.score for s in closer.shown] == [85.0, 75.0]
    assert lead(ten, closer) is None
    assert headline(ten, closer) == "A Practical Tasker with a streak of Community Weaver"


def test_all_dont_know_gives_no_profile_and_no_pathways(pp):
    result = profile(pp, {item.id: None for item in pp.items})
    assert result.shown == () and len(result.hidden) == 5
    assert [s.persona for s in result] == [PT, EC, NE, CW, VD]  # unscored: the pack's order
    assert lead(pp, result) is None
    assert headline(pp, result) == "No profile yet. Rate at least one statement to see one."
    assert suggested_pathways(pp, result) == []


def test_one_scored_persona_is_named_but_not_a_clear_lead(pp):
    result = profile(pp, rate(pp, community_weavers=(5, None)))
    assert [s.score for s in result.shown] == [100.0]
    assert lead(pp, result) is None
    assert headline(pp, result) == "A Community Weaver, so far: rate statements for the other personas to compare"
    assert ids(suggested_pathways(pp, result)) == ["connectors", "peer-support", "social-justice"]


# -- the group's mix ---------------------------------------------------------------------------


def test_suppress_counts_hides_small_counts_and_what_would_give_them_away():
    # 4, 4 and 1 of 9: the 1 is hidden, and 9 - 8 would give it away, so the later 4 is hidden too.
    assert suppress_counts({"a": 4, "b": 4, "c": 1}, 3) == {"a": 4, "b": None, "c": None}
    # Hidden together: 2 + 2 = 4 people, at least k: no more to hide.
    assert suppress_counts({"a": 5, "b": 2, "c": 2}, 3) == {"a": 5, "b": None, "c": None}
    # Hidden zeros give nobody away.
    assert suppress_counts({"a": 3, "b": 3, "c": 0}, 3) == {"a": 3, "b": 3, "c": None}
    # 1 hidden, then the smallest shown (3) too: 4 hidden in all.
    assert suppress_counts({"a": 6, "b": 3, "c": 1}, 3) == {"a": 6, "b": None, "c": None}
    assert suppress_counts({"a": 2, "b": 1}, 3) == {"a": None, "b": None}
    assert suppress_counts({"a": 1, "b": 0}, 1) == {"a": 1, "b": None}


def leader(pack, persona: str) -> dict:
    """Someone with 100 for one persona and 0 for every other: a clear lead."""
    return {"ratings": {i.id: (5 if i.persona == persona else 1) for i in pack.items}}


def blender(pack) -> dict:
    """75 for Practical Taskers, 68.8 for Community Weavers, 0 for the rest: a blend."""
    ratings: dict[str, int | None] = {i.id: 1 for i in pack.items}
    ratings.update(rate(pack, practical_taskers=(4, 4, 4, 4), community_weavers=(4, 4, 4, 3)))
    return {"ratings": ratings}


def test_the_mix_averages_profiles_and_counts_leads_with_k(pp):
    people = [leader(pp, PT)] * 4 + [leader(pp, CW)] * 2 + [blender(pp)]
    people.append({"ratings": {i.id: None for i in pp.items}})  # all "don't know": no profile, not counted
    mix = group_mix(pp, people, 3)
    assert mix.respondents == 7 and mix.min_group == 3
    # Taskers: (4 x 100 + 2 x 0 + 75) / 7 = 67.9; Weavers: (4 x 0 + 2 x 100 + 68.8) / 7 = 38.4.
    assert [(s.persona, s.score, s.answered) for s in mix.profile] == [
        (PT, 67.9, 7), (CW, 38.4, 7), (EC, 0.0, 7), (NE, 0.0, 7), (VD, 0.0, 7)]
    # 4 lead with Taskers; the Weavers' 2 and the blend's 1 are hidden, and hidden together they hold 3 people.
    assert mix.leads == ((PT, 4), (EC, None), (NE, None), (CW, None), (VD, None))
    assert mix.lead_count(PT) == 4 and mix.blend is None
    assert mix.present == (PT,) and mix.thin == (CW, EC, NE, VD)
    assert ids(group_pathways(pp, mix)) == ["ready-tasks", "micro-care", "connectors"]


def test_a_hidden_lead_count_cannot_be_worked_out_from_the_total(pp):
    people = [leader(pp, PT)] * 4 + [leader(pp, CW)] * 4 + [blender(pp)]
    mix = group_mix(pp, people, 3)
    assert mix.respondents == 9
    # Showing 4 and 4 would tell that the one hidden blend is 9 - 8 = 1 person; so one 4 is hidden as well.
    assert mix.lead_count(PT) == 4 and mix.lead_count(CW) is None and mix.blend is None
    shown = sum(c for _, c in mix.leads if c is not None) + (mix.blend or 0)
    assert mix.respondents - shown >= 3
    # With k = 1 every count of at least one person shows; nobody leads with the other three ("fewer than 1").
    everyone = group_mix(pp, people, 1)
    assert everyone.leads == ((PT, 4), (EC, None), (NE, None), (CW, 4), (VD, None)) and everyone.blend == 1


def test_an_average_resting_on_fewer_than_k_people_is_hidden(pp):
    rated_ne = {"ratings": rate(pp, practical_taskers=(5, 5, 5, 5), neighbourly_empathisers=(3, 3, 3))}
    skipped_ne = {"ratings": rate(pp, practical_taskers=(3, 3, 3, 3))}
    mix = group_mix(pp, [rated_ne, rated_ne, skipped_ne], 3)
    # Taskers: (100 + 100 + 50) / 3 = 83.3; Empathisers rated by 2 people only; the rest by nobody.
    assert [(s.persona, s.score, s.answered) for s in mix.profile] == [
        (PT, 83.3, 3), (EC, None, 0), (NE, None, 2), (CW, None, 0), (VD, None, 0)]
    assert mix.present == (PT,) and mix.thin == ()


def test_fewer_than_k_people_show_nothing_but_their_number(pp):
    mix = group_mix(pp, [leader(pp, PT), leader(pp, VD)], 3)
    assert mix.respondents == 2
    assert mix.profile.shown == () and all(c is None for _, c in mix.leads) and mix.blend is None
    assert mix.present == () and mix.thin == ()
    assert group_pathways(pp, mix) == []
    assert group_mix(pp, [], 3).respondents == 0


# -- the follow-up ----------------------------------------------------------------------------


def test_check_in_warnings_turn_round_the_good_signs(pp):
    # Drift: "worth my time" 2 -> turned round 4 -> 75; "enough to do" 3 -> 50; mean 62.5 < 75.
    # Burnout: "more than I can keep up with" 5 -> 100; "energy left" 2 -> 4 -> 75; mean 87.5 >= 75.
    flags = check_in_risks(pp, {"ci-worth": 2, "ci-enough": 3, "ci-too-much": 5, "ci-rest": 2})
    assert (flags.drift, flags.burnout, flags.warnings) == (False, True, ("burnout",))
    # Exactly at the line (75) counts as a warning.
    assert check_in_risks(pp, {"ci-worth": 2, "ci-enough": 2}).drift is True
    assert check_in_risks(pp, {"ci-worth": 2, "ci-enough": 3}).drift is False
    assert check_in_risks(pp, {"ci-too-much": 4}).burnout is True
    unanswered = check_in_risks(pp, {"ci-worth": None})
    assert (unanswered.drift, unanswered.burnout, unanswered.warnings) == (None, None, ())


def checkin(worth, enough, too_much, rest) -> dict:
    return {"about": "self", "ratings": {}, "checkin": {"ci-worth": worth, "ci-enough": enough,
                                                        "ci-too-much": too_much, "ci-rest": rest}}


def test_the_follow_up_compares_averages_and_counts_people_at_risk(pp):
    first = [("a", checkin(4, 4, 2, 4)), ("b", checkin(5, 4, 3, 3)), ("c", checkin(4, 5, 4, 2)),
             ("d", checkin(3, 3, 2, 4))]
    later = [("a", checkin(2, 1, 2, 4)), ("b", checkin(1, 2, 5, 1)), ("c", checkin(2, 2, 5, None)),
             ("e", checkin(5, 5, 1, None)), ("f", {"about": "self", "ratings": {"pt-job": 3}, "checkin": {}})]
    result = compare_rounds(pp, first, later, 3)
    assert (result.first_people, result.later_people, result.both, result.min_group) == (4, 4, 3, 3)
    means = {c.checkin: (c.first, c.later, c.delta, c.better) for c in result.items}
    assert means == {
        "ci-worth": (4.0, 2.5, -1.5, False),  # (4+5+4+3)/4 -> (2+1+2+5)/4: less worth it, worse
        "ci-enough": (4.0, 2.5, -1.5, False),
        "ci-too-much": (2.75, 3.25, 0.5, False),  # (2+3+4+2)/4 -> (2+5+5+1)/4: more overload, worse
        "ci-rest": (3.25, None, None, None),  # only a and b answered it later: fewer than 3
    }
    risks = {r.risk: (r.first, r.later) for r in result.risks}
    # Of a, b and c: drifting first 0 (hidden), now all 3; burning out first 1 (c), now 2 (b, c): both hidden.
    assert risks == {"drift": (None, 3), "burnout": (None, None)}
    everyone = {r.risk: (r.first, r.later) for r in compare_rounds(pp, first, later, 1).risks}
    assert everyone == {"drift": (None, 3), "burnout": (1, 2)}  # a count is shown from k (here 1) people


def test_a_better_change_is_more_agreement_with_a_good_sign(pp):
    first = [(uid, checkin(2, 2, 5, 2)) for uid in "abc"]
    later = [(uid, checkin(4, 4, 3, 4)) for uid in "abc"]
    result = compare_rounds(pp, first, later, 3)
    assert [(c.delta, c.better) for c in result.items] == [(2.0, True), (2.0, True), (-2.0, True), (2.0, True)]
    # Everyone drifting and burning out at first (3 of 3: nobody left over to give away), nobody now.
    assert [(r.first, r.later) for r in result.risks] == [(3, None), (3, None)]
    same = compare_rounds(pp, first, first, 3)
    assert [c.better for c in same.items] == [None] * 4


# -- sharing and plans -------------------------------------------------------------------------


def response(uid: str, round_name: str, group: str) -> Response:
    return Response(uid=uid, workshop_id=1, participant_uid=f"p-{uid}", workbook=model.WORKBOOK, round=round_name,
                    group_label=group, display_name="", payload={"ratings": {}}, created_at=0, updated_at=0)


def test_share_keeps_a_group_label_only_for_k_people_in_that_round(pp):
    workshop = Workshop(id=1, code="ABCDEF", workbook=model.WORKBOOK, title="", key_hash="x", created_at=0,
                        locked=False, revealed=False, min_group=3, current_round="first")
    rows = [response("1", "first", "staff"), response("2", "first", "staff"), response("3", "first", "staff"),
            response("4", "first", "LONE"), response("5", "first", ""), response("6", "later", "staff")]
    shared = model.share(pp, workshop, rows)
    assert [r.group_label for r in shared] == ["staff", "staff", "staff", "", "", ""]
    assert [r.uid for r in shared] == ["1", "2", "3", "4", "5", "6"]
    assert shared[0] is rows[0]


def test_a_plan_is_checked_and_cleaned_into_a_note(pp):
    text = plan_note_text(pp, EC, "  <b>Respite</b> caf\u00e9\x00 mornings ", "Sam\u202e", " by June ")
    assert json.loads(text) == {"persona": EC, "offer": "<b>Respite</b> caf\u00e9 mornings", "who": "Sam",
                                "by_when": "by June"}
    assert json.loads(plan_note_text(pp, CW, "A shared rota", None, ""))["who"] == ""
    with pytest.raises(FriendlyError, match="Please choose one of the five personas"):
        plan_note_text(pp, "carers", "Tea", "", "")
    with pytest.raises(FriendlyError, match="Please fill in the offer."):
        plan_note_text(pp, EC, " \u200b ", "", "")
    with pytest.raises(FriendlyError, match="keep it to 300 or fewer"):
        plan_note_text(pp, EC, "x" * 301, "", "")
    with pytest.raises(FriendlyError, match="keep it to 40 or fewer"):
        plan_note_text(pp, EC, "Tea", "", "y" * 41)


def test_read_plans_skips_damaged_notes(pp):
    good = plan_note_text(pp, EC, "Respite mornings", "Sam", "June")
    later = plan_note_text(pp, VD, "Design day", "", "")
    notes = [
        Note("plan", good, 1.0), Note("next_step", good, 2.0), Note("plan", "not json {", 3.0),
        Note("plan", "[1, 2]", 4.0), Note("plan", json.dumps({"persona": "nobody", "offer": "x"}), 5.0),
        Note("plan", json.dumps({"persona": EC, "offer": ""}), 6.0),
        Note("plan", json.dumps({"persona": EC, "offer": 7}), 6.5), Note("plan", later, 7.0),
    ]
    plans = read_plans(pp, notes)
    assert plans == [model.Plan(EC, "Respite mornings", "Sam", "June", 1.0), model.Plan(VD, "Design day", "", "", 7.0)]
    assert read_plans(pp, []) == []
    assert replace(plans[0], who="Jo").who == "Jo"


# -- layers ------------------------------------------------------------------------------------------


def test_the_model_imports_no_widgets_pandas_or_altair():
    code = ("import sys, relworkbook.persona, relworkbook.persona.model, relworkbook.persona.pack\n"
            "from relworkbook.persona.pack import load_persona_pack\n"
            "from relworkbook.persona.model import profile, group_mix\n"
            "pack = load_persona_pack(); group_mix(pack, [{'ratings': {'pt-job': 5}}], 1)\n"
            "print(' '.join(sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(done.stdout.split())
    assert "relworkbook.persona.model" in loaded
    assert not {"ipywidgets", "anywidget", "pandas", "altair", "vl_convert"} & loaded

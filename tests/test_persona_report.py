"""Persona mapping's outputs: HTML pieces, the report, tidy CSV, JSON that re-imports, and charts.

Answers go through a real SQLite store: participants join a real workshop, their
answers are saved and read back, and exported files are imported into another
workshop with the exchange module's own import.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import uuid

import pytest

from relworkbook import charts
from relworkbook.errors import FriendlyError
from relworkbook.exchange import import_file, read_responses
from relworkbook.persona.model import (
    WORKBOOK,
    PersonaScore,
    Profile,
    check_in_risks,
    check_payload,
    compare_rounds,
    group_mix,
    payload_check,
    plan_note_text,
    profile,
    share,
)
from relworkbook.persona.pack import load_persona_pack
from relworkbook.persona.report import (
    TIDY_COLUMNS,
    analyse,
    checkin_html,
    compare_html,
    export_files,
    mix_html,
    my_export_files,
    profile_chart,
    profile_html,
    report_html,
    tidy_rows,
)
from relworkbook.store import Response
from relworkbook.workshops import join, start_workshop

XSS = "<img src=x onerror=alert(1)>"
PT, EC, NE, CW, VD = ("practical-taskers", "everyday-carers", "neighbourly-empathisers", "community-weavers",
                      "visionary-disruptors")


@pytest.fixture
def pp():
    return load_persona_pack()


def leading(pack, persona: str, about: str = "self") -> dict:
    return {"about": about, "ratings": {i.id: (5 if i.persona == persona else 1) for i in pack.items}, "checkin": {}}


def save(store, workshop, payload: dict, *, name: str = "", group: str = "", round_name: str | None = None,
         participant=None) -> Response:
    if participant is None:
        participant = join(store, workshop.code, WORKBOOK, display_name=name, group_label=group).participant
    return store.save_response(Response(
        uid=uuid.uuid4().hex, workshop_id=workshop.id, participant_uid=participant.uid, workbook=WORKBOOK,
        round=round_name or workshop.current_round, group_label=participant.group_label,
        display_name=participant.display_name, payload=check_payload(load_persona_pack(), payload),
        created_at=0, updated_at=0))


@pytest.fixture
def workshop_with_answers(store, pp):
    """A hall of 7: 4 lead with Community Weavers, 2 with Everyday Carers, 1 answers for someone they support."""
    access = start_workshop(store, workbook=WORKBOOK, title=f"Hall {XSS}", min_group=3)
    workshop = access.workshop
    people = []
    for n in range(4):
        seat = join(store, workshop.code, WORKBOOK, display_name=XSS if n == 0 else "", group_label="staff")
        people.append(seat.participant)
        save(store, workshop, {**leading(pp, CW), "checkin": {"ci-worth": 4, "ci-enough": 4, "ci-too-much": 2,
                                                               "ci-rest": 4}}, participant=seat.participant)
    for _ in range(2):
        save(store, workshop, leading(pp, EC), group="LONE" if _ == 0 else "")
    save(store, workshop, leading(pp, NE, about="someone"), name="=HYPERLINK(1)")
    store.add_note(workshop.id, "plan", plan_note_text(pp, CW, f"Monthly {XSS} meet-up", "Sam <b>", "June"))
    store.add_note(workshop.id, "plan", "damaged {")
    return store, store.workshop(workshop.id), people


# -- the participant's own pieces ---------------------------------------------------------------


def test_profile_html_shows_headline_bars_card_and_pathways(pp):
    ratings = {i.id: (5 if i.persona == CW else 4 if i.persona == VD else 2) for i in pp.items}
    ratings.update({i.id: None for i in pp.items_for(NE)})
    html = profile_html(pp, profile(pp, ratings), "self")
    # 100 for the Weavers, 75 for the Disruptors: 25 points ahead, a clear lead.
    assert "Your profile" in html and "Mostly a Community Weaver" in html and "streak" not in html
    assert "<caption" in html and "How much each persona sounds like you" in html
    assert ">Community Weavers</th>" in html and "></span>100 strong</td>" in html and "></span>25 faint</td>" in html
    assert "Neighbourly Empathisers</th>" in html and "not answered" in html
    assert "About Community Weavers" in html and "What frustrates them" in html
    assert "A borough-wide connectors programme" in html and "Named in the review Turning to the Light" in html
    assert 'aria-hidden="true"' in html  # the drawn bar is decoration; the number is the text


def test_profile_html_for_someone_i_support_and_with_no_answers(pp):
    html = profile_html(pp, profile(pp, leading(pp, EC)["ratings"]), "someone")
    assert "Their profile" in html and "like the person you support" in html
    assert "Mostly an Everyday Carer" in html and "About Everyday Carers" in html
    empty = profile_html(pp, profile(pp, {}), "self")
    assert "No profile yet" in empty and "<table" not in empty


def test_a_blend_names_the_second_persona_too(pp):
    ratings = {i.id: 1 for i in pp.items}
    ratings.update({i.id: 4 for i in pp.items_for(PT)})
    ratings.update({i.id: 4 for i in pp.items_for(VD)})
    html = profile_html(pp, profile(pp, ratings), "self")
    assert "A Practical Tasker with a streak of Visionary Disruptor" in html
    assert "Also strong: Visionary Disruptors" in html


def test_checkin_html_words_each_warning(pp):
    burning = checkin_html(pp, check_in_risks(pp, {"ci-too-much": 5, "ci-rest": 1}), "someone")
    assert "they may be close to burning out" in burning and "drifting" not in burning
    assert "No warning signs" in checkin_html(pp, check_in_risks(pp, {"ci-worth": 5}))
    assert "Answer the check-in questions" in checkin_html(pp, check_in_risks(pp, {}))


# -- the facilitator's pieces ----------------------------------------------------------------------


def test_mix_html_frames_present_and_thin_and_hides_small_counts(pp):
    mix = group_mix(pp, [leading(pp, CW)] * 4 + [leading(pp, EC)] * 3, 3)
    html = mix_html(pp, mix)
    assert "People with a profile: 7" in html
    assert "Present in the room" in html and "Thin in the room" in html
    assert "missing" not in html.lower()
    # 4 lead with Weavers, 3 with Carers; nobody with the rest, or with a blend: fewer than 3, hidden.
    unstyled = re.sub(r' style="[^"]*"', "", html)  # the cells' looks are not what this test is about
    assert ">Community Weavers</th><td>4</td>" in unstyled
    assert ">Everyday Carers</th><td>3</td>" in unstyled
    assert html.count("hidden (fewer than 3)") == 4  # Taskers, Empathisers, Disruptors, the blend
    assert "Pathways the group" in html
    # 4 and 2 of 6: the 2 is hidden, and 6 - 4 would give it away, so the 4 is hidden too.
    small = mix_html(pp, group_mix(pp, [leading(pp, CW)] * 4 + [leading(pp, EC)] * 2, 3))
    assert "People with a profile: 6" in small and small.count("hidden (fewer than 3)") == 6
    assert "No profiles to show yet." in mix_html(pp, group_mix(pp, [], 3))


def test_compare_html_shows_both_rounds_and_risk_counts(pp):
    first = [(u, {"checkin": {"ci-worth": 4, "ci-enough": 4, "ci-too-much": 2, "ci-rest": 4}}) for u in "abc"]
    later = [(u, {"checkin": {"ci-worth": 2, "ci-enough": 1, "ci-too-much": 2, "ci-rest": 4}}) for u in "abc"]
    html = compare_html(pp, compare_rounds(pp, first, later, 3))
    assert "What I do still feels worth my time." in html
    assert ">4.0</td>" in html and ">2.0</td>" in html and ">worse</td>" in html and ">no change</td>" in html
    assert "People who answered both rounds: 3" in html
    assert "Drifting away</th><td" in html
    assert "Start a follow-up round" in compare_html(pp, None)


# -- charts ------------------------------------------------------------------------------------------


def test_profile_chart_leaves_hidden_scores_out_and_says_so(pp):
    scores = Profile((PersonaScore(CW, "Community Weavers", 100.0, 4), PersonaScore(PT, "Practical Taskers", 37.5, 4),
                      PersonaScore(NE, "Neighbourly Empathisers", None, 2)))
    svg = charts.render_svg(profile_chart(pp, scores, "Hall: the group's mix", 3))
    # The note wraps to stay inside the picture; its label for screen readers keeps it whole.
    assert "<text" not in svg  # labels are drawn as shapes (charts.py); each keeps its words as a <title>
    note = re.search(r"<title>Not shown \(fewer than 3 people\): Neighbourly Empathisers</title>"
                     r"((?:<g [^>]*>(?:<use [^>]*/>)*</g>)+)", svg)
    assert note and note.group(1).count("<g ") == 2, "the note wraps onto two lines"
    assert "100 strong" in svg and "38 faint" in svg
    assert "Community Weavers" in svg and "\u2026" not in svg  # no label cut short
    for name in ("Community Weavers", "Practical Taskers"):  # names start at the left edge
        assert re.search(f'<title>{name}</title><g transform="translate\\(0,0\\) ', svg), name
    mine = charts.render_svg(profile_chart(pp, scores, "My profile"))
    assert "Neighbourly Empathisers: not answered" in mine


# -- tidy rows, the report and the downloads ----------------------------------------------------------


def test_tidy_rows_hold_one_row_per_answer_worded_for_who_it_is_about(workshop_with_answers, pp):
    store, workshop, _people = workshop_with_answers
    responses = share(pp, workshop, store.responses(workshop.id, WORKBOOK))
    rows, columns = tidy_rows(pp, workshop, responses)
    assert columns == TIDY_COLUMNS
    assert len(rows) == 7 * 18 + 4 * 4  # every statement for 7 people, and 4 check-ins of 4 questions
    someone = [r for r in rows if r["about"] == "someone"]
    assert len(someone) == 18 and someone[0]["item"].startswith("They ")
    checkins = [r for r in rows if r["kind"] == "checkin"]
    assert {r["persona"] for r in checkins} == {""} and {r["item_id"] for r in checkins} == {
        "ci-worth", "ci-enough", "ci-too-much", "ci-rest"}
    assert {r["group"] for r in rows} == {"staff", ""}  # the lone group's label does not leave


def test_the_report_escapes_typed_html_and_holds_every_part(workshop_with_answers, pp):
    store, workshop, _people = workshop_with_answers
    responses = share(pp, workshop, store.responses(workshop.id, WORKBOOK))
    html = report_html(pp, workshop, responses, store.notes(workshop.id), chart_svg="<svg></svg>")
    assert XSS not in html and "<b>" not in html.replace("<body>", "")
    assert "Hall &lt;img src=x onerror=alert(1)&gt;" in html
    assert "Monthly &lt;img src=x onerror=alert(1)&gt; meet-up" in html and "Sam &lt;b&gt;" in html
    assert "Our support plan" in html and "Nothing planned yet." in html
    assert "The five personas" in html and html.count('class="rw-persona-card"') == 5
    assert "6.29m" in html and "https://relationshipsproject.org/covidrelationships/" in html
    assert "Start a follow-up round" in html  # one round so far
    assert html.startswith("<!DOCTYPE html>") and "Made with relworkbook." in html


def test_a_follow_up_round_appears_in_the_report(workshop_with_answers, pp):
    store, workshop, people = workshop_with_answers
    store.update_workshop(workshop.id, current_round="follow-up")
    workshop = store.workshop(workshop.id)
    for person in people:  # the four who checked in first now drift away
        save(store, workshop, {"checkin": {"ci-worth": 1, "ci-enough": 2, "ci-too-much": 2, "ci-rest": 4}},
             participant=person)
    responses = share(pp, workshop, store.responses(workshop.id, WORKBOOK))
    analysis = analyse(pp, workshop, responses)
    # The follow-up holds check-ins only: the mix comes from the first round.
    assert analysis.round == "baseline" and analysis.mix.respondents == 7
    assert (analysis.first_round, analysis.later_round) == ("baseline", "follow-up")
    assert analysis.comparison is not None and analysis.comparison.both == 4
    assert [(r.risk, r.first, r.later) for r in analysis.comparison.risks] == [
        ("drift", None, 4), ("burnout", None, None)]
    html = report_html(pp, workshop, responses, [], chart_svg="<svg></svg>", analysis=analysis)
    assert "Then and now: the follow-up" in html and "People who answered both rounds: 4" in html


def test_the_downloads_and_the_json_reimports_into_a_real_store(workshop_with_answers, pp):
    store, workshop, _people = workshop_with_answers
    responses = share(pp, workshop, store.responses(workshop.id, WORKBOOK))
    files = export_files(pp, workshop, responses, store.notes(workshop.id))
    assert [f.label for f in files] == ["Report (HTML)", "Responses (CSV)", "Responses (JSON)", "Mix chart (SVG)",
                                        "Mix chart (PNG)"]
    by_label = {f.label: f for f in files}
    assert by_label["Mix chart (PNG)"].data.startswith(b"\x89PNG")
    svg = by_label["Mix chart (SVG)"].data.decode()
    assert svg.startswith("<svg") and "Community Weavers" in svg and "Hall &lt;img" in svg
    report = by_label["Report (HTML)"].data.decode()
    assert XSS not in report and "<svg" in report
    csv_text = by_label["Responses (CSV)"].data.decode()
    assert csv_text.splitlines()[0] == ",".join(TIDY_COLUMNS)
    assert "'=HYPERLINK(1)" in csv_text and "LONE" not in csv_text
    data = by_label["Responses (JSON)"].data
    assert "LONE" not in data.decode()
    target = start_workshop(store, workbook=WORKBOOK, min_group=1).workshop
    done = import_file(store, target, WORKBOOK, data, "persona.json", payload_check(pp), allow_other_workshop=True)
    assert (done.added, done.skipped) == (7, 0)
    again = store.responses(target.id, WORKBOOK)
    assert sorted(json.dumps(r.payload, sort_keys=True) for r in again) == \
        sorted(json.dumps(r.payload, sort_keys=True) for r in responses)
    # The same file twice adds nothing.
    assert import_file(store, target, WORKBOOK, data, "persona.json", payload_check(pp),
                       allow_other_workshop=True).added == 0


def test_a_damaged_answer_in_a_file_is_refused_with_the_packs_words(workshop_with_answers, pp):
    store, workshop, _people = workshop_with_answers
    responses = share(pp, workshop, store.responses(workshop.id, WORKBOOK))
    document = json.loads(export_files(pp, workshop, responses, [])[2].data)
    document["responses"][1]["answers"]["ratings"]["pt-job"] = 9
    with pytest.raises(FriendlyError) as caught:
        read_responses(json.dumps(document).encode(), "bad.json", WORKBOOK, payload_check(pp))
    assert "response 2: Answers must be whole numbers from 1 to 5" in caught.value.message
    assert "Nothing was imported." in caught.value.message


def test_my_downloads_reimport_and_draw_no_chart(store, pp):
    access = start_workshop(store, workbook=WORKBOOK, min_group=3)
    workshop = access.workshop
    seat = join(store, workshop.code, WORKBOOK, display_name=f"Jo {XSS}")
    mine = [save(store, workshop, leading(pp, VD), participant=seat.participant)]
    store.update_workshop(workshop.id, current_round="follow-up")
    mine.append(save(store, workshop, {"checkin": {"ci-too-much": 5, "ci-rest": 1}}, participant=seat.participant,
                     round_name="follow-up"))
    files = my_export_files(pp, mine, workshop)
    assert [f.label for f in files] == ["My profile (HTML)", "My answers (JSON)"]
    page = files[0].data.decode()
    # The profile from the first round, the check-in from the follow-up.
    assert "Mostly a Visionary Disruptor" in page and "you may be close to burning out" in page
    assert XSS not in page and "<svg" not in page
    target = start_workshop(store, workbook=WORKBOOK, min_group=1).workshop
    done = import_file(store, target, WORKBOOK, files[1].data, "mine.json", payload_check(pp),
                       allow_other_workshop=True)
    assert done.added == 2
    assert my_export_files(pp, []) == []
    solo = my_export_files(pp, mine[:1])
    assert solo[1].filename == "persona-mapping-my-answers.json" and json.loads(solo[1].data)["workshop"] is None


def test_a_participants_downloads_never_load_altair():
    code = (
        "import sys\n"
        "from relworkbook.persona.pack import load_persona_pack\n"
        "from relworkbook.persona.report import my_export_files, profile_html, mix_html\n"
        "from relworkbook.persona.model import profile, group_mix\n"
        "from relworkbook.store import Response\n"
        "pack = load_persona_pack()\n"
        "r = Response('u', 1, 'p', 'persona-mapping', 'baseline', '', '', {'about': 'self', "
        "'ratings': {'pt-job': 5}, 'checkin': {'ci-rest': 2}}, 1e9, 1e9)\n"
        "assert my_export_files(pack, [r])\n"
        "profile_html(pack, profile(pack, {'pt-job': 5}), 'self'); mix_html(pack, group_mix(pack, [], 3))\n"
        "print(' '.join(sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(done.stdout.split())
    assert "relworkbook.persona.report" in loaded
    assert not {"ipywidgets", "anywidget", "pandas", "altair", "vl_convert"} & loaded


def test_downloads_before_anyone_answers(store, pp):
    workshop = start_workshop(store, workbook=WORKBOOK, min_group=3).workshop
    files = export_files(pp, workshop, [], [])
    assert len(files) == 5 and files[4].data.startswith(b"\x89PNG")
    report = files[0].data.decode()
    assert "No profiles to show yet." in report and "No plans written yet." in report
    assert files[1].data.decode().strip() == ",".join(TIDY_COLUMNS)
    assert json.loads(files[2].data)["responses"] == []

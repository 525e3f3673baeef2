"""Persona mapping driven through its widgets, as participants, a facilitator and someone on their own would.

No browser: choices are set and buttons clicked on the real ipywidgets, and
the answers go into a real SQLite file opened by ``open_store``. Every word a
test looks for is read from the workbook's pack (or the shared words), so a
test checks that the screen says what the pack says, in the place it should.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
import sqlite3
from pathlib import Path
from typing import Any, Mapping

import pytest

from relworkbook.content import load_ui
from relworkbook.page import PageContext
from relworkbook.persona.app import PersonaWorkbook
from relworkbook.persona.pack import PersonaPack, load_persona_pack
from relworkbook.store import Store, Workshop, open_store
from relworkbook.text import esc

NOTEBOOK = "/voila/render/persona-mapping.ipynb"
SCRIPT = "<script>alert('plan')</script> & <b>tea</b>"


# -- a real store, and pages on it --------------------------------------------------------


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "persona.sqlite3"


@pytest.fixture
def store(db_path):  # overrides conftest's: opened the way the kit opens a data address
    s = open_store(f"sqlite:///{db_path}")
    yield s
    s.close()


@pytest.fixture
def pack() -> PersonaPack:
    return load_persona_pack()


def dump(path: Path) -> list[str]:
    """Every row of every table, as SQL: two equal dumps mean nothing in the file changed."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        return list(db.iterdump())


def page(store: Store, query: str = "") -> PersonaWorkbook:
    return PersonaWorkbook(PageContext.from_query(query, NOTEBOOK), store=store)


def start(store: Store, title: str = "Street helpers", k: int = 3) -> PersonaWorkbook:
    facilitator = page(store)
    assert facilitator.screen == "join"
    facilitator.view.title.value = title
    facilitator.view.start_button.click()
    assert facilitator.screen == "facilitator", facilitator.status.message
    facilitator.view.session.min_group.value = k
    return facilitator


def workshop_of(facilitator: PersonaWorkbook) -> Workshop:
    """The workshop a facilitator's page runs (as it was when the page opened it)."""
    assert facilitator.access is not None, "not a facilitator's page"
    return facilitator.access.workshop


def join(store: Store, facilitator: PersonaWorkbook, name: str = "", group: str = "") -> PersonaWorkbook:
    p = page(store, f"join={workshop_of(facilitator).code}")
    p.view.name.value, p.view.group.value = name, group
    p.view.join_button.click()
    assert p.screen == "participant", p.status.message
    return p


def by_persona(pack: PersonaPack, points: Mapping[str, int], default: int) -> dict[str, int]:
    """A rating for every statement: ``points[persona id]`` for that persona's statements, else ``default``."""
    return {i.id: points.get(i.persona, default) for i in pack.items}


def fill(view: Any, ratings: Mapping[str, int | None] | None = None,
         checkin: Mapping[str, int | None] | None = None, about: str | None = None) -> None:
    """Choose answers as a person would: one choice per question (None: "Not sure")."""
    form = view.form
    if about is not None:
        form.about.value = about
    for questions, answers in ((form.quiz, dict(ratings or {})), (form.checkin, dict(checkin or {}))):
        for qid, value in answers.items():
            questions.choices[qid].value = questions.dont_know if value is None else value


def answer(p: PersonaWorkbook, ratings: Mapping[str, int | None] | None = None,
           checkin: Mapping[str, int | None] | None = None, about: str | None = None) -> None:
    fill(p.view, ratings, checkin, about)
    p.view.save_button.click()


def saved_payloads(store: Store, facilitator: PersonaWorkbook, round: str | None = None) -> list[dict]:
    return [r.payload for r in store.responses(workshop_of(facilitator).id, "persona-mapping", round)]


def sentence(words: str) -> str:
    """Words as a headline starts them: with a capital ("a Community Weaver ..." opens as "A ...")."""
    return words[:1].upper() + words[1:]


def found(pattern: str, text: str, flags: int = 0) -> re.Match[str]:
    match = re.search(pattern, text, flags)
    assert match, f"{pattern!r} not in {text[:600]}"
    return match


def headline_of(result_html: str) -> str:
    return found(r'class="rw-persona-headline"[^>]*>(.*?)</p>', result_html).group(1)


def row_value(html: str, table_class: str, row: str) -> str:
    """The cell beside a row heading in one of the report's tables (row heading as shown, escaped)."""
    table = found(rf'<table class="{table_class}".*?</table>', html, re.S).group(0)
    cell = found(rf'<th scope="row"[^>]*>{re.escape(esc(row))}</th><td[^>]*>(.*?)</td>', table)
    return re.sub(r"<[^>]+>", "", cell.group(1)).strip()


def uploaded(name: str, data: bytes) -> tuple[dict, ...]:
    """The value ipywidgets' FileUpload holds after a browser upload."""
    return ({"name": name, "type": "application/json", "size": len(data), "content": memoryview(data),
             "last_modified": datetime.datetime.now(datetime.timezone.utc)},)


def files_of(downloads) -> dict[str, Any]:
    """Download files by what their name ends with (report.html, responses.csv, ...)."""
    return {f.filename.rsplit("-", 1)[-1]: f for f in downloads.files}


# -- one person's profile ---------------------------------------------------------------


def test_a_clear_lead_names_one_persona(store, pack):
    facilitator = start(store)
    p = join(store, facilitator)
    tasker, carer = pack.personas[0], pack.personas[1]
    answer(p, by_persona(pack, {tasker.id: 5, carer.id: 3}, default=1))
    assert p.view.status.kind == "success" and p.view.status.message == pack.screen("saved")
    result = p.view.result.value
    assert headline_of(result) == esc(pack.screen("headline_lead", top=tasker.with_article))
    assert esc(pack.screen("card_heading", name=tasker.name)) in result  # the leading persona's card
    assert esc(pack.screen("also_heading", name=carer.name)) not in result  # a clear lead: no "also strong"
    assert row_value(result, "rw-persona-bars", tasker.name).endswith(f"100 {pack.scale.high_word}")
    assert row_value(result, "rw-persona-bars", carer.name).endswith(f"50 {pack.scale.middle_word}")
    first_pathway = pack.pathways_for(tasker.id)[0]
    assert esc(first_pathway.name) in result
    # What was stored is what was chosen, in the model's shape.
    [payload] = saved_payloads(store, facilitator)
    assert payload == {"about": "self", "ratings": by_persona(pack, {tasker.id: 5, carer.id: 3}, 1), "checkin": {}}
    assert pack.screen("progress", count=len(pack.items), total=len(pack.items)) in p.view.form.progress.value


def test_close_scores_give_a_blend_of_the_top_two(store, pack):
    p = join(store, start(store))
    weaver, disruptor = pack.personas[3], pack.personas[4]
    ratings = by_persona(pack, {weaver.id: 5, disruptor.id: 5}, default=1)
    ratings[pack.items_for(disruptor.id)[0].id] = 4  # 100 against 91.7: closer than the pack's clear lead
    answer(p, ratings)
    result = p.view.result.value
    assert headline_of(result) == esc(sentence(pack.screen("headline_blend", top=weaver.with_article,
                                                           second=disruptor.singular)))
    assert esc(pack.screen("also_heading", name=disruptor.name)) in result


def test_all_not_sure_gives_no_profile_and_counts_for_nothing_in_the_mix(store, pack):
    facilitator = start(store, k=1)
    p = join(store, facilitator)
    answer(p, {i.id: None for i in pack.items})
    assert p.view.status.kind == "success"
    assert headline_of(p.view.result.value) == esc(pack.screen("headline_none"))
    assert "rw-persona-bars" not in p.view.result.value
    assert saved_payloads(store, facilitator)[0]["ratings"] == {i.id: None for i in pack.items}
    facilitator.refresh()
    assert esc(pack.screen("mix_people", count=0)) in facilitator.view.mix.value
    assert esc(pack.screen("mix_empty")) in facilitator.view.mix.value


def test_saving_nothing_is_refused_with_the_packs_words(store, pack):
    facilitator = start(store)
    p = join(store, facilitator)
    p.view.save_button.click()
    assert p.view.status.kind == "error" and p.view.status.message == pack.screen("nothing_answered")
    assert saved_payloads(store, facilitator) == []
    p.view.download_button.click()
    assert p.view.status.message == pack.screen("nothing_to_download") and p.view.downloads.files == ()


def test_partly_answered_says_how_many_are_left(store, pack):
    p = join(store, start(store))
    answer(p, {pack.items[0].id: 4, pack.items[1].id: None})
    missing = len(pack.items) - 2
    assert p.view.status.message == f"{pack.screen('saved')} {pack.screen('unanswered', count=missing)}"
    assert pack.screen("progress", count=2, total=len(pack.items)) in p.view.form.progress.value


def test_answering_for_someone_rewords_every_question_and_the_saved_result(store, pack):
    facilitator = start(store)
    p = join(store, facilitator)
    form = p.view.form
    them = [label for _value, label in pack.them_labels] + [""]
    me = [label for _value, label in pack.scale.labels] + [""]
    assert all(c.label == pack.item(i).me and c.hints == me for i, c in form.quiz.choices.items())
    form.about.value = "someone"
    for item_id, choice in form.quiz.choices.items():
        assert choice.label == pack.item(item_id).them and choice.hints == them
    for checkin_id, choice in form.checkin.choices.items():
        assert choice.label == pack.checkin_item(checkin_id).them and choice.hints == them
    assert esc(pack.screen("quiz_heading_someone")) in form.quiz_heading.value
    assert esc(pack.screen("checkin_intro_someone")) in form.checkin_heading.value

    carer = pack.personas[1]
    burnout = {c.id: (5 if not c.reverse else 1) for c in pack.checkin if c.risk == "burnout"}
    answer(p, by_persona(pack, {carer.id: 5}, default=2), checkin=burnout)
    assert p.view.status.message == pack.screen("saved_someone")
    result = p.view.result.value
    for key in ("profile_heading_someone", "profile_intro_someone", "bars_caption_someone", "risk_burnout_someone"):
        assert esc(pack.screen(key)) in result, key
    for key in ("profile_heading_self", "bars_caption_self", "risk_burnout_self"):
        assert esc(pack.screen(key)) not in result, key
    assert saved_payloads(store, facilitator)[0]["about"] == "someone"

    # Back to "for myself": the words follow, the chosen answers stay.
    form.about.value = "self"
    assert all(c.label == pack.item(i).me and c.hints == me for i, c in form.quiz.choices.items())
    assert form.quiz.ratings == by_persona(pack, {carer.id: 5}, default=2)
    # Coming back by the personal link shows the answers as they were saved, worded for someone.
    back = page(store, p.bridge.replace_query)
    assert back.screen == "participant" and back.view.form.about.value == "someone"
    assert all(c.label == pack.item(i).them for i, c in back.view.form.quiz.choices.items())
    assert esc(pack.screen("profile_heading_someone")) in back.view.result.value


# -- the facilitator's live view of the group ------------------------------------------


def test_the_mix_waits_for_k_people_then_shows_counts_and_averages(store, pack):
    ui = load_ui()
    facilitator = start(store)  # k = 3
    empty_mix = facilitator.view.mix.value
    tasker, carer = pack.personas[0], pack.personas[1]
    people = [join(store, facilitator, name=name) for name in ("Ana", "Bo", "Cy")]
    for p, carer_points in zip(people[:2], (1, 3), strict=True):
        answer(p, by_persona(pack, {tasker.id: 5, carer.id: carer_points}, default=1))
    facilitator.refresh()
    # Two people have saved: that is said, but nothing of what they answered is shown.
    assert ui("submitted", count=2, joined=3) in facilitator.view.session.counts.value
    assert esc(ui("waiting_many", count=2, k=3)) in facilitator.view.waiting.value
    assert facilitator.view.mix.value == empty_mix
    assert "rw-persona-bars" not in facilitator.view.mix.value
    answer(people[2], by_persona(pack, {tasker.id: 5, carer.id: 2}, default=1))
    facilitator.refresh()
    mix = facilitator.view.mix.value
    assert facilitator.view.waiting.value == ""
    assert esc(pack.screen("mix_people", count=3)) in mix
    # Averages rest on 3 people each: shown. Carers: 0, 50 and 25 average 25.
    assert row_value(mix, "rw-persona-bars", tasker.name) == f"100 {pack.scale.high_word}"
    assert row_value(mix, "rw-persona-bars", carer.name) == f"25 {pack.scale.low_word}"
    # All three lead with Practical Taskers: that count is shown; every count under 3 is hidden (0 included).
    hidden = pack.screen("hidden_small", k=3)
    assert row_value(mix, "rw-persona-leads", tasker.name) == "3"
    for persona in pack.personas[1:]:
        assert row_value(mix, "rw-persona-leads", persona.name) == hidden
    assert row_value(mix, "rw-persona-leads", pack.screen("blend_row")) == hidden
    assert esc(pack.screen("present_heading")) in mix and esc(tasker.name) in mix
    assert "Ana" not in mix and "Bo" not in mix  # the mix names personas, never people


def test_small_lead_counts_that_could_be_worked_out_are_hidden(store, pack):
    facilitator = start(store)
    tasker, carer = pack.personas[0], pack.personas[1]
    leads = [tasker, tasker, tasker, carer]
    for persona in leads:
        answer(join(store, facilitator), by_persona(pack, {persona.id: 5}, default=1))
    facilitator.refresh()
    mix = facilitator.view.mix.value
    hidden = pack.screen("hidden_small", k=3)
    assert esc(pack.screen("mix_people", count=4)) in mix
    # One Carer is under k; showing the Taskers' 3 would give it away (4 people, 3 shown): both hidden.
    assert row_value(mix, "rw-persona-leads", carer.name) == hidden
    assert row_value(mix, "rw-persona-leads", tasker.name) == hidden
    # The averages rest on all four people, so they stay.
    assert row_value(mix, "rw-persona-bars", tasker.name).startswith("75 ")


def test_lock_refuses_a_save_with_the_packs_words_and_keeps_the_answer(store, pack):
    facilitator = start(store)
    p = join(store, facilitator)
    first = by_persona(pack, {}, default=2)
    answer(p, first)
    facilitator.view.session.lock_button.click()
    p.refresh()
    assert p.view.save_button.disabled and p.view.form.about.disabled
    assert all(c.disabled for c in [*p.view.form.quiz.choices.values(), *p.view.form.checkin.choices.values()])
    assert p.view.status.message == pack.screen("locked")
    # A page that did not notice the lock (its button still live) cannot write either.
    p.view.save_button.disabled = False
    answer(p, by_persona(pack, {}, default=5))
    assert p.view.status.kind == "error" and p.view.status.message == pack.screen("locked")
    assert saved_payloads(store, facilitator)[0]["ratings"] == first
    assert p.view.save_button.disabled
    facilitator.view.session.lock_button.click()
    p.refresh()
    assert not p.view.save_button.disabled
    p.view.save_button.click()  # what they chose while it was closed is still on their screen
    assert p.view.status.kind == "success"
    assert saved_payloads(store, facilitator)[0]["ratings"] == by_persona(pack, {}, default=5)


def test_reveal_puts_the_groups_mix_first_on_a_participants_page(store, pack):
    facilitator = start(store)
    people = [join(store, facilitator) for _ in range(3)]
    for p in people:
        answer(p, by_persona(pack, {pack.personas[2].id: 5}, default=2))
    view = people[0].view
    view.refresh()
    assert view.group.value == ""
    assert list(view.children).index(view.form) < list(view.children).index(view.group)
    facilitator.view.session.reveal_button.click()
    people[0].refresh()
    assert esc(pack.screen("mix_heading")) in view.group.value
    assert esc(pack.screen("mix_people", count=3)) in view.group.value
    order = list(view.children)
    assert order.index(view.group) < order.index(view.form) < order.index(view.result)
    assert order.index(view.group) == 1  # straight under the title
    facilitator.view.session.reveal_button.click()
    people[0].refresh()
    assert view.group.value == "" and list(view.children).index(view.form) < list(view.children).index(view.group)


# -- rounds ------------------------------------------------------------------------------


def new_round(facilitator: PersonaWorkbook, name: str = "follow-up") -> None:
    session = facilitator.view.session
    session.round_name.value = name
    session.round_button.click()
    assert session.status.kind == "success", session.status.message


def test_a_new_round_carries_the_statements_over_and_empties_the_checkin(store, pack):
    facilitator = start(store)
    p = join(store, facilitator)
    ratings = by_persona(pack, {pack.personas[3].id: 4}, default=2)
    checkin = {c.id: 3 for c in pack.checkin}
    answer(p, ratings, checkin, about="someone")
    new_round(facilitator)
    # Someone who opens the page in the new round (their personal link) finds last round's statements.
    fresh = page(store, p.bridge.replace_query)
    form = fresh.view.form
    assert form.quiz.ratings == ratings and form.checkin.ratings == {} and form.about.value == "someone"
    assert fresh.view.status.message == pack.screen("carried_over")
    assert fresh.view.result.value == ""
    # Carried over is not saved: the new round holds nothing until they save.
    assert saved_payloads(store, facilitator, "follow-up") == []
    fill(fresh.view, checkin={c.id: 4 for c in pack.checkin})
    fresh.view.save_button.click()
    [follow_up] = saved_payloads(store, facilitator, "follow-up")
    assert follow_up == {"about": "someone", "ratings": ratings, "checkin": {c.id: 4 for c in pack.checkin}}
    assert saved_payloads(store, facilitator, "baseline")[0]["checkin"] == checkin


def test_a_page_left_open_says_the_statements_were_carried_over(store, pack):
    facilitator = start(store)
    p = join(store, facilitator)
    ratings = by_persona(pack, {}, default=3)
    answer(p, ratings, {c.id: 3 for c in pack.checkin})
    new_round(facilitator)
    p.refresh()
    assert p.view.form.quiz.ratings == ratings and p.view.form.checkin.ratings == {}
    assert p.view.result.value == ""
    assert pack.screen("carried_over") in p.view.status.message


def test_then_and_now_compares_rounds_once_k_people_answered_both(store, pack):
    facilitator = start(store)
    people = [join(store, facilitator) for _ in range(3)]
    burnt_out = {"ci-worth": 4, "ci-enough": 4, "ci-too-much": 5, "ci-rest": 1}
    rested = {"ci-worth": 4, "ci-enough": 4, "ci-too-much": 2, "ci-rest": 4}
    assert set(burnt_out) == {c.id for c in pack.checkin}
    for p in people:
        answer(p, by_persona(pack, {}, default=3), burnt_out)
    facilitator.refresh()
    assert esc(pack.screen("compare_empty")) in facilitator.view.compare.value
    new_round(facilitator)
    for p in people[:2]:
        p.refresh()
        fill(p.view, checkin=rested)
        p.view.save_button.click()
        assert p.view.status.kind == "success", p.view.status.message
    facilitator.refresh()
    assert esc(pack.screen("compare_empty")) in facilitator.view.compare.value  # two people: nothing to compare
    people[2].refresh()
    fill(people[2].view, checkin=rested)
    people[2].view.save_button.click()
    facilitator.refresh()
    compare = facilitator.view.compare.value
    assert esc(pack.screen("compare_both", count=3)) in compare
    too_much = pack.item_text(pack.checkin_item("ci-too-much"), "self")
    table = found(r'<table class="rw-persona-compare-items".*?</table>', compare, re.S).group(0)
    row = found(rf"<th[^>]*>{re.escape(esc(too_much))}</th>(.*?)</tr>", table).group(1)
    assert [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>.*?</td>", row)] == \
        ["5.0", "2.0", pack.screen("change_better")]
    worth = pack.item_text(pack.checkin_item("ci-worth"), "self")
    row = found(rf"<th[^>]*>{re.escape(esc(worth))}</th>(.*?)</tr>", table).group(1)
    assert pack.screen("change_same") in row
    # All three were at risk of burning out; now none is, and 0 is under k so it is hidden.
    assert row_value(compare, "rw-persona-compare-risks", pack.screen("risk_burnout")) == "3"
    risks = found(r'<table class="rw-persona-compare-risks".*?</table>', compare, re.S).group(0)
    burnout_row = found(rf"{re.escape(esc(pack.screen('risk_burnout')))}</th>(.*?)</tr>", risks).group(1)
    assert esc(pack.screen("hidden_small", k=3)) in burnout_row


# -- the support plan ------------------------------------------------------------------


def test_support_plan_lines_are_kept_per_persona_and_shown_as_text(store, pack):
    facilitator = start(store)
    view = facilitator.view
    weaver, carer = pack.personas[3], pack.personas[1]
    view.plan_persona.value = weaver.id
    view.plan_offer.value, view.plan_who.value, view.plan_by_when.value = SCRIPT, "Sam", "June"
    view.plan_button.click()
    assert view.status.kind == "success" and view.status.message == pack.screen("plan_added", name=weaver.name)
    assert view.plan_offer.value == view.plan_who.value == view.plan_by_when.value == ""
    view.plan_persona.value = carer.id
    view.plan_offer.value = "Monthly carers' coffee"
    view.plan_button.click()
    plans = view.plans.value
    assert "<script>" not in plans and "<b>tea</b>" not in plans
    assert esc(SCRIPT) in plans and esc("Monthly carers' coffee") in plans
    # Each line sits under its own persona's heading.
    sections = dict(re.findall(r"<h4>(.*?)</h4>(.*?)(?=<h4>|$)", plans, re.S))
    assert esc(SCRIPT) in sections[esc(weaver.name)] and "Sam" in sections[esc(weaver.name)]
    assert esc("Monthly carers' coffee") in sections[esc(carer.name)]
    assert esc(pack.screen("plan_nothing_for")) in sections[esc(pack.personas[0].name)]

    # An empty offer (or one of spaces) is refused, kindly, and nothing is written.
    before = store.notes(workshop_of(facilitator).id)
    view.plan_offer.value, view.plan_who.value = "   ", "Jo"
    view.plan_button.click()
    assert view.status.kind == "error"
    assert view.status.message == f"Please fill in the {pack.screen('plan_offer_what')}."
    assert view.plan_who.value == "Jo"  # what they typed is not thrown away
    assert store.notes(workshop_of(facilitator).id) == before

    # The plan is in the report download, still as text.
    for _ in range(3):
        answer(join(store, facilitator), by_persona(pack, {weaver.id: 5}, default=2))
    view.prepare_exports()
    report = files_of(view.downloads)["report.html"].data.decode()
    assert esc(SCRIPT) in report and "<script>alert" not in report and "<b>tea</b>" not in report
    assert esc("Monthly carers' coffee") in report and esc(pack.screen("plan_heading")) in report


# -- downloads and files ----------------------------------------------------------------


def test_the_facilitators_downloads(store, pack):
    facilitator = start(store, title="Riverside <i>helpers</i>")
    view = facilitator.view
    view.export_button.click()
    assert view.status.kind == "error" and view.status.message == load_ui()("nothing_to_export")
    tasker = pack.personas[0]
    for n in range(3):
        answer(join(store, facilitator, name=f"P{n}", group="staff"), by_persona(pack, {tasker.id: 5}, default=1 + n),
               {c.id: 3 for c in pack.checkin})
    view.export_button.click()
    assert view.status.kind == "success"
    code = workshop_of(facilitator).code
    files = {f.filename: f for f in view.downloads.files}
    stem = f"persona-mapping-{code}"
    assert set(files) == {f"{stem}-report.html", f"{stem}-responses.csv", f"{stem}-responses.json",
                          f"{stem}-mix.svg", f"{stem}-mix.png"}
    assert [f.label for f in view.downloads.files] == [pack.screen(key) for key in (
        "download_report", "download_csv", "download_json", "download_svg", "download_png")]
    report = files[f"{stem}-report.html"].data.decode()
    assert esc("Riverside <i>helpers</i>") in report and "<i>helpers</i>" not in report
    assert esc(pack.screen("mix_people", count=3)) in report and "<svg" in report
    rows = list(csv.DictReader(io.StringIO(files[f"{stem}-responses.csv"].data.decode())))
    assert len(rows) == 3 * (len(pack.items) + len(pack.checkin))
    assert {r["kind"] for r in rows} == {"quiz", "checkin"} and {r["group"] for r in rows} == {"staff"}
    document = json.loads(files[f"{stem}-responses.json"].data)
    assert document["workbook"] == "persona-mapping" and document["workshop"]["code"] == code
    assert sorted(r["name"] for r in document["responses"]) == ["P0", "P1", "P2"]
    assert files[f"{stem}-mix.svg"].data.decode().lstrip().startswith("<svg")
    assert esc(tasker.name) in files[f"{stem}-mix.svg"].data.decode()
    assert files[f"{stem}-mix.png"].data[:8] == b"\x89PNG\r\n\x1a\n"
    assert view.downloads.value.count('class="rw-download"') == 5


def test_a_participants_own_downloads(store, pack):
    facilitator = start(store)
    p = join(store, facilitator, name="Ana")
    ratings = by_persona(pack, {pack.personas[2].id: 5}, default=1)
    answer(p, ratings, {c.id: 2 for c in pack.checkin})
    p.view.download_button.click()
    code = workshop_of(facilitator).code
    files = {f.filename: f for f in p.view.downloads.files}
    assert set(files) == {f"persona-mapping-{code}-my-profile.html", f"persona-mapping-{code}-my-answers.json"}
    profile_page = files[f"persona-mapping-{code}-my-profile.html"].data.decode()
    assert esc(pack.screen("headline_lead", top=pack.personas[2].with_article)) in profile_page
    document = json.loads(files[f"persona-mapping-{code}-my-answers.json"].data)
    [mine] = document["responses"]
    assert mine["answers"] == {"about": "self", "ratings": ratings, "checkin": {c.id: 2 for c in pack.checkin}}
    assert mine["name"] == "Ana"


def test_the_exported_json_reimports_through_the_files_tab(store, pack):
    first = start(store, title="First room")
    for n in range(3):
        answer(join(store, first), by_persona(pack, {pack.personas[n].id: 5}, default=2))
    first.view.prepare_exports()
    data = files_of(first.view.downloads)["responses.json"].data
    # Back into its own workshop: nothing new.
    first.view.importer.upload.value = uploaded("export.json", data)
    ui = load_ui()
    assert first.view.importer.status.message == \
        f'{ui("import_nothing_new", name="export.json")} {ui("import_skipped", skipped=3)}'

    second = start(store, title="Second room")
    importer = second.view.importer
    importer.upload.value = uploaded("export.json", data)
    assert "export.json" in importer.pending and store.responses(workshop_of(second).id) == []
    importer.add_anyway.click()
    assert importer.status.kind == "success"
    assert importer.status.message == ui("imported", added=3, name="export.json")
    imported = store.responses(workshop_of(second).id)
    assert sorted(json.dumps(r.payload, sort_keys=True) for r in imported) == \
        sorted(json.dumps(r["answers"], sort_keys=True) for r in json.loads(data)["responses"])
    first.refresh()
    assert esc(pack.screen("mix_people", count=3)) in first.view.mix.value
    assert second.view.mix.value == first.view.mix.value  # the same answers, the same mix


def test_a_damaged_or_foreign_answer_file_is_refused_and_nothing_changes(store, db_path, pack):
    facilitator = start(store)
    answer(join(store, facilitator), by_persona(pack, {}, default=3))
    importer = facilitator.view.importer
    solo = page(store, "solo=1")
    fill(solo.view, by_persona(pack, {}, default=4))
    solo.view.show_button.click()
    good = files_of(solo.view.downloads)["answers.json"].data
    document = json.loads(good)
    before = dump(db_path)

    out_of_scale = json.loads(good)
    out_of_scale["responses"][0]["answers"]["ratings"][pack.items[0].id] = 7
    unknown_item = json.loads(good)
    unknown_item["responses"][0]["answers"]["ratings"]["made-up"] = 3
    bad_about = json.loads(good)
    bad_about["responses"][0]["answers"]["about"] = "everyone"
    foreign = {**document, "workbook": "heatmap"}
    scale = pack.scale
    cases = [
        ("cut.json", good[: len(good) // 2], "is not a response file"),
        ("scale.json", json.dumps(out_of_scale).encode(),
         pack.screen("err_value", min=scale.min, max=scale.max, dont_know=scale.dont_know)),
        ("item.json", json.dumps(unknown_item).encode(), pack.screen("err_item")),
        ("about.json", json.dumps(bad_about).encode(), pack.screen("err_about")),
        ("heatmap.json", json.dumps(foreign).encode(), "holds answers for the 'heatmap' workbook, not this one"),
    ]
    for name, data, words in cases:
        importer.upload.value = uploaded(name, data)
        assert importer.status.kind == "error", (name, importer.status.message)
        assert words in importer.status.message and name in importer.status.message
        assert dump(db_path) == before, name
    # The good file still goes in after all that.
    importer.upload.value = uploaded("good.json", good)
    assert importer.status.kind == "success" and len(store.responses(workshop_of(facilitator).id)) == 2


# -- on one's own ------------------------------------------------------------------------


def test_solo_shows_a_profile_and_files_and_stores_nothing(store, db_path, pack):
    before = dump(db_path)
    solo = page(store, "solo=1")
    assert solo.screen == "solo"
    view = solo.view
    view.show_button.click()
    assert view.status.kind == "error" and view.status.message == pack.screen("nothing_answered")
    weaver = pack.personas[3]
    fill(view, by_persona(pack, {weaver.id: 5}, default=1), {c.id: 3 for c in pack.checkin}, about="someone")
    view.show_button.click()
    assert view.status.kind == "success" and view.status.message == pack.screen("shown_someone")
    assert headline_of(view.result.value) == esc(pack.screen("headline_lead", top=weaver.with_article))
    assert esc(pack.screen("profile_heading_someone")) in view.result.value
    files = files_of(view.downloads)
    assert set(files) == {"profile.html", "answers.json"}
    document = json.loads(files["answers.json"].data)
    assert document["workshop"] is None and len(document["responses"]) == 1
    assert document["responses"][0]["answers"]["about"] == "someone"
    assert esc(pack.screen("headline_lead", top=weaver.with_article)) in files["profile.html"].data.decode()
    # Showing it again is the same one answer (one person, one file), with the change in it.
    fill(view, {pack.items_for(weaver.id)[0].id: 1})
    view.show_button.click()
    again = json.loads(files_of(view.downloads)["answers.json"].data)["responses"]
    assert len(again) == 1 and again[0]["uid"] == document["responses"][0]["uid"]
    assert again[0]["answers"]["ratings"][pack.items_for(weaver.id)[0].id] == 1
    assert dump(db_path) == before

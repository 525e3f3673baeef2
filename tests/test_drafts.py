"""Unsaved answers survive a reload in the same browser tab, and only ever come back to the same person and round.

No browser: the pages are real shells on a real SQLite store. ``Tab`` plays the
browser tab's sessionStorage exactly as bridge.js does: it keeps what the
kernel sends in ``keep`` ("" forgets), and hands it all back in ``drafts``
when a page is drawn. A reload is a new shell built from the address bar
(``replace_query``) and given the tab's drafts.
"""

from __future__ import annotations

import json

import pytest

from relworkbook.components.bridge import PageBridge
from relworkbook.content import load_ui
from relworkbook.heatmap import HeatmapWorkbook
from relworkbook.page import PageContext
from relworkbook.persona.app import PersonaWorkbook
from relworkbook.persona.pack import load_persona_pack
from relworkbook.story import StoryWorkbook

UI = load_ui()
BACK = UI("draft_restored")


class Tab:
    """One browser tab's sessionStorage, as bridge.js keeps it."""

    def __init__(self) -> None:
        self.storage: dict[str, str] = {}

    def follow(self, shell) -> None:
        """What bridge.js does on every change of ``keep``."""
        for key, text in shell.bridge.keep.items():
            if text:
                self.storage[key] = text
            else:
                self.storage.pop(key, None)

    def draw(self, shell) -> None:
        """What bridge.js sends once the page is drawn."""
        shell.bridge.drafts = dict(self.storage)

    def reload(self, shell, make):
        """The reload button: the same address, a new kernel, the tab's drafts handed back."""
        self.follow(shell)
        again = make(shell.bridge.replace_query)
        self.draw(again)
        return again


# -- the heatmap -----------------------------------------------------------------------------


def heatmap(store, query: str = "") -> HeatmapWorkbook:
    return HeatmapWorkbook(PageContext.from_query(query), store=store)


def start(make):
    facilitator = make("")
    facilitator.view.start_button.click()
    assert facilitator.screen == "facilitator", facilitator.status.message
    return facilitator


def join(make, facilitator, name: str = ""):
    p = make(f"join={facilitator.access.workshop.code}")
    p.view.name.value = name
    p.view.join_button.click()
    assert p.screen == "participant", p.status.message
    return p


def choices(p) -> list:
    return list(p.view.form.choices.values())


def test_unsaved_ratings_come_back_after_a_reload_and_saving_clears_them(store):
    make = lambda query: heatmap(store, query)  # noqa: E731
    facilitator = start(make)
    p = join(make, facilitator, "Ana")
    tab = Tab()
    first, second, third = choices(p)[:3]
    first.value, second.value = 4, 2
    p.view.save_button.click()
    assert "Saved." in p.view.status.message
    third.value = 5  # changed after saving: unsaved
    tab.follow(p)
    assert len(tab.storage) == 1
    ids = list(p.view.form.choices)
    assert json.loads(next(iter(tab.storage.values())))["ratings"] == {ids[0]: 4, ids[1]: 2, ids[2]: 5}

    again = tab.reload(p, make)
    assert again.screen == "participant" and again.membership.participant.uid == p.membership.participant.uid
    assert [c.value for c in choices(again)[:3]] == [4, 2, 5]
    assert again.view.status.message == BACK
    # Still only a draft: the store holds the saved answer.
    saved = store.response_for(again.view.workshop.id, p.membership.participant.uid, "heatmap", "baseline")
    assert list(saved.payload["ratings"].values()) == [4, 2]

    again.view.save_button.click()
    assert "Saved." in again.view.status.message
    tab.follow(again)
    assert tab.storage == {}
    third_time = tab.reload(again, make)
    assert [c.value for c in choices(third_time)[:3]] == [4, 2, 5]  # now from the store
    assert third_time.view.status.message != BACK


def test_saved_goes_as_soon_as_an_answer_changes(store):
    make = lambda query: heatmap(store, query)  # noqa: E731
    p = join(make, start(make))
    choices(p)[0].value = 3
    p.view.save_button.click()
    assert p.view.status.kind == "success"
    choices(p)[1].value = 1
    assert p.view.status.kind == "" and "Saved" not in p.view.status.value
    choices(p)[1].value = None  # back to exactly what is saved: nothing unsaved, nothing kept
    assert p.bridge.keep and set(p.bridge.keep.values()) == {""}


def test_another_person_in_the_same_tab_never_gets_the_draft(store):
    make = lambda query: heatmap(store, query)  # noqa: E731
    facilitator = start(make)
    ana = join(make, facilitator, "Ana")
    tab = Tab()
    choices(ana)[0].value = 5
    tab.follow(ana)
    assert tab.storage

    ben = join(make, facilitator, "Ben")
    tab.draw(ben)
    assert all(c.value is None for c in choices(ben)) and ben.view.status.message != BACK

    # The plain join link on this device opens Ana's answers; "Not you?" forgets her draft.
    code = facilitator.access.workshop.code
    shared = make(f"join={code}")
    shared.bridge.recalled = dict(ana.bridge.remember)
    tab.draw(shared)
    assert shared.screen == "participant" and choices(shared)[0].value == 5  # Ana's tab, Ana's draft
    shared.device_note.children[1].click()
    tab.follow(shared)
    assert shared.screen == "join" and tab.storage == {}


def test_a_new_round_drops_the_draft_and_a_closed_round_keeps_it_for_later(store):
    make = lambda query: heatmap(store, query)  # noqa: E731
    facilitator = start(make)
    p = join(make, facilitator)
    tab = Tab()
    choices(p)[0].value = 2
    tab.follow(p)
    before = dict(tab.storage)

    # Closed: the saved answer is shown and the form is shut; the draft waits in the tab.
    facilitator.view.session.lock_button.click()
    closed = tab.reload(p, make)
    assert choices(closed)[0].value is None and choices(closed)[0].disabled
    assert closed.view.status.message != BACK and tab.storage == before
    facilitator.view.session.lock_button.click()  # reopened: the page takes its draft back
    closed.view.refresh()
    assert choices(closed)[0].value == 2 and closed.view.status.message == BACK

    # A new round: the page left open forgets last round's draft; a reload does not bring it back.
    facilitator.view.session.round_name.value = "follow-up"
    facilitator.view.session.round_button.click()
    closed.view.refresh()
    tab.follow(closed)
    assert tab.storage == {}
    assert all(c.value is None for c in choices(closed))
    stale = make(closed.bridge.replace_query)
    stale.bridge.drafts = before  # a tab that still held last round's draft
    assert all(c.value is None for c in choices(stale)) and stale.view.status.message != BACK


@pytest.mark.parametrize("text", ["not json", "[1, 2]", json.dumps({"ratings": {"no-such-statement": 3}}),
                                  json.dumps({"ratings": {"x": "<b>5</b>"}}), json.dumps({"ratings": 7})])
def test_a_draft_the_page_cannot_read_is_dropped_and_the_saved_answer_stands(store, text):
    make = lambda query: heatmap(store, query)  # noqa: E731
    p = join(make, start(make))
    choices(p)[0].value = 3
    p.view.save_button.click()
    tab = Tab()
    tab.storage[p.view.draft_key()] = text
    again = tab.reload(p, make)
    assert [c.value for c in choices(again)][:2] == [3, None]
    assert again.view.status.message != BACK
    tab.follow(again)
    assert p.view.draft_key() not in tab.storage


def test_bridge_takes_back_only_json_objects_and_its_own_latest_word():
    bridge = PageBridge()
    bridge.drafts = {"a": "{\"x\": 1}", "b": "[1]", "c": "nope", "d": "", "e": "{" + " " * 300_000 + "}"}
    assert bridge.recalled_draft("a") == {"x": 1}
    assert [bridge.recalled_draft(k) for k in "bcdez"] == [None] * 5
    bridge.keep_draft("a", None)  # saved since the page was drawn
    assert bridge.recalled_draft("a") is None and bridge.keep == {"a": ""}
    bridge.keep_draft("z", None)  # nothing kept, nothing to forget: no message
    assert "z" not in bridge.keep
    bridge.keep_draft("a", {"y": "<i>é</i>"})
    assert bridge.recalled_draft("a") == {"y": "<i>é</i>"}


# -- persona mapping ----------------------------------------------------------------------------


def test_persona_answers_about_someone_come_back_and_saving_clears_them(store):
    pack = load_persona_pack()
    make = lambda query: PersonaWorkbook(PageContext.from_query(query, "/voila/render/persona-mapping.ipynb"),  # noqa: E731
                                         store=store)
    p = join(make, start(make))
    tab = Tab()
    form = p.view.form
    item, check = pack.items[0].id, pack.checkin[0].id
    form.about.value = "someone"
    form.quiz.choices[item].value = 4
    form.checkin.choices[check].value = form.checkin.dont_know
    again = tab.reload(p, make)
    assert again.view.form.payload == {"about": "someone", "ratings": {item: 4}, "checkin": {check: None}}
    assert again.view.status.message == BACK
    # Worded for someone else again, as when the answers were given.
    assert again.view.form.quiz.choices[item].label == pack.item_text(pack.items[0], "someone")

    again.view.save_button.click()
    assert again.view.status.kind == "success"
    again.view.form.quiz.choices[item].value = 2  # "Saved" goes with the change ...
    assert again.view.status.kind == ""
    again.view.form.quiz.choices[item].value = 4  # ... and a change back is nothing unsaved
    tab.follow(again)
    assert tab.storage == {}


# -- story weaving ---------------------------------------------------------------------------------


def story(store, query: str = "") -> StoryWorkbook:
    return StoryWorkbook(PageContext.from_query(query, "/voila/render/story-weaving.ipynb"), store=store)


def test_the_moment_being_written_comes_back_and_saving_it_clears_the_draft(store):
    make = lambda query: story(store, query)  # noqa: E731
    p = join(make, start(make))
    tab = Tab()
    form = p.view.editor.form
    form.phase.value = form.phase.options[1][1]
    form.title.value = "The street party"
    form.story.value = "We closed the road <b>and</b> everyone came."
    form.feeling.value = 4
    again = tab.reload(p, make)
    back = again.view.editor.form
    assert (back.phase.value, back.title.value, back.story.value, back.feeling.value) == (
        form.phase.options[1][1], "The street party", "We closed the road <b>and</b> everyone came.", 4)
    assert again.view.status.message == BACK
    assert again.view.editor.moments == []  # not saved by coming back

    again.view.editor.save_button.click()
    assert [m["title"] for m in again.view.editor.moments] == ["The street party"]
    assert again.view.editor.status.kind == "success"
    tab.follow(again)
    assert tab.storage == {}
    back.title.value = "Next one"  # the next moment: "saved" was about the last one
    assert again.view.editor.status.kind == ""


def test_an_edit_in_progress_and_unsaved_sort_come_back_to_the_same_moment(store):
    make = lambda query: story(store, query)  # noqa: E731
    p = join(make, start(make))
    editor = p.view.editor
    form = editor.form
    form.phase.value = form.phase.options[0][1]
    form.title.value, form.story.value, form.feeling.value = "Old title", "A story.", 3
    editor.save_button.click()
    moment_id = editor.moments[0]["id"]
    editor.edit(moment_id)
    form.title.value = "New title"
    sid = next(iter(editor.sort_choices))
    editor.sort_choices[sid].value = editor.sort_choices[sid].values[0]
    tab = Tab()
    again = tab.reload(p, make)
    back = again.view.editor
    assert back.editing == moment_id and back.form.title.value == "New title"
    assert back.sort_choices[sid].value == editor.sort_choices[sid].values[0]
    assert again.view.status.message == BACK

    back.sort_button.click()  # the sort is saved; the edit is still unsaved, so still kept
    tab.follow(again)
    kept = json.loads(next(iter(tab.storage.values())))
    assert kept["moment"]["title"] == "New title" and "sort" not in kept

    back.save_button.click()
    assert [m["title"] for m in back.moments] == ["New title"]  # updated, not a second moment
    tab.follow(again)
    assert tab.storage == {}


# -- what the banner says, on every screen ----------------------------------------------------------


def test_the_lost_connection_words_come_from_the_pack_on_every_screen(store):
    make = lambda query: heatmap(store, query)  # noqa: E731
    first = make("")
    assert first.bridge.lost_words == UI("connection_lost_start")
    assert first.bridge.reload_words == UI("reload_page")
    facilitator = start(make)
    assert facilitator.bridge.lost_words == UI("connection_lost_facilitator")
    assert join(make, facilitator).bridge.lost_words == UI("connection_lost")
    solo = make("solo=1")
    assert solo.screen == "solo" and solo.bridge.lost_words == UI("connection_lost_solo")
    assert solo.bridge.heartbeat_seconds > 0 and 0 < solo.bridge.lost_after_seconds < 10

"""Guessing codes from a page is slowed down; a shared device says whose answers it shows.

Driven through the real widgets with a real SQLite store; the guard's clock
is a plain counter, so nothing sleeps.
"""

from __future__ import annotations

import pytest

from relworkbook.content import load_ui
from relworkbook.errors import FriendlyError
from relworkbook.heatmap import HeatmapWorkbook
from relworkbook.page import STANDALONE, PageContext
from relworkbook.story import StoryWorkbook
from relworkbook.text import esc
from relworkbook.workshops import (
    MAX_WAIT_SECONDS,
    AttemptGuard,
    format_code,
    open_as_facilitator,
    start_workshop,
    wait_after,
    wait_message,
)

XSS = "<img src=x onerror=alert(1)>"


class Clock:
    """A clock that moves only when told to."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def page(store, query: str = "", cls=HeatmapWorkbook) -> HeatmapWorkbook:
    notebook = "heatmap.ipynb" if cls is HeatmapWorkbook else "story-weaving.ipynb"
    return cls(PageContext.from_query(query, f"/voila/render/{notebook}", hosting=STANDALONE), store=store)


def try_code(app, code: str) -> str:
    app.view.code.value = code
    app.view.join_button.click()
    return app.view.status.message


def test_the_wait_grows_after_five_wrong_guesses_and_stops_at_five_minutes():
    assert [wait_after(n) for n in range(1, 13)] == [0, 0, 0, 0, 5, 10, 20, 40, 80, 160, 300, 300]
    assert wait_after(10_000) == MAX_WAIT_SECONDS


def test_the_wait_is_said_rounded_up_in_seconds_or_minutes():
    ui = load_ui()
    assert wait_message(ui, 0.2) == ui("wait_seconds", seconds=5)
    assert wait_message(ui, 11) == ui("wait_seconds", seconds=15)
    assert wait_message(ui, 90) == ui("wait_seconds", seconds=90)
    assert wait_message(ui, 91) == ui("wait_minutes", minutes=2)
    assert wait_message(ui, 160) == ui("wait_minutes", minutes=3)
    assert wait_message(ui, 300) == ui("wait_minutes", minutes=5)
    assert "Please wait 5 minutes" in wait_message(ui, 300)


def test_after_five_wrong_codes_a_page_must_wait_longer_each_time(store):
    ui = load_ui()
    right = start_workshop(store, workbook="heatmap").workshop.code
    app = page(store)
    clock = Clock()
    app.guard.clock = clock
    for wrong in ("AAAAAA", "BBBBBB", "CCCCCC", "DDDDDD", "EEEEEE"):
        message = try_code(app, wrong)
        assert message == ui("wrong_code", code=format_code(wrong), title="Relationships Heatmap")
    # Now even the right code is refused, without being looked at, until the wait is over.
    assert try_code(app, right) == ui("wait_seconds", seconds=5)
    assert app.screen == "join"
    clock.advance(3)
    assert try_code(app, right) == ui("wait_seconds", seconds=5)  # 2 s left, said as 5 (rounded up)
    clock.advance(2)
    assert "no workshop with the code" in try_code(app, "FFFFFF")  # looked at again: wrong, wait doubles
    assert try_code(app, right) == ui("wait_seconds", seconds=10)
    for expected in (10, 20, 40, 80):
        clock.advance(expected)
        try_code(app, "GGGGGG")
        assert try_code(app, right) == wait_message(ui, expected * 2)
    clock.advance(160)
    try_code(app, "HHHHHH")
    assert try_code(app, right) == ui("wait_minutes", minutes=5)  # the cap
    clock.advance(MAX_WAIT_SECONDS)
    try_code(app, right)
    assert app.screen == "participant", app.status.message


def test_a_right_answer_starts_the_count_again(store):
    app = page(store)
    clock = Clock()
    app.guard.clock = clock
    for _ in range(4):
        try_code(app, "ZZZZZZ")
    app.view.code.value = ""
    app.view.join_button.click()  # a blank box is no guess
    assert app.guard.failures == 4
    right = start_workshop(store, workbook="heatmap").workshop.code
    guard = AttemptGuard(load_ui(), "Relationships Heatmap", clock=clock)
    for _ in range(4):
        with pytest.raises(FriendlyError):
            guard.attempt(lambda: open_as_facilitator(store, right, "wrong key", "heatmap"))
    guard.attempt(lambda: None)  # something right
    assert guard.failures == 0 and guard.wait_left() == 0


def test_another_workbooks_code_gets_the_unknown_code_message_and_counts(store):
    ui = load_ui()
    story_code = start_workshop(store, workbook="story-weaving").workshop.code
    app = page(store)
    message = try_code(app, story_code)
    assert message == ui("wrong_code", code=format_code(story_code), title="Relationships Heatmap")
    assert "this page is the Relationships Heatmap" in message and "check the code" in message
    unknown = page(store)
    assert try_code(unknown, "ZZZZZZ") == message.replace(format_code(story_code), "ZZZ-ZZZ")
    assert app.guard.failures == 1 and app.screen == "join"
    # And the other way round: the story page names itself.
    heatmap_code = start_workshop(store, workbook="heatmap").workshop.code
    story = page(store, cls=StoryWorkbook)
    assert try_code(story, heatmap_code).endswith("this page is the " + story.pack.title + ".")


def test_the_facilitator_link_check_waits_too(store):
    ui = load_ui()
    access = start_workshop(store, workbook="heatmap")
    code = access.workshop.code
    wrong_link = page(store, f"facilitate={code}&key=wrong")
    assert wrong_link.screen == "join" and "facilitator link is not complete" in wrong_link.status.message
    assert wrong_link.guard.failures == 1  # the page's check went through its guard

    clock = Clock()
    guard = AttemptGuard(ui, "Relationships Heatmap", clock=clock)
    for _ in range(5):
        with pytest.raises(FriendlyError, match="facilitator link is not complete"):
            guard.attempt(lambda: open_as_facilitator(store, code, "wrong", "heatmap"))
    with pytest.raises(FriendlyError) as refused:
        guard.attempt(lambda: open_as_facilitator(store, code, access.key, "heatmap"))
    assert refused.value.message == ui("wait_seconds", seconds=5)
    clock.advance(5)
    assert guard.attempt(lambda: open_as_facilitator(store, code, access.key, "heatmap")).key == access.key


def joined(store, code: str, name: str = "") -> HeatmapWorkbook:
    p = page(store, f"join={code}")
    p.view.name.value = name
    p.view.join_button.click()
    assert p.screen == "participant", p.status.message
    for choice in p.view.form.choices.values():
        choice.value = 2
    p.view.save_button.click()
    return p


@pytest.mark.parametrize("name", ["Sam " + XSS, ""])
def test_a_shared_device_says_whose_answers_it_shows(store, name):
    ui = load_ui()
    code = start_workshop(store, workbook="heatmap").workshop.code
    first = joined(store, code, name)
    remembered = dict(first.bridge.remember)

    again = page(store, f"join={code}")
    again.bridge.recalled = remembered  # what the browser sends from localStorage
    assert again.screen == "participant"
    assert set(again.view.form.ratings.values()) == {2}
    note, button = again.device_note.children
    shown = name or ui("device_someone")
    assert esc(ui("device_answers", name=shown)) in note.value
    assert XSS not in note.value  # a typed name is shown as text
    assert button.description == ui("device_not_you")
    assert again.children.index(again.device_note) < again.children.index(again.body)  # at the top


def test_not_you_forgets_this_device_and_offers_an_empty_join_form(store):
    code = start_workshop(store, workbook="heatmap").workshop.code
    first = joined(store, code, "Sam")
    again = page(store, f"join={code}")
    again.bridge.recalled = dict(first.bridge.remember)
    assert again.screen == "participant"
    _, not_you = again.device_note.children
    not_you.click()
    assert again.screen == "join"
    assert again.bridge.remember[f"heatmap:{code}"] == ""  # forgotten on this device
    assert again.bridge.replace_query == f"join={code}"  # the address bar no longer holds Sam's link
    assert again.view.code.value == format_code(code)
    assert again.view.name.value == "" and again.view.group.value == ""
    assert again.device_note.children == () and again.personal.value == "" and again.membership is None
    again.view.name.value = "Kim"
    again.view.join_button.click()
    assert again.screen == "participant" and again.membership.participant.display_name == "Kim"
    assert again.membership.participant.uid != first.membership.participant.uid
    assert set(again.view.form.ratings.values()) <= {None}  # Kim starts with no answers
    assert store.participant_count(again.membership.workshop.id) == 2


def test_a_personal_link_resumes_without_the_device_note(store):
    code = start_workshop(store, workbook="heatmap").workshop.code
    first = joined(store, code)
    back = page(store, first.bridge.replace_query)
    assert back.screen == "participant" and back.device_note.children == ()

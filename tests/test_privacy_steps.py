"""Nobody singled out by comparing two moments: pooled results move in steps of k.

The attack: the facilitator (or a participant looking at revealed results)
notes the collective heatmap, waits for one more person to save, and compares.
The difference would be that one person's exact answers, and the live
"Submitted:" names say who it was. The rule held here: no two states of any
screen or download differ by fewer than k people's answers.
"""

from __future__ import annotations

from relworkbook import sharing
from relworkbook.heatmap import HeatmapWorkbook
from relworkbook.heatmap.report import tidy_rows
from relworkbook.page import PageContext


def page(store, query: str = "") -> HeatmapWorkbook:
    return HeatmapWorkbook(PageContext.from_query(query), store=store)


def start(store) -> HeatmapWorkbook:
    facilitator = page(store)
    facilitator.view.start_button.click()
    assert facilitator.screen == "facilitator", facilitator.status.message
    return facilitator


def join_and_rate(store, facilitator, value: int, name: str = "", group: str = "") -> HeatmapWorkbook:
    person = page(store, f"join={facilitator.access.workshop.code}")
    person.view.name.value, person.view.group.value = name, group
    person.view.join_button.click()
    assert person.screen == "participant", person.status.message
    for choice in person.view.form.choices.values():
        choice.value = value
    person.view.save_button.click()
    assert "Saved" in person.view.status.message
    return person


def screen(facilitator) -> tuple[str, str, str]:
    """Everything the facilitator's live view shows that is made from answers."""
    facilitator.refresh()
    view = facilitator.view
    return view.chart.value, view.table.value, view.highlights.value


def test_one_more_save_does_not_change_the_facilitator_screen(store):
    facilitator = start(store)  # k = 3
    for value in (2, 3, 4):
        join_and_rate(store, facilitator, value, name=f"P{value}")
    three = screen(facilitator)
    assert "3 answers so far" in three[0]
    join_and_rate(store, facilitator, 5, name="Dana")  # the fourth person
    four = screen(facilitator)
    assert four == three, "one person's save changed the pooled results"
    view = facilitator.view
    assert "Dana" in view.session.counts.value  # who has saved stays live
    assert "4 of 4" in view.session.counts.value
    assert "1 person&#x27;s answers are waiting to be shown" in view.waiting.value
    # Downloads and the CLI's document show the same published state.
    document = sharing.export_document(store, facilitator.access.workshop)
    assert len(document["responses"]) == 3 and "Dana" not in str(document)
    # Two more people: now three have new answers, so all are shown at once.
    join_and_rate(store, facilitator, 5)
    assert screen(facilitator) == three
    join_and_rate(store, facilitator, 5)
    six = screen(facilitator)
    assert "6 answers so far" in six[0] and six != three
    assert facilitator.view.waiting.value == ""


def test_a_changed_answer_waits_too(store):
    facilitator = start(store)
    people = [join_and_rate(store, facilitator, v) for v in (1, 2, 3)]
    before = screen(facilitator)
    for choice in people[0].view.form.choices.values():
        choice.value = 5
    people[0].view.save_button.click()
    assert screen(facilitator) == before
    assert "1 person&#x27;s answers are waiting" in facilitator.view.waiting.value


def test_revealed_view_moves_in_the_same_steps(store):
    facilitator = start(store)
    people = [join_and_rate(store, facilitator, v) for v in (1, 2, 3)]
    facilitator.view.session.reveal_button.click()
    people[0].refresh()
    seen = people[0].view.group.value
    assert "3 people" in seen
    join_and_rate(store, facilitator, 5)
    people[0].refresh()
    assert people[0].view.group.value == seen


def test_closing_the_round_does_not_publish_a_lone_answer(store):
    facilitator = start(store)
    for value in (1, 2, 3, 4):
        join_and_rate(store, facilitator, value)
    before = screen(facilitator)
    facilitator.view.session.lock_button.click()
    assert screen(facilitator) == before


def test_a_small_group_shows_the_same_whatever_its_member_did(store):
    """A one-person group looks the same whether they rated, skipped or said "don't know"."""
    shown = []
    for member_value in (4, 0, None):  # a rating, "don't know" (0 in the widget), nothing at all
        facilitator = start(store)
        for _ in range(3):
            join_and_rate(store, facilitator, 3, group="staff")
        lone = page(store, f"join={facilitator.access.workshop.code}")
        lone.view.group.value = "manager"
        lone.view.join_button.click()
        first = next(iter(lone.view.form.choices.values()))
        if member_value is not None:
            first.value = member_value
        others = list(lone.view.form.choices.values())[1:]
        for choice in others:
            choice.value = 3
        lone.view.save_button.click()
        join_and_rate(store, facilitator, 3, group="staff")
        join_and_rate(store, facilitator, 3, group="staff")  # publish: 3 new since the last step
        view = facilitator.view
        screen(facilitator)
        manager_part = view.table.value.split("By statement: manager", 1)[1]
        shown.append(manager_part)
        rows = tidy_rows(facilitator.pack, facilitator.access.workshop.code,
                         sharing.shared(store, facilitator.access.workshop))
        assert all(row["group"] != "manager" for row in rows), "a one-person group's label leaves the server"
    assert shown[0] == shown[1] == shown[2]


def test_saving_the_same_answers_again_is_no_new_answer(store):
    """Otherwise two people pressing Save again would push a third person's lone answer into view."""
    facilitator = start(store)
    people = [join_and_rate(store, facilitator, v) for v in (1, 2, 3)]
    before = screen(facilitator)
    join_and_rate(store, facilitator, 5, name="Late")
    for person in people[:2]:
        person.view.save_button.click()  # nothing changed
    assert screen(facilitator) == before
    assert "1 person&#x27;s answers are waiting" in facilitator.view.waiting.value

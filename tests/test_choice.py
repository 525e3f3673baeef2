"""ChoiceGroup, the accessible single-choice control, driven from Python.

The browser's half is tested in test_keyboard_browser.py; here the widget is
real, what it sends is read with ipywidgets' own ``get_state``, and a choice
made in the browser arrives through the widget's comm as the message the
browser sends.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import traitlets

from relworkbook.components.choice import ChoiceGroup
from relworkbook.config import Settings
from relworkbook.content import load_heatmap
from relworkbook.heatmap.participant import DONT_KNOW, RatingForm
from relworkbook.story.editor import MomentForm, StoryEditor
from relworkbook.story.model import timeline
from relworkbook.story.pack import load_story_pack

COMPONENTS = Path(__file__).resolve().parent.parent / "relworkbook" / "components"
RATINGS = [["1", 1], ["2", 2], ["3", 3], ["Don't know", 0]]


def from_browser(widget: ChoiceGroup, value) -> None:
    """What arrives when someone chooses in the browser: choice.js's message, as JSON, through the comm."""
    data = json.loads(json.dumps({"method": "custom", "content": {"choose": value}}))
    widget.comm.handle_msg({"content": {"comm_id": widget.comm.comm_id, "data": data}, "buffers": []})


def to_browser(widget: ChoiceGroup) -> dict:
    """What the browser is sent, after the JSON trip."""
    return json.loads(json.dumps({k: widget.get_state()[k] for k in ("options", "value", "label", "disabled")}))


# -- values -------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [1, 3, 0])
def test_int_values_round_trip_exactly(value):
    widget = ChoiceGroup(options=RATINGS, label="How true?")
    widget.value = value
    sent = to_browser(widget)
    assert sent["value"] == value and type(sent["value"]) is int
    widget.value = None
    from_browser(widget, value=sent["value"])
    assert widget.value == value and type(widget.value) is int


def test_string_values_round_trip_and_the_empty_string_is_an_answer():
    widget = ChoiceGroup(options=[["not noticed", ""], ["towards trust", "towards"], ["away", "away"]], value="")
    assert widget.value == ""  # chosen, unlike None
    from_browser(widget, value="towards")
    assert widget.value == "towards"
    assert to_browser(widget)["options"] == [["not noticed", ""], ["towards trust", "towards"], ["away", "away"]]


def test_nothing_is_chosen_until_someone_chooses():
    widget = ChoiceGroup(options=RATINGS)
    assert widget.value is None and to_browser(widget)["value"] is None


def test_value_can_be_given_before_the_options():
    assert ChoiceGroup(value=2, options=RATINGS).value == 2


# -- checking ------------------------------------------------------------------------------


@pytest.mark.parametrize("wrong", [7, "3", True, 2.0])
def test_a_value_not_on_offer_is_refused_with_a_clear_error(wrong):
    widget = ChoiceGroup(options=RATINGS, label="We trust each other", value=3)
    with pytest.raises(traitlets.TraitError, match=re.escape(f"{wrong!r} is not one of the choices")) as error:
        widget.value = wrong
    assert "We trust each other" in str(error.value) and "1, 2, 3, 0" in str(error.value)
    assert widget.value == 3  # unchanged


def test_a_value_not_on_offer_from_the_browser_changes_nothing():
    widget = ChoiceGroup(options=RATINGS, value=2)
    from_browser(widget, value=9)
    from_browser(widget, value="2")
    assert widget.value == 2


@pytest.mark.parametrize("options, message", [
    ([["one", 1], ["also one", 1]], "repeats the value 1"),
    ([["yes", True]], "whole number or text"),
    ([["half", 0.5]], "whole number or text"),
    ([[1, 1]], "label as text"),
    (["one"], "pair [label, value]"),
    ([["a", 1, "extra"]], "pair [label, value]"),
])
def test_bad_options_are_refused(options, message):
    with pytest.raises(traitlets.TraitError, match=re.escape(message)):
        ChoiceGroup(options=options)


def test_new_options_without_the_chosen_value_clear_it():
    widget = ChoiceGroup(options=RATINGS, value=3)
    widget.options = [["yes", "yes"], ["no", "no"]]
    assert widget.value is None
    widget.value = "no"
    widget.options = [["no", "no"], ["maybe", "maybe"]]
    assert widget.value == "no"


def test_hints_must_match_the_options():
    with pytest.raises(traitlets.TraitError, match="one per choice"):
        ChoiceGroup(options=RATINGS, hints=["too", "few"])
    assert ChoiceGroup(options=RATINGS, hints=["a", "b", "c", ""]).hints == ["a", "b", "c", ""]


# -- observing and disabling -----------------------------------------------------------------


def test_observers_hear_changes_from_python_and_from_the_browser():
    widget = ChoiceGroup(options=RATINGS)
    heard = []
    widget.observe(lambda change: heard.append((change["old"], change["new"])), names="value")
    widget.value = 2
    from_browser(widget, value=0)
    widget.value = None
    assert heard == [(None, 2), (2, 0), (0, None)]


def test_disabled_reaches_the_browser_and_a_stale_page_changes_nothing():
    widget = ChoiceGroup(options=RATINGS, value=1)
    assert to_browser(widget)["disabled"] is False
    widget.disabled = True
    assert to_browser(widget)["disabled"] is True
    from_browser(widget, value=3)  # a page that has not heard yet
    assert widget.value == 1
    widget.disabled = False
    from_browser(widget, value=3)
    assert widget.value == 3


# -- the browser side loads nothing and writes no HTML -------------------------------------------


def test_the_browser_code_fetches_nothing_and_never_writes_html():
    js = (COMPONENTS / "choice.js").read_text(encoding="utf-8")
    css = (COMPONENTS / "choice.css").read_text(encoding="utf-8")
    for text in (js, css):
        assert not re.search(r"https?://", text)
    assert "innerHTML" not in js and "outerHTML" not in js and "insertAdjacentHTML" not in js
    assert not re.search(r"^\s*import\b|\bimport\s*\(", js, re.MULTILINE)  # no modules from anywhere
    assert "url(" not in css and "@import" not in css
    assert 'type = "radio"' in js and "fieldset" in js and "legend" in js


def test_the_widget_ships_its_own_code():
    widget = ChoiceGroup(options=RATINGS)
    state = widget.get_state()
    assert "export default" in state["_esm"] and ".rw-choice" in state["_css"]


# -- where it is used ------------------------------------------------------------------------------


def test_every_heatmap_statement_is_one_named_group():
    pack = load_heatmap()
    form = RatingForm(pack)
    assert len(form.choices) == len(pack.statements)
    for statement in pack.statements:
        choice = form.choices[statement.id]
        assert isinstance(choice, ChoiceGroup)
        assert choice.label == statement.text
        assert {"rw-rating", f"rw-rating-{statement.id}"} <= set(choice._dom_classes)
        assert choice.options == [[str(v), v] for v in range(pack.scale.min, pack.scale.max + 1)] + [
            [pack.scale.dont_know, DONT_KNOW]]
        assert choice.hints[:-1] == [label for _, label in pack.scale.labels]


def test_the_rating_form_keeps_its_ratings_and_disabling():
    pack = load_heatmap()
    form = RatingForm(pack)
    first, second, third = (s.id for s in pack.statements[:3])
    form.ratings = {first: 4, second: None}
    assert form.choices[first].value == 4 and form.choices[second].value == DONT_KNOW
    assert form.choices[third].value is None
    from_browser(form.choices[third], value=1)
    assert form.ratings == {first: 4, second: None, third: 1}
    form.set_disabled(True)
    assert all(c.disabled for c in form.choices.values())
    form.set_disabled(False)
    assert not any(c.disabled for c in form.choices.values())


def test_a_scale_from_zero_keeps_zero_a_rating(tmp_path):
    """0 stands for "don't know" only while the scale has no 0 of its own."""
    source = (Path(__file__).resolve().parent.parent / "relworkbook/content/packs/en/heatmap.yaml").read_text(
        encoding="utf-8")
    changed = source.replace("  min: 1\n", "  min: 0\n").replace("  labels:\n    1:", "  labels:\n    0: Never\n    1:")
    assert changed != source
    (tmp_path / "heatmap.yaml").write_text(changed, encoding="utf-8")
    pack = load_heatmap(Settings(content_dir=tmp_path))
    form = RatingForm(pack)
    one, two = (s.id for s in pack.statements[:2])
    form.choices[one].value = 0
    form.choices[two].value = form.dont_know
    assert form.ratings == {one: 0, two: None}
    form.ratings = {one: None, two: 0}
    assert form.choices[one].value == form.dont_know and form.choices[two].value == 0


def test_the_story_scales_are_named_groups():
    pack = load_story_pack()
    form = MomentForm(pack, timeline(pack))
    assert isinstance(form.feeling, ChoiceGroup)
    assert form.feeling.label == pack.words("feeling_label")
    assert form.feeling.values == [value for value, _ in pack.feeling.labels]
    for u in pack.undercurrents:
        shift = form.shifts[u.id]
        assert isinstance(shift, ChoiceGroup) and shift.value == "" and u.to_word in shift.label
    editor = StoryEditor(pack=pack, phases=timeline(pack), payload=None, on_save=lambda payload: None)
    for statement in pack.statements:
        sort = editor.sort_choices[statement.id]
        assert isinstance(sort, ChoiceGroup) and sort.label == statement.text and sort.value is None

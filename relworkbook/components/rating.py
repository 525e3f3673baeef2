"""Rating questions on the kit's one scale type: one accessible ChoiceGroup per question.

Every workbook that asks people to rate (the heatmap's statements, persona
mapping's "like me" items and check-in) builds its questions here, so they
all look, sound and behave alike: the question is the group's legend, each
point is a native radio button read out with its label ("3, Partly true"),
and "don't know" is an answer that is stored as ``None``.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping

import ipywidgets as widgets

from ..content.scales import Scale
from .choice import ChoiceGroup

DONT_KNOW = 0  # a choice needs a value; 0 stands for "don't know" and is stored as null
DONT_KNOW_ON_A_ZERO_SCALE = "dont-know"


def dont_know_value(scale: Scale) -> int | str:
    """The value that stands for "don't know": 0, unless the scale itself offers 0 as a rating.

    A pack may run its scale from 0; a 0 rating must then stay a rating, not
    turn into "don't know".
    """
    return DONT_KNOW_ON_A_ZERO_SCALE if scale.min <= DONT_KNOW <= scale.max else DONT_KNOW


def rating_choice(scale: Scale, label: str, css_id: str = "") -> ChoiceGroup:
    """One question on ``scale`` (with "don't know" when the scale offers it)."""
    named = dict(scale.labels)
    options: list[list[Any]] = [[str(v), v] for v in scale.values]
    hints = [named.get(v, "") for v in scale.values]  # "3" is read out as "3 Partly true"
    if scale.dont_know:
        options.append([scale.dont_know, dont_know_value(scale)])
        hints.append("")
    choice = ChoiceGroup(options=options, hints=hints, label=label, layout=widgets.Layout(margin="0 0 12px 0"))
    choice.add_class("rw-rating")
    if css_id:
        choice.add_class(f"rw-rating-{css_id}")
    return choice


class RatingQuestions:
    """A set of questions on one scale, read and filled as ``{question id: rating or None}``.

    Not a widget itself: a form lays the choices out among its own headings.
    """

    def __init__(self, scale: Scale, questions: Iterable[tuple[str, str]]):
        self.scale = scale
        self.dont_know = dont_know_value(scale)
        self.choices: dict[str, ChoiceGroup] = {qid: rating_choice(scale, text, qid) for qid, text in questions}

    @property
    def ratings(self) -> dict[str, int | None]:
        """The answered questions: a rating, or None for "don't know"; unanswered ones are left out."""
        return {qid: (None if choice.value == self.dont_know else choice.value)
                for qid, choice in self.choices.items() if choice.value is not None}

    @ratings.setter
    def ratings(self, values: Mapping[str, int | None]) -> None:
        for qid, choice in self.choices.items():
            if qid in values:
                choice.value = self.dont_know if values[qid] is None else values[qid]
            else:
                choice.value = None

    def rescale(self, scale: Scale) -> None:
        """The same points in other words (e.g. "Very like me" becomes "Very like them")."""
        named = dict(scale.labels)
        hints = [named.get(v, "") for v in scale.values] + ([""] if scale.dont_know else [])
        for choice in self.choices.values():
            choice.hints = hints

    def relabel(self, labels: Mapping[str, str]) -> None:
        """New words for the questions (e.g. "I ..." becomes "They ...")."""
        for qid, text in labels.items():
            self.choices[qid].label = text

    def set_disabled(self, disabled: bool) -> None:
        for choice in self.choices.values():
            choice.disabled = disabled

    def on_change(self, callback: Callable[[], None]) -> None:
        for choice in self.choices.values():
            choice.observe(lambda _change: callback(), names="value")

"""ChoiceGroup: one question, one answer, as native radio buttons.

ipywidgets' ToggleButtons and RadioButtons tell a screen reader neither the
question nor which answer is chosen, and every button is a Tab stop (113
presses to rate 19 statements). This widget draws a ``<fieldset>`` whose
``<legend>`` is the question and one native ``<input type="radio">`` per
answer, all sharing one name: the chosen answer is announced, arrow keys move
within the question and Tab moves on to the next one. The browser side
(choice.js, choice.css) loads nothing from anywhere else.

From Python it behaves like the widget it replaces: ``.value`` is the chosen
value or None, can be set, and can be observed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

import anywidget
import traitlets


def _is_choice_value(value: Any) -> bool:
    """Only ints and strings survive the trip to the browser and back unchanged (a bool would come back as 1)."""
    return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))


def _same(a: Any, b: Any) -> bool:
    """Equal and of the same kind: 3 and "3" are different answers, and so are 0 and False."""
    return type(a) is type(b) and a == b


def check_options(options: Iterable[Any]) -> list[list[Any]]:
    """The options as [label, value] lists, or a TraitError naming the first thing wrong.

    Checked here so a mistake in a content pack or a view shows up where it is
    made, not as a silent missing answer in the browser.
    """
    checked: list[list[Any]] = []
    for position, option in enumerate(options, start=1):
        if isinstance(option, (str, bytes)) or not hasattr(option, "__len__") or len(option) != 2:
            raise traitlets.TraitError(
                f"Choice {position} should be a pair [label, value], not {option!r}.")
        label, value = option
        if not isinstance(label, str):
            raise traitlets.TraitError(f"Choice {position} needs its label as text, not {label!r}.")
        if not _is_choice_value(value):
            raise traitlets.TraitError(
                f"Choice {position} ({label!r}) needs a whole number or text as its value, not {value!r}.")
        if any(_same(value, earlier) for _, earlier in checked):
            raise traitlets.TraitError(f"Choice {position} ({label!r}) repeats the value {value!r}.")
        checked.append([label, value])
    return checked


class ChoiceGroup(anywidget.AnyWidget):
    """A single-choice question that keyboards and screen readers can use."""

    _esm = Path(__file__).with_name("choice.js")
    _css = Path(__file__).with_name("choice.css")

    #: [label, value] pairs; a value is an int or a string and comes back exactly as given.
    options: traitlets.List[list[Any]] = traitlets.List().tag(sync=True)
    #: The chosen value, or None while nothing is chosen. The browser reports a choice by message
    #: (see _on_message), so it is not echoed back.
    value = traitlets.Any(None, allow_none=True).tag(sync=True, echo_update=False)
    #: The question, shown as the group's legend (plain text, never HTML).
    label = traitlets.Unicode("").tag(sync=True)
    #: Optional words under the question, read out with it.
    description_extra = traitlets.Unicode("").tag(sync=True)
    #: Optional words per option, read out with its label and shown on hover (e.g. "Partly true" for "3").
    hints = traitlets.List(traitlets.Unicode()).tag(sync=True)
    disabled = traitlets.Bool(False).tag(sync=True)

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.on_msg(self._on_message)

    def _on_message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        """Someone chose in the browser.

        It arrives as a message rather than a state update so it keeps its
        place before a Save click sent just after it (ipywidgets holds back a
        quick second state update until the kernel has answered the first).
        A disabled question or a value no longer on offer changes nothing, and
        the browser is told the value that stands.
        """
        if not isinstance(content, dict) or "choose" not in content:
            return
        if self.disabled:
            self.send_state("value")
            return
        try:
            self.set_state({"value": content["choose"]})
        except traitlets.TraitError:
            self.send_state("value")

    @traitlets.validate("options")
    def _valid_options(self, proposal: dict[str, Any]) -> list[list[Any]]:
        return check_options(proposal["value"])

    @traitlets.validate("value")
    def _valid_value(self, proposal: dict[str, Any]) -> Any:
        value = proposal["value"]
        if value is None or any(_same(value, v) for v in self.values):
            return value
        allowed = ", ".join(repr(v) for v in self.values) or "none yet"
        raise traitlets.TraitError(
            f"{value!r} is not one of the choices for {self.label or 'this question'!r} (the choices are: {allowed}).")

    @traitlets.validate("hints")
    def _valid_hints(self, proposal: dict[str, Any]) -> list[str]:
        hints = list(proposal["value"])
        if hints and len(hints) != len(self.options):
            raise traitlets.TraitError(
                f"There are {len(hints)} hints for {len(self.options)} choices: give one per choice (or none).")
        return hints

    @traitlets.observe("options")
    def _forget_a_value_no_longer_offered(self, change: dict[str, Any]) -> None:
        """New options without the chosen value: nothing is chosen (never a value the screen cannot show)."""
        if self.value is not None and not any(_same(self.value, v) for v in self.values):
            self.value = None
        if self.hints and len(self.hints) != len(self.options):
            self.hints = []

    @property
    def values(self) -> list[Any]:
        """The values on offer, in order."""
        return [value for _, value in self.options]

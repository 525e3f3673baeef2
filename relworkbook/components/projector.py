"""The projector view: what a room sees on the big screen.

The facilitator's screen is full of things a room should not see (their
private link, the switches, the downloads) and written small for one person
at a laptop. The projector view shows only what the room needs, large enough
to read from the back of a hall: how to join (the code, the QR code and the
link), how many people have answered, and the results of the tab the
facilitator had open. "Back to the controls" brings the controls back.

The results go on the wall only once the facilitator shows them to
participants ("Show results to participants"): the projector is on while
people join and answer, and a room that watches the group's answers while
it is still answering starts answering like the group. Until then the view
says that the results will appear there.

On a shared Jupyter server (Binder) nobody joins by code, so the view shows
the results only: a code on the wall would only invite people to try it.

Which page is on screen is the facilitator page's business
(``lifecycle.FacilitatorPage``); this module draws the view.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import ipywidgets as widgets

from ..errors import guarded
from ..text import esc
from ..workshops import format_code
from .session import qr_svg, unreachable_html

# Read once per process and sent with the view, so a facilitator who never projects never loads it.
_PROJECTOR_CSS = "<style>" + Path(__file__).with_name("projector.css").read_text(encoding="utf-8") + "</style>"


@dataclass(frozen=True)
class Projected:
    """What the top of the projector view shows (drawn again only when it changes)."""

    title: str
    #: The workshop's join code; "" where joining by code is switched off.
    code: str
    #: The participant link the QR code opens ("" until the page knows its own address).
    link: str
    #: How many people have saved answers in this round (who, never: names stay off the wall).
    answered: int
    #: May the room see the results yet? (See the module's docstring.)
    results_shown: bool = True


def answered_words(ui: Any, count: int) -> str:
    """ "12 people have answered", worded for none and one too."""
    if count <= 0:
        return ui("projector_count_none")
    if count == 1:
        return ui("projector_count_one")
    return ui("projector_count_many", count=count)


def join_html(ui: Any, shown: Projected) -> str:
    """The workshop's title, and how to join: the QR code, the link, and the code in very large letters."""
    title = f'<h2 class="rw-projector-title">{esc(shown.title)}</h2>'
    if not shown.code:
        return title  # a shared Jupyter server: the results only
    qr = ""
    if shown.link:
        # One image with one name: a screen reader says what it is instead of reading out its squares.
        qr = (f'<div class="rw-projector-qr" role="img" aria-label="{esc(ui("projector_qr_label"))}">'
              f"{qr_svg(shown.link, scalable=True)}</div>")
        link = (f'<p class="rw-projector-how">{esc(ui("projector_how"))}</p>'
                f'<p class="rw-projector-link">{esc(shown.link)}</p>')
    else:
        link = ""
    code = (f'<p class="rw-projector-code-label">{esc(ui("code_label"))}</p>'
            f'<p class="rw-projector-code">{esc(format_code(shown.code))}</p>')
    # Projected, the warning is where the facilitator looks while testing the QR code with a phone; under the
    # QR code and the join code, so those stay on the first screenful of a projector.
    warning = unreachable_html(ui, shown.link) if shown.link else ""
    words = f'<div class="rw-projector-words">{link}{code}</div>'
    return f'{title}<div class="rw-projector-join">{qr}{words}</div>{warning}'


def count_html(ui: Any, shown: Projected) -> str:
    if not shown.code:
        return ""  # the results only (see join_html)
    # Read out when it changes, so someone who cannot see the wall hears the room fill up.
    return f'<p class="rw-projector-count" aria-live="polite">{esc(answered_words(ui, shown.answered))}</p>'


class ProjectorView(widgets.VBox):
    """The big-screen page; ``project`` puts a tab's results under the joining part."""

    def __init__(self, *, ui: Any, on_back: Callable[[], None], on_error: Callable[[str], None]):
        self.ui = ui
        self.back_button = widgets.Button(description=ui("projector_back"), icon="arrow-left",
                                          layout=widgets.Layout(width="auto", align_self="flex-start"))
        self.back_button.add_class("rw-projector-back")
        self.back_button.on_click(guarded(on_error)(lambda _b: on_back()))
        self.join = widgets.HTML()
        self.count = widgets.HTML()
        self.results_title = widgets.HTML()
        self.results = widgets.VBox()
        self.results.add_class("rw-projector-results")
        self.shown: Projected | None = None
        self._tab: tuple[str, widgets.Widget | None] = ("", None)  # the tab projected: its title and results
        super().__init__([widgets.HTML(_PROJECTOR_CSS), self.back_button, self.join, self.count,
                          self.results_title, self.results])
        self.add_class("rw-projector")

    def show(self, shown: Projected) -> None:
        """Draw the joining part and the count; the QR code is sent again only when the link changes."""
        before, self.shown = self.shown, shown
        if before is None or (before.title, before.code, before.link) != (shown.title, shown.code, shown.link):
            self.join.value = join_html(self.ui, shown)
        count = count_html(self.ui, shown)
        if self.count.value != count:
            self.count.value = count
        self._arrange()

    def project(self, title: str, results: widgets.Widget | None) -> None:
        """Show ``results`` (a tab's page, still drawn live by its workbook) under ``title``; ``None``: nothing."""
        self._tab = (title, results)
        self._arrange()

    def _arrange(self) -> None:
        title, results = self._tab
        heading = f'<h3 class="rw-projector-results-title">{esc(title)}</h3>' if title else ""
        if results is not None and self.shown is not None and not self.shown.results_shown:
            heading += f'<p class="rw-projector-later">{esc(self.ui("projector_results_later"))}</p>'
            results = None
        if self.results_title.value != heading:
            self.results_title.value = heading
        children = (results,) if results is not None else ()
        if tuple(self.results.children) != children:  # setting children redraws them: only on a change
            self.results.children = children

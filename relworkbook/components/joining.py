"""JoinPanel: how anyone arrives in a workbook.

Three doors, as simple as a Mentimeter code: join a workshop with a code (or
a link that fills it in), use the workbook on your own, or start a workshop
as its facilitator.

Inside a Jupyter server (Binder, JupyterHub, a plain ``voila``) the first
door is not offered: anyone given that page's address could run code on the
server (see ``relworkbook.page.hosting_mode``). The panel says why and what
works there instead: one screen for a team, or a copy each and answer files
for the facilitator to add.
"""

from __future__ import annotations

import logging
from typing import Callable

import ipywidgets as widgets

from ..content import UiText
from ..errors import guarded
from ..store import Store
from ..text import esc
from ..workshops import AttemptGuard, FacilitatorAccess, Membership, format_code, join, start_workshop
from .status import StatusLine

FULL_WIDTH = widgets.Layout(width="100%", max_width="420px")
#: The most people the start form accepts (the server readies at most --ready-max pages whatever is asked).
EXPECTED_MOST = 500

log = logging.getLogger("relworkbook")


def shared_note_html(ui: UiText) -> str:
    """Why joining by code is off on a Jupyter server, what is safe there, and the command for live joining."""
    return (
        f'<div class="rw-shared-note"><h3>{esc(ui("shared_title"))}</h3><p>{esc(ui("shared_text"))}</p>'
        f'<p>{esc(ui("shared_serve"))}<br><code style="word-break:break-all">{esc(ui("shared_command"))}</code>'
        "</p></div>"
    )


class JoinPanel(widgets.VBox):
    def __init__(
        self,
        *,
        ui: UiText,
        store: Store,
        workbook: str,
        code: str = "",
        on_joined: Callable[[Membership], None],
        on_solo: Callable[[], None],
        on_started: Callable[[FacilitatorAccess], None],
        guard: AttemptGuard,
        live_joining: bool,
        default_min_group: int = 3,
        ready_pages: Callable[[FacilitatorAccess, int], None] | None = None,
    ):
        self.ui, self.store, self.workbook = ui, store, workbook
        self.guard, self.live_joining = guard, live_joining
        self._on_joined, self._on_solo, self._on_started = on_joined, on_solo, on_started
        self.default_min_group = default_min_group
        self._ready_pages = ready_pages
        self.status = StatusLine()
        self.code = widgets.Text(
            continuous_update=False,  # one value, sent when the box is left: a fast Enter or tap cannot lose letters
            value=format_code(code) if code else "",
            description=ui("code_label"),
            placeholder=ui("code_placeholder"),
            layout=FULL_WIDTH,
            style={"description_width": "initial"},
        )
        self.name = widgets.Text(
            continuous_update=False,  # one value, sent when the box is left: a fast Enter or tap cannot lose letters
            description=ui("name_label"), placeholder=ui("name_placeholder"), layout=FULL_WIDTH,
            style={"description_width": "initial"},
        )
        self.group = widgets.Text(
            continuous_update=False,  # one value, sent when the box is left: a fast Enter or tap cannot lose letters
            description=ui("group_label"), placeholder=ui("group_placeholder"), layout=FULL_WIDTH,
            style={"description_width": "initial"},
        )
        # No icons on the pages phones open: the words say it all, and the first icon on a page makes the
        # phone download the icon font (79 kB, a twentieth of the page; tests/test_page_weight.py).
        self.join_button = widgets.Button(description=ui("join_button"), button_style="primary")
        # Arriving by a workshop link, going solo must say it leaves the group out.
        self.solo_button = widgets.Button(description=ui("solo_button_from_link" if code else "solo_button"))
        self.together_button = widgets.Button(description=ui("shared_together_button"))
        self.title = widgets.Text(
            continuous_update=False,  # one value, sent when the box is left: a fast Enter or tap cannot lose letters
            description=ui("start_title_label"), layout=FULL_WIDTH, style={"description_width": "initial"}
        )
        # How many people the facilitator expects: the server readies that many pages before they come.
        self.expected = widgets.BoundedIntText(
            value=0, min=0, max=EXPECTED_MOST, description=ui("start_expected_label"),
            style={"description_width": "initial"}, layout=widgets.Layout(width="auto", max_width="100%"),
        )
        self.start_button = widgets.Button(description=ui("start_button"))

        show = self.status.error
        self.join_button.on_click(guarded(show)(self._join))
        self.solo_button.on_click(guarded(show)(lambda _b: self._on_solo()))
        self.together_button.on_click(guarded(show)(lambda _b: self._on_solo()))
        self.start_button.on_click(guarded(show)(self._start))

        row = widgets.Layout(flex_flow="row wrap")
        if live_joining:
            intro = widgets.HTML(f"<h2>{esc(ui('welcome_title'))}</h2><p>{esc(ui('welcome_text'))}</p>")
            join_form = widgets.VBox([self.code, self.name, self.group,
                                      widgets.HBox([self.join_button, self.solo_button], layout=row)])
            join_form.add_class("rw-enter-form")  # Enter in a box joins (bridge.js)
            self.join_button.add_class("rw-submit")
            children = [intro, join_form, self.status]
            start_hint = []
        else:
            from_link = f"<p><b>{esc(ui('shared_from_link', code=format_code(code)))}</b></p>" if code else ""
            intro = widgets.HTML(f"<h2>{esc(ui('welcome_title'))}</h2>{from_link}{shared_note_html(ui)}")
            children = [intro, widgets.HBox([self.together_button, self.solo_button], layout=row), self.status]
            start_hint = [widgets.HTML(f"<p>{esc(ui('shared_start_hint'))}</p>")]
        starting = widgets.VBox(
            [widgets.HTML(f"<h3>{esc(ui('start_heading'))}</h3>"), *start_hint, self.title,
             *([self.expected, widgets.HTML(f"<p style='color:#555'>{esc(ui('start_expected_hint'))}</p>")]
               if live_joining and ready_pages is not None else []),
             self.start_button],
            layout=widgets.Layout(margin="24px 0 0 0", border_top="1px solid #ddd"),
        )
        starting.add_class("rw-enter-form")
        self.start_button.add_class("rw-submit")
        # A participant who arrived by link sees only what they need.
        if not code:
            children.append(starting)
        super().__init__(children, layout=widgets.Layout(max_width="640px"))
        self.add_class("rw-join")

    def _join(self, _source=None) -> None:
        if not self.live_joining:  # the button is not shown; a stray message must not join either
            return
        self.join_button.disabled = True
        try:
            membership = self.guard.attempt(lambda: join(
                self.store, self.code.value, self.workbook,
                display_name=self.name.value, group_label=self.group.value,
            ))
        finally:
            self.join_button.disabled = False
        self._on_joined(membership)

    def _start(self, _button=None) -> None:
        access = start_workshop(
            self.store, workbook=self.workbook, title=self.title.value, min_group=self.default_min_group,
            first_round=self.ui("first_round"),  # this page's words, as the rest of its screen
        )
        if self._ready_pages is not None and self.live_joining and self.expected.value > 0:
            try:
                self._ready_pages(access, int(self.expected.value))
            except OSError:  # readying pages is a kindness: a read-only data folder must not stop the workshop
                log.warning("relworkbook: could not ask the server to ready pages", exc_info=True)
        self._on_started(access)

"""SessionPanel: the facilitator's controls for a live workshop.

The join code in large letters, the participant link and its QR code, the
facilitator's own private link, how many have joined and submitted, and the
switches every workbook shares: close/reopen the round, show results to
participants, the smallest group shown (k), and new rounds.

Inside a Jupyter server (Binder, JupyterHub) people cannot safely join by
code, so there the panel shows no join code, participant link or QR code:
it says why, how answer files reach the facilitator instead, and keeps the
facilitator's own link.

The panel also carries the "Projector view" switch; what the projector shows
is ``projector.py``'s, and which page is on screen is the facilitator page's.
"""

from __future__ import annotations

from typing import Callable, Sequence

import ipywidgets as widgets

from ..config import MAX_LABEL_CHARS
from ..content import UiText
from ..errors import FriendlyError, guarded
from ..store import Store, Workshop
from ..text import clean_text, esc
from ..workshops import format_code, shown_round, this_computer_only
from .joining import shared_note_html
from .status import StatusLine


def unreachable_html(ui: UiText, link: str) -> str:
    """A warning, with what to do, when ``link`` names this computer only; "" when phones can open it."""
    host = this_computer_only(link)
    if host is None:
        return ""
    return (
        '<div class="rw-unreachable" role="note" style="border:2px solid #b00020;border-radius:6px;'
        'padding:8px 12px;margin:8px 0;background:#fff5f5;color:#1a1a1a">'
        f'<p style="margin:0 0 4px"><b>{esc(ui("reach_title"))}</b></p>'
        f'<p style="margin:0 0 4px">{esc(ui("reach_why", host=host))}</p>'
        f'<p style="margin:0 0 4px">{esc(ui("reach_steps"))}</p>'
        f'<p style="margin:0"><code style="font-size:1.1em">{esc(ui("reach_command"))}</code></p></div>'
    )


def qr_svg(link: str, *, scalable: bool = False) -> str:
    """The QR code of ``link`` as inline SVG.

    ``scalable``: no fixed size, only a viewBox, so the page's styles can draw it
    as large as a projector needs (a fixed 180 px code does not scan from the back of a hall).
    """
    import segno  # only facilitators draw QR codes

    code = segno.make(link, error="m")
    if scalable:
        return code.svg_inline(omitsize=True, dark="#111111", light="#ffffff")
    return code.svg_inline(scale=4, dark="#111111", light="#ffffff")


class SessionPanel(widgets.VBox):
    def __init__(self, *, ui: UiText, store: Store, workshop: Workshop, on_change: Callable[[Workshop], None],
                 on_projector: Callable[[], None] | None = None, on_links: Callable[[], None] | None = None):
        """``on_projector``: what the "Projector view" switch does (no switch without it);
        ``on_links``: told when the links change (the projector shows the participant link too)."""
        self.ui, self.store, self.workshop = ui, store, workshop
        self._on_change = on_change
        self._on_links = on_links or (lambda: None)
        self.status = StatusLine()
        self.heading = widgets.HTML()
        self.links = widgets.HTML()
        self.counts = widgets.HTML()
        self.lock_button = widgets.Button(icon="lock")
        self.reveal_button = widgets.Button(icon="eye")
        self.min_group = widgets.BoundedIntText(
            value=workshop.min_group, min=1, max=50, description=ui("min_group_label"),
            tooltip=ui("min_group_help"), style={"description_width": "initial"},
            layout=widgets.Layout(width="260px"),
        )
        self.round_name = widgets.Text(
            description=ui("new_round_label"), placeholder=ui("new_round_placeholder"),
            style={"description_width": "initial"}, layout=widgets.Layout(width="320px"),
        )
        self.round_button = widgets.Button(description=ui("new_round_button"), icon="refresh")
        # Next to the code it makes large: the first thing a facilitator looks for with a projector.
        self.projector_button = widgets.Button(description=ui("projector_button"), icon="television",
                                               # "primary": white on blue, 4.6:1 ("info" is 3.5:1)
                                               button_style="primary", layout=widgets.Layout(width="auto"))
        self.projector_button.add_class("rw-projector-switch")
        self.projector_hint = widgets.HTML(layout=widgets.Layout(flex="1 1 240px"))
        projector = widgets.HBox([self.projector_button, self.projector_hint],
                                 layout=widgets.Layout(align_items="center"))

        show = self.status.error
        if on_projector is not None:
            self.projector_button.on_click(guarded(show)(lambda _b: on_projector()))
        self.lock_button.on_click(guarded(show)(self._toggle_lock))
        self.reveal_button.on_click(guarded(show)(self._toggle_reveal))
        self.min_group.observe(guarded(show)(self._set_min_group), names="value")
        self.round_button.on_click(guarded(show)(self._new_round))

        controls = widgets.HBox(
            [self.lock_button, self.reveal_button, self.min_group],
            layout=widgets.Layout(flex_flow="row wrap", align_items="center"),
        )
        rounds = widgets.HBox([self.round_name, self.round_button], layout=widgets.Layout(flex_flow="row wrap"))
        help_text = widgets.HTML(f"<p style='color:#555;font-size:0.9em'>{esc(ui('min_group_help'))}</p>")
        super().__init__([self.heading, *([projector] if on_projector else []), self.links, self.counts, controls,
                          help_text, rounds, self.status])
        self.add_class("rw-session")
        self.links_for: tuple[str, str] = ("", "")
        self.live_joining = True  # until the shell says this server cannot offer it
        self._render_state()

    # -- what the panel shows -------------------------------------------------

    def show_links(self, participant_link: str, facilitator_link: str) -> None:
        if self.links_for == (participant_link, facilitator_link):
            return
        self.links_for = (participant_link, facilitator_link)
        code = format_code(self.workshop.code)
        self.links.value = unreachable_html(self.ui, participant_link) + (
            '<div style="display:flex;flex-wrap:wrap;gap:16px;align-items:center">'
            f'<div>{qr_svg(participant_link)}</div><div>'
            f'<p style="font-size:1.1em">{esc(self.ui("join_instructions", code=code))}</p>'
            f'<p><b>{esc(self.ui("participant_link"))}:</b><br>'
            f'<a class="rw-participant-link" href="{esc(participant_link)}" target="_blank" '
            f'rel="noopener">{esc(participant_link)}</a></p>'
            f"{self._facilitator_link_html(facilitator_link)}</div></div>"
        )
        self._on_links()

    def show_without_joining(self, facilitator_link: str) -> None:
        """On a Jupyter server: why nobody joins by code, how files come in, and the facilitator's own link."""
        if self.links_for == ("", facilitator_link) and not self.live_joining:
            return
        self.links_for = ("", facilitator_link)
        self.live_joining = False
        self._render_state()  # the join code goes: it would only invite people to try it
        self.links.value = shared_note_html(self.ui) + self._facilitator_link_html(facilitator_link)
        self._on_links()

    @property
    def participant_link(self) -> str:
        """The link people join by ("" where joining by code is switched off, or before the shell gives it)."""
        return self.links_for[0] if self.live_joining else ""

    def _facilitator_link_html(self, link: str) -> str:
        return (
            f'<details><summary>{esc(self.ui("facilitator_link"))}</summary>'
            f'<code class="rw-facilitator-link" style="word-break:break-all">{esc(link)}</code></details>'
        )

    def show_counts(self, submitted: int, names: Sequence[str] = ()) -> None:
        """How many have submitted, and the names of those who chose to give one."""
        joined = self.store.participant_count(self.workshop.id)
        named = [n for n in names if n]
        anonymous = submitted - len(named)
        who = ", ".join(esc(n) for n in named)
        if named and anonymous:
            who += " " + esc(self.ui("submitted_anonymous", count=anonymous))
        self.counts.value = (
            f'<p class="rw-count" style="font-size:1.1em"><b>'
            f"{esc(self.ui('submitted', count=submitted, joined=max(joined, submitted)))}</b>"
            f" &middot; {esc(self.ui('round_now', round=shown_round(self.ui, self.workshop.current_round)))}</p>"
            + (f'<p class="rw-names">{esc(self.ui("submitted_names"))} <span>{who}</span></p>' if named else "")
        )

    def _render_state(self) -> None:
        w = self.workshop
        title = w.title or self.ui("untitled_workshop")
        code = (
            f'<div class="rw-code" style="font-size:2.6em;font-weight:700;letter-spacing:0.08em">'
            f"{esc(format_code(w.code))}</div>"
        ) if self.live_joining else ""
        self.heading.value = f'<h2 style="margin-bottom:0">{esc(title)}</h2>{code}'
        hint = self.ui("projector_hint" if self.live_joining else "projector_hint_shared")
        self.projector_hint.value = f'<p style="color:#555;margin:0 8px;line-height:1.4">{esc(hint)}</p>'
        self.lock_button.description = self.ui("unlock_button") if w.locked else self.ui("lock_button")
        self.lock_button.icon = "unlock" if w.locked else "lock"
        self.reveal_button.description = self.ui("hide_button") if w.revealed else self.ui("reveal_button")
        self.reveal_button.icon = "eye-slash" if w.revealed else "eye"
        if self.min_group.value != w.min_group:
            self.min_group.value = w.min_group

    def update(self, workshop: Workshop) -> None:
        """Show ``workshop``'s state (another kernel may have changed it)."""
        self.workshop = workshop
        self._render_state()

    # -- what the switches do -------------------------------------------------

    def _changed(self, **fields) -> None:
        self.workshop = self.store.update_workshop(self.workshop.id, **fields)
        self._render_state()
        self._on_change(self.workshop)

    def _toggle_lock(self, _button=None) -> None:
        self._changed(locked=not self.workshop.locked)
        self.status.success(self.ui("round_closed" if self.workshop.locked else "round_reopened"))

    def _toggle_reveal(self, _button=None) -> None:
        self._changed(revealed=not self.workshop.revealed)
        self.status.success(self.ui("results_shown" if self.workshop.revealed else "results_hidden"))

    def _set_min_group(self, change) -> None:
        value = change["new"]
        if value is None or not 1 <= int(value) <= 50:
            raise FriendlyError(self.ui("min_group_range"))
        if value != self.workshop.min_group:
            self._changed(min_group=int(value))

    def _new_round(self, _button=None) -> None:
        name = clean_text(self.round_name.value, max_chars=MAX_LABEL_CHARS, what=self.ui("round_name_what"),
                          required=True)
        if name == self.workshop.current_round:
            raise FriendlyError(self.ui("round_already_current", round=name))
        # A fresh round starts unlocked and with results hidden, so people rate
        # without watching the new round fill up.
        self._changed(current_round=name, locked=False, revealed=False)
        self.round_name.value = ""
        self.status.success(self.ui("round_started", round=name))

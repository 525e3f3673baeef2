"""StoryEditor: telling moments and sorting the Dark and the Light.

Shared by a participant in a workshop and by someone on their own: the only
difference is what ``on_save`` does with the answers (commit them to the
store, or keep them for a download). Nothing heavy is imported here.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import ipywidgets as widgets

from ..components.choice import ChoiceGroup
from ..components.status import StatusLine
from ..errors import FriendlyError, guarded
from ..text import esc
from .model import DEFAULT_CONSENT, MAX_MOMENTS, MAX_STORY_CHARS, check_moment, check_sort, new_moment_id
from .pack import CONSENTS, Phase, StoryPack

WIDE = widgets.Layout(width="100%", max_width="640px")
LABEL_ABOVE = {"description_width": "initial"}


def _heading(text: str, level: int = 3) -> widgets.HTML:
    return widgets.HTML(f"<h{level}>{esc(text)}</h{level}>")


class MomentForm(widgets.VBox):
    """One story moment: every field of the issue, plain text only."""

    def __init__(self, pack: StoryPack, phases: Sequence[Phase]):
        self.pack = pack
        w = pack.words
        # The heading above shows the question; the same words name the list for a screen reader.
        self.phase = widgets.Dropdown(description=w("phase_label"), layout=WIDE)
        self.phase.add_class("rw-named-by-heading")
        self.title = widgets.Text(placeholder=w("title_placeholder"), layout=WIDE)
        self.story = widgets.Textarea(placeholder=w("story_placeholder"),
                                      layout=widgets.Layout(width="100%", max_width="640px", height="160px"))
        self.count = widgets.HTML()
        self.feeling = ChoiceGroup(options=[[label, value] for value, label in pack.feeling.labels],
                                   label=w("feeling_label"))
        self.feeling.add_class("rw-choice-question")
        self.feeling.add_class("rw-feeling")
        self.who = {tag.id: widgets.ToggleButton(description=tag.name, layout=widgets.Layout(width="auto"))
                    for tag in pack.who}
        self.shifts = {
            u.id: ChoiceGroup(
                options=[[pack.shift_words(u.id, None), ""], [pack.shift_words(u.id, "towards"), "towards"],
                         [pack.shift_words(u.id, "away"), "away"]],
                # Its plain explanation sits under the question and is read out with it.
                value="", label=pack.shift_name(u.id), description_extra=u.description,
            )
            for u in pack.undercurrents
        }
        for toggle in self.shifts.values():
            toggle.add_class("rw-choice-question")
            toggle.add_class("rw-shift")
        self.spirit = widgets.Textarea(placeholder=w("spirit_placeholder"),
                                       layout=widgets.Layout(width="100%", max_width="640px", height="60px"))
        self.consent = ChoiceGroup(
            options=[[pack.consent_choice(c).label, c] for c in CONSENTS], value=DEFAULT_CONSENT,
            label=w("consent_label"),
        )
        self.consent.add_class("rw-consent")
        self.consent_help = widgets.HTML()
        self.story.observe(self._count, names="value")
        self.consent.observe(self._consent_help, names="value")
        self.set_phases(phases)
        self._count()
        self._consent_help()
        super().__init__([
            _heading(w("phase_label"), 4), self.phase,
            _heading(w("title_label"), 4), self.title,
            _heading(w("story_label"), 4), self.story, self.count,
            self.feeling,
            _heading(w("who_label"), 4),
            widgets.HBox(list(self.who.values()), layout=widgets.Layout(flex_flow="row wrap")),
            _heading(w("shifts_label"), 4), *self.shifts.values(),
            _heading(w("spirit_label"), 4), self.spirit,
            self.consent, self.consent_help,
        ])
        self.add_class("rw-moment-form")

    def on_change(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` whenever any field of the moment changes."""
        fields: list[widgets.Widget] = [self.phase, self.title, self.story, self.feeling, self.spirit, self.consent,
                                        *self.who.values(), *self.shifts.values()]
        for field in fields:
            field.observe(lambda _change: callback(), names="value")

    def set_phases(self, phases: Sequence[Phase]) -> None:
        current = self.phase.value
        self.phase.options = [(p.name, p.id) for p in phases]
        if current in [p.id for p in phases]:
            self.phase.value = current

    def _count(self, _change: Any = None) -> None:
        n = len(self.story.value)
        colour = "#7a1a1a" if n > MAX_STORY_CHARS else "#555"
        counter = self.pack.screen("story_counter", count=f"{n:,}", limit=f"{MAX_STORY_CHARS:,}")
        self.count.value = (f'<span class="rw-story-count" style="color:{colour};font-size:0.9em">'
                            f"{esc(counter)}</span>")

    def _consent_help(self, _change: Any = None) -> None:
        self.consent_help.value = f"<p style='color:#555'>{esc(self.pack.consent_choice(self.consent.value).help)}</p>"

    @property
    def data(self) -> dict[str, Any]:
        return {
            "phase": self.phase.value, "title": self.title.value, "story": self.story.value,
            "feeling": self.feeling.value, "who": [tid for tid, b in self.who.items() if b.value],
            "shifts": {uid: t.value for uid, t in self.shifts.items() if t.value},
            "spirit": self.spirit.value, "consent": self.consent.value,
        }

    def fill(self, moment: dict[str, Any] | None) -> None:
        moment = moment or {}
        if moment.get("phase") in [v for _, v in self.phase.options]:
            self.phase.value = moment["phase"]
        self.title.value = moment.get("title", "")
        self.story.value = moment.get("story", "")
        self.feeling.value = moment.get("feeling")
        for tid, button in self.who.items():
            button.value = tid in moment.get("who", [])
        for uid, toggle in self.shifts.items():
            toggle.value = moment.get("shifts", {}).get(uid, "")
        self.spirit.value = moment.get("spirit", "")
        self.consent.value = moment.get("consent", DEFAULT_CONSENT)


class StoryEditor(widgets.VBox):
    """The moments and the sort. ``on_change`` is told whenever what is unsaved may have changed
    (the moment being written, the sort choices, or a save that just made some of it saved)."""

    def __init__(self, *, pack: StoryPack, phases: Sequence[Phase], payload: dict[str, Any] | None,
                 on_save: Callable[[dict[str, Any]], None], on_change: Callable[[], None] | None = None):
        self.pack, self.phases, self._on_save, self._on_change = pack, tuple(phases), on_save, on_change
        payload = payload or {}
        self.moments: list[dict[str, Any]] = list(payload.get("moments", []))
        self.sort: dict[str, str] = dict(payload.get("sort", {}))
        self.editing: str | None = None
        self.status = StatusLine()
        show = self.status.error
        s = pack.screen
        self.form = MomentForm(pack, self.phases)
        #: The moment form as last filled (empty, or the moment being edited): anything else is being written.
        self._filled: dict[str, Any] = self.form.data
        self._filling = False
        self.save_button = widgets.Button(description=s("add_moment"), button_style="primary")  # phones: no icon font
        self.cancel_button = widgets.Button(description=s("cancel_edit"), layout=widgets.Layout(display="none"))
        self.save_button.on_click(guarded(show)(self.save_moment))
        self.cancel_button.on_click(guarded(show)(lambda _b: self._reset_form()))
        self.mine = widgets.VBox()
        self.sort_choices = {
            st.id: ChoiceGroup(options=[[label, cid] for cid, label in pack.choices], value=self.sort.get(st.id),
                               label=st.text)
            for st in pack.statements
        }
        for toggle in self.sort_choices.values():
            toggle.add_class("rw-sort")
            toggle.observe(self._sort_changed, names="value")
        self.form.on_change(self._moment_changed)
        self.sort_button = widgets.Button(description=s("save_sort"), button_style="primary")
        self.sort_status = StatusLine()  # beside its button: on a phone the top line is far away
        self.sort_button.on_click(guarded(self.sort_status.error)(self.save_sort))
        prompts = "".join(f"<li>{esc(p)}</li>" for p in pack.prompts)
        self.timeline = widgets.HTML()
        self._show_timeline()
        super().__init__([
            widgets.HTML(f"<p>{esc(pack.intro)}</p>"),
            widgets.HTML(f'<p class="rw-consent-note" style="background:#eef3fa;padding:8px 10px;border-radius:6px">'
                         f"{esc(s('consent_note'))}</p>"),
            widgets.HTML(f"<details><summary>{esc(s('prompts_heading'))}</summary><ul>{prompts}</ul></details>"),
            self.timeline,
            _heading(s("tell_heading")), self.form,
            widgets.HBox([self.save_button, self.cancel_button]), self.status,
            _heading(s("my_moments_heading")), self.mine,
            _heading(s("sort_heading")), widgets.HTML(f"<p>{esc(pack.sort_intro)}</p>"),
            *self.sort_choices.values(), self.sort_button, self.sort_status,
        ])
        self._show_mine()

    # -- the payload ---------------------------------------------------------------

    @property
    def payload(self) -> dict[str, Any]:
        return {"moments": list(self.moments), "sort": dict(self.sort)}

    def _chosen_sort(self) -> dict[str, str]:
        return {sid: toggle.value for sid, toggle in self.sort_choices.items() if toggle.value}

    @property
    def draft(self) -> dict[str, Any] | None:
        """What is on screen and not saved: the moment being written (and which one it edits), the sort."""
        draft: dict[str, Any] = {}
        moment = self.form.data
        if moment != self._filled:
            draft["moment"] = moment
            if self.editing is not None:
                draft["editing"] = self.editing
        sort = self._chosen_sort()
        if sort != {sid: value for sid, value in self.sort.items() if sid in self.sort_choices}:
            draft["sort"] = sort
        return draft or None

    def restore(self, draft: dict[str, Any]) -> None:
        """Put a draft back (it comes from the browser: a bad value raises, and the caller drops it)."""
        editing, moment, sort = draft.get("editing"), draft.get("moment"), draft.get("sort")
        if editing is not None and any(m["id"] == editing for m in self.moments):
            self.edit(editing)  # a moment whose editing had started (one since deleted is written as new)
        if moment is not None:
            if not isinstance(moment, dict):
                raise TypeError("a moment draft is not a mapping")
            self.form.fill(moment)
        if sort is not None:
            chosen = check_sort(self.pack, sort)
            for sid, toggle in self.sort_choices.items():
                toggle.value = chosen.get(sid)

    def _fill(self, moment: dict[str, Any] | None) -> None:
        """Fill the moment form from the page (not the person): what it shows now is not a draft."""
        self._filling = True
        try:
            self.form.fill(moment)
        finally:
            self._filling = False
        self._filled = self.form.data

    def _moment_changed(self) -> None:
        if self._filling:
            return
        if self.form.data != self._filled and self.status.kind == "success":
            self.status.clear()  # "saved" was about the moment before; this one is not saved yet
        self._changed()

    def _sort_changed(self, _change: Any = None) -> None:
        if self._filling:
            return
        if self._chosen_sort() != self.sort and self.sort_status.kind == "success":
            self.sort_status.clear()
        self._changed()

    def _changed(self) -> None:
        if self._on_change is not None:
            self._on_change()

    def load(self, payload: dict[str, Any] | None) -> None:
        """Show another saved answer (a new round starts empty)."""
        payload = payload or {}
        self.moments = list(payload.get("moments", []))
        self.sort = dict(payload.get("sort", {}))
        self._filling = True
        try:
            for sid, toggle in self.sort_choices.items():
                toggle.value = self.sort.get(sid)
        finally:
            self._filling = False
        self._reset_form()
        self._show_mine()

    def set_phases(self, phases: Sequence[Phase]) -> None:
        """The facilitator changed the timeline: offer the new phases."""
        self.phases = tuple(phases)
        untouched = self.form.data == self._filled
        self._filling = True
        try:
            self.form.set_phases(self.phases)
        finally:
            self._filling = False
        if untouched:  # the list changed under an untouched form: that is not the person writing
            self._filled = self.form.data
        self._show_timeline()
        self._show_mine()

    def set_disabled(self, disabled: bool) -> None:
        for button in (self.save_button, self.sort_button):
            button.disabled = disabled
        for card in self.mine.children:
            for child in getattr(card, "children", ()):
                if isinstance(child, widgets.HBox):
                    for button in child.children:
                        button.disabled = disabled

    # -- actions ---------------------------------------------------------------------

    def save_moment(self, _button: Any = None) -> None:
        data = self.form.data
        if not self.phases:
            raise FriendlyError(self.pack.screen("no_phases"))
        data["id"] = self.editing or new_moment_id()
        moment = check_moment(self.pack, self.phases, data)
        moments = [m for m in self.moments if m["id"] != moment["id"]]
        if self.editing is None and len(moments) >= MAX_MOMENTS:
            raise FriendlyError(self.pack.screen("too_many_moments", count=MAX_MOMENTS))
        position = next((i for i, m in enumerate(self.moments) if m["id"] == moment["id"]), len(moments))
        moments.insert(position, moment)
        self._commit({"moments": moments, "sort": self.sort})
        self.moments = moments
        was_editing = self.editing is not None
        self._reset_form()
        self._show_mine()
        self.status.success(self.pack.screen("moment_updated" if was_editing else "moment_saved",
                                             title=moment["title"]))
        self._changed()

    def edit(self, moment_id: str) -> None:
        moment = next(m for m in self.moments if m["id"] == moment_id)
        self.editing = moment_id
        self._fill(moment)
        self.save_button.description = self.pack.screen("save_changes")
        self.cancel_button.layout.display = None
        self.status.info(self.pack.screen("editing", title=moment["title"]))

    def delete(self, moment_id: str) -> None:
        moments = [m for m in self.moments if m["id"] != moment_id]
        self._commit({"moments": moments, "sort": self.sort})
        self.moments = moments
        if self.editing == moment_id:
            self._reset_form()
        self._show_mine()
        self.status.success(self.pack.screen("moment_deleted"))
        self._changed()

    def save_sort(self, _button: Any = None) -> None:
        sort = check_sort(self.pack, {sid: t.value for sid, t in self.sort_choices.items() if t.value})
        if not sort:
            raise FriendlyError(self.pack.screen("sort_empty"))
        self._commit({"moments": self.moments, "sort": sort})
        self.sort = sort
        self.sort_status.success(self.pack.screen("sort_saved", count=len(sort)))
        self._changed()  # a moment still being written is a draft again

    def _commit(self, payload: dict[str, Any]) -> None:
        """Persist first; the screen changes only once that has worked."""
        self._on_save(payload)

    def _reset_form(self) -> None:
        self.editing = None
        self._fill(None)
        self.save_button.description = self.pack.screen("add_moment")
        self.cancel_button.layout.display = "none"

    # -- display -----------------------------------------------------------------------

    def _show_timeline(self) -> None:
        items = "".join(f"<li><b>{esc(p.name)}</b>: {esc(p.description)}</li>" if p.description
                        else f"<li><b>{esc(p.name)}</b></li>" for p in self.phases)
        self.timeline.value = (f"<details open><summary>{esc(self.pack.screen('timeline_heading'))}</summary>"
                               f"<ol>{items}</ol></details>")

    def _show_mine(self) -> None:
        names = {p.id: p.name for p in self.phases}
        cards = []
        for moment in self.moments:
            phase = names.get(moment["phase"])
            where = esc(phase) if phase else (
                f"<span style='color:#7a1a1a'>{esc(self.pack.screen('phase_gone'))}</span>")
            consent = self.pack.consent_choice(moment["consent"]).label
            excerpt = moment["story"] if len(moment["story"]) <= 160 else moment["story"][:159] + "…"
            card_text = widgets.HTML(
                f'<div class="rw-my-moment"><b>{esc(moment["title"])}</b> &middot; {where} &middot; '
                f'<i>{esc(consent)}</i><br><span style="white-space:pre-wrap">{esc(excerpt)}</span></div>'
            )
            edit = widgets.Button(description=self.pack.screen("edit"),
                                  layout=widgets.Layout(width="auto"))
            delete = widgets.Button(description=self.pack.screen("delete"),
                                    layout=widgets.Layout(width="auto"))
            edit.on_click(guarded(self.status.error)(lambda _b, i=moment["id"]: self.edit(i)))
            delete.on_click(guarded(self.status.error)(lambda _b, i=moment["id"]: self.delete(i)))
            cards.append(widgets.VBox([card_text, widgets.HBox([edit, delete])],
                                      layout=widgets.Layout(border="1px solid #ddd", padding="6px", margin="4px 0")))
        if not cards:
            cards = [widgets.HTML(f"<p style='color:#555'>{esc(self.pack.screen('no_moments'))}</p>")]
        self.mine.children = cards

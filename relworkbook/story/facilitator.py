"""The facilitator's story-weaving view: timeline, weave, moderation, storybook."""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets

from .. import charts, sharing
from ..components.lifecycle import FacilitatorPage
from ..components.status import StatusLine
from ..errors import guarded
from ..store import Store, Workshop
from ..text import esc
from . import settings as story_settings
from .model import (
    WORKBOOK,
    by_group,
    check_payload,
    feeling_curve,
    pack_timeline_settings,
    parse_custom_timeline,
    private_count,
    response_entries,
    shared_moments,
    sort_results,
    sort_results_by_group,
    timeline_text,
    timeline_to_settings,
    without_private,
)
from .pack import StoryPack
from .storybook import dark_light_html, feeling_chart, moment_html
from .weave import weave_sections


def _timeline_help(pack: StoryPack) -> str:
    """The timeline's help, its {format} shown as code: the pack's words are escaped, only the tags are ours."""
    mark = "\x00"  # no pack text holds a NUL, so it marks exactly where the blank was
    before, _, after = pack.screen("timeline_help", format=mark).partition(mark)
    return f"<p>{esc(before)}<code>{esc(pack.screen('timeline_format'))}</code>{esc(after)}</p>"


class TimelinePanel(widgets.VBox):
    """The facilitator gives the workshop its own phases, without touching code."""

    def __init__(self, pack: StoryPack, store: Store, workshop: Workshop, on_change):
        self.pack, self.store, self.workshop, self._on_change = pack, store, workshop, on_change
        self.status = StatusLine()
        self.split = widgets.Checkbox(description=pack.screen("timeline_split"), indent=False,
                                      value=bool(workshop.settings.get("split_out_turn")))
        self.text = widgets.Textarea(layout=widgets.Layout(width="100%", max_width="640px", height="160px"),
                                     placeholder=pack.screen("timeline_placeholder"))
        self.use_button = widgets.Button(description=pack.screen("timeline_use"), icon="check", button_style="primary")
        self.default_button = widgets.Button(description=pack.screen("timeline_default"), icon="undo")
        show = self.status.error
        self.use_button.on_click(guarded(show)(self.use_custom))
        self.default_button.on_click(guarded(show)(self.use_default))
        self.split.observe(guarded(show)(lambda _c: self.use_default()), names="value")
        super().__init__([
            widgets.HTML(_timeline_help(pack)),
            self.split, self.text, widgets.HBox([self.use_button, self.default_button]), self.status,
        ])
        self.show(story_settings.workshop_timeline(pack, workshop))

    def show(self, phases) -> None:
        self.text.value = timeline_text(phases)

    def use_custom(self, _button: Any = None) -> None:
        current = story_settings.workshop_timeline(self.pack, self.store.workshop(self.workshop.id))
        phases = parse_custom_timeline(self.text.value, current, pack=self.pack)
        self.workshop = story_settings.change(self.store, self.workshop, **timeline_to_settings(phases))
        self.show(phases)
        self.status.success(self.pack.screen("timeline_changed", count=len(phases)))
        self._on_change(self.workshop)

    def use_default(self, _button: Any = None) -> None:
        values = pack_timeline_settings(split=self.split.value)
        self.workshop = story_settings.change(self.store, self.workshop, **values)
        self.show(story_settings.workshop_timeline(self.pack, self.workshop))
        self.status.success(self.pack.screen("timeline_default_used"))
        self._on_change(self.workshop)


class StoryFacilitatorView(FacilitatorPage):
    workbook = WORKBOOK

    def build(self) -> None:
        show = self.status.error
        self.timeline = TimelinePanel(self.pack, self.store, self.workshop, self._workshop_changed)
        self.timeline_box = widgets.Accordion([self.timeline], titles=(self.pack.screen("timeline_panel"),))
        self.timeline_box.selected_index = None
        # The first choice, "everyone", is the pack's word; a group is chosen by its own label.
        self.all_groups = self.pack.screen("all_groups")
        self.group_filter = widgets.Dropdown(options=[self.all_groups], value=self.all_groups,
                                             description=self.pack.screen("group_filter"),
                                             style={"description_width": "initial"})
        self.group_filter.observe(guarded(show)(lambda _c: self.refresh(force=True)), names="value")
        self.curve_chart = widgets.HTML()
        self.weave_tables = widgets.HTML()
        self.stories = widgets.VBox()
        self.sorting = widgets.HTML()
        self._private_left_out = 0  # private moments dropped from the files of the current upload
        # Runs after the importer's own handler (observers run in order): the next upload starts afresh.
        self.importer.upload.observe(self._upload_done, names="value")
        charts.warm_up()

    def above_tabs(self):
        return [self.timeline_box, self.group_filter]

    def tabs(self):
        say = self.pack.screen
        return [
            (say("weave_tab"), widgets.VBox([self.curve_chart, self.weave_tables])),
            (say("stories_tab"), widgets.VBox([widgets.HTML(f"<p>{esc(say('stories_help'))}</p>"), self.stories])),
            (say("sort_tab"), self.sorting),
        ]

    def view_key(self) -> object:
        return self.group_filter.value

    def projected(self, index: int):
        """On the wall, the Stories tab shows the stories, not the facilitator's instructions for pinning them."""
        return self.stories if index == 1 else super().projected(index)

    # -- data ---------------------------------------------------------------------

    def draw(self, shown: sharing.Shown) -> None:
        # The current round as published: it changes only in steps of k people (see sharing.py).
        responses = shown.of_round(self.workshop.current_round)
        every_shared = shared_moments(response_entries(responses))
        # The people's groups, not the moments': a group whose members all shared
        # without their names still has its Dark and Light choices.
        options = [self.all_groups] + sorted({r.group_label for r in responses if r.group_label})
        if list(self.group_filter.options) != options:
            self.group_filter.options = options
        group = None if self.group_filter.value == self.all_groups else self.group_filter.value
        self._draw(responses, every_shared, group)

    def _draw(self, responses, every_shared, group: str | None) -> None:
        """The weave of the chosen group: moments hidden by moderation never count.

        A group's weave and stories hold its *named* moments only (anonymous
        ones belong to no group); its Dark and Light results are hidden
        wherever any group's are, so no group can be worked out by subtraction.
        """
        pack, k = self.pack, self.workshop.min_group
        phases = story_settings.workshop_timeline(pack, self.workshop)
        hidden = story_settings.hidden_ids(self.workshop)
        moments = by_group([m for m in every_shared if m.id not in hidden], group)
        curve = feeling_curve(moments, phases, k)
        if any(p.mean is not None for p in curve):
            svg = charts.render_svg(feeling_chart(pack, curve, pack.screen("curve_title")))
            self.curve_chart.value = charts.svg_figure_html(svg, pack.screen("curve_description"))
        else:
            self.curve_chart.value = f"<p class='rw-waiting'>{esc(pack.screen('curve_waiting', k=k))}</p>"
        self.weave_tables.value = weave_sections(pack, phases, moments, k)
        if group is None:
            results = sort_results((r.payload.get("sort") or {} for r in responses), pack, k)
        else:
            by_label = sort_results_by_group(((r.group_label, r.payload.get("sort") or {}) for r in responses),
                                             pack, k)
            results = by_label.get(group) or sort_results((), pack, k)
        self.sorting.value = dark_light_html(pack, results, k)
        self._draw_stories(phases, every_shared, hidden)

    def _draw_stories(self, phases, everyone, hidden) -> None:
        pinned = story_settings.pinned_ids(self.workshop)
        say = self.pack.screen
        names = {p.id: p.name for p in phases}
        cards = []
        for moment in everyone:
            if self.group_filter.value != self.all_groups and moment.group != self.group_filter.value:
                continue
            is_hidden = moment.id in hidden
            phase = names.get(moment.phase) or say("not_on_timeline", phase=moment.phase)
            pin = widgets.Button(description=say("unpin") if moment.id in pinned else say("pin"),
                                 icon="thumb-tack", layout=widgets.Layout(width="auto"),
                                 button_style="info" if moment.id in pinned else "")
            hide = widgets.Button(description=say("show_again") if is_hidden else say("hide"), icon="eye-slash",
                                  layout=widgets.Layout(width="auto"))
            pin.on_click(guarded(self.status.error)(lambda _b, i=moment.id: self.toggle("pinned", i)))
            hide.on_click(guarded(self.status.error)(lambda _b, i=moment.id: self.toggle("hidden", i)))
            card = f"<p style='color:#555;margin:8px 0 0 0'>{esc(phase)}</p>" + moment_html(self.pack, moment)
            if is_hidden:
                card = f"<div style='opacity:0.45'><p><b>{esc(say('hidden_from_group'))}</b></p>{card}</div>"
            cards.append(widgets.VBox([widgets.HTML(card), widgets.HBox([pin, hide])]))
        self.stories.children = cards or [widgets.HTML(f"<p>{esc(say('no_shared_stories'))}</p>")]

    # -- actions --------------------------------------------------------------------

    def toggle(self, key: str, moment_id: str) -> None:
        self.workshop = story_settings.toggle(self.store, self.workshop, key, moment_id)
        self.refresh(force=True)

    # -- importing files -------------------------------------------------------------

    def check_import(self, answers) -> dict[str, Any]:
        """Check a file's answers; private moments are checked, counted, then dropped (never stored)."""
        clean = check_payload(self.pack, answers, None)
        self._private_left_out += private_count(clean)
        return without_private(clean)

    def imported(self, _added: int) -> None:
        self._say_private_left_out()
        self.refresh(force=True)

    def _upload_done(self, change) -> None:
        """After the importer has done its work (even when it added nothing) and said so."""
        if change["new"]:  # not the importer clearing its chooser
            self._say_private_left_out()

    def _say_private_left_out(self) -> None:
        """Add to the importer's message that private moments were left out, once per batch."""
        left_out, self._private_left_out = self._private_left_out, 0
        status = self.importer.status
        if left_out and status.kind:
            note = self.pack.screen("import_private_left_out", count=left_out)
            getattr(status, status.kind)(f"{status.message} {note}")

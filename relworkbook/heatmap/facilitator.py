"""The facilitator's live view of a heatmap workshop.

Heavier than a participant's page (Altair and vl-convert load here), which is
fine: there is one facilitator and many participants.
"""

from __future__ import annotations

import ipywidgets as widgets

from .. import charts, sharing
from ..components.lifecycle import FacilitatorPage
from ..config import MAX_NOTE_CHARS
from ..errors import FriendlyError, guarded
from ..text import clean_text, esc
from . import report, views
from .model import WORKBOOK


class FacilitatorView(FacilitatorPage):
    workbook = WORKBOOK

    def build(self) -> None:
        ui = self.ui
        # The live heatmap, with its table alternative and highlights.
        self.chart = widgets.HTML()  # the live heat grid
        self.chart_note = widgets.HTML()
        self.figure = widgets.HTML()  # the Altair chart, drawn when asked for
        self.figure_box = widgets.Accordion([self.figure], titles=("Chart (as in the report and downloads)",))
        self.figure_box.selected_index = None
        self.figure_box.observe(guarded(self.status.error)(lambda _c: self.draw_figure()), names="selected_index")
        self.table = widgets.HTML()
        self.highlights = widgets.HTML()
        self.table_box = widgets.Accordion([self.table], titles=(ui("table_caption"),))
        self.table_box.selected_index = None
        # Rounds.
        self.rounds = widgets.HTML()
        self.round_chart = widgets.HTML()
        # Next steps.
        self.focus = widgets.Dropdown(description="Statement to work on", style={"description_width": "initial"},
                                      layout=widgets.Layout(width="100%", max_width="640px"))
        self.focus_button = widgets.Button(description="Choose this statement", icon="bullseye")
        self.next_step = widgets.Textarea(placeholder="What will we do, who, by when?",
                                          layout=widgets.Layout(width="100%", max_width="640px", height="80px"))
        self.step_button = widgets.Button(description="Add next step", icon="plus")
        self.notes = widgets.HTML()
        show = self.status.error
        self.focus_button.on_click(guarded(show)(self.choose_focus))
        self.step_button.on_click(guarded(show)(self.add_next_step))
        self.analysis: report.Analysis | None = None
        charts.warm_up()

    def tabs(self):
        return [
            ("Collective heatmap", widgets.VBox([self.chart, self.chart_note, widgets.HTML(views.legend(self.pack)),
                                                 self.highlights, self.figure_box, self.table_box])),
            ("Rounds", widgets.VBox([self.rounds, self.round_chart])),
            ("Next steps", widgets.VBox([self.focus, self.focus_button, self.next_step, self.step_button,
                                         self.notes])),
        ]

    def draw(self, shown: sharing.Shown) -> None:
        self.update(list(shown.responses))

    # -- live --------------------------------------------------------------------

    def update(self, responses) -> None:
        """Pool and redraw everything from published ``responses`` (the benchmarked step)."""
        analysis = report.analyse(self.pack, self.workshop, responses)
        self.analysis = analysis
        current = analysis.everyone
        columns = report.chart_columns(analysis)
        title = f"{current.respondents} responses, round: {analysis.round}"
        if current.respondents:
            self.chart.value = views.grid_table(self.pack, columns, f"Collective heatmap: {title}")
        else:
            self.chart.value = (
                "<p class='rw-waiting' style='font-size:1.2em;padding:24px 0'>Waiting for the first answers. "
                "The heatmap fills in here as people save.</p>"
            )
        self.table.value = views.category_table(self.pack, current, "By area") + "<br>" + "".join(
            views.statement_table(self.pack, s, f"By statement: {name}") for name, s in columns.items()
        )
        self.highlights.value = views.highlights_html(current)
        self.chart_note.value = (
            f"<p style='color:#555'>&ldquo;hidden&rdquo; = fewer than {self.workshop.min_group} people; "
            "a group's cell is also hidden where another group's is, so no one can be worked out by subtraction.</p>"
        )
        if len(analysis.by_round) > 1:
            self.round_chart.value = views.grid_table(self.pack, analysis.by_round, "Rounds side by side")
        self.figure.value = ""
        if self.figure_box.selected_index == 0:
            self.draw_figure()
        self.rounds.value = report.warming_html(analysis.warming)
        options = [(f"{c.label} ({c.mean:.1f})", c.label) for c in current.coolest(len(current.statements))] \
            or [("No results yet", "")]
        if [o[1] for o in self.focus.options] != [o[1] for o in options]:
            self.focus.options = options
        if self.focus.value is None and options:
            self.focus.value = options[0][1]  # the coolest statement, ready to choose
        self._show_notes()

    def draw_figure(self) -> None:
        """Draw the Altair chart (about 0.3 s) only while its panel is open."""
        if self.figure_box.selected_index != 0 or self.analysis is None or self.figure.value:
            return
        if not self.analysis.everyone.respondents:
            self.figure.value = "<p>The chart appears once there are answers.</p>"
            return
        columns = report.chart_columns(self.analysis)
        title = f"{self.analysis.everyone.respondents} responses, round: {self.analysis.round}"
        svg = charts.render_svg(report.heatmap_chart(self.pack, columns, title))
        self.figure.value = charts.svg_figure_html(svg, f"Collective heatmap: {title}")

    # -- next steps --------------------------------------------------------------

    def choose_focus(self, _button=None) -> None:
        if not self.focus.value:
            raise FriendlyError("There are no results to choose from yet.")
        self.store.add_note(self.workshop.id, "focus", self.focus.value)
        self.status.success("Statement chosen. Add the next steps the group agrees.")
        self._show_notes()

    def add_next_step(self, _button=None) -> None:
        text = clean_text(self.next_step.value, max_chars=MAX_NOTE_CHARS, what="next step", required=True)
        self.store.add_note(self.workshop.id, "next_step", text)
        self.next_step.value = ""
        self.status.success("Next step saved; it will be in the report.")
        self._show_notes()

    def _show_notes(self) -> None:
        notes = self.store.notes(self.workshop.id)
        focus = [n.text for n in notes if n.kind == "focus"]
        steps = [n.text for n in notes if n.kind == "next_step"]
        self.notes.value = (
            "".join(f"<p><b>Focus:</b> {esc(f)}</p>" for f in focus)
            + ("<ul>" + "".join(f"<li>{esc(s)}</li>" for s in steps) + "</ul>" if steps else "")
        )

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
from ..workshops import shown_round
from . import report, views
from .model import WORKBOOK


class FacilitatorView(FacilitatorPage):
    workbook = WORKBOOK

    def build(self) -> None:
        ui, say = self.ui, self.pack.screen
        # The live heatmap, with its table alternative and highlights.
        self.chart = widgets.HTML()  # the live heat grid
        self.chart_note = widgets.HTML()
        self.figure = widgets.HTML()  # the Altair chart, drawn when asked for
        self.figure_box = widgets.Accordion([self.figure], titles=(say("chart_panel"),))
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
        self.focus = widgets.Dropdown(description=say("focus_label"), style={"description_width": "initial"},
                                      layout=widgets.Layout(width="100%", max_width="640px"))
        self.focus_button = widgets.Button(description=say("focus_button"), icon="bullseye")
        self.next_step = widgets.Textarea(placeholder=say("step_placeholder"),
                                          layout=widgets.Layout(width="100%", max_width="640px", height="80px"))
        self.step_button = widgets.Button(description=say("step_button"), icon="plus")
        self.notes = widgets.HTML()
        show = self.status.error
        self.focus_button.on_click(guarded(show)(self.choose_focus))
        self.step_button.on_click(guarded(show)(self.add_next_step))
        self.analysis: report.Analysis | None = None
        charts.warm_up()

    def tabs(self):
        say = self.pack.screen
        return [
            (say("heatmap_tab"), widgets.VBox([self.chart, self.chart_note, widgets.HTML(views.legend(self.pack)),
                                               self.highlights, self.figure_box, self.table_box])),
            (say("rounds_tab"), widgets.VBox([self.rounds, self.round_chart])),
            (say("next_steps_tab"), widgets.VBox([self.focus, self.focus_button, self.next_step, self.step_button,
                                                  self.notes])),
        ]

    def projected(self, index: int):
        """On the wall, Next steps shows what the group chose and agreed, not the boxes used to write it."""
        return self.notes if index == 2 else super().projected(index)

    def draw(self, shown: sharing.Shown) -> None:
        self.update(list(shown.responses))

    # -- live --------------------------------------------------------------------

    def update(self, responses) -> None:
        """Pool and redraw everything from published ``responses`` (the benchmarked step)."""
        analysis = report.analyse(self.pack, self.workshop, responses)
        self.analysis = analysis
        current = analysis.everyone
        say = self.pack.screen
        columns = report.chart_columns(analysis, say("everyone"))
        title = say("live_title", count=current.respondents, round=shown_round(self.ui, analysis.round))
        if current.respondents:
            self.chart.value = views.grid_table(self.pack, columns, say("live_caption", title=title))
        else:
            self.chart.value = (f"<p class='rw-waiting' style='font-size:1.2em;padding:24px 0'>"
                                f"{esc(say('waiting_first'))}</p>")
        self.table.value = views.category_table(self.pack, current, say("by_area")) + "<br>" + "".join(
            views.statement_table(self.pack, s, say("by_statement_of", name=name)) for name, s in columns.items()
        )
        self.highlights.value = views.highlights_html(self.pack, current)
        self.chart_note.value = f"<p style='color:#555'>{esc(say('hidden_note', k=self.workshop.min_group))}</p>"
        if len(analysis.by_round) > 1:
            rounds = {shown_round(self.ui, name): summary for name, summary in analysis.by_round.items()}
            self.round_chart.value = views.grid_table(self.pack, rounds, say("rounds_side_by_side"))
        self.figure.value = ""
        if self.figure_box.selected_index == 0:
            self.draw_figure()
        self.rounds.value = report.warming_html(self.pack, analysis.warming)
        options = [(f"{c.label} ({c.mean:.1f})", c.label) for c in current.coolest(len(current.statements))] \
            or [(say("no_results_option"), "")]
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
            self.figure.value = f"<p>{esc(self.pack.screen('chart_needs_answers'))}</p>"
            return
        columns = report.chart_columns(self.analysis, self.pack.screen("everyone"))
        title = self.pack.screen("live_title", count=self.analysis.everyone.respondents,
                                 round=shown_round(self.ui, self.analysis.round))
        svg = charts.render_svg(report.heatmap_chart(self.pack, columns, title))
        self.figure.value = charts.svg_figure_html(svg, self.pack.screen("live_caption", title=title))

    # -- next steps --------------------------------------------------------------

    def choose_focus(self, _button=None) -> None:
        if not self.focus.value:
            raise FriendlyError(self.pack.screen("no_results_to_choose"))
        self.store.add_note(self.workshop.id, "focus", self.focus.value)
        self.status.success(self.pack.screen("focus_chosen"))
        self._show_notes()

    def add_next_step(self, _button=None) -> None:
        text = clean_text(self.next_step.value, max_chars=MAX_NOTE_CHARS, what=self.pack.screen("what_next_step"),
                          required=True)
        self.store.add_note(self.workshop.id, "next_step", text)
        self.next_step.value = ""
        self.status.success(self.pack.screen("step_saved"))
        self._show_notes()

    def _show_notes(self) -> None:
        notes = self.store.notes(self.workshop.id)
        focus = [n.text for n in notes if n.kind == "focus"]
        steps = [n.text for n in notes if n.kind == "next_step"]
        self.notes.value = (
            "".join(f"<p><b>{esc(self.pack.screen('focus_note'))}</b> {esc(f)}</p>" for f in focus)
            + ("<ul>" + "".join(f"<li>{esc(s)}</li>" for s in steps) + "</ul>" if steps else "")
        )

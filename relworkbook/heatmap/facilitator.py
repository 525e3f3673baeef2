"""The facilitator's live view of a heatmap workshop.

Heavier than a participant's page (Altair and vl-convert load here), which is
fine: there is one facilitator and many participants.
"""

from __future__ import annotations

import ipywidgets as widgets

from .. import charts, sharing
from ..components.downloads import DownloadLinks
from ..components.importer import ImportPanel
from ..components.session import SessionPanel
from ..components.status import StatusLine
from ..config import MAX_NOTE_CHARS
from ..content import HeatmapPack, UiText
from ..errors import FriendlyError, guarded
from ..store import Store, Workshop
from ..text import clean_text, esc
from ..workshops import FacilitatorAccess
from . import report, views
from .model import WORKBOOK, payload_check


class FacilitatorView(widgets.VBox):
    def __init__(self, *, pack: HeatmapPack, ui: UiText, store: Store, access: FacilitatorAccess):
        self.pack, self.ui, self.store = pack, ui, store
        self.workshop = access.workshop
        self.status = StatusLine()
        self.session = SessionPanel(ui=ui, store=store, workshop=self.workshop, on_change=self._workshop_changed)
        # The live heatmap, with its table alternative and highlights.
        self.chart = widgets.HTML()  # the live heat grid
        self.chart_note = widgets.HTML()
        self.figure = widgets.HTML()  # the Altair chart, drawn when asked for
        self.figure_box = widgets.Accordion([self.figure], titles=("Chart (as in the report and downloads)",))
        self.figure_box.selected_index = None
        self.figure_box.observe(guarded(self.status.error)(lambda _c: self.draw_figure()), names="selected_index")
        self.table = widgets.HTML()
        self.waiting = widgets.HTML()  # answers held back until k people have new ones
        self.highlights = widgets.HTML()
        table_box = widgets.Accordion([self.table], titles=(ui("table_caption"),))
        table_box.selected_index = None
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
        # Files.
        self.importer = ImportPanel(ui=ui, store=store, workbook=WORKBOOK, workshop=lambda: self.workshop,
                                    check_payload=payload_check(pack), on_imported=lambda _n: self.refresh(True))
        self.export_button = widgets.Button(description=ui("export_button"), icon="download", button_style="primary")
        self.export_button.on_click(guarded(show)(self.prepare_exports))
        self.downloads = DownloadLinks()

        tabs = widgets.Tab([
            widgets.VBox([self.waiting, self.chart, self.chart_note, widgets.HTML(views.legend(pack)), self.highlights,
                          self.figure_box, table_box]),
            widgets.VBox([self.rounds, self.round_chart]),
            widgets.VBox([self.focus, self.focus_button, self.next_step, self.step_button, self.notes]),
            widgets.VBox([self.export_button, self.downloads, self.importer]),
        ], titles=("Collective heatmap", "Rounds", "Next steps", "Files"))
        super().__init__([self.session, self.status, tabs])
        self._seen: object = None
        self.analysis: report.Analysis | None = None
        charts.warm_up()
        self.refresh(force=True)

    # -- live --------------------------------------------------------------------

    def refresh(self, force: bool = False) -> None:
        """Redraw if anything changed in the store (cheap when nothing did)."""
        key = self.store.fingerprint(self.workshop.id)
        if not force and key == self._seen:
            return
        self._seen = key
        self.workshop = self.store.workshop(self.workshop.id)
        self.session.update(self.workshop)
        # Who has saved is live; what they said is shown only as published (steps of k).
        live = self.store.responses(self.workshop.id, WORKBOOK, self.workshop.current_round)
        self.session.show_counts(len(live), [r.display_name for r in live])
        shown = sharing.published(self.store, self.workshop, WORKBOOK)
        self.waiting.value = sharing.waiting_html(shown, self.ui)
        self.update(list(shown.responses))

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

    def _workshop_changed(self, workshop: Workshop) -> None:
        self.workshop = workshop
        self.refresh(force=True)

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

    # -- files -------------------------------------------------------------------

    def prepare_exports(self, _button=None) -> None:
        # The same boundary as `relworkbook export`: published answers, sharing rule applied.
        responses = sharing.shared(self.store, self.workshop, self.pack)
        if not responses:
            raise FriendlyError("There are no answers to download yet.")
        notes = self.store.notes(self.workshop.id)
        self.downloads.show(report.export_files(self.pack, self.workshop, responses, notes))
        self.status.success(f"Downloads ready: {len(responses)} answers.")


"""The facilitator's persona-mapping view: the group's mix, the support plan, then and now.

Everything pooled is read through the privacy boundary (published answers,
k applied in the model), so this view shows what the report and downloads
show, live.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets

from .. import sharing
from ..components.lifecycle import FacilitatorPage
from ..errors import guarded
from ..text import esc
from .model import PLAN_KIND, WORKBOOK, plan_note_text, read_plans
from .report import analyse, compare_html, mix_html, plans_html

_WIDE = widgets.Layout(width="100%", max_width="640px")


class PersonaFacilitatorView(FacilitatorPage):
    workbook = WORKBOOK

    def build(self) -> None:
        pack, show = self.pack, self.status.error
        self.mix = widgets.HTML()
        self.compare = widgets.HTML()
        self.plan_persona = widgets.Dropdown(options=[(p.name, p.id) for p in pack.personas],
                                             description=pack.screen("plan_persona"),
                                             style={"description_width": "initial"}, layout=_WIDE)
        self.plan_offer = widgets.Textarea(description=pack.screen("plan_offer"), layout=_WIDE,
                                           style={"description_width": "initial"})
        self.plan_who = widgets.Text(description=pack.screen("plan_who"), layout=_WIDE,
                                     style={"description_width": "initial"})
        self.plan_by_when = widgets.Text(description=pack.screen("plan_by_when"), layout=_WIDE,
                                         style={"description_width": "initial"})
        self.plan_button = widgets.Button(description=pack.screen("plan_add"), icon="plus",
                                          layout=widgets.Layout(width="auto"))
        self.plan_button.on_click(guarded(show)(self.add_plan))
        self.plans = widgets.HTML()

    def tabs(self):
        say = self.pack.screen
        plan = widgets.VBox([widgets.HTML(f"<p>{esc(say('plan_intro'))}</p>"), self.plan_persona, self.plan_offer,
                             self.plan_who, self.plan_by_when, self.plan_button, self.plans])
        return [(say("mix_tab"), self.mix), (say("plan_tab"), plan), (say("compare_tab"), self.compare)]

    def draw(self, shown: sharing.Shown) -> None:
        analysis = analyse(self.pack, self.workshop, list(shown.responses))
        self.mix.value = mix_html(self.pack, analysis.mix)
        self.compare.value = compare_html(self.pack, analysis.comparison)
        self._show_plans()

    def add_plan(self, _button: Any = None) -> None:
        text = plan_note_text(self.pack, self.plan_persona.value, self.plan_offer.value, self.plan_who.value,
                              self.plan_by_when.value)
        self.store.add_note(self.workshop.id, PLAN_KIND, text)
        name = self.pack.persona(self.plan_persona.value).name
        self.plan_offer.value = self.plan_who.value = self.plan_by_when.value = ""
        self.status.success(self.pack.screen("plan_added", name=name))
        self._show_plans()

    def _show_plans(self) -> None:
        self.plans.value = plans_html(self.pack, read_plans(self.pack, self.store.notes(self.workshop.id)))

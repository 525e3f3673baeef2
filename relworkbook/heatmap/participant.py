"""What a participant sees: rate, save, see your own heatmap (and the group's when shown).

Imports nothing heavy: a 25-person workshop runs 25 of these kernels.
"""

from __future__ import annotations

import time

import ipywidgets as widgets

from ..components.choice import ChoiceGroup
from ..components.lifecycle import ParticipantPage, SoloPage
from ..content import HeatmapPack, Scale, UiText
from ..errors import FriendlyError, guarded
from ..exchange import responses_document, to_json
from ..files import DownloadFile
from ..store import Response
from ..text import esc
from . import views
from .model import WORKBOOK, check_ratings, personal, summarise, unanswered

DONT_KNOW = 0  # a choice needs a value; 0 stands for "don't know" and is stored as null
DONT_KNOW_ON_A_ZERO_SCALE = "dont-know"


def dont_know_value(scale: Scale) -> int | str:
    """The value that stands for "don't know": 0, unless the scale itself offers 0 as a rating.

    A pack may run its scale from 0; a 0 rating must then stay a rating, not
    turn into "don't know".
    """
    return DONT_KNOW_ON_A_ZERO_SCALE if scale.min <= DONT_KNOW <= scale.max else DONT_KNOW


class RatingForm(widgets.VBox):
    """Every statement with a 1-5 (or don't know) choice, grouped by area.

    Each statement is one ChoiceGroup: its legend is the statement, so a
    screen reader names the question and the chosen answer, and a keyboard
    needs one Tab per statement (arrow keys choose within it).
    """

    def __init__(self, pack: HeatmapPack):
        self.pack = pack
        scale = pack.scale
        values = list(range(scale.min, scale.max + 1))
        self.dont_know = dont_know_value(scale)
        options = [[str(v), v] for v in values] + [[scale.dont_know, self.dont_know]]
        named = dict(scale.labels)
        hints = [named.get(v, "") for v in values] + [""]  # "3" is read out as "3 Partly true"
        self.choices: dict[str, ChoiceGroup] = {}
        sections = [widgets.HTML(f"<p>{esc(pack.intro)}</p>{views.legend(pack)}")]
        for category in pack.categories:
            sections.append(
                widgets.HTML(f"<h3>{esc(category.name)}</h3><p style='color:#555'>{esc(category.description)}</p>")
            )
            for statement in category.statements:
                choice = ChoiceGroup(options=options, hints=hints, label=statement.text,
                                     layout=widgets.Layout(margin="0 0 12px 0"))
                choice.add_class("rw-rating")
                choice.add_class(f"rw-rating-{statement.id}")
                self.choices[statement.id] = choice
                sections.append(choice)
        super().__init__(sections)

    @property
    def ratings(self) -> dict[str, int | None]:
        return {
            sid: (None if choice.value == self.dont_know else choice.value)
            for sid, choice in self.choices.items()
            if choice.value is not None
        }

    @ratings.setter
    def ratings(self, values: dict[str, int | None]) -> None:
        for sid, choice in self.choices.items():
            if sid in values:
                choice.value = self.dont_know if values[sid] is None else values[sid]
            else:
                choice.value = None

    def set_disabled(self, disabled: bool) -> None:
        for choice in self.choices.values():
            choice.disabled = disabled


def _saved_message(ui: UiText, missing: int) -> str:
    message = ui("saved", time=time.strftime("%H:%M"))
    if missing:
        message += f" Still unanswered: {missing} of the statements."
    return message


class ParticipantView(ParticipantPage):
    workbook = WORKBOOK

    def build(self) -> None:
        self.form = RatingForm(self.pack)
        self.save_button = widgets.Button(description=self.ui("save_button"), button_style="primary", icon="check")
        self.save_button.on_click(guarded(self.status.error)(self.save))
        self.mine = widgets.HTML()

    def form_widgets(self):
        return [self.form, self.save_button, self.mine]

    def load(self, saved: Response | None) -> None:
        self.form.ratings = saved.payload.get("ratings", {}) if saved else {}
        self.mine.value = views.personal_table(self.pack, personal(self.pack, self.form.ratings)) \
            if saved else ""

    def set_disabled(self, disabled: bool) -> None:
        self.form.set_disabled(disabled)
        self.save_button.disabled = disabled

    def save(self, _button=None) -> Response:
        ratings = check_ratings(self.pack, self.form.ratings)
        if not ratings:
            raise FriendlyError("Please rate at least one statement before saving.")
        self.status.info(self.ui("saving"))
        saved = self.commit({"ratings": ratings})
        # Only now, with the answer committed, does the screen say "saved".
        self.status.success(_saved_message(self.ui, len(unanswered(self.pack, ratings))))
        self.mine.value = views.personal_table(self.pack, personal(self.pack, ratings))
        return saved

    def my_files(self, mine: list[Response]) -> list[DownloadFile]:
        document = responses_document(WORKBOOK, mine, self.workshop)
        return [DownloadFile.text(self.ui("download_mine"), f"heatmap-{self.workshop.code}-my-answers.json",
                                  to_json(document), "application/json")]

    def group_html(self, responses: list[Response]) -> str:
        answers = [r.payload.get("ratings", {}) for r in responses]
        summary = summarise(self.pack, answers, self.workshop.min_group)
        return (
            f"<h3>The group's heatmap ({summary.respondents} people)</h3>"
            + views.category_table(self.pack, summary, "The group by area")
            + "<br>" + views.statement_table(self.pack, summary, "The group, statement by statement",
                                             show_spread=False)
        )


class SoloView(SoloPage):
    """One person, or a team round one screen: no workshop, nothing stored."""

    workbook = WORKBOOK

    def build(self) -> None:
        self.form = RatingForm(self.pack)
        self.show_button = widgets.Button(description="Show my heatmap", button_style="primary", icon="th")
        self.show_button.on_click(guarded(self.status.error)(self.show))
        self.mine = widgets.HTML()

    def form_widgets(self):
        return [self.form, self.show_button]

    def results(self):
        return [self.mine]

    def show(self, _button=None) -> None:
        ratings = check_ratings(self.pack, self.form.ratings)
        if not ratings:
            raise FriendlyError("Please rate at least one statement first.")
        self.mine.value = views.personal_table(self.pack, personal(self.pack, ratings))
        response = self.response({"ratings": ratings})
        self.downloads.show([DownloadFile.text(
            self.ui("download_mine"), "heatmap-my-answers.json",
            to_json(responses_document(WORKBOOK, [response])), "application/json")])
        missing = len(unanswered(self.pack, ratings))
        self.status.success("Here is your heatmap." + (f" Still unanswered: {missing}." if missing else ""))

"""What a participant sees: rate, save, see your own heatmap (and the group's when shown).

Imports nothing heavy: a 25-person workshop runs 25 of these kernels.
"""

from __future__ import annotations

import time
from typing import Any

import ipywidgets as widgets

from ..components.lifecycle import ParticipantPage, SoloPage
from ..components.rating import DONT_KNOW, RatingQuestions  # noqa: F401 - DONT_KNOW re-exported
from ..content import HeatmapPack, UiText
from ..errors import FriendlyError, guarded
from ..exchange import responses_document, to_json
from ..files import DownloadFile
from ..store import Response
from ..text import esc
from . import views
from .model import WORKBOOK, check_ratings, personal, summarise, unanswered


class RatingForm(widgets.VBox):
    """Every statement with a 1-5 (or don't know) choice, grouped by area.

    Each statement is one ChoiceGroup (see components/rating.py): its legend is
    the statement, so a screen reader names the question and the chosen answer,
    and a keyboard needs one Tab per statement (arrow keys choose within it).
    """

    def __init__(self, pack: HeatmapPack):
        self.pack = pack
        self.questions = RatingQuestions(pack.scale, ((s.id, s.text) for s in pack.statements))
        self.dont_know = self.questions.dont_know
        self.choices = self.questions.choices
        sections: list[widgets.Widget] = [widgets.HTML(f"<p>{esc(pack.intro)}</p>{views.legend(pack)}")]
        for category in pack.categories:
            sections.append(
                widgets.HTML(f"<h3>{esc(category.name)}</h3><p style='color:#555'>{esc(category.description)}</p>")
            )
            sections.extend(self.choices[s.id] for s in category.statements)
        super().__init__(sections)

    @property
    def ratings(self) -> dict[str, int | None]:
        return self.questions.ratings

    @ratings.setter
    def ratings(self, values: dict[str, int | None]) -> None:
        self.questions.ratings = values

    def set_disabled(self, disabled: bool) -> None:
        self.questions.set_disabled(disabled)


def _saved_message(pack: HeatmapPack, ui: UiText, missing: int) -> str:
    message = ui("saved", time=time.strftime("%H:%M"))
    if missing:
        message += " " + pack.screen("still_unanswered", count=missing)
    return message


class ParticipantView(ParticipantPage):
    workbook = WORKBOOK

    def build(self) -> None:
        self.form = RatingForm(self.pack)
        self.save_button = widgets.Button(description=self.ui("save_button"), button_style="primary")  # no icon font
        self.save_button.on_click(guarded(self.status.error)(self.save))
        self.mine = widgets.HTML()
        #: The ratings as last loaded or saved: anything else on screen is a draft.
        self._kept: dict[str, int | None] = {}
        self.form.questions.on_change(self.changed)

    def form_widgets(self):
        return [self.form, self.save_button, self.mine]

    def load(self, saved: Response | None) -> None:
        self.form.ratings = saved.payload.get("ratings", {}) if saved else {}
        self._kept = self.form.ratings
        self.mine.value = views.personal_table(self.pack, personal(self.pack, self.form.ratings)) \
            if saved else ""

    def draft(self) -> dict[str, Any] | None:
        ratings = self.form.ratings
        return None if ratings == self._kept else {"ratings": ratings}

    def restore_draft(self, draft: dict[str, Any]) -> None:
        self.form.ratings = check_ratings(self.pack, draft.get("ratings") or {})

    def set_disabled(self, disabled: bool) -> None:
        self.form.set_disabled(disabled)
        self.save_button.disabled = disabled

    def save(self, _button=None) -> Response:
        ratings = check_ratings(self.pack, self.form.ratings)
        if not ratings:
            raise FriendlyError(self.pack.screen("rate_first_to_save"))
        self.status.info(self.ui("saving"))
        saved = self.commit({"ratings": ratings})
        self._kept = ratings
        # Only now, with the answer committed, does the screen say "saved".
        self.status.success(_saved_message(self.pack, self.ui, len(unanswered(self.pack, ratings))))
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
            f"<h3>{esc(self.pack.screen('group_heading', count=summary.respondents))}</h3>"
            + views.category_table(self.pack, summary, self.pack.screen("group_by_area"))
            + "<br>" + views.statement_table(self.pack, summary, self.pack.screen("group_by_statement"),
                                             show_spread=False)
        )


class SoloView(SoloPage):
    """One person, or a team round one screen: no workshop, nothing stored."""

    workbook = WORKBOOK

    def build(self) -> None:
        self.form = RatingForm(self.pack)
        self.show_button = widgets.Button(description=self.pack.screen("show_mine"), button_style="primary")
        self.show_button.on_click(guarded(self.status.error)(self.show))
        self.mine = widgets.HTML()

    def form_widgets(self):
        return [self.form, self.show_button]

    def results(self):
        return [self.mine]

    def show(self, _button=None) -> None:
        ratings = check_ratings(self.pack, self.form.ratings)
        if not ratings:
            raise FriendlyError(self.pack.screen("rate_first"))
        self.mine.value = views.personal_table(self.pack, personal(self.pack, ratings))
        response = self.response({"ratings": ratings})
        self.downloads.show([DownloadFile.text(
            self.ui("download_mine"), "heatmap-my-answers.json",
            to_json(responses_document(WORKBOOK, [response])), "application/json")])
        missing = len(unanswered(self.pack, ratings))
        shown = self.pack.screen("here_is_yours")
        if missing:
            shown += " " + self.pack.screen("still_unanswered_short", count=missing)
        self.status.success(shown)

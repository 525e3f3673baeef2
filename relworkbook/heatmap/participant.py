"""What a participant sees: rate, save, see your own heatmap (and the group's when shown).

Imports nothing heavy: a 25-person workshop runs 25 of these kernels.
"""

from __future__ import annotations

import time
import uuid

import ipywidgets as widgets

from .. import sharing
from ..components.choice import ChoiceGroup
from ..components.downloads import DownloadFile, DownloadLinks
from ..components.status import StatusLine
from ..content import HeatmapPack, Scale, UiText
from ..errors import FriendlyError, guarded
from ..exchange import responses_document, to_json
from ..store import Response, Store
from ..text import esc
from ..workshops import Membership
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


class ParticipantView(widgets.VBox):
    def __init__(self, *, pack: HeatmapPack, ui: UiText, store: Store, membership: Membership):
        self.pack, self.ui, self.store, self.membership = pack, ui, store, membership
        self.workshop = store.workshop(membership.workshop.id)
        self.status = StatusLine()
        self.form = RatingForm(pack)
        self.save_button = widgets.Button(description=ui("save_button"), button_style="primary", icon="check")
        self.save_button.on_click(guarded(self.status.error)(self.save))
        self.mine = widgets.HTML()
        self.group = widgets.HTML()
        self.download_button = widgets.Button(description=ui("download_mine"), icon="download")
        self.download_button.on_click(guarded(self.status.error)(self.prepare_download))
        self.downloads = DownloadLinks()
        self._revealed_for: object = None
        self._load_saved()
        super().__init__([
            widgets.HTML(f"<h2>{esc(pack.title)}</h2>"), self.form, self.save_button, self.status,
            self.mine, self.group, self.download_button, self.downloads,
        ])
        self._apply_state()

    def _load_saved(self) -> None:
        saved = self.store.response_for(
            self.workshop.id, self.membership.participant.uid, WORKBOOK, self.workshop.current_round
        )
        self.form.ratings = saved.payload.get("ratings", {}) if saved else {}
        self.mine.value = views.personal_table(self.pack, personal(self.pack, self.form.ratings)) if saved else ""

    def save(self, _button=None) -> Response:
        self.workshop = self.store.workshop(self.workshop.id)  # the facilitator may have just closed it
        if self.workshop.locked:
            self._apply_state()
            raise FriendlyError(self.ui("locked"))
        ratings = check_ratings(self.pack, self.form.ratings)
        if not ratings:
            raise FriendlyError("Please rate at least one statement before saving.")
        self.status.info(self.ui("saving"))
        participant = self.membership.participant
        saved = self.store.save_response(Response(
            uid=uuid.uuid4().hex, workshop_id=self.workshop.id, participant_uid=participant.uid,
            workbook=WORKBOOK, round=self.workshop.current_round, group_label=participant.group_label,
            display_name=participant.display_name, payload={"ratings": ratings},
            created_at=0, updated_at=0,
        ))
        # Only now, with the answer committed, does the screen say "saved".
        self.status.success(_saved_message(self.ui, len(unanswered(self.pack, ratings))))
        self.mine.value = views.personal_table(self.pack, personal(self.pack, ratings))
        return saved

    def prepare_download(self, _button=None) -> None:
        mine = [r for r in self.store.responses(self.workshop.id, WORKBOOK)
                if r.participant_uid == self.membership.participant.uid]
        if not mine:
            raise FriendlyError("Save your answers first; then you can download them.")
        document = responses_document(WORKBOOK, mine, self.workshop)
        self.downloads.show([DownloadFile.text(
            self.ui("download_mine"), f"heatmap-{self.workshop.code}-my-answers.json",
            to_json(document), "application/json")])

    def _apply_state(self) -> None:
        self.form.set_disabled(self.workshop.locked)
        self.save_button.disabled = self.workshop.locked
        if self.workshop.locked:
            self.status.info(self.ui("locked"))
        if self.workshop.revealed:
            key = self.store.fingerprint(self.workshop.id)
            if key != self._revealed_for:
                self._revealed_for = key
                shown = sharing.published(self.store, self.workshop, WORKBOOK, self.workshop.current_round)
                answers = [r.payload.get("ratings", {}) for r in shown.responses]
                summary = summarise(self.pack, answers, self.workshop.min_group)
                self.group.value = (
                    f"<h3>The group's heatmap ({summary.respondents} people)</h3>"
                    + views.category_table(self.pack, summary, "The group by area")
                    + "<br>" + views.statement_table(self.pack, summary, "The group, statement by statement",
                                                     show_spread=False)
                )
        else:
            self._revealed_for = None
            self.group.value = ""

    def refresh(self) -> None:
        before = self.workshop
        self.workshop = self.store.workshop(self.workshop.id)
        if self.workshop.current_round != before.current_round:
            self._load_saved()
            self.status.info(f"A new round has started: {self.workshop.current_round}.")
        state_changed = (self.workshop.locked, self.workshop.revealed) != (before.locked, before.revealed)
        if state_changed and not self.workshop.locked:
            self.status.clear()
        self._apply_state()


class SoloView(widgets.VBox):
    """One person, or a team round one screen: no workshop, nothing stored."""

    def __init__(self, *, pack: HeatmapPack, ui: UiText):
        self.pack, self.ui = pack, ui
        self.status = StatusLine()
        self.form = RatingForm(pack)
        self.show_button = widgets.Button(description="Show my heatmap", button_style="primary", icon="th")
        self.show_button.on_click(guarded(self.status.error)(self.show))
        self.mine = widgets.HTML()
        self.downloads = DownloadLinks()
        self.participant_uid = uuid.uuid4().hex
        self.response_uid = uuid.uuid4().hex
        self.started = time.time()
        super().__init__([widgets.HTML(f"<h2>{esc(pack.title)}</h2>"), self.form, self.show_button,
                          self.status, self.mine, self.downloads])

    def show(self, _button=None) -> None:
        ratings = check_ratings(self.pack, self.form.ratings)
        if not ratings:
            raise FriendlyError("Please rate at least one statement first.")
        self.mine.value = views.personal_table(self.pack, personal(self.pack, ratings))
        now = time.time()
        response = Response(
            uid=self.response_uid, workshop_id=0, participant_uid=self.participant_uid, workbook=WORKBOOK,
            round="baseline", group_label="", display_name="", payload={"ratings": ratings},
            created_at=self.started, updated_at=now,
        )
        self.downloads.show([DownloadFile.text(
            self.ui("download_mine"), "heatmap-my-answers.json",
            to_json(responses_document(WORKBOOK, [response])), "application/json")])
        missing = len(unanswered(self.pack, ratings))
        self.status.success("Here is your heatmap." + (f" Still unanswered: {missing}." if missing else ""))

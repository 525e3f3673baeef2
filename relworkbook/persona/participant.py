"""A participant's persona-mapping page, and the same page for someone on their own.

Imports nothing heavy: the profile is plain HTML bars, so a participant's
kernel never loads Altair or pandas (a test checks).
"""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets

from ..components.choice import ChoiceGroup
from ..components.lifecycle import ParticipantPage, SoloPage
from ..components.rating import RatingQuestions
from ..errors import FriendlyError, guarded
from ..files import DownloadFile
from ..store import Response
from ..text import esc
from .model import WORKBOOK, about_of, check_in_risks, check_payload, group_mix, profile, unanswered
from .pack import PersonaPack
from .report import checkin_html, mix_html, my_export_files, profile_html


def quiz_order(pack: PersonaPack) -> list[str]:
    """The statements taken in turn from each persona, so no five in a row point at the same persona."""
    queues = [list(pack.items_for(p.id)) for p in pack.personas]
    order: list[str] = []
    while any(queues):
        for queue in queues:
            if queue:
                order.append(queue.pop(0).id)
    return order


class PersonaForm(widgets.VBox):
    """Who the answers are for, the "like me" statements, and the check-in, on the one scale."""

    def __init__(self, pack: PersonaPack):
        self.pack = pack
        self.about = ChoiceGroup(options=[[a.label, a.id] for a in pack.about],
                                 hints=[a.help for a in pack.about], label=pack.screen("about_heading"), value="self")
        self.about.add_class("rw-persona-about")
        self.quiz = RatingQuestions(pack.scale, ((i, pack.item(i).me) for i in quiz_order(pack)))
        self.checkin = RatingQuestions(pack.scale, ((c.id, c.me) for c in pack.checkin))
        self.quiz_heading = widgets.HTML()
        self.checkin_heading = widgets.HTML()
        self.progress = widgets.HTML()
        self.about.observe(lambda _c: self._worded(), names="value")
        self.quiz.on_change(self._count)
        super().__init__([
            widgets.HTML(f"<p>{esc(pack.intro)}</p>"), self.about, self.quiz_heading,
            *self.quiz.choices.values(), self.progress, self.checkin_heading, *self.checkin.choices.values(),
        ])
        self._worded()

    @property
    def who(self) -> str:
        return "someone" if self.about.value == "someone" else "self"

    def _worded(self) -> None:
        """Every question and scale point in the words for who the answers are about."""
        pack, who = self.pack, self.who
        scale = pack.scale_for(who)
        self.quiz.relabel({i: pack.item_text(pack.item(i), who) for i in self.quiz.choices})
        self.checkin.relabel({c.id: pack.item_text(c, who) for c in pack.checkin})
        self.quiz.rescale(scale)
        self.checkin.rescale(scale)
        self.quiz_heading.value = f"<h3>{esc(pack.screen('quiz_heading_' + who))}</h3>"
        self.checkin_heading.value = (f"<h3>{esc(pack.screen('checkin_heading'))}</h3>"
                                      f"<p>{esc(pack.screen('checkin_intro_' + who))}</p>")
        self._count()

    def _count(self) -> None:
        words = self.pack.screen("progress", count=len(self.quiz.ratings), total=len(self.quiz.choices))
        self.progress.value = f'<p class="rw-progress" style="color:#444">{esc(words)}</p>'

    @property
    def payload(self) -> dict[str, Any]:
        return {"about": self.who, "ratings": self.quiz.ratings, "checkin": self.checkin.ratings}

    @payload.setter
    def payload(self, payload: dict[str, Any] | None) -> None:
        payload = payload or {}
        self.about.value = about_of(payload)
        self.quiz.ratings = payload.get("ratings") or {}
        self.checkin.ratings = payload.get("checkin") or {}
        self._worded()

    def set_disabled(self, disabled: bool) -> None:
        self.about.disabled = disabled
        self.quiz.set_disabled(disabled)
        self.checkin.set_disabled(disabled)


def result_html(pack: PersonaPack, payload: dict[str, Any]) -> str:
    """A person's own result: their profile, then what their check-in says."""
    who = about_of(payload)
    html = profile_html(pack, profile(pack, payload.get("ratings") or {}), who)
    if payload.get("checkin"):
        html += checkin_html(pack, check_in_risks(pack, payload["checkin"]), who)
    return html


def checked_answers(pack: PersonaPack, form: PersonaForm) -> dict[str, Any]:
    """The form's answers, checked; at least one answer, or a friendly request for one."""
    payload = check_payload(pack, form.payload)
    if not payload["ratings"] and not payload["checkin"]:
        raise FriendlyError(pack.screen("nothing_answered"))
    return payload


def _saved_words(pack: PersonaPack, payload: dict[str, Any], keys: tuple[str, str]) -> str:
    """The words after saving or showing: ``keys`` for answers about oneself and about someone."""
    words = pack.screen(keys[0] if about_of(payload) == "self" else keys[1])
    missing = len(unanswered(pack, payload["ratings"]))
    return f"{words} {pack.screen('unanswered', count=missing)}" if missing else words


class PersonaParticipantView(ParticipantPage):
    workbook = WORKBOOK

    def build(self) -> None:
        self.form = PersonaForm(self.pack)
        self.save_button = widgets.Button(description=self.say("save_answers"), button_style="primary",
                                          layout=widgets.Layout(width="auto"))  # phones: no icon font
        self.save_button.on_click(guarded(self.status.error)(self.save))
        self.result = widgets.HTML()
        self.result.add_class("rw-persona-result")
        #: The answers as last loaded (saved, or carried over) or saved: anything else on screen is a draft.
        self._kept: dict[str, Any] = self.form.payload
        self.form.about.observe(lambda _change: self.changed(), names="value")
        self.form.quiz.on_change(self.changed)
        self.form.checkin.on_change(self.changed)

    def form_widgets(self):
        return [self.form, self.save_button, self.result]

    def load(self, saved: Response | None) -> None:
        self._load(saved)
        self._kept = self.form.payload

    def _load(self, saved: Response | None) -> None:
        if saved is not None:
            self.form.payload = saved.payload
            self.result.value = result_html(self.pack, saved.payload)
            return
        # A follow-up round: the statements come back as last answered (people change slowly),
        # the check-in starts empty (it is the question of this round).
        earlier = [r for r in self.my_responses() if r.round != self.workshop.current_round]
        if earlier:
            latest = max(earlier, key=lambda r: r.updated_at).payload
            self.form.payload = {"about": about_of(latest), "ratings": latest.get("ratings") or {}}
            self.status.info(self.say("carried_over"))
        else:
            self.form.payload = None
        self.result.value = ""

    def draft(self) -> dict[str, Any] | None:
        payload = self.form.payload
        return None if payload == self._kept else payload

    def restore_draft(self, draft: dict[str, Any]) -> None:
        self.form.payload = check_payload(self.pack, draft)

    def set_disabled(self, disabled: bool) -> None:
        self.form.set_disabled(disabled)
        self.save_button.disabled = disabled

    def save(self, _button: Any = None) -> Response:
        payload = checked_answers(self.pack, self.form)
        saved = self.commit(payload)
        self._kept = self.form.payload
        # Only now, with the answer committed, does the screen say "saved".
        self.status.success(_saved_words(self.pack, payload, ("saved", "saved_someone")))
        self.result.value = result_html(self.pack, payload)
        return saved

    def my_files(self, mine: list[Response]) -> list[DownloadFile]:
        return my_export_files(self.pack, mine, self.workshop)

    def group_html(self, responses: list[Response]) -> str:
        return mix_html(self.pack, group_mix(self.pack, (r.payload for r in responses), self.workshop.min_group))


class PersonaSoloView(SoloPage):
    """One person (or a team round one screen): the profile and its files, nothing stored."""

    workbook = WORKBOOK

    def build(self) -> None:
        self.form = PersonaForm(self.pack)
        self.show_button = widgets.Button(description=self.say("show_profile"), button_style="primary",
                                          layout=widgets.Layout(width="auto"))  # phones: no icon font
        self.show_button.on_click(guarded(self.status.error)(self.show))
        self.result = widgets.HTML()
        self.result.add_class("rw-persona-result")

    def form_widgets(self):
        return [self.form, self.show_button]

    def results(self):
        return [self.result]

    def show(self, _button: Any = None) -> None:
        payload = checked_answers(self.pack, self.form)
        self.result.value = result_html(self.pack, payload)
        self.downloads.show(my_export_files(self.pack, [self.response(payload)]))
        self.status.success(_saved_words(self.pack, payload, ("shown", "shown_someone")))

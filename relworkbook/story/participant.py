"""A participant's story-weaving page, and the same page for someone on their own.

Private moments are stored sealed with the participant's personal token
(:mod:`.sealed`): this page, opened with their link, is the only place they
are opened, to show, edit and download. Someone on their own stores nothing:
their moments live in the page and its downloads only.
"""

from __future__ import annotations

import dataclasses
from typing import Any, overload

import ipywidgets as widgets

from ..components.lifecycle import ParticipantPage, SoloPage
from ..errors import FriendlyError
from ..files import DownloadFile
from ..store import Response, Workshop
from ..text import esc
from .editor import StoryEditor
from .model import WORKBOOK, check_payload, response_entries, shared_moments, sort_results
from .sealed import SEALED, SealError, open_payload, seal_payload
from .settings import hidden_ids, pinned_ids, workshop_timeline
from .storybook import my_export_files
from .weave import weave_html


class StoryParticipantView(ParticipantPage):
    workbook = WORKBOOK

    def build(self) -> None:
        self.phases = workshop_timeline(self.pack, self.workshop)
        #: A sealed field this link could not open (it never should): kept, not overwritten by accident.
        self._unopened: str | None = None
        self.editor = StoryEditor(pack=self.pack, phases=self.phases, payload=None, on_save=self._save,
                                  on_change=self.changed)

    def form_widgets(self):
        return [self.editor]

    def load(self, saved: Response | None) -> None:
        self.editor.load(self._opened(saved))

    def draft(self) -> dict[str, Any] | None:
        """The moment being written and unsaved sort choices (private ones too: the draft stays in this tab)."""
        return self.editor.draft

    def restore_draft(self, draft: dict[str, Any]) -> None:
        self.editor.restore(draft)

    def set_disabled(self, disabled: bool) -> None:
        self.editor.set_disabled(disabled)

    @overload
    def _opened(self, saved: Response) -> dict[str, Any]: ...
    @overload
    def _opened(self, saved: Response | None) -> dict[str, Any] | None: ...

    def _opened(self, saved: Response | None) -> dict[str, Any] | None:
        """The saved answer with its private moments opened by this page's personal token."""
        if saved is None:
            return None
        self._unopened = None
        try:
            return open_payload(saved.payload, self.membership.token, self.membership.participant.uid)
        except SealError:
            self._unopened = saved.payload.get(SEALED)
            self.status.error(self.say("private_unreadable"))
            return open_payload({k: v for k, v in saved.payload.items() if k != SEALED}, "")

    def _save(self, payload: dict[str, Any]) -> None:
        self.commit(check_payload(self.pack, payload, None))

    def stored_payload(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Private moments sealed with the personal token: only this link opens them again."""
        stored = seal_payload(payload, self.membership.token, self.membership.participant.uid)
        if self._unopened and SEALED not in stored:
            stored[SEALED] = self._unopened
        return stored

    def my_files(self, mine: list[Response]) -> list[DownloadFile]:
        saved = self.saved()
        if saved is None:
            raise FriendlyError(self.say("nothing_to_download"))
        mine_now = dataclasses.replace(saved, payload=self._opened(saved))  # their own file: private in plain
        return my_export_files(self.pack, self.phases, [mine_now], self.workshop)

    def group_html(self, responses: list[Response]) -> str:
        hidden = hidden_ids(self.workshop)
        moments = shared_moments(response_entries(responses), hidden)
        sorts = sort_results((r.payload.get("sort", {}) for r in responses), self.pack, self.workshop.min_group)
        return weave_html(self.pack, self.phases, moments, sorts, self.workshop.min_group, pinned_ids(self.workshop))

    def workshop_changed(self, before: Workshop) -> None:
        if self.workshop.settings != before.settings:
            new_phases = workshop_timeline(self.pack, self.workshop)
            if new_phases != self.phases:
                self.phases = new_phases
                self.editor.set_phases(new_phases)
                self._seen = None  # the group's weave is drawn on the new timeline


class StorySoloView(SoloPage):
    """One person writing their own story: nothing stored, everything downloadable."""

    workbook = WORKBOOK

    def build(self) -> None:
        from .model import timeline

        self.phases = timeline(self.pack)
        self.editor = StoryEditor(pack=self.pack, phases=self.phases, payload=None, on_save=self._keep)

    def form_widgets(self):
        return [self.editor, widgets.HTML(f"<h3>{esc(self.say('download_mine'))}</h3>")]

    def _keep(self, payload: dict[str, Any]) -> None:
        clean = check_payload(self.pack, payload, self.phases)
        self.downloads.show(my_export_files(self.pack, self.phases, [self.response(clean)]))

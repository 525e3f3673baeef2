"""A participant's story-weaving page, and the same page for someone on their own.

Private moments are stored sealed with the participant's personal token
(:mod:`.sealed`): this page, opened with their link, is the only place they
are opened, to show, edit and download. Someone on their own stores nothing:
their moments live in the page and its downloads only.
"""

from __future__ import annotations

import dataclasses
import time
import uuid
from typing import Any, overload

import ipywidgets as widgets

from .. import sharing
from ..components.downloads import DownloadLinks
from ..components.status import StatusLine
from ..errors import FriendlyError, guarded
from ..store import Response, Store
from ..text import esc
from ..workshops import Membership
from .editor import StoryEditor
from .model import WORKBOOK, check_payload, response_entries, shared_moments, sort_results
from .pack import StoryPack
from .sealed import SEALED, SealError, open_payload, seal_payload
from .settings import hidden_ids, pinned_ids, workshop_timeline
from .storybook import my_export_files
from .weave import weave_html


class StoryParticipantView(widgets.VBox):
    def __init__(self, *, pack: StoryPack, store: Store, membership: Membership):
        self.pack, self.store, self.membership = pack, store, membership
        self.workshop = store.workshop(membership.workshop.id)
        self.phases = workshop_timeline(pack, self.workshop)
        self.status = StatusLine()
        #: A sealed field this link could not open (it never should): kept, not overwritten by accident.
        self._unopened: str | None = None
        saved = self._saved()
        self.editor = StoryEditor(pack=pack, phases=self.phases, payload=self._opened(saved), on_save=self._commit)
        self.group = widgets.HTML()
        self.download_button = widgets.Button(description=pack.screen("download_mine"), icon="download")
        self.download_button.on_click(guarded(self.status.error)(self.prepare_download))
        self.downloads = DownloadLinks()
        self._seen: object = None
        super().__init__([widgets.HTML(f"<h2>{esc(pack.title)}</h2>"), self.status, self.editor, self.group,
                          self.download_button, self.downloads])
        self._apply_state()

    def _saved(self) -> Response | None:
        return self.store.response_for(self.workshop.id, self.membership.participant.uid, WORKBOOK,
                                       self.workshop.current_round)

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
            self.status.error(self.pack.screen("private_unreadable"))
            return open_payload({k: v for k, v in saved.payload.items() if k != SEALED}, "")

    def _commit(self, payload: dict[str, Any]) -> None:
        self.workshop = self.store.workshop(self.workshop.id)
        if self.workshop.locked:
            self._apply_state()
            raise FriendlyError(self.pack.screen("locked"))
        clean = check_payload(self.pack, payload, None)
        participant = self.membership.participant
        stored = seal_payload(clean, self.membership.token, participant.uid)
        if self._unopened and SEALED not in stored:
            stored[SEALED] = self._unopened
        self.store.save_response(Response(
            uid=uuid.uuid4().hex, workshop_id=self.workshop.id, participant_uid=participant.uid, workbook=WORKBOOK,
            round=self.workshop.current_round, group_label=participant.group_label,
            display_name=participant.display_name, payload=stored, created_at=0, updated_at=0,
        ))

    def prepare_download(self, _button: Any = None) -> None:
        saved = self._saved()
        if saved is None:
            raise FriendlyError(self.pack.screen("nothing_to_download"))
        mine = dataclasses.replace(saved, payload=self._opened(saved))  # their own file: private moments in plain
        self.downloads.show(my_export_files(self.pack, self.phases, [mine], self.workshop))

    def _apply_state(self) -> None:
        self.editor.set_disabled(self.workshop.locked)
        if self.workshop.locked:
            self.status.info(self.pack.screen("locked"))
        if not self.workshop.revealed:
            self.group.value = ""
            self._seen = None
            return
        key = self.store.fingerprint(self.workshop.id)
        if key == self._seen:
            return
        self._seen = key
        responses = list(sharing.published(self.store, self.workshop, WORKBOOK, self.workshop.current_round).responses)
        hidden = hidden_ids(self.workshop)
        moments = shared_moments(response_entries(responses), hidden)
        sorts = sort_results((r.payload.get("sort", {}) for r in responses), self.pack, self.workshop.min_group)
        self.group.value = weave_html(self.pack, self.phases, moments, sorts, self.workshop.min_group,
                                      pinned_ids(self.workshop))

    def refresh(self) -> None:
        before = self.workshop
        self.workshop = self.store.workshop(self.workshop.id)
        if self.workshop.settings != before.settings:
            new_phases = workshop_timeline(self.pack, self.workshop)
            if new_phases != self.phases:
                self.phases = new_phases
                self.editor.set_phases(new_phases)
        if self.workshop.current_round != before.current_round:
            saved = self._saved()  # a page left open must not carry last round's moments over
            self.editor.load(self._opened(saved))
            self.status.info(f"A new round has started: {self.workshop.current_round}.")
        if before.locked and not self.workshop.locked:
            self.status.clear()
        self._apply_state()


class StorySoloView(widgets.VBox):
    """One person writing their own story: nothing stored, everything downloadable."""

    def __init__(self, *, pack: StoryPack):
        from .model import timeline

        self.pack = pack
        self.phases = timeline(pack)
        self.status = StatusLine()
        self.participant_uid, self.response_uid, self.started = uuid.uuid4().hex, uuid.uuid4().hex, time.time()
        self.downloads = DownloadLinks()
        self.editor = StoryEditor(pack=pack, phases=self.phases, payload=None, on_save=self._keep)
        super().__init__([widgets.HTML(f"<h2>{esc(pack.title)}</h2>"), self.editor,
                          widgets.HTML(f"<h3>{esc(pack.screen('download_mine'))}</h3>"), self.downloads])

    def _keep(self, payload: dict[str, Any]) -> None:
        clean = check_payload(self.pack, payload, self.phases)
        response = Response(uid=self.response_uid, workshop_id=0, participant_uid=self.participant_uid,
                            workbook=WORKBOOK, round="baseline", group_label="", display_name="", payload=clean,
                            created_at=self.started, updated_at=time.time())
        self.downloads.show(my_export_files(self.pack, self.phases, [response]))

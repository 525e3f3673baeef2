"""The three screens every workbook has, with the lifecycle they share.

A workbook subclasses these and supplies only what is its own: its form, how a
saved answer fills the form, what the group's results look like and which
files it offers. The bases own the rest, once for every workbook:

* ``ParticipantPage``: the saved answer of this round; "saved" said only after
  the commit; a closed round refused and the form disabled; a new round loads
  that round's answer and says so until the participant acts; the group's
  results, read through the privacy boundary, shown *first* once the
  facilitator reveals them; a download of their own answers; unsaved answers
  kept as a draft in the browser tab (``draft``/``restore_draft``/``changed``)
  and put back after a reload, for the same person and round only.
* ``SoloPage``: one person (or a team round one screen), nothing stored: the
  answer exists in the page and its downloads only.
* ``FacilitatorPage``: the session panel (code, QR, lock, reveal, k, rounds),
  live counts, how many answers wait for the next step of k, a redraw only
  when the store changed, the Files tab (downloads through the one sharing
  boundary, importing answer files).
"""

from __future__ import annotations

import time
import uuid
from contextlib import contextmanager
from typing import Any, ClassVar, Iterator, Protocol, Sequence

import ipywidgets as widgets
import traitlets

from .. import sharing
from ..errors import FriendlyError, guarded
from ..files import DownloadFile
from ..store import Note, Response, Store, Workshop
from ..text import esc
from ..workshops import FacilitatorAccess, Membership, shown_round
from .downloads import DownloadLinks
from .importer import ImportPanel
from .session import SessionPanel
from .status import StatusLine

#: The round name a solo answer carries (there is no workshop, so no facilitator names rounds).
SOLO_ROUND = "baseline"


def say(pack: Any, ui: Any, key: str, **values: Any) -> str:
    """The words for ``key``: the workbook pack's own screen words when it has them, else the shared ones.

    One lookup for every screen, so a workbook can word a shared message its
    own way ("Prepare the storybook") without a second word system.
    """
    screen = getattr(pack, "screen", None)
    if screen is not None:
        try:
            return screen(key, **values)
        except KeyError:
            pass
    return ui(key, **values)


class DraftKeeper(Protocol):
    """Where a participant's page keeps its unsaved answers: this browser tab (the shell's PageBridge).

    A draft is only ever given back to the page it came from; it never goes to the store.
    """

    def recalled_draft(self, key: str) -> dict[str, Any] | None: ...

    def keep_draft(self, key: str, draft: dict[str, Any] | None) -> None: ...


def draft_key(workbook: str, code: str, participant_uid: str, round_name: str) -> str:
    """A draft's name: its workshop, person and round, so nobody else (and no other round) is given it."""
    return f"{workbook}:{code}:{participant_uid}:{round_name}"


#: What a draft the page cannot take back raises (an older kit's draft, or one changed by hand).
_UNREADABLE_DRAFT = (FriendlyError, traitlets.TraitError, TypeError, ValueError, KeyError, AttributeError)


def _title_html(text: str) -> widgets.HTML:
    return widgets.HTML(f"<h2>{esc(text)}</h2>")


class ParticipantPage(widgets.VBox):
    """A participant's page in a workshop (see the module's docstring for what it owns)."""

    #: The workbook's name in the store (set by each subclass).
    workbook: ClassVar[str] = ""

    def say(self, key: str, **values: Any) -> str:
        return say(self.pack, self.ui, key, **values)

    def __init__(self, *, pack: Any, ui: Any, store: Store, membership: Membership,
                 drafts: DraftKeeper | None = None):
        self.pack, self.ui, self.store, self.membership = pack, ui, store, membership
        self.workshop: Workshop = store.workshop(membership.workshop.id)
        self.status = StatusLine()
        self.group = widgets.HTML()  # the group's results, once the facilitator shows them
        self.group.add_class("rw-group-results")
        self.download_button = widgets.Button(description=say(pack, ui, "download_mine"))  # phones: no icon font
        self.download_button.on_click(guarded(self.status.error)(self.prepare_download))
        self.downloads = DownloadLinks()
        self._seen: object = None
        self._order: list[widgets.Widget] = []
        self._title = _title_html(pack.title)
        # Drafts: ``changed`` does nothing until the page is built, nor while the page itself fills the form.
        self._drafts = drafts
        self._ready = False
        self._filling = 0
        self._offered: set[str] = set()
        self.build()
        with self._filling_form():
            self.load(self.saved())
        super().__init__()
        self._apply_state()
        self._ready = True
        self.offer_draft()

    # -- what a workbook supplies --------------------------------------------------

    def build(self) -> None:
        """Create the form's widgets (called once, before the saved answer is loaded)."""
        raise NotImplementedError

    def form_widgets(self) -> Sequence[widgets.Widget]:
        """The form's widgets, top to bottom (the status line sits just above them)."""
        raise NotImplementedError

    def load(self, saved: Response | None) -> None:
        """Fill the form from this round's saved answer (``None``: an empty form)."""
        raise NotImplementedError

    def set_disabled(self, disabled: bool) -> None:
        """Disable (round closed) or enable the form."""
        raise NotImplementedError

    def group_html(self, responses: list[Response]) -> str:
        """The group's results from the published answers of this round."""
        raise NotImplementedError

    def my_files(self, mine: list[Response]) -> list[DownloadFile]:
        """The participant's own downloads from their saved answers (every round)."""
        raise NotImplementedError

    def stored_payload(self, payload: dict[str, Any]) -> dict[str, Any]:
        """The payload as stored (story weaving seals private moments here)."""
        return payload

    def workshop_changed(self, before: Workshop) -> None:
        """Called on refresh when the facilitator changed the workshop (e.g. its timeline)."""

    def draft(self) -> dict[str, Any] | None:
        """The form's answers when they differ from what was loaded or saved, else None (no draft kept).

        A workbook that keeps drafts returns plain JSON data here and calls ``changed`` when its form changes.
        """
        return None

    def restore_draft(self, draft: dict[str, Any]) -> None:
        """Put a draft from ``draft`` back into the form. It comes from the browser: check it as such
        (a FriendlyError, TraitError, TypeError, ValueError, KeyError or AttributeError drops it)."""

    # -- what the base does ---------------------------------------------------------

    @contextmanager
    def _filling_form(self) -> Iterator[None]:
        """The page itself fills the form (a saved answer, a draft): those changes are not the person's."""
        self._filling += 1
        try:
            yield
        finally:
            self._filling -= 1

    def draft_key(self, round_name: str | None = None) -> str:
        return draft_key(self.workbook, self.workshop.code, self.membership.participant.uid,
                         self.workshop.current_round if round_name is None else round_name)

    def _keep_draft(self, draft: dict[str, Any] | None, round_name: str | None = None) -> None:
        if self._drafts is not None:
            self._drafts.keep_draft(self.draft_key(round_name), draft)

    def changed(self) -> None:
        """The person changed the form: keep what is unsaved in this browser tab, and take "Saved" away.

        A "Saved" line left on screen under answers that have changed since would
        say something that is no longer true.
        """
        if not self._ready or self._filling:
            return
        draft = self.draft()
        if draft is not None and self.status.kind == "success":
            self.status.clear()
        self._keep_draft(draft)

    def offer_draft(self) -> None:
        """Put back this round's unsaved answers, if this browser tab kept some (once, and never in a closed round)."""
        if self._drafts is None or self.workshop.locked:
            return
        key = self.draft_key()
        if key in self._offered:
            return
        found = self._drafts.recalled_draft(key)
        if found is None:
            return
        self._offered.add(key)
        try:
            with self._filling_form():
                self.restore_draft(found)
        except _UNREADABLE_DRAFT:
            with self._filling_form():
                self.load(self.saved())  # the saved answer stands, whole
            self._keep_draft(None)
            return
        if self.draft() is None:  # the same as the saved answer after all: nothing to say
            self._keep_draft(None)
            return
        self.status.info(self.say("draft_restored"))

    def forget_draft(self) -> None:
        """Forget this round's draft in the browser tab (someone else is about to use this device)."""
        self._keep_draft(None)

    def saved(self) -> Response | None:
        return self.store.response_for(self.workshop.id, self.membership.participant.uid, self.workbook,
                                       self.workshop.current_round)

    def commit(self, payload: dict[str, Any]) -> Response:
        """Store this round's answer; refuse when the round has just been closed.

        Returns only once the answer is committed, so a caller that then says
        "saved" is telling the truth.
        """
        self.workshop = self.store.workshop(self.workshop.id)  # the facilitator may have just closed it
        if self.workshop.locked:
            self._apply_state()
            raise FriendlyError(self.say("locked"))
        participant = self.membership.participant
        saved = self.store.save_response(Response(
            uid=uuid.uuid4().hex, workshop_id=self.workshop.id, participant_uid=participant.uid,
            workbook=self.workbook, round=self.workshop.current_round, group_label=participant.group_label,
            display_name=participant.display_name, payload=self.stored_payload(payload),
            created_at=0, updated_at=0,
        ))
        # Saved: the draft has done its job. (A workbook with more unsaved on screen calls ``changed`` after.)
        self._keep_draft(None)
        return saved

    def my_responses(self) -> list[Response]:
        return [r for r in self.store.responses(self.workshop.id, self.workbook)
                if r.participant_uid == self.membership.participant.uid]

    def prepare_download(self, _button: Any = None) -> None:
        mine = self.my_responses()
        if not mine:
            raise FriendlyError(self.say("nothing_to_download"))
        self.downloads.show(self.my_files(mine))

    def _apply_state(self) -> None:
        locked = self.workshop.locked
        self.set_disabled(locked)
        if locked:
            self.status.info(self.say("locked"))
        if self.workshop.revealed:
            key = self.store.fingerprint(self.workshop.id)
            if key != self._seen:
                self._seen = key
                shown = sharing.published(self.store, self.workshop, self.workbook, self.workshop.current_round)
                self.group.value = self.group_html(list(shown.responses))
        else:
            self._seen = None
            self.group.value = ""
        self._arrange()

    def _arrange(self) -> None:
        """Once results are shown or the round is closed, the group's results come first:
        on a phone, under a long form, they would otherwise start thousands of pixels down."""
        form = [self.status, *self.form_widgets()]
        mine = [self.download_button, self.downloads]
        if self.workshop.revealed and self.group.value:
            children = [self._title, self.group, *form, *mine]
        else:
            children = [self._title, *form, self.group, *mine]
        if children != self._order:  # setting children re-sends the page's layout: only on a change
            self._order = children
            self.children = children

    def refresh(self) -> None:
        before = self.workshop
        self.workshop = self.store.workshop(self.workshop.id)
        if self.workshop != before:
            self.workshop_changed(before)
        if self.workshop.current_round != before.current_round:
            # A page left open must not carry last round's answers over unannounced. Said
            # before loading, so a workbook's own word on what it loaded (e.g. persona
            # mapping's statements carried over) is the one that stays.
            self.status.info(self.say("new_round", round=shown_round(self.ui, self.workshop.current_round)))
            self._keep_draft(None, before.current_round)  # last round's unsaved answers can no longer be saved
            with self._filling_form():
                self.load(self.saved())
            self._apply_state()
            self.offer_draft()
            return
        if before.locked and not self.workshop.locked:
            self.status.clear()
            self._apply_state()
            self.offer_draft()  # the round is open again: unsaved answers kept in this tab can be saved now
            return
        self._apply_state()


class SoloPage(widgets.VBox):
    """One person, or a team round one screen: no workshop, nothing stored."""

    workbook: ClassVar[str] = ""

    def say(self, key: str, **values: Any) -> str:
        return say(self.pack, self.ui, key, **values)

    def __init__(self, *, pack: Any, ui: Any):
        self.pack, self.ui = pack, ui
        self.status = StatusLine()
        self.downloads = DownloadLinks()
        self.participant_uid, self.response_uid, self.started = uuid.uuid4().hex, uuid.uuid4().hex, time.time()
        self.build()
        super().__init__([_title_html(pack.title), *self.form_widgets(), self.status, *self.results(), self.downloads])

    def build(self) -> None:
        raise NotImplementedError

    def form_widgets(self) -> Sequence[widgets.Widget]:
        raise NotImplementedError

    def results(self) -> Sequence[widgets.Widget]:
        """What the person sees of their own answers, under the form."""
        return ()

    def response(self, payload: dict[str, Any]) -> Response:
        """The answer as a response file holds it (the same uid each time: one person, one answer)."""
        return Response(
            uid=self.response_uid, workshop_id=0, participant_uid=self.participant_uid, workbook=self.workbook,
            round=SOLO_ROUND, group_label="", display_name="", payload=payload,
            created_at=self.started, updated_at=time.time(),
        )


class FacilitatorPage(widgets.VBox):
    """The facilitator's live view of one workshop (see the module's docstring)."""

    workbook: ClassVar[str] = ""

    def say(self, key: str, **values: Any) -> str:
        return say(self.pack, self.ui, key, **values)

    def __init__(self, *, pack: Any, ui: Any, store: Store, access: FacilitatorAccess):
        self.pack, self.ui, self.store = pack, ui, store
        self.workshop: Workshop = access.workshop
        self.status = StatusLine()
        self.waiting = widgets.HTML()  # answers held back until k people have new ones
        self.session = SessionPanel(ui=ui, store=store, workshop=self.workshop, on_change=self._workshop_changed,
                                    on_projector=self.show_projector, on_links=self._draw_projector)
        self.projector: Any = None  # the projector view, made the first time it is asked for
        self.answered = 0  # people with saved answers in this round (live, like the session panel's count)
        self.export_button = widgets.Button(description=self.export_label(), icon="download", button_style="primary",
                                            layout=widgets.Layout(width="auto"))
        self.export_button.on_click(guarded(self.status.error)(self.prepare_exports))
        self.downloads = DownloadLinks()
        self.importer = ImportPanel(ui=ui, store=store, workbook=self.workbook, workshop=lambda: self.workshop,
                                    check_payload=self.check_import, on_imported=self.imported)
        self._seen: object = None
        self.build()
        files = widgets.VBox([self.export_button, self.downloads, self.importer])
        pages = [*self.tabs(), (self.say("files_tab"), files)]
        self.tab = widgets.Tab([page for _title, page in pages], titles=tuple(title for title, _page in pages))
        self.controls: tuple[widgets.Widget, ...] = (self.session, *self.above_tabs(), self.status, self.waiting,
                                                     self.tab)
        super().__init__(list(self.controls))
        self.refresh(force=True)

    # -- what a workbook supplies --------------------------------------------------

    def build(self) -> None:
        """Create the view's widgets (before the first drawing)."""
        raise NotImplementedError

    def tabs(self) -> list[tuple[str, widgets.Widget]]:
        """The workbook's tabs, as (title, content); the Files tab is added after them."""
        raise NotImplementedError

    def above_tabs(self) -> Sequence[widgets.Widget]:
        """Widgets between the session panel and the tabs (e.g. a group filter)."""
        return ()

    def draw(self, shown: sharing.Shown) -> None:
        """Redraw from the published answers of every round (``shown.of_round`` picks one)."""
        raise NotImplementedError

    def view_key(self) -> object:
        """What else, besides the store, decides the drawing (e.g. the chosen group)."""
        return None

    def projected(self, index: int) -> widgets.Widget | None:
        """What the projector view shows while tab ``index`` is open: its results; ``None``: it has none.

        By default a workbook's tab is projected whole (projector.css hides its
        buttons and boxes, which are the facilitator's, not the room's), and the
        Files tab never. A workbook whose tab mixes results with controls may
        return only the results part.
        """
        pages = self.tab.children
        return pages[index] if 0 <= index < len(pages) - 1 else None

    def export_label(self) -> str:
        return self.say("export_button")

    def export_files(self, responses: list[Response], notes: list[Note]) -> list[DownloadFile]:
        from ..registry import spec_for

        return spec_for(self.workbook).export_files(self.pack, self.workshop, responses, notes)

    def check_import(self, answers: Any) -> dict[str, Any]:
        """Check one imported answer (the workbook's payload check)."""
        from ..registry import spec_for

        return spec_for(self.workbook).payload_check(self.pack)(answers)

    def imported(self, _added: int) -> None:
        self.refresh(force=True)

    # -- what the base does ---------------------------------------------------------

    def refresh(self, force: bool = False) -> None:
        """Redraw if anything changed in the store (cheap when nothing did)."""
        key = (self.store.fingerprint(self.workshop.id), self.view_key())
        if not force and key == self._seen:
            return
        self._seen = key
        self.workshop = self.store.workshop(self.workshop.id)
        self.session.update(self.workshop)
        # Who has saved is live; what they said is shown only as published (steps of k).
        live = self.store.responses(self.workshop.id, self.workbook, self.workshop.current_round)
        self.session.show_counts(len(live), [r.display_name for r in live])
        self.answered = len(live)
        self._draw_projector()
        shown = sharing.published(self.store, self.workshop, self.workbook)
        self.waiting.value = sharing.waiting_html(shown, self.ui)
        self.draw(shown)

    # -- the projector view -----------------------------------------------------------

    @property
    def projecting(self) -> bool:
        return self.projector is not None and tuple(self.children) == (self.projector,)

    def show_projector(self) -> None:
        """The room's view: the controls go; the code, QR code, count and the open tab's results come, large
        (the results once they are shown to participants: see projector.py)."""
        from .projector import ProjectorView  # only a facilitator who projects loads it

        if self.projector is None:
            self.projector = ProjectorView(ui=self.ui, on_back=self.hide_projector, on_error=self.status.error)
        index = self.tab.selected_index or 0
        results = self.projected(index)
        if results is None:  # the Files tab holds no results: the first tab's are the room's
            index, results = 0, self.projected(0)
        # Drawn before it is shown, so the room never glimpses what it showed last time.
        self.projector.show(self._projected_state())
        self.projector.project(self.tab.titles[index] if results is not None else "", results)
        self.children = (self.projector,)

    def hide_projector(self) -> None:
        """Back to the controls, as they were (the tab that was open is open again)."""
        self.children = self.controls
        if self.projector is not None:
            self.projector.project("", None)  # the tab's page belongs to the tab again

    def _projected_state(self) -> Any:
        from .projector import Projected

        w, session = self.workshop, self.session
        return Projected(
            title=w.title or self.ui("untitled_workshop"),
            code=w.code if session.live_joining else "",
            link=session.participant_link, answered=self.answered,
            # Where nobody joins live (Binder) nobody is answering while the wall shows the results.
            results_shown=w.revealed or not session.live_joining,
        )

    def _draw_projector(self) -> None:
        if self.projecting:
            self.projector.show(self._projected_state())

    def _workshop_changed(self, workshop: Workshop) -> None:
        self.workshop = workshop
        self.refresh(force=True)

    def prepare_exports(self, _button: Any = None) -> None:
        # The same boundary as `relworkbook export`: published answers, sharing rule applied.
        self.workshop = self.store.workshop(self.workshop.id)
        responses = sharing.shared(self.store, self.workshop, self.pack)
        if not responses:
            raise FriendlyError(self.say("nothing_to_export"))
        self.downloads.show(self.export_files(responses, self.store.notes(self.workshop.id)))
        self.status.success(self.say("exports_ready", count=len(responses)))

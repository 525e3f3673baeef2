"""WorkbookShell: one page, four screens, shared by every workbook.

The page's address decides the screen:

* ``?facilitate=CODE&key=SECRET`` - the facilitator's live view;
* ``?join=CODE&me=TOKEN``         - a participant coming back to their answers;
* ``?join=CODE``                  - the join form with the code filled in;
* ``?solo=1``                     - one person (or a team round one screen), no workshop;
* nothing                         - the welcome: join, go solo, or start a workshop.

A workbook subclasses the shell, naming its workbook; its spec names its three views. The shell owns the
store, the words, the browser bridge, live refresh and error handling, so a
workbook holds only what is particular to it.

Links the shell shows, and the address it writes to the address bar, carry the
kit's own parameters only: never a Jupyter server's ``token``, which on Binder
would let whoever gets the link run code on the server. Whether people may
join by code at all depends on who serves the page (``PageContext.hosting``).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from ..config import FACILITATOR_POLL_SECONDS, PARTICIPANT_POLL_SECONDS, Settings
from ..content import UiText, load_ui
from ..errors import FriendlyError, guarded, report
from ..page import PageContext, base_of
from ..registry import WorkbookSpec, load_class, spec_for
from ..store import Store, open_store
from ..text import esc
from ..workshops import (
    AttemptGuard,
    FacilitatorAccess,
    Membership,
    facilitator_link,
    normalise_code,
    open_as_facilitator,
    participant_link,
    resume,
    resume_link,
)
from .bridge import PageBridge
from .joining import JoinPanel
from .status import StatusLine

log = logging.getLogger("relworkbook")

# The kit's page styles live in page.css (read once per process): phones first, nothing cut off.
_PAGE_CSS = "<style>" + (Path(__file__).with_name("page.css")).read_text(encoding="utf-8") + "</style>"
# The banner and greyed page when the kernel has gone (bridge.js draws them).
_CONNECTION_CSS = "<style>" + Path(__file__).with_name("connection.css").read_text(encoding="utf-8") + "</style>"

#: What the banner says when the page loses its kernel, by screen: on the screens that store
#: answers they are safe; a solo page stores nothing, so it says what a reload costs.
_LOST_WORDS = {
    "start": "connection_lost_start",
    "join": "connection_lost_start",
    "participant": "connection_lost",
    "facilitator": "connection_lost_facilitator",
    "solo": "connection_lost_solo",
}


class WorkbookShell(widgets.VBox):
    #: The workbook's name in the store and in response files.
    workbook: str = ""

    def __init__(self, page: PageContext | None = None, *, store: Store | None = None,
                 settings: Settings | None = None):
        self.settings = settings or Settings.from_env()
        self.page = page if page is not None else PageContext()
        self.store: Store | None = store  # opened below, where a broken file gets its message on the page
        self.ui: UiText = load_ui(self.settings)
        self.status = StatusLine()
        self.bridge = PageBridge(lost_words=self.ui(_LOST_WORDS["start"]), reload_words=self.ui("reload_page"))
        self.body = widgets.VBox()
        self.personal = widgets.HTML()  # a participant's resume link
        self.device_note = widgets.VBox()  # "these are the answers of ..." on a device others may use
        # Every code, key or personal link this page checks goes through one
        # guard, so guessing them from a page soon means waiting.
        self.guard = AttemptGuard(self.ui, self.workbook_title())
        self.screen = "start"
        self.view: Any = None
        self.membership: Membership | None = None
        self.access: FacilitatorAccess | None = None
        self.bridge.observe(guarded(self.status.error)(self._browser_address), names="href")
        self.bridge.observe(guarded(self.status.error)(self._browser_memory), names="recalled")
        self.bridge.observe(guarded(self.status.error)(self._browser_drafts), names="drafts")
        self.bridge.on_tick(self.refresh)
        super().__init__([widgets.HTML(_PAGE_CSS + _CONNECTION_CSS), self.bridge, self.device_note, self.status,
                          self.body, self.personal])
        self.add_class("rw-shell")
        try:
            if self.store is None:
                self.store = open_store(self.settings.data_url)
            self._route()
        except Exception as exc:  # noqa: BLE001 - a bad link still gets a usable page
            report(exc, self.status.error)
            if self.store is not None:  # with no store, the message is all there is to show
                self.show_join(code="")

    @classmethod
    def for_this_page(cls, **kwargs: Any) -> "WorkbookShell":
        """The notebook's one line: read the page's address, build the screen."""
        # In a preheated kernel this runs before anyone has asked for the page:
        # do the light, common work now so the visitor does not wait for it.
        cls.prepare(Settings.from_env())
        return cls(PageContext.from_environment(), **kwargs)

    @classmethod
    def spec(cls) -> WorkbookSpec:
        return spec_for(cls.workbook)

    @classmethod
    def prepare(cls, settings: Settings) -> None:
        """Load what every visitor needs (words, the pack, the participant's modules); nothing heavy."""
        load_ui(settings)
        spec = cls.spec()
        spec.load_pack(settings)
        load_class(spec.participant_view)  # warm the participant's path, not the facilitator's

    @property
    def pack(self) -> Any:
        return self.spec().load_pack(self.settings)

    def require_store(self) -> Store:
        """The open workshop file, for the screens that read and write it.

        When the file cannot be opened, ``__init__`` shows only the message saying so,
        and no screen that needs the file can be reached; so this check never fails
        unless that promise is broken.
        """
        if self.store is None:
            raise RuntimeError("the workshop file is not open, so this screen cannot be shown")
        return self.store

    # -- the views a workbook provides -------------------------------------------

    def participant_view(self, membership: Membership, resumed: bool) -> widgets.Widget:
        view = load_class(self.spec().participant_view)
        # The bridge keeps the page's unsaved answers in this browser tab (and gives them back after a reload).
        return view(pack=self.pack, ui=self.ui, store=self.require_store(), membership=membership,
                    drafts=self.bridge)

    def facilitator_view(self, access: FacilitatorAccess) -> widgets.Widget:
        view = load_class(self.spec().facilitator_view)
        return view(pack=self.pack, ui=self.ui, store=self.require_store(), access=access)

    def solo_view(self) -> widgets.Widget:
        return load_class(self.spec().solo_view)(pack=self.pack, ui=self.ui)

    def workbook_title(self) -> str:
        """The workbook's name as its pack gives it (the wrong-code message names the page)."""
        return getattr(self.pack, "title", "") or self.workbook

    # -- routing -----------------------------------------------------------------

    def _route(self) -> None:
        page = self.page
        if page.get("facilitate"):
            access = self.guard.attempt(
                lambda: open_as_facilitator(self.require_store(), page.get("facilitate"), page.get("key"),
                                            self.workbook))
            self.show_facilitator(access)
        elif page.get("join") and page.get("me"):
            membership = self.guard.attempt(
                lambda: resume(self.require_store(), page.get("join"), page.get("me"), self.workbook))
            self.show_participant(membership, resumed=True)
        elif page.get("solo"):
            self.show_solo()
        else:
            self.show_join(code=page.get("join"))

    def _show(self, screen: str, view: widgets.Widget, tick_seconds: float) -> None:
        self.screen, self.view = screen, view
        self.device_note.children = ()
        self.body.children = (view,)
        self.bridge.tick_seconds = tick_seconds
        self.bridge.lost_words = self.ui(_LOST_WORDS.get(screen, "connection_lost_start"))

    def show_join(self, code: str = "") -> None:
        self.membership = self.access = None
        self.personal.value = ""
        code = normalise_code(code)
        panel = JoinPanel(
            ui=self.ui, store=self.require_store(), workbook=self.workbook, code=code,
            on_joined=lambda m: self.show_participant(m, resumed=False),
            on_solo=self.show_solo, on_started=self.show_facilitator,
            guard=self.guard, live_joining=self.page.live_joining,
            default_min_group=self.settings.min_group, ready_pages=self._ready_pages,
        )
        self._show("join", panel, 0)
        # Also drops anything else from the address bar, a Jupyter token above
        # all ("?" clears the query: see bridge.js).
        self.bridge.replace_query = _query(join=code) if code else "?"

    def _ready_pages(self, access: FacilitatorAccess, people: int) -> None:
        """Ask `relworkbook serve` to ready ``people`` pages of this workbook before the room arrives."""
        from ..readiness import ask_for_pages  # only when a workshop starts: not on a participant's path

        ask_for_pages(self.spec().notebook, people, workshop=access.workshop.code, data_url=self.settings.data_url)

    def show_participant(self, membership: Membership, resumed: bool, from_memory: bool = False) -> None:
        """A participant's screen; ``from_memory``: resumed from this browser's memory, not a personal link."""
        self.membership, self.access = membership, None
        name = membership.participant.display_name
        title = membership.workshop.title or self.ui("untitled_in_sentence")
        message = self.ui("resumed") if resumed else self.ui("joined", title=title)
        self.status.success(message + (f" ({name})" if name else ""))  # StatusLine escapes it
        self._show("participant", self.participant_view(membership, resumed), PARTICIPANT_POLL_SECONDS)
        if from_memory:
            self.device_note.children = self._device_note(membership)
        code, token = membership.workshop.code, membership.token
        self.bridge.replace_query = _query(join=code, me=token)
        self.bridge.remember_value(f"{self.workbook}:{code}", token)
        self._show_personal_link()

    def _device_note(self, membership: Membership) -> tuple[widgets.Widget, ...]:
        """Whose answers these are, for a device people share (a family tablet, a library PC)."""
        name = membership.participant.display_name or self.ui("device_someone")
        text = widgets.HTML(
            '<p class="rw-device-note" style="margin:6px 0;padding:8px 10px;border-radius:6px;'
            f'background:#fff6e0;color:#4a3500">{esc(self.ui("device_answers", name=name))}</p>'
        )
        button = widgets.Button(description=self.ui("device_not_you"))  # no icon: see joining.py
        button.on_click(guarded(self.status.error)(lambda _b: self.join_as_someone_new()))
        return text, button

    def join_as_someone_new(self) -> None:
        """Forget the personal link this device remembers; the empty join form, code filled in."""
        code = self.membership.workshop.code if self.membership else normalise_code(self.page.get("join"))
        if self.screen == "participant" and hasattr(self.view, "forget_draft"):
            self.view.forget_draft()  # the draft is the other person's: never shown to whoever comes next
        self.bridge.remember_value(f"{self.workbook}:{code}", None)
        self.status.clear()
        self.show_join(code=code)

    def show_facilitator(self, access: FacilitatorAccess) -> None:
        self.access, self.membership = access, None
        self.status.clear()
        self.personal.value = ""
        self._show("facilitator", self.facilitator_view(access), FACILITATOR_POLL_SECONDS)
        self.bridge.replace_query = _query(facilitate=access.workshop.code, key=access.key)
        self._show_facilitator_links()

    def show_solo(self) -> None:
        self.access = self.membership = None
        self.personal.value = ""
        self.status.info(self.ui("solo_mode"))
        self._show("solo", self.solo_view(), 0)
        self.bridge.replace_query = _query(solo="1")
        # A way back: to the join form of the workshop whose link brought them, or to the first screen.
        code = normalise_code(self.page.get("join"))
        back = widgets.Button(description=self.ui("solo_back_to_workshop") if code else self.ui("solo_back"),
                              layout=widgets.Layout(width="auto"))  # no icon: see joining.py
        back.add_class("rw-solo-back")
        back.on_click(guarded(self.status.error)(lambda _b: self._leave_solo(code)))
        self.device_note.children = (back,)

    def _leave_solo(self, code: str) -> None:
        self.status.clear()
        self.show_join(code=code)

    # -- links ---------------------------------------------------------------------

    def base_url(self) -> str:
        """The notebook's address as visitors see it (the browser's word wins)."""
        if self.settings.public_url:
            return self.page.guessed_base_url()
        return base_of(self.bridge.href) if self.bridge.href else self.page.guessed_base_url()

    def _show_personal_link(self) -> None:
        if self.membership is None:
            return
        link = resume_link(self.base_url(), self.membership.workshop.code, self.membership.token)
        self.personal.value = (
            f'<details class="rw-personal" style="margin-top:16px"><summary>{esc(self.ui("resume_show"))}'
            f'</summary><p>{esc(self.ui("resume_hint"))}</p><code style="word-break:break-all">{esc(link)}</code>'
            "</details>"
        )

    def _show_facilitator_links(self) -> None:
        if self.access is None or not hasattr(self.view, "session"):
            return
        code, base = self.access.workshop.code, self.base_url()
        own_link = facilitator_link(base, code, self.access.key)
        if self.page.live_joining:
            self.view.session.show_links(participant_link(base, code), own_link)
        else:
            self.view.session.show_without_joining(own_link)

    # -- the browser's news ------------------------------------------------------------

    def _browser_address(self, _change=None) -> None:
        self._show_personal_link()
        self._show_facilitator_links()

    def _browser_memory(self, change) -> None:
        """A participant who comes back by the plain join link gets their answers back.

        The device may be shared, so the screen says whose answers they are
        and offers to join as someone new instead.
        """
        if self.screen != "join":
            return
        code = normalise_code(self.page.get("join"))
        token = (change["new"] or {}).get(f"{self.workbook}:{code}") if code else None
        if not token:
            return
        try:
            membership = resume(self.require_store(), code, token, self.workbook)
        except FriendlyError:
            self.bridge.remember_value(f"{self.workbook}:{code}", None)  # stale: forget it
            return
        self.show_participant(membership, resumed=True, from_memory=True)

    def _browser_drafts(self, _change=None) -> None:
        """The browser tab's drafts have arrived (after a reload): the participant's page takes back its own."""
        if self.screen == "participant" and hasattr(self.view, "offer_draft"):
            self.view.offer_draft()

    def refresh(self) -> None:
        """Look for news in the store (called on each browser tick)."""
        if self.view is not None and hasattr(self.view, "refresh"):
            guarded(self.status.error)(self.view.refresh)()


def _query(**params: str) -> str:
    """The address bar's query: the kit's own parameters and nothing else."""
    from urllib.parse import urlencode

    return urlencode(params)

"""PageBridge: what the kernel needs to know about the browser page.

Voila gives a kernel the query string but not the address the visitor sees
(behind Binder or a council's proxy the host, path and token differ), and no
way to change the address bar. This small widget does both, remembers
personal resume links in the browser, and ticks while the page is open so
live views can refresh without a background thread.

It also watches the line to the kernel. A kernel can go (culled, killed, the
server restarted) while the page stays on screen looking as if it works; the
browser side asks "are you there?" every few seconds and, when no answer
comes, says so in a banner (``lost_words``, ``reload_words``) and greys the
page so nothing looks saved. And it keeps a participant's unsaved answers in
the browser tab (``keep`` out, ``drafts`` back after a reload), so a reload
does not lose them. A draft never goes to the store.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

import anywidget
import traitlets

#: A draft longer than this (in characters) is not taken back: no form of the kit comes near it
#: (a story is at most a few thousand characters), so it was not written by this page.
DRAFT_MAX_CHARS = 200_000


class PageBridge(anywidget.AnyWidget):
    _esm = Path(__file__).with_name("bridge.js")

    href = traitlets.Unicode("").tag(sync=True)
    recalled = traitlets.Dict().tag(sync=True)
    replace_query = traitlets.Unicode("").tag(sync=True)
    remember = traitlets.Dict().tag(sync=True)
    tick_seconds = traitlets.Float(0).tag(sync=True)
    #: Browser to kernel, once the page is drawn: the drafts this browser tab keeps (key -> JSON text).
    drafts = traitlets.Dict().tag(sync=True)
    #: Kernel to browser: drafts to keep in this tab (key -> JSON text; "" means forget it).
    keep = traitlets.Dict().tag(sync=True)
    #: The banner's words when the kernel has gone, and its button's (from the packs: no English in bridge.js).
    lost_words = traitlets.Unicode("").tag(sync=True)
    reload_words = traitlets.Unicode("").tag(sync=True)
    #: How often the browser asks the kernel "are you there?", and how long an answer may take.
    heartbeat_seconds = traitlets.Float(3).tag(sync=True)
    lost_after_seconds = traitlets.Float(4).tag(sync=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._tick_handlers: list[Callable[[], None]] = []
        self.on_msg(self._on_message)

    def on_tick(self, handler: Callable[[], None]) -> None:
        self._tick_handlers.append(handler)

    def tick(self) -> None:
        """Run the tick handlers now (the browser calls this every tick_seconds)."""
        for handler in list(self._tick_handlers):
            handler()

    def _on_message(self, _widget, content, _buffers) -> None:
        if not isinstance(content, dict):
            return
        if "ping" in content:
            # The answer is all the browser needs: it proves this kernel is alive and still knows the page.
            self.send({"pong": content["ping"]})
        elif "tick" in content:
            self.tick()

    def remember_value(self, key: str, value: str | None) -> None:
        self.remember = {**self.remember, key: value or ""}

    # -- drafts ----------------------------------------------------------------------

    def recalled_draft(self, key: str) -> dict[str, Any] | None:
        """The draft this tab keeps under ``key``, or None.

        What this kernel last said wins over what the browser sent when the page
        was drawn (a draft saved or forgotten since is not given back). The text
        comes from the browser, so anything that is not a JSON object is ignored.
        """
        text = self.keep[key] if key in self.keep else self.drafts.get(key)
        if not isinstance(text, str) or not text or len(text) > DRAFT_MAX_CHARS:
            return None
        try:
            draft = json.loads(text)
        except ValueError:
            return None
        return draft if isinstance(draft, dict) else None

    def keep_draft(self, key: str, draft: dict[str, Any] | None) -> None:
        """Keep ``draft`` in this browser tab under ``key`` (None: forget it)."""
        text = "" if draft is None else json.dumps(draft, ensure_ascii=False, sort_keys=True)
        if not text and not self.keep.get(key) and not self.drafts.get(key):
            return  # nothing kept, nothing to forget: no message to the browser
        if self.keep.get(key) != text or key not in self.keep:
            self.keep = {**self.keep, key: text}

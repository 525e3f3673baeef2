"""PageBridge: what the kernel needs to know about the browser page.

Voila gives a kernel the query string but not the address the visitor sees
(behind Binder or a council's proxy the host, path and token differ), and no
way to change the address bar. This small widget does both, remembers
personal resume links in the browser, and ticks while the page is open so
live views can refresh without a background thread.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import anywidget
import traitlets


class PageBridge(anywidget.AnyWidget):
    _esm = Path(__file__).with_name("bridge.js")

    href = traitlets.Unicode("").tag(sync=True)
    recalled = traitlets.Dict().tag(sync=True)
    replace_query = traitlets.Unicode("").tag(sync=True)
    remember = traitlets.Dict().tag(sync=True)
    tick_seconds = traitlets.Float(0).tag(sync=True)

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
        if isinstance(content, dict) and "tick" in content:
            self.tick()

    def remember_value(self, key: str, value: str | None) -> None:
        self.remember = {**self.remember, key: value or ""}

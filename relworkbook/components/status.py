"""StatusLine: the one place a screen tells its visitor what just happened."""

from __future__ import annotations

import ipywidgets as widgets

from ..text import esc

_STYLES = {
    "info": ("#1f3a5f", "#e8f0fb"),
    "success": ("#1e4620", "#e6f4ea"),
    "error": ("#7a1a1a", "#fdecea"),
}


class StatusLine(widgets.HTML):
    """Shows one short message; announced by screen readers (aria-live)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.add_class("rw-status")
        self.kind = ""
        self.message = ""

    def _show(self, kind: str, message: str) -> None:
        self.kind, self.message = kind, message
        colour, background = _STYLES[kind]
        role = "alert" if kind == "error" else "status"
        self.value = (
            f'<div role="{role}" aria-live="polite" class="rw-{kind}" style="color:{colour};'
            f'background:{background};padding:8px 10px;border-radius:6px;margin:6px 0">{esc(message)}</div>'
        )

    def info(self, message: str) -> None:
        self._show("info", message)

    def success(self, message: str) -> None:
        self._show("success", message)

    def error(self, message: str) -> None:
        self._show("error", message)

    def clear(self) -> None:
        self.kind, self.message, self.value = "", "", ""

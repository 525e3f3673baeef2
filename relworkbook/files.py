"""A file the kit offers for download: pure data, no widgets.

Exports are built by pure functions (reports, CSV, JSON) that a facilitator's
screen, the CLI and tests all call; only showing them as links needs widgets
(:mod:`relworkbook.components.downloads`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DownloadFile:
    label: str
    filename: str
    data: bytes
    mime: str

    @classmethod
    def text(cls, label: str, filename: str, text: str, mime: str) -> "DownloadFile":
        return cls(label, filename, text.encode("utf-8"), mime)
